"""The package's layering (issue #15): capabilities import each other without
a cycle, tps/core imports no capability, tps/content_model only tps/core, and
only tps/site (with tasks.py, the tests and bench/) imports tps/site; the
editor's preview (tps/preview) sits above it and nothing imports the preview."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import tps

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
