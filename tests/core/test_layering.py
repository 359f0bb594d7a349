"""The package's layering (issue #15): capabilities import each other without
a cycle, tps/core imports no capability, tps/content_model only tps/core, and
only tps/site (with tasks.py, the tests and bench/) imports tps/site; the
editor's preview (tps/preview) sits above it and nothing imports the preview;
and the templates follow the same folders: each capability's page templates in
its tps/<capability>/templates/, only the generic ones and the shared
components in theme/templates/."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import tps
from tests.support.templates import (
    GENERIC,
    THEME_TEMPLATES,
    capability_folders,
    referenced,
    rendered_templates,
)

PACKAGE = Path(tps.__file__).parent


def capability_imports() -> dict[str, set[str]]:
    """capability -> the other capabilities it imports (at any depth)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2:
            continue
        own = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("tps.") and name.split(".")[1] != own:
                    edges[own].add(name.split(".")[1])
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found = []

    def walk(node: str, path: list[str]) -> None:
        for other in sorted(edges.get(node, ())):
            if other in path:
                found.append([*path[path.index(other) :], other])
            elif len(path) < len(edges) + 1:
                walk(other, [*path, other])

    for start in sorted(edges):
        walk(start, [start])
    return found


def test_capabilities_import_each_other_without_a_cycle():
    assert cycles(capability_imports()) == []


def test_core_and_the_content_model_import_no_capability():
    edges = capability_imports()
    assert edges.get("core", set()) == set()
    assert edges.get("content_model", set()) <= {"core"}


ORCHESTRATORS = ("site", "preview")  # what tasks.py runs; they may import site


def test_only_site_imports_site():
    edges = capability_imports()
    assert [
        name
        for name, imported in edges.items()
        if "site" in imported and name not in ORCHESTRATORS
    ] == []


def test_nothing_imports_the_preview():
    edges = capability_imports()
    assert [name for name, imported in edges.items() if "preview" in imported] == []


# --- templates ----------------------------------------------------------------


def test_every_page_template_a_capability_renders_lives_in_its_folder():
    rendered = rendered_templates()
    # the scan sees every capability that writes pages of its own
    assert {"units", "governance", "social_feeds", "alerts"} <= set(rendered)
    folders = capability_folders()
    misplaced = [
        f"{where}: {name}.html is not in tps/{capability}/templates/"
        for capability, names in rendered.items()
        for name, where in names.items()
        if capability not in folders
        or not (folders[capability] / f"{name}.html").is_file()
    ]
    assert misplaced == []


def test_the_theme_holds_only_the_generic_templates_and_shared_components():
    pages = {path.stem for path in THEME_TEMPLATES.glob("*.html")}
    assert pages == GENERIC
    assert {p.name for p in THEME_TEMPLATES.iterdir() if p.is_dir()} == {"components"}
    # components/: a folder per component, or a macro file a generic template
    # (or a component) imports; nothing only a capability uses
    components = THEME_TEMPLATES / "components"
    used_by_theme = set().union(
        *(referenced(path) for path in THEME_TEMPLATES.rglob("*.html"))
    )
    for path in sorted(components.iterdir()):
        name = path.relative_to(THEME_TEMPLATES).as_posix()
        if path.is_dir():
            assert (path / f"{path.name}.html").is_file(), name
        else:
            assert name in used_by_theme, f"{name} is used by no theme template"


def test_a_capability_folder_holds_what_it_renders_and_imports_only_the_theme():
    rendered = rendered_templates()
    theme = {
        path.relative_to(THEME_TEMPLATES).as_posix()
        for path in THEME_TEMPLATES.rglob("*.html")
    }
    seen: dict[str, str] = {name: "theme" for name in theme}
    for capability, folder in capability_folders().items():
        own = {path.name for path in folder.glob("*.html")}
        assert {p.name for p in folder.iterdir()} == own, f"{folder}: only *.html"
        used = set()
        for name in sorted(own):
            # one name, one template: nothing shadows another folder's
            assert name not in seen, f"{capability}/{name} and {seen[name]}/{name}"
            seen[name] = capability
            for other in referenced(folder / name):
                assert other in own or other in theme, (
                    f"tps/{capability}/templates/{name} uses {other}: neither its"
                    " own nor the theme's"
                )
                used.add(other)
        pages = {f"{name}.html" for name in rendered.get(capability, {})}
        assert own <= pages | used, f"{folder}: {sorted(own - pages - used)} unused"
