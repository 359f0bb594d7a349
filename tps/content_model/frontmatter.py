"""Reads the Pelican/Python-Markdown metadata header of a Markdown file.

Python-Markdown's meta extension does the same for the build; this copy keeps
line numbers so that every problem can be reported as file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_KEY = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)$")


@dataclass
class FrontMatter:
    fields: dict[str, str] = field(default_factory=dict)  # lower-case key -> value
    lines: dict[str, int] = field(default_factory=dict)  # lower-case key -> line
    keys: dict[str, str] = field(default_factory=dict)  # lower-case key -> as written
    body: str = ""
    body_line: int = 1
    duplicates: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


def parse_text(text: str) -> FrontMatter:
    meta = FrontMatter()
    lines = text.splitlines()
    current = None
    number = 0
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line.strip():
            break
        match = _KEY.match(line)
        if match:
            current = match["key"].lower()
            if current in meta.fields:
                meta.duplicates.append((match["key"], number))
            meta.fields[current] = match["value"].strip()
            meta.lines[current] = number
            meta.keys[current] = match["key"]
            continue
        more = _MORE.match(line)
        if more and current:
            meta.fields[current] = f"{meta.fields[current]} {more['value'].strip()}"
            continue
        number -= 1  # this line is already body text
        break
    meta.body_line = number + 1
    meta.body = "\n".join(lines[number:])
    return meta


def parse_file(path: Path) -> FrontMatter:
    # Invalid UTF-8 is reported by validate (naming the file and line); every
    # other reader carries on with replacement characters instead of crashing.
    return parse_text(path.read_text(encoding="utf-8", errors="replace"))
