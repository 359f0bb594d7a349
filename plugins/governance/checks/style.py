"""Grammar and style with proselint 0.16.

proselint registers its checks in a process-wide registry: registering twice
doubles every result, not registering gives none, so it is done once here. Its
spans are one character late (it pads the text with a newline): shifted back."""

from __future__ import annotations

import re
from functools import lru_cache

from ..findings import Hit
from .text import mask

# Typography checks (curly quotes, ellipses, "--") fire on almost every social
# post typed on a phone; they are not what coaching is about.
IGNORED_PREFIXES = ("typography.symbols",)
# proselint quotes its sources' jokes; the report is read as coaching.
MESSAGES = {
    "weasel_words.very": "'very' rarely adds meaning: cut it or choose a stronger word.",
    "misc.greylist": "'{text}' has a plainer alternative (for example 'use' for 'utilize').",
}
SEASONS = re.compile(r"(?i)spring|summer|autumn|fall|winter")


@lru_cache(maxsize=1)
def _config():
    from proselint.checks import __register__
    from proselint.config import DEFAULT
    from proselint.registry import CheckRegistry

    registry = CheckRegistry()
    if not registry.checks:
        registry.register_many(__register__)
    return DEFAULT


def check_style(text: str) -> list[Hit]:
    from proselint.tools import LintFile

    if not text.strip():
        return []  # proselint cannot lint an empty text
    config = _config()
    # Blank links and handles (same length) so proselint does not lint URLs.
    masked = mask(text, names=False)
    hits = []
    for result in LintFile("<text>", masked).lint(config):
        check = result.check_result
        if check.check_path.startswith(IGNORED_PREFIXES):
            continue
        start, end = check.span[0] - 1, check.span[1] - 1
        start, end = max(0, start), min(len(text), end)
        found = text[start:end]
        if start >= end or not found.strip():
            continue
        if "\n\n" in found:
            continue  # a "repeated phrase" across a heading and its paragraph
        if SEASONS.fullmatch(found) and _starts_sentence(text, start):
            continue  # "Winter driving": a capital at the start of a sentence
        message = MESSAGES.get(check.check_path, check.message).format(text=found)
        replacements = check.replacements
        suggestion = (
            replacements
            if isinstance(replacements, str)
            else ", ".join(replacements or [])
        )
        hits.append(Hit("style", start, end, message, suggestion))
    return hits


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(' \t*_#>"“')
    return not before or before[-1] in ".!?:\n"
