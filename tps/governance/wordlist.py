"""The service word list: words the dictionary does not know but the Service uses.

Seeded automatically from the unit files (unit and member names, ranks,
neighbourhoods, addresses, meeting places, commanders), so a new unit or member
never shows up as a spelling mistake, plus the reviewed content/governance/wordlist.txt
(acronyms, street and place names, program names: one word a line)."""

from __future__ import annotations

import re
from pathlib import Path

from tps.units import Directory

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _words(text: str) -> set[str]:
    return {w.lower().replace("’", "'") for w in _WORD.findall(text)}


def unit_words(directory: Directory) -> set[str]:
    texts: list[str] = [record.account.handle for record in directory.accounts]
    for entry in directory.units:
        unit = entry.unit
        texts += [unit.name, unit.address, unit.commander, *unit.neighbourhoods]
        texts += [meeting.where for meeting in unit.meetings]
        for member in unit.members:
            texts += [member.name, member.rank, member.role]
    return set().union(*(_words(text) for text in texts))


def load_wordlist(path: Path) -> set[str]:
    """One word (or phrase) a line; `#` starts a comment; case does not matter."""
    found: set[str] = set()
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            found |= _words(line)
    return found


def service_words(directory: Directory | None, wordlist: Path | None) -> frozenset[str]:
    words = unit_words(directory) if directory else set()
    if wordlist and Path(wordlist).is_file():
        words |= load_wordlist(wordlist)
    return frozenset(words)
