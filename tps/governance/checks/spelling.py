"""Spelling in Canadian English: hunspell's en_CA dictionary through pyenchant.

Debian's enchant asks aspell before hunspell for en_*; the ordering is forced to
hunspell so "neighbourhood", "colour", "centre", "licence" and "defence" are
right. The dictionary is loaded once per process."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

import enchant

from ..findings import Hit
from .text import words

LANGUAGE = "en_CA"
# Bilingual posts (the French Community Consultative Committee posts in both
# languages): a sentence made of French function words is French, not a run of
# English misspellings. No French dictionary is installed, so it is skipped.
FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "un",
        "une",
        "et",
        "est",
        "à",
        "au",
        "aux",
        "pour",
        "avec",
        "vous",
        "nous",
        "notre",
        "nos",
        "votre",
        "vos",
        "sur",
        "dans",
        "par",
        "qui",
        "que",
        "ce",
        "cette",
        "ces",
        "il",
        "elle",
        "ils",
        "elles",
        "sont",
        "être",
        "bienvenue",
        "bienvenus",
        "merci",
        "rencontre",
        "réunion",
        "soir",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
    ]
)
SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _french_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for sentence in SENTENCE.finditer(text):
        tokens = [w.lower() for w in re.findall(r"[^\W\d_]+", sentence.group())]
        french = sum(1 for w in tokens if w in FRENCH_WORDS)
        if french >= 2 and french >= 0.2 * len(tokens):
            spans.append(sentence.span())
    return spans


@lru_cache(maxsize=1)
def dictionary() -> enchant.Dict:
    broker = enchant.Broker()
    broker.set_ordering(LANGUAGE, "hunspell")
    try:
        return broker.request_dict(LANGUAGE)
    except enchant.errors.DictNotFoundError:
        raise RuntimeError(
            f"the {LANGUAGE} spelling dictionary is not installed: run ./install.sh "
            "(Debian packages hunspell-en-ca and libenchant-2-2)"
        ) from None


@lru_cache(maxsize=4096)
def _known(word: str) -> bool:
    return dictionary().check(word)


@lru_cache(maxsize=1024)
def _suggest(word: str) -> str:
    """The dictionary's best guess (hunspell ranks its suggestions)."""
    found = dictionary().suggest(word)
    return found[0] if found else ""


def check_spelling(text: str, service_words: Collection[str] = ()) -> list[Hit]:
    """Words neither in the dictionary nor in the service word list (which is
    matched case-insensitively: "Eglinton", "EGLINTON")."""
    hits = []
    french = _french_spans(text)
    for match in words(text):
        if any(a <= match.start() < b for a, b in french):
            continue
        word = match.group().replace("’", "'")
        if word.lower() in service_words or _known(word):
            continue
        bare = word.removesuffix("'s").removesuffix("'")  # Eglinton's
        if bare.lower() in service_words:
            continue
        suggestion = _suggest(word)
        hits.append(
            Hit(
                "spelling",
                match.start(),
                match.end(),
                f"'{match.group()}' is not in the Canadian English dictionary"
                + (f"; did you mean '{suggestion}'?" if suggestion else ""),
                suggestion,
            )
        )
    return hits
