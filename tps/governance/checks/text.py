"""Masks the parts of a post that are not prose (links, handles, hashtags, emails,
quoted names) so word checks never see them. Masking keeps every offset: a
masked character becomes a space, so hits point into the original text."""

from __future__ import annotations

import re
from collections.abc import Iterator

URL = re.compile(
    r"""(?:https?://|www\.)[^\s<>"')\]]+"""
    r"|\b(?:[a-z0-9-]+\.)+(?:ca|com|org|net|social|app|gov|io|tv)\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
EMAIL = re.compile(r"(?<![@\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w@])@[\w.]+(?:@[\w.-]+)?")
HASHTAG = re.compile(r"(?<![\w&])\\?#\w+")
# Quoted names: "Bloor Blazers", “Project Lighthouse” (every word capitalized).
QUOTED_NAME = re.compile(
    r"[\"“]((?:[A-Z][\w'’.-]*)(?:\s+(?:of|the|and|de|du|la|[A-Z][\w'’.-]*)){0,5})[\"”]"
)
# A word: letters with inner apostrophes; digits make it a number, not a word.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# Emails first: the URL pattern would otherwise take their domain and leave the name.
SKIPPED = (EMAIL, URL, HANDLE, HASHTAG)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def mask(text: str, *, names: bool = True) -> str:
    """`text` with URLs, emails, @handles, #hashtags (and quoted names) blanked."""
    masked = text
    for pattern in SKIPPED:
        for match in pattern.finditer(masked):
            masked = _blank(masked, match.start(), match.end())
    if names:
        for match in QUOTED_NAME.finditer(masked):
            masked = _blank(masked, match.start(1), match.end(1))
    return masked


def words(text: str) -> Iterator[re.Match[str]]:
    """Each word of the masked text; numbers and words with digits are skipped."""
    for match in WORD.finditer(mask(text)):
        if not any(ch.isdigit() for ch in match.group()):
            yield match


def links(text: str) -> list[str]:
    """The URLs written in a text, as written (trailing punctuation removed)."""
    found = []
    for match in URL.finditer(text):
        url = match.group().rstrip(".,;:!?")
        found.append(url if "://" in url else f"https://{url}")
    return found
