"""Grammar and style with proselint 0.16.

proselint registers its checks in a process-wide registry: registering twice
doubles every result, not registering gives none, so it is done once here. Its
spans are one character late (it pads the text with a newline): shifted back."""

from __future__ import annotations

import re
from bisect import bisect_right
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
def _density_checks() -> frozenset[str]:
    """Checks that count per million words ("more than 30 ppm of exclamations"):
    over a batch of posts the density belongs to no one post, so they are skipped."""
    from proselint.registry import CheckRegistry

    _config()
    return frozenset(c.path for c in CheckRegistry().checks if c.flags.ppm_threshold)


@lru_cache(maxsize=1)
def _config():
    from proselint.checks import __register__
    from proselint.config import DEFAULT
    from proselint.registry import CheckRegistry

    registry = CheckRegistry()
    if not registry.checks:
        registry.register_many(__register__)
    # proselint stops at 1,000 results by default: a build lints every post at once.
    return {**DEFAULT, "max_errors": 1_000_000}


# Texts linted together are joined by blank lines: proselint costs about 3 ms a
# call whatever the length, so one call for all of a build's posts is 4x faster.
SEPARATOR = "\n\n\n"


def check_style(text: str) -> list[Hit]:
    return check_style_many([text])[0]


def check_style_many(texts: list[str]) -> list[list[Hit]]:
    """The style hits of each text (offsets into that text), in one proselint run."""
    from proselint.tools import LintFile

    results: list[list[Hit]] = [[] for _ in texts]
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text) + len(SEPARATOR)
    joined = SEPARATOR.join(texts)
    if not joined.strip():
        return results  # proselint cannot lint an empty text
    # Blank links and handles (same length) so proselint does not lint URLs.
    masked = SEPARATOR.join(mask(text, names=False) for text in texts)
    for result in LintFile("<text>", masked).lint(_config()):
        check = result.check_result
        if check.check_path.startswith(IGNORED_PREFIXES) or (
            check.check_path in _density_checks()
        ):
            continue
        start, end = check.span[0] - 1, check.span[1] - 1
        index = bisect_right(starts, max(0, start)) - 1
        offset, text = starts[index], texts[index]
        start, end = max(0, start - offset), end - offset
        found = text[start:end]
        if end > len(text) or start >= end or not found.strip():
            continue  # empty, or running into the next text
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
        results[index].append(Hit("style", start, end, message, suggestion))
    return results


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(' \t*_#>"“')
    return not before or before[-1] in ".!?:\n"
