"""Build one or both sites without ever leaving a half-written output folder."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tps.core.paths import CONTENT, OUTPUT, ROOT, SETTINGS, SITES
from tps.core.problems import ContentError

from . import search_index
from .readcache import prewarm
from .validation import tree_stamp, validate_tree


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
    cache_root: Path | None = None,
) -> list[SiteBuild]:
    """Validate ``content`` and build each site into ``output_root/<site>``.

    ``cache_root`` gives each site's Pelican content cache a folder of its own
    (``<cache_root>/pelican-<site>``) instead of the project's ``.cache/``;
    without it, the environment's ``TPS_CACHE_ROOT`` does (the test suite
    gives each of its worker processes its own).

    The sites build in parallel, each into a staging folder next to its final
    place; only when every site succeeded are they moved into place. On any
    failure the staging folders are removed and the previous output is intact.
    """
    if cache_root is None:
        cache_root = default_cache_root()
    try:
        output_root.mkdir(parents=True, exist_ok=True)
        for site in sites:
            _remove_leftovers(output_root, site)
        probe = tempfile.mkdtemp(prefix=".write-test-", dir=output_root)
        os.rmdir(probe)
    except OSError as error:
        raise BuildError(
            ", ".join(sites),
            f"cannot write to {output_root}: {error.strerror or error}"
            " (check the folder's owner and permissions)",
        ) from None
    staged: dict[str, Path] = {}
    processes: dict[str, subprocess.Popen] = {}
    try:
        # Pelican starts at once (imports, settings, plugins: half a second)
        # and waits at the gate (tps/site/gate.py) while the Markdown is
        # read here.
        for site in sites:
            staged[site] = Path(
                tempfile.mkdtemp(prefix=f".{site}-staging-", dir=output_root)
            )
            site_settings = {**(settings or {}), "BUILD_GATE": True}
            # The output this build replaces: unchanged pages are linked from it.
            site_settings["INCREMENTAL_PREVIOUS_OUTPUT"] = str(
                (output_root / site).resolve()
            )
            if cache_root:
                site_settings["CACHE_PATH"] = str(site_cache(site, cache_root))
            processes[site] = _start_pelican(site, content, staged[site], site_settings)
        stamp = tree_stamp(content)
        share_reads(sites, content, cache_root)
        # The intranet links the public site's search shards it shares.
        lenders = {site: search_index.Lender() for site in sites}
        # Each site runs Pelican then Pagefind in its own thread, so one site's
        # search indexing overlaps the other site's Pelican run.
        with ThreadPoolExecutor(max_workers=len(sites)) as pool:
            futures = {
                site: pool.submit(
                    _build_site,
                    site,
                    processes[site],
                    stamp,
                    staged[site],
                    output_root / site,
                    cache_root,
                    lenders[LENDERS[site]] if LENDERS.get(site) in sites else None,
                    lenders[site],
                )
                for site in sites
            }
            # The content is validated while the sites build: nothing they
            # write is moved into place unless it passes, and its report (not
            # Pelican's) is the error.
            try:
                problems = [p for p in validate_tree(content) if p.severity == "error"]
                if problems:
                    raise ContentError(problems)
            except BaseException:
                _stop(processes)
                raise
            logs = {site: future.result() for site, future in futures.items()}
        results = [SiteBuild(site, output_root / site, logs[site]) for site in sites]
        for site, folder in staged.items():
            swap_into_place(folder, output_root / site)
        staged.clear()
        return results
    finally:
        _stop(processes)
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)


LENDERS = {"internal": "public"}  # site -> the site whose search shards it shares


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.kill()


def share_reads(sites: tuple[str, ...], content: Path, cache_root: Path | None) -> None:
    """Convert each Markdown file once for both sites, on every core (readcache).
    Only a speed-up: if it fails, each Pelican process reads for itself."""
    try:
        prewarm(sites, content, cache_root)
    except Exception as error:  # never worth failing a build for
        logging.getLogger(__name__).warning("shared reading skipped: %s", error)


CACHE_ROOT_ENV = "TPS_CACHE_ROOT"


def default_cache_root() -> Path | None:
    """``TPS_CACHE_ROOT`` when set: the cache folder builds use by default."""
    value = os.environ.get(CACHE_ROOT_ENV, "")
    return Path(value) if value else None


def site_cache(site: str, cache_root: Path | None) -> Path:
    """The site's Pelican cache folder (its CACHE_PATH unless ``cache_root``)."""
    if cache_root:
        return Path(cache_root) / f"pelican-{site}"
    return ROOT / ".cache" / f"pelican-{site}"


def _search_manifest(site: str, cache_root: Path | None) -> Path:
    return site_cache(site, cache_root) / "search-index.json"


def _build_site(
    site: str,
    process: subprocess.Popen,
    stamp: str,
    staged: Path,
    final: Path,
    cache_root: Path | None,
    lender: search_index.Lender | None,
    lends: search_index.Lender,
) -> str:
    try:
        # Through the gate: the stamp of the tree validated (it is not validated again).
        log = process.communicate(input=f"{stamp}\n")[0]
        if process.returncode != 0:
            raise BuildError(site, log)
    except BaseException as error:
        lends.fail(error)
        raise
    try:
        # Unchanged shards of the output this build replaces are kept.
        log += search_index.index(
            staged,
            final=final,
            manifest=_search_manifest(site, cache_root),
            lender=lender,
            lends=lends,
        )
    except search_index.SearchIndexError as error:
        raise BuildError(site, str(error)) from None
    return log


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
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def swap_into_place(staging: Path, final: Path) -> None:
    retired = final.with_name(f".{final.name}-retired-{time.time_ns()}")
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    final.chmod(0o755)  # mkdtemp makes 0700; web servers read as another user
    if retired.exists():
        _remove_in_background(retired)


_REMOVALS: list[subprocess.Popen] = []


def wait_for_removals() -> None:
    """Until the old outputs are deleted (the benchmark's next timing should not
    pay for them)."""
    while _REMOVALS:
        _REMOVALS.pop().wait()


def _remove_in_background(folder: Path) -> None:
    """The old output is already out of the way; deleting its thousands of
    files is nobody's wait, so a detached ``rm`` does it (a leftover is removed
    by the next build)."""
    _REMOVALS[:] = [p for p in _REMOVALS if p.poll() is None]
    process = subprocess.Popen(
        ["rm", "-rf", "--", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _REMOVALS.append(process)


def _remove_leftovers(output_root: Path, site: str) -> None:
    for leftover in output_root.glob(f".{site}-retired*"):
        shutil.rmtree(leftover, ignore_errors=True)
