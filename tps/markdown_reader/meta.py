"""The post header (``Key: value`` lines), read as python-markdown's ``meta``
extension reads it (its own patterns, imported), after the whitespace
normalisation python-markdown applies first."""

from __future__ import annotations

import re

from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE
from markdown.util import ETX, STX

TAB_LENGTH = 4
_BLANK_WITH_SPACES = re.compile(r"(?<=\n) +\n")


def normalize(text: str) -> str:
    """python-markdown's NormalizeWhitespace preprocessor."""
    text = text.replace(STX, "").replace(ETX, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
    text = text.expandtabs(TAB_LENGTH)
    return _BLANK_WITH_SPACES.sub("\n", text)


def split_header(text: str) -> tuple[dict[str, list[str]], str]:
    """The header's values (lower-case keys, a list of lines each) and the
    body that follows it (normalised)."""
    lines = normalize(text).split("\n")
    meta: dict[str, list[str]] = {}
    key = None
    position = 0
    if lines and BEGIN_RE.match(lines[0]):
        position = 1
    while position < len(lines):
        line = lines[position]
        position += 1
        found = META_RE.match(line)
        if line.strip() == "" or END_RE.match(line):
            break
        if found:
            key = found.group("key").lower().strip()
            meta.setdefault(key, []).append(found.group("value").strip())
            continue
        more = META_MORE_RE.match(line)
        if more and key:
            meta[key].append(more.group("value").strip())
            continue
        position -= 1
        break
    return meta, "\n".join(lines[position:])
