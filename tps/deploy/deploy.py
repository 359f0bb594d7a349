"""Atomic deploys: rsync into a hidden folder (``releases/.partial-<stamp>``),
write the release's manifest (``releases/<stamp>.json``), rename the folder to
``releases/<stamp>``, then switch `current` with one rename. A release counts
only with both its folder and its manifest, so a deploy killed at any point
leaves nothing `releases` or `rollback` would use; the next deploy removes it.
The same commands run locally or over ssh (user@host:path)."""

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
        """Complete releases only: a folder with its manifest beside it. A
        target that does not exist has none (and is not created)."""
        root = shlex.quote(f"{self.root}/releases")
        listing = self.run(
            "sh",
            "-c",
            f"[ -d {root} ] || exit 0; cd {root} && for name in *; do "
            '[ -d "$name" ] && [ ! -L "$name" ] && [ -s "$name.json" ] && echo "$name"; done; true',
        )
        return sorted(name for name in listing.split() if RELEASE_NAME.match(name))

    def exists(self) -> bool:
        return bool(
            self.run(
                "sh",
                "-c",
                f"[ -d {shlex.quote(self.root)}/releases ] && echo y || true",
            ).strip()
        )

    def clean_leftovers(self) -> None:
        """Remove what killed deploys left: partial folders, folders without a
        manifest and manifests without a folder (never `current`'s target)."""
        root = shlex.quote(f"{self.root}/releases")
        live = shlex.quote(self.current() or "/")  # "/" names no file
        self.run(
            "sh",
            "-c",
            f"[ -d {root} ] || exit 0; cd {root} && "
            "rm -rf ./.partial-* ./.manifest-*; "
            'for name in [0-9]*T*Z [0-9]*T*Z.json; do case "$name" in '
            f"{live}|{live}.json) continue;; "
            '*.json) [ -d "${name%.json}" ] || rm -f "$name";; '
            '*) [ -s "$name.json" ] || rm -rf "$name";; esac; done; true',
        )

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
    target.run("mkdir", "-p", f"{target.root}/releases")
    target.clean_leftovers()
    previous = target.current()
    release = release_stamp()
    partial = f".partial-{release}"
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
    command += [f"{site_output}/", target.rsync_path(f"releases/{partial}/")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        target.run("rm", "-rf", f"{target.root}/releases/{partial}")
        raise DeployError(f"rsync failed: {result.stderr.strip()}")
    if previous:
        _carry_assets(target, previous, partial)
    changed = re.search(r"Number of regular files transferred: ([\d,]+)", result.stdout)
    summary = {
        **summary,
        "changed_files": int(changed.group(1).replace(",", "")) if changed else None,
    }
    _write_summary(target, release, summary)  # the manifest: last but the rename
    target.run(
        "mv",
        "-T",
        f"{target.root}/releases/{partial}",
        f"{target.root}/releases/{release}",
    )
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
    folder = shlex.quote(f"{target.root}/releases")
    # Written whole, then renamed: a manifest is never half there.
    target.run(
        "sh",
        "-c",
        f"printf '%s\\n' {shlex.quote(text)} > {folder}/.manifest-{release} && "
        f"mv -f {folder}/.manifest-{release} {folder}/{release}.json",
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
    if not target.exists():
        raise DeployError(f"nothing is published at {target.root}: check --target")
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
    if not target.exists():
        raise DeployError(f"nothing is published at {target.root}: check --target")
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
