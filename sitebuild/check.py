"""`invoke check`: every content problem at once, errors before warnings."""

from __future__ import annotations

from pathlib import Path

from content_model import Problem, validate_tree

from .paths import CONTENT, ROOT


def run_checks(content: Path = CONTENT) -> list[Problem]:
    problems = validate_tree(content, ROOT if content == CONTENT else content.parent)
    return sorted(problems, key=lambda p: (p.severity != "error", p))
