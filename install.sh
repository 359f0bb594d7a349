#!/usr/bin/env bash
# Installs what the project needs into .venv (and, with --test, the Debian
# packages the test suite drives). Safe to run again; skips what is present.
#   ./install.sh          build dependencies: Python packages (pinned) and the
#                         Canadian English dictionary the content monitoring uses
#   ./install.sh --test   also chromium, nginx, rsync, the test packages and the
#                         audit's HTML checker (vnu-jar from npm, run by Java)
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-build}
python=${PYTHON:-python3}
debian_build_packages=(hunspell-en-ca libenchant-2-2)
debian_test_packages=(chromium nginx rsync fonts-dejavu-core)

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "install.sh: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  # Debian's own python3 needs python3-venv for ensurepip.
  "$python" -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv; "$python" -m venv .venv; }
fi

apt_install "${debian_build_packages[@]}"
requirements=requirements.txt
if [ "$mode" = "--test" ]; then
  apt_install "${debian_test_packages[@]}"
  requirements=requirements-test.txt
elif [ "$mode" != "build" ]; then
  echo "usage: ./install.sh [--test]" >&2
  exit 2
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
# The project itself, the package tps (editable: the checkout is what runs),
# built by the pinned setuptools just installed.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e .
if [ "$mode" = "--test" ]; then
  # The audit's Nu HTML Checker: vnu.jar from npm (pinned in package-lock.json),
  # run by the system Java; --ignore-scripts stops vnu-jar downloading a JDK.
  command -v java >/dev/null || apt_install default-jre-headless
  command -v npm >/dev/null || apt_install npm
  npm ci --ignore-scripts --no-audit --no-fund --silent
fi
echo "install.sh: ready ($requirements)"
