"""Reviewed YAML lists (silenced.yaml, moderation.yaml): one loader for the file
and its entries, through the project's safe YAML loader, each entry with its line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tps.core import safe_yaml
from tps.core.problems import Problem, relative


@dataclass(frozen=True)
class ReviewedEntry:
    data: dict
    line: int  # of the entry
    node: object  # its YAML mapping node, for the line of one field

    def line_of(self, key: str) -> int:
        for key_node, _ in getattr(self.node, "value", []):
            if key_node.value == key:
                return key_node.start_mark.line + 1
        return self.line


def load_reviewed_list(
    path: Path, root: Path | None, fields: str
) -> tuple[str, list[ReviewedEntry], list[Problem]]:
    """(where, entries, problems) of a reviewed list; a missing file is an empty
    list. `fields` names the entry's fields in the message for a non-mapping."""
    path = Path(path)
    where = relative(path, root or path.parent)
    if not path.is_file():
        return where, [], []
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        node, data = safe_yaml.load(text)
    except safe_yaml.YamlRefused as refused:
        return where, [], [Problem(where, refused.line, "", refused.message)]
    if data is None:
        return where, [], []
    if not isinstance(data, list):
        return where, [], [Problem(where, 1, "", "must be a list of entries")]
    return where, *_entries(where, node, data, fields)


def _entries(where: str, node, data: list, fields: str):
    entries, problems = [], []
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if isinstance(item, dict):
            entries.append(ReviewedEntry(item, line, item_node))
        else:
            problems.append(
                Problem(where, line, "", f"each entry is a mapping ({fields})")
            )
    return entries, problems
