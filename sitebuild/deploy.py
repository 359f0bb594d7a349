"""Atomic deploys: rsync into a new release folder, then switch `current` with
one rename. The same commands run locally or over ssh (user@host:path)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RELEASE_NAME = re.compile(r"^\d{8}T\d{6}(?:\d{6})?Z$")


class DeployError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    """Where one site is published: <root>/releases/<UTC stamp>/ and <root>/current."""

    host: str | None  # user@host for ssh, None for a local path
    root: str

    @classmethod
    def parse(cls, spec: str, site: str) -> Target:
        match = re.fullmatch(r"(?P<host>[^/:]+@[^/:]+):(?P<path>.+)", spec)
        host, path = (match["host"], match["path"]) if match else (None, spec)
        return cls(host, f"{path.rstrip('/')}/{site}")

    def rsync_path(self, relative: str) -> str:
        path = f"{self.root}/{relative}"
        return f"{self.host}:{path}" if self.host else path

    def run(self, *command: str) -> str:
        """Run a command on the target: locally, or through ssh."""
        argv = list(command)
        if self.host:
            argv = ["ssh", "-o", "BatchMode=yes", self.host, shlex.join(argv)]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DeployError(
                f"{shlex.join(command)} on {self.host or 'localhost'}: {result.stderr.strip()}"
            )
        return result.stdout

    def releases(self) -> list[str]:
        listing = self.run(
            "sh",
            "-c",
            f"mkdir -p {shlex.quote(self.root)}/releases && ls -1 {shlex.quote(self.root)}/releases",
        )
        return sorted(name for name in listing.split() if RELEASE_NAME.match(name))

    def current(self) -> str | None:
        try:
            link = self.run("readlink", f"{self.root}/current").strip()
        except DeployError:
            return None
        return link.rsplit("/", 1)[-1] or None

    def switch(self, release: str) -> None:
        """Point `current` at a release atomically: a new symlink renamed over the old."""
        temporary = f"{self.root}/.current-{release}"
        self.run("ln", "-sfn", f"releases/{release}", temporary)
        self.run("mv", "-T", temporary, f"{self.root}/current")


def release_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def deploy(site_output: Path, target: Target, keep: int, summary: dict) -> dict:
    """Copy a built site into a new release, switch to it, prune old releases.
    Returns the release's summary (its name, changed files, ...)."""
    previous = target.current()
    release = release_stamp()
    # No -t: Pelican rewrites every file, so mtimes differ; --checksum decides what
    # changed and unchanged files become hard links into the previous release.
    command = [
        "rsync",
        "--stats",
        "-rlD",
        "--checksum",
        "--delete",
        "--perms",
        "--chmod=Du=rwx,Dgo=rx,Fu=rw,Fgo=r",
    ]
    if previous:
        command.append(
            f"--link-dest=../{previous}"
        )  # unchanged files become hard links
    command += [f"{site_output}/", target.rsync_path(f"releases/{release}/")]
    target.run("mkdir", "-p", f"{target.root}/releases")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        target.run("rm", "-rf", f"{target.root}/releases/{release}")
        raise DeployError(f"rsync failed: {result.stderr.strip()}")
    if previous:
        _carry_assets(target, previous, release)
    changed = re.search(r"Number of regular files transferred: ([\d,]+)", result.stdout)
    summary = {
        **summary,
        "changed_files": int(changed.group(1).replace(",", "")) if changed else None,
    }
    _write_summary(target, release, summary)
    target.switch(release)
    prune(target, keep)
    return {"release": release, **summary}


def _carry_assets(target: Target, previous: str, release: str) -> None:
    """Hard-link the previous release's own fingerprinted assets into the new one:
    a page loaded just before the switch still finds its stylesheet after it."""
    old = f"{target.root}/releases/{previous}/theme"
    new = f"{target.root}/releases/{release}/theme"
    script = (
        f"[ -f {shlex.quote(old)}/fingerprints.txt ] || exit 0; "
        f'while read -r name; do case "$name" in ""|/*|*..*) continue;; esac; '
        f'[ -e {shlex.quote(new)}/"$name" ] || {{ mkdir -p "$(dirname {shlex.quote(new)}/"$name")"; '
        f'ln {shlex.quote(old)}/"$name" {shlex.quote(new)}/"$name"; }}; '
        f"done < {shlex.quote(old)}/fingerprints.txt"
    )
    target.run("sh", "-c", script)


def _write_summary(target: Target, release: str, summary: dict) -> None:
    text = json.dumps({"release": release, **summary}, sort_keys=True)
    target.run(
        "sh",
        "-c",
        f"printf '%s\\n' {shlex.quote(text)} > {shlex.quote(target.root)}/releases/{release}.json",
    )


def prune(target: Target, keep: int) -> list[str]:
    """Remove all but the newest `keep` releases; never the current one."""
    releases, current = target.releases(), target.current()
    doomed = [r for r in releases[:-keep] if r != current] if keep > 0 else []
    for release in doomed:
        target.run(
            "rm",
            "-rf",
            f"{target.root}/releases/{release}",
            f"{target.root}/releases/{release}.json",
        )
    return doomed


def rollback(target: Target, to: str | None = None) -> str:
    releases, current = target.releases(), target.current()
    if to is None:
        if current not in releases or releases.index(current) == 0:
            raise DeployError(
                f"no release before {current or 'nothing'} in {target.root}/releases"
            )
        to = releases[releases.index(current) - 1]
    if to not in releases:
        raise DeployError(
            f"no release {to!r}; releases: {', '.join(releases) or 'none'}"
        )
    target.switch(to)
    return to


def list_releases(target: Target) -> list[dict]:
    current = target.current()
    rows = []
    for release in target.releases():
        try:
            summary = json.loads(
                target.run("cat", f"{target.root}/releases/{release}.json")
            )
        except (DeployError, ValueError):
            summary = {}
        rows.append({**summary, "release": release, "current": release == current})
    return rows
