"""Inappropriate content: words and phrases from the maintained term list.

The list (content/governance/terms.txt) is one entry a line:
`term | category | what to write instead`. Matching is whole-word and
case-insensitive; a phrase matches across any whitespace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..findings import Hit
from .text import mask


@dataclass(frozen=True)
class Term:
    term: str
    category: str
    instead: str
    pattern: re.Pattern[str]


def load_terms(path: Path) -> list[Term]:
    """The term list; `#` starts a comment. A malformed line raises ValueError
    naming the file and line."""
    terms = []
    for number, raw in enumerate(
        Path(path).read_text(encoding="utf-8").splitlines(), 1
    ):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise ValueError(
                f"{path}:{number}: expected 'term | category | what to write instead'"
            )
        words = r"\s+".join(re.escape(word) for word in parts[0].split())
        pattern = re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)
        terms.append(Term(parts[0], parts[1], parts[2], pattern))
    return terms


def check_terms(text: str, terms: list[Term]) -> list[Hit]:
    masked = mask(text, names=False)
    hits = []
    for term in terms:
        for match in term.pattern.finditer(masked):
            instead = f"; write {term.instead}" if term.instead else ""
            hits.append(
                Hit(
                    "inappropriate",
                    match.start(),
                    match.end(),
                    f"'{match.group()}' is on the term list ({term.category}){instead}",
                    term.instead,
                )
            )
    return hits
