"""The golden output: the sample build of both sites, pinned in tests/output/.

``tests/output/<site>/`` holds every text file the build writes (HTML, XML,
JSON, CSV, TXT, SVG), byte for byte. The rest (images re-encoded from the feed
cache, the theme's static files under ``theme/``, copied and fingerprinted) is
pinned by name and SHA-256 in ``tests/output/manifest.sha256`` (``sha256sum``
format: ``cd output && sha256sum -c ../tests/output/manifest.sha256``).
``pagefind/`` (the search index) is left out; tests/site/test_search.py checks it.

The sample is built with the fixed clock (``TPS_FIXED_NOW`` = :data:`FIXED_NOW`),
so "5 days ago", stale ages, overdue reviews and active alerts are the same on
every run. ``invoke update-golden`` regenerates the trees; the test
tests/site/test_golden_output.py diffs the suite's sample build against them.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tps.core import clock
from tps.core.paths import ROOT, SITES

GOLDEN = ROOT / "tests" / "output"
MANIFEST = "manifest.sha256"
# Noon in Toronto, five days after the sample feed cache's
# last refresh (2026-11-25 08:00 UTC).
FIXED_NOW = "2026-11-30T12:00:00-05:00"
TEXT_SUFFIXES = frozenset({".html", ".xml", ".json", ".csv", ".txt", ".svg"})
SKIPPED = ("pagefind",)  # top-level folders not pinned at all
COPIED = ("theme",)  # top-level folders pinned by the manifest only


@contextlib.contextmanager
def fixed_clock(moment: str = FIXED_NOW) -> Iterator[None]:
    """``TPS_FIXED_NOW`` set for what runs inside (the build's Pelican
    processes inherit it), restored afterwards."""
    before = os.environ.get(clock.ENV)
    os.environ[clock.ENV] = moment
    try:
        clock.fixed()  # a bad value fails here, not in two Pelican processes
        yield
    finally:
        if before is None:
            os.environ.pop(clock.ENV, None)
        else:
            os.environ[clock.ENV] = before


def build_sample(output_root: Path, **options) -> dict[str, Path]:
    """Both sample sites built with the fixed clock into ``output_root``."""
    from .build import build

    with fixed_clock():
        build(output_root=output_root, **options)
    return {site: output_root / site for site in SITES}


def in_tree(relative: str) -> bool | None:
    """True: pinned as a file of the tree; False: by the manifest; None: not pinned."""
    top, _, _ = relative.partition("/")
    if top in SKIPPED:
        return None
    return top not in COPIED and Path(relative).suffix in TEXT_SUFFIXES


def _files(folder: Path) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
    )


@dataclass
class Snapshot:
    """What the golden output pins of one build: text files by path (``<site>/...``)
    and the manifest's lines."""

    texts: dict[str, Path] = field(default_factory=dict)
    manifest: list[str] = field(default_factory=list)

    def manifest_text(self) -> str:
        return "".join(f"{line}\n" for line in self.manifest)


def snapshot(sites: Mapping[str, Path]) -> Snapshot:
    shot = Snapshot()
    for site in sorted(sites):
        for relative in _files(sites[site]):
            pinned = in_tree(relative)
            if pinned is None:
                continue
            path = sites[site] / relative
            if pinned:
                shot.texts[f"{site}/{relative}"] = path
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                shot.manifest.append(f"{digest}  {site}/{relative}")
    return shot


def write_golden(sites: Mapping[str, Path], golden: Path = GOLDEN) -> Snapshot:
    """Replace ``golden`` with the pinned part of ``sites``: written beside it,
    then swapped in with two renames (the old tree is never half-replaced)."""
    shot = snapshot(sites)
    golden.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{golden.name}-new-", dir=golden.parent))
    try:
        for name, source in shot.texts.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        (staging / MANIFEST).write_text(shot.manifest_text(), encoding="utf-8")
        staging.chmod(0o755)
        retired = golden.with_name(f".{golden.name}-old-{time.time_ns()}")
        if golden.exists():
            golden.rename(retired)
        staging.rename(golden)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return shot


def update_golden(golden: Path = GOLDEN) -> Snapshot:
    """Build both sample sites with the fixed clock (in a temporary folder)
    and make them the golden output."""
    with tempfile.TemporaryDirectory(prefix="tps-golden-") as folder:
        sites = build_sample(Path(folder) / "output")
        return write_golden(sites, golden)


@dataclass
class Comparison:
    missing: list[str] = field(default_factory=list)  # in the golden tree, not built
    extra: list[str] = field(default_factory=list)  # built, not in the golden tree
    changed: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)  # of the first few changed files

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.changed)

    def report(self, limit: int = 20) -> str:
        lines = [
            f"the build differs from the golden output in {GOLDEN.relative_to(ROOT)}/:"
            f" {len(self.changed)} changed, {len(self.missing)} missing,"
            f" {len(self.extra)} new"
        ]
        for label, names in (
            ("changed", self.changed),
            ("missing", self.missing),
            ("new", self.extra),
        ):
            lines += [f"  {label}: {name}" for name in names[:limit]]
            if len(names) > limit:
                lines.append(f"  ... and {len(names) - limit} more {label}")
        lines += self.diffs
        lines.append("run invoke update-golden if the change is intended")
        return "\n".join(lines)


def _diff(name: str, expected: bytes, actual: bytes, context_lines: int) -> str:
    diff = list(
        difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(),
            actual.decode("utf-8", "replace").splitlines(),
            f"golden/{name}",
            f"built/{name}",
            lineterm="",
            n=2,
        )
    )
    if len(diff) > context_lines:
        diff = [*diff[:context_lines], f"... ({len(diff) - context_lines} more lines)"]
    return "\n".join(diff)


def compare(
    sites: Mapping[str, Path],
    golden: Path = GOLDEN,
    *,
    show: int = 3,
    lines: int = 30,
) -> Comparison:
    """``sites`` against ``golden``: every pinned text file byte for byte, the
    manifest line by line; unified diffs of the first ``show`` changed files."""
    shot = snapshot(sites)
    result = Comparison()
    expected = {
        name
        for site in sites
        if (golden / site).is_dir()
        for name in (f"{site}/{r}" for r in _files(golden / site))
    }
    result.missing = sorted(expected - shot.texts.keys())
    result.extra = sorted(shot.texts.keys() - expected)
    for name in sorted(expected & shot.texts.keys()):
        want, got = (golden / name).read_bytes(), shot.texts[name].read_bytes()
        if want != got:
            result.changed.append(name)
            if len(result.diffs) < show:
                result.diffs.append(_diff(name, want, got, lines))
    manifest = golden / MANIFEST
    want = manifest.read_text(encoding="utf-8") if manifest.is_file() else ""
    wanted = [
        line
        for line in want.splitlines()
        if line.split("  ", 1)[-1].split("/")[0] in sites
    ]
    if wanted != shot.manifest:
        result.changed.append(MANIFEST)
        result.diffs.append(
            _diff(
                MANIFEST,
                "\n".join(wanted).encode(),
                "\n".join(shot.manifest).encode(),
                lines,
            )
        )
    return result
