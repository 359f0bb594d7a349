"""`invoke check`: every content problem at once, errors before warnings."""

from __future__ import annotations

from pathlib import Path

from tps.core.paths import CONTENT, ROOT, SETTINGS
from tps.core.problems import Problem

from .validation import validate_tree


def run_checks(content: Path = CONTENT) -> list[Problem]:
    root = ROOT if content == CONTENT else content.parent
    problems = validate_tree(content, root)
    problems += _text_checks(content, root)
    return sorted(problems, key=lambda p: (p.severity != "error", p))


def _text_checks(content: Path, root: Path) -> list[Problem]:
    """Spelling, style, term list and personal information (warnings), and
    errors in content/governance/ itself (tps/governance)."""
    import runpy

    from tps.governance.editorial import check_markdown
    from tps.governance.project import load_setup
    from tps.units import load_directory

    directory, _ = load_directory(content, root)  # its problems come from validate_tree
    settings = runpy.run_path(str(SETTINGS["public"]))
    setup = load_setup(content, directory, settings, root)
    return setup.problems + check_markdown(content, setup.checker, setup.silences, root)
