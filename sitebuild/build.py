"""Build one or both sites without ever leaving a half-written output folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from content_model import ContentError, tree_stamp, validate_tree

from .paths import CONTENT, OUTPUT, SETTINGS, SITES


@dataclass
class SiteBuild:
    site: str
    output: Path
    log: str


class BuildError(Exception):
    """A site failed to build; nothing in the output folder was changed."""

    def __init__(self, site: str, log: str):
        self.site, self.log = site, log
        super().__init__(
            f"the {site} site failed to build; output/ is unchanged\n{log}"
        )


def sites_for(choice: str) -> tuple[str, ...]:
    if choice in ("all", "both", ""):
        return SITES
    if choice not in SITES:
        raise ValueError(
            f"--site must be one of {', '.join(SITES)} or all, not {choice!r}"
        )
    return (choice,)


def build(
    sites: tuple[str, ...] = SITES,
    *,
    content: Path = CONTENT,
    output_root: Path = OUTPUT,
    settings: dict | None = None,
) -> list[SiteBuild]:
    """Validate ``content``, then build each site into ``output_root/<site>``.

    The sites build in parallel, each into a staging folder next to its final
    place; only when every site succeeded are they moved into place. On any
    failure the staging folders are removed and the previous output is intact.
    """
    stamp = tree_stamp(content)
    problems = [p for p in validate_tree(content) if p.severity == "error"]
    if problems:
        raise ContentError(problems)
    # The Pelican processes skip their own validation of this very tree.
    settings = {**(settings or {}), "CONTENT_VALIDATED_STAMP": stamp}
    output_root.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        running = {}
        for site in sites:
            staged[site] = Path(
                tempfile.mkdtemp(prefix=f".{site}-staging-", dir=output_root)
            )
            running[site] = _start_pelican(site, content, staged[site], settings or {})
        logs = {site: process.communicate()[0] for site, process in running.items()}
        for site, process in running.items():
            if process.returncode != 0:
                raise BuildError(site, logs[site])
        for site, folder in staged.items():
            logs[site] += _index_for_search(site, folder)
        results = [SiteBuild(site, output_root / site, logs[site]) for site in sites]
        for site, folder in staged.items():
            _swap_into_place(folder, output_root / site)
        staged.clear()
        return results
    finally:
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)


def _start_pelican(
    site: str, content: Path, output: Path, settings: dict
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "--settings",
        str(SETTINGS[site]),
        "--output",
        str(output),
        "--fatal",
        "errors",
    ]
    if settings:
        # One --extra-settings with every pair: Pelican keeps only the last
        # occurrence of the option.
        command += ["--extra-settings"]
        command += [f"{key}={json.dumps(value)}" for key, value in settings.items()]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _index_for_search(site: str, folder: Path) -> str:
    """Pagefind indexes the staged site, so each site's index holds only its pages."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(
            site, f"search indexing failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def _swap_into_place(staging: Path, final: Path) -> None:
    retired = final.with_name(f".{final.name}-retired")
    shutil.rmtree(retired, ignore_errors=True)
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    final.chmod(0o755)  # mkdtemp makes 0700; web servers read as another user
    shutil.rmtree(retired, ignore_errors=True)
