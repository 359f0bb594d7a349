"""Where the templates are: the theme's generic ones, each capability's own
folder (tps/<capability>/templates/), and which page templates each
capability renders, read from its code."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import jinja2
from jinja2 import meta

import tps
from tps.core.paths import ROOT

PACKAGE = Path(tps.__file__).parent
THEME_TEMPLATES = ROOT / "theme" / "templates"
# The page types Pelican itself renders (and the pages content/pages/ names
# with Template:): every theme has them, so they stay in the theme.
GENERIC = frozenset(
    {
        "base", "index", "article", "page", "archives", "tags", "tag",
        "categories", "category", "author", "authors", "404", "search",
    }
)  # fmt: skip


def capability_folders() -> dict[str, Path]:
    """capability -> its templates folder, for each capability that has one."""
    return {
        folder.parent.name: folder
        for folder in sorted(PACKAGE.glob("*/templates"))
        if folder.is_dir()
    }


def _template_argument(call: ast.Call, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "template":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def rendered_templates() -> dict[str, dict[str, str]]:
    """capability -> {page template name: where in the code it is rendered}.

    A capability writes its pages through ``tps.core.pages.write_page(generator,
    writer, save_as, template, ...)``, called directly or through
    ``functools.partial(write_page, generator, writer)``; every template name
    there must be a literal (or this fails, naming the call)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or parts[0] == "core":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        partials = {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) in ("partial", "functools.partial")
            and node.value.args
            and ast.unparse(node.value.args[0]) == "write_page"
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id == "write_page":
                argument = _template_argument(node, 3)
            elif node.func.id in partials:
                argument = _template_argument(node, 1)
            else:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert isinstance(argument, ast.Constant) and isinstance(
                argument.value, str
            ), f"{where}: the template name is not a literal"
            found[parts[0]][argument.value] = where
    return dict(found)


def referenced(path: Path) -> set[str]:
    """The templates ``path`` extends, includes or imports (by literal name)."""
    environment = jinja2.Environment()
    tree = environment.parse(path.read_text(encoding="utf-8"))
    return {name for name in meta.find_referenced_templates(tree) if name}
