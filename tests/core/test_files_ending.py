"""tps.core.files.files_ending: rglob's answer, in rglob's order, faster."""

from __future__ import annotations

from tps.core.files import files_ending


def test_files_ending_is_sorted_rglob_without_the_skipped_folders(tmp_path):
    for relative in (
        "index.html", "a/index.html", "a-b/index.html", "a/b/c.html",
        "a/b/c.css", "pagefind/x.html", "deep/pagefind/y.html", "Z.html",
    ):  # fmt: skip
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    expected = sorted(tmp_path.rglob("*.html"))
    assert files_ending(tmp_path, ".html") == expected
    assert files_ending(tmp_path, ".html", skip=("pagefind",)) == [
        path for path in expected if path.parent != tmp_path / "pagefind"
    ]
