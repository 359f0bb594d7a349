"""Compiled templates are cached by everything that shapes their code: a theme
edit, then a build, then a build into a fresh folder (what publish does) work."""

from __future__ import annotations

import shutil

from tps.core.paths import ROOT
from tps.site.build import build


def test_a_theme_edit_then_build_then_a_fresh_build_all_work(content_copy, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = {"THEME": str(theme)}
    cache = tmp_path / "cache"
    output = tmp_path / "out"
    build(
        ("public",),
        content=content_copy,
        output_root=output,
        settings=settings,
        cache_root=cache,
    )
    css = theme / "static/css/main.css"
    css.write_text(css.read_text() + "/* x */\n")
    # A rebuild (traced: its templates compile with the tracing hooks) ...
    build(
        ("public",),
        content=content_copy,
        output_root=output,
        settings=settings,
        cache_root=cache,
    )
    # ... then a build into a fresh folder, untraced, as `invoke publish` does.
    fresh = tmp_path / "publish"
    build(
        ("public",),
        content=content_copy,
        output_root=fresh,
        settings=settings,
        cache_root=cache,
    )
    post = next((fresh / "public/blogs").glob("*/*/index.html"))
    assert "<h1" in post.read_text()
    assert (
        "/* x */" in next((fresh / "public/theme/css").glob("main.*.css")).read_text()
    )
    # and back: a traced rebuild after the untraced build
    build(
        ("public",),
        content=content_copy,
        output_root=fresh,
        settings=settings,
        cache_root=cache,
    )
