"""Which Markdown cmark-gfm converts exactly as python-markdown did.

python-markdown (with ``extra``, ``smarty`` and ``toc``) and CommonMark are two
dialects: they agree on the Markdown editors write every day (paragraphs,
``##`` headings, emphasis, links, flat lists, pipe tables, quotes) and differ
on much else (a list right after a paragraph line, nested lists, four-space
indents, escapes, raw HTML, footnotes, attribute lists...). :func:`unsupported`
names the first construct of a text outside the part where they agree, or
answers None; a text it names is converted by python-markdown, as before. It
errs on the side of naming: a false alarm costs a slower read, never a
different page.
"""

from __future__ import annotations

import re

# Pelican's links to other content ({filename}/..., {static}..., |filename|...)
# are kept as they are: the reader swaps them for a token (reader.py).
INTRASITE = re.compile(r"\{(?:filename|static|attach|tag|category|author|index)\}")

# (reason, a string every match contains, the pattern)
_ANYWHERE = [
    ("code (backticks)", "`", re.compile(r"`")),
    ("backslash escape", "\\", re.compile(r"\\")),
    ("raw HTML or an autolink", "<", re.compile(r"<[A-Za-z/!?]")),
    ("HTML entity", "&", re.compile(r"&(?:#|[A-Za-z][A-Za-z0-9]*;)")),
    ("footnote", "[^", re.compile(r"\[\^")),
    ("attribute list", "{", re.compile(r"\{[ \t]*:?[ \t]*[#.:]")),
    ("image", "![", re.compile(r"!\[")),
    ("strong emphasis run of three", "***", re.compile(r"\*\*\*")),
    ("strong emphasis run of three", "___", re.compile(r"___")),
    ("emphasis marker beside a space", "*", re.compile(r"(?<!\S)\*+(?!\S)")),
    ("emphasis marker beside a space", "_", re.compile(r"(?<!\S)_+(?!\S)")),
    ("pipe link syntax", "|", re.compile(r"\|(?:filename|static|attach)\|")),
    ("nested brackets", "[", re.compile(r"\[[^\]\n]*\[")),
]
# (reason, the pattern), tried on a line that starts with one of LINE_MARKS
_LINE_START = [
    ("indented line", re.compile(r"[ \t]+\S")),
    ("fenced code", re.compile(r"~~~")),
    ("heading without a space or of level 7", re.compile(r"#+[^#\s]|#{7}")),
    ("heading closed by #", re.compile(r"#.*#[ \t]*$")),
    ("rule or setext underline", re.compile(r"[-*_=][-*_= \t]*$")),
    ("ordered list item with )", re.compile(r"\d+\)")),
    ("abbreviation", re.compile(r"\*\[")),
    ("definition list", re.compile(r":")),
    ("link reference definition", re.compile(r"\[[^\]]*\]:")),
    ("blockquote holding other blocks", re.compile(r">[ \t]*(?:[-*+>#|]|\d+\.|$)")),
    ("HTML", re.compile(r"<")),
]
LINE_MARKS = frozenset(" \t~#-*_=0123456789:[><+")
_ITEM = re.compile(r"([-*+]|\d+\.)[ \t]")
_NESTED = re.compile(r"[ \t]*(?:[-*+][ \t]|[>#]|\d+[.)][ \t]|$)")
_TABLE_SEPARATOR = re.compile(
    r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$"
)
_DESTINATION = re.compile(r"\]\(([^)\s]*)([)\s]?)")
# The characters cmark-gfm writes into an href unchanged (houdini's HREF_SAFE);
# it would percent-encode any other, which python-markdown does not.
_HREF_SAFE = re.compile(r"[A-Za-z0-9\-_.+!*'(),%#@?=;:/$~&]*")


def _cells(row: str) -> int:
    row = row.strip()
    return len(row.removeprefix("|").removesuffix("|").split("|"))


def _list_kind(line: str) -> str | None:
    match = _ITEM.match(line)
    if not match:
        return None
    marker = match.group(1)
    return "ol" if marker[0].isdigit() else marker


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _block_problem(block: list[str], previous: list[str] | None) -> str | None:
    first_kind = _list_kind(block[0])
    if first_kind:
        # One flat, tight list of one kind, after a block that is not a list.
        if previous and _list_kind(previous[0]):
            return "list after a blank line after a list"
        if any(_list_kind(line) != first_kind for line in block):
            return "list with a line that is not an item of the same kind"
        if any(_NESTED.match(line[_ITEM.match(line).end() :]) for line in block):
            return "block inside a list item"
        return None
    if any(_list_kind(line) for line in block[1:]):
        return "list item without a blank line before it"
    if any(_TABLE_SEPARATOR.match(line) for line in block):
        if len(block) < 2 or not _TABLE_SEPARATOR.match(block[1]):
            return "table not at the start of a block"
        if not all("|" in line for line in block):
            return "table row without a pipe"
        if any(line.startswith(">") for line in block):
            return "table in a blockquote"
        if _cells(block[0]) != _cells(block[1]):
            return "table header and separator of different widths"
        return None
    if block[0].startswith(">") and not all(line.startswith(">") for line in block):
        return "blockquote with lazy lines"
    if any(line.startswith("#") for line in block[1:]) or (
        block[0].startswith("#") and len(block) > 1
    ):
        return "heading inside a block"
    return None


def unsupported(text: str) -> str | None:
    """The first construct of ``text`` (normalised Markdown, no header) that
    cmark-gfm may convert otherwise than python-markdown, or None."""
    text = INTRASITE.sub("tpslink", text)
    for reason, needle, pattern in _ANYWHERE:
        if needle in text and pattern.search(text):
            return reason
    for match in _DESTINATION.finditer(text):
        if not _HREF_SAFE.fullmatch(match.group(1)) or "(" in match.group(1):
            return "link address cmark-gfm would percent-encode"
        if match.group(2) != ")":
            return "link with a title or an unusual address"
    lines = text.split("\n")
    for line in lines:
        if line[:1] in LINE_MARKS:
            for reason, pattern in _LINE_START:
                if pattern.match(line):
                    return reason
    previous = None
    for block in _blocks(lines):
        problem = _block_problem(block, previous)
        if problem:
            return problem
        previous = block
    return None
