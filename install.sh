#!/usr/bin/env bash
# Installs what the project needs into .venv (and, with --test, the Debian
# packages the test suite drives). Safe to run again; skips what is present.
#   ./install.sh          build dependencies: Python packages (pinned) and the
#                         Canadian English dictionary the content monitoring uses
#   ./install.sh --test   also chromium, nginx, rsync and the test packages
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
echo "install.sh: ready ($requirements)"
