"""Compiled templates are cached by everything that shapes their code: a theme
edit, then a build, then a build into a fresh folder (what publish does) work;
and an edit of any template on the search path (the theme's, a capability's
tps/<capability>/templates/, another override folder) drops the traces and the
compiled templates alike."""

from __future__ import annotations

import shutil

import pytest

from tps.core.paths import ROOT
from tps.core.templates import add_template_folder
from tps.incremental import store
from tps.incremental.plugin import State
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


@pytest.mark.parametrize(
    "edited",
    [
        "package/units/templates/unit.html",
        "package/governance/templates/governance-macros.html",
        "theme/templates/base.html",
        "overrides/unit.html",
    ],
)
def test_a_template_edit_drops_the_traces_and_the_compiled_templates(
    edited, tmp_path, monkeypatch
):
    # The package copied (store hashes it as the plugins' code), its
    # capabilities' folders put on the search path as their plugins do at
    # `initialized`, after a folder of the settings file's own overrides.
    package = tmp_path / "package"
    shutil.copytree(
        store.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(store, "PACKAGE", package)
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "unit.html").write_text('{% extends "base.html" %}\n')
    (tmp_path / "previous").mkdir()
    settings = {
        "THEME": str(tmp_path / "theme"),
        "THEME_TEMPLATES_OVERRIDES": [str(overrides)],
        "CACHE_PATH": str(tmp_path / "cache"),
        "INCREMENTAL_PREVIOUS_OUTPUT": str(tmp_path / "previous"),
    }
    for folder in sorted(package.glob("*/templates")):
        add_template_folder(settings, folder)
    assert len(settings["THEME_TEMPLATES_OVERRIDES"]) >= 6

    def start() -> (
        State
    ):  # what a build does at `initialized`, then its first generator
        state = State()
        state.reset(settings)
        state.prepare()
        return state

    first = start()
    traces = {"units/index.html": ([], None)}
    store.save(first.cache_file, first.env_version, traces)
    compiled = first.bytecode_folder
    (compiled / "a-compiled-template.cache").write_bytes(b"code")
    again = start()
    assert again.old == traces and again.bytecode_folder == compiled, "nothing edited"

    path = tmp_path / edited
    path.write_text(path.read_text() + "{# edited #}\n")
    after = start()
    assert after.env_version != first.env_version
    assert after.old == {}, "the traces of the old templates are not replayed"
    assert after.bytecode_folder != compiled and not compiled.exists()
