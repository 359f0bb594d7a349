"""The sample build of both sites, with the fixed clock, is the golden output
in tests/output/ (README, "Golden output"). The build is the session's
``sample_sites`` (tests/conftest.py builds it with TPS_FIXED_NOW)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tps.site import golden


def test_both_sites_match_the_golden_output(sample_sites):
    difference = golden.compare(sample_sites)
    if difference:
        pytest.fail(difference.report(), pytrace=False)


def test_the_golden_tree_pins_every_file(sample_sites):
    """Every file of the build outside pagefind/ is either a file of the tree
    or a line of the manifest, and the tree holds no binary."""
    shot = golden.snapshot(sample_sites)
    built = {
        f"{site}/{path.relative_to(root).as_posix()}"
        for site, root in sample_sites.items()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != "pagefind"
    }
    pinned = set(shot.texts) | {line.split("  ", 1)[1] for line in shot.manifest}
    assert pinned == built
    assert not any(
        Path(name).suffix in {".jpg", ".png", ".webp"} for name in shot.texts
    )
    assert any(name.endswith(".jpg") for name in pinned)


def test_a_difference_is_shown_as_a_diff(sample_sites, tmp_path):
    """A changed page, a missing one and a changed image: the report names
    them, shows the page's diff and says how to accept the change."""
    tree = tmp_path / "output"
    shot = golden.write_golden(sample_sites, tree)
    page = tree / "public" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("<main", "<main data-x", 1)
    )
    (tree / "internal" / "extra.html").write_text("gone\n")
    manifest = tree / golden.MANIFEST
    manifest.write_text(
        manifest.read_text().replace(shot.manifest[0][:8], "00000000", 1)
    )
    difference = golden.compare(sample_sites, tree)
    report = difference.report()
    assert difference.changed == ["public/index.html", golden.MANIFEST]
    assert difference.missing == ["internal/extra.html"]
    assert "--- golden/public/index.html" in report
    assert '-  <main data-x id="main"' in report
    assert '+  <main id="main"' in report
    assert report.endswith("run invoke update-golden if the change is intended")
