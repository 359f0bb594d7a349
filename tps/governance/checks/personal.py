"""Personal information that must not be posted: private phone numbers and email
addresses, Ontario licence plates, and "lives at <number> <street>" addresses.

The Service's own numbers (every unit's phone, the non-emergency, TTY and Crime
Stoppers numbers) and addresses @torontopolice.on.ca / @tps.ca are fine."""

from __future__ import annotations

import re
from collections.abc import Collection

from ..findings import Hit
from .text import URL

PHONE = re.compile(
    r"(?<![\w-])(?:\+?1[ .-]?)?\(?(?P<area>\d{3})\)?[ .-]?(?P<exchange>\d{3})[ .-](?P<line>\d{4})(?![\w-])"
)
EMAIL = re.compile(r"(?<![@\w.+-])[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)")
SERVICE_DOMAINS = ("torontopolice.on.ca", "tps.ca")
# Ontario plates: four letters and three digits (since 1997: "CBTX 123"); the
# older three letters and three digits ("ABC 123") only after the word plate or
# licence, since "SHA 256" or "TTY 416" look the same.
PLATE = re.compile(r"(?<![\w-])(?P<letters>[A-Z]{3,4}) ?\d{3}(?![\w-])")
PLATE_WORD = re.compile(r"\b(?:plate|licen[cs]e|tag)s?\b", re.IGNORECASE)
ADDRESS = re.compile(
    r"\b(?:lives?|living|resides?|residing|stays?|staying|home)\s+(?:at|on)\s+"
    r"\d+[A-Za-z]?\s+(?:[A-Z][\w'.-]*\s?){1,4}",
)


def digits(phone: str) -> str:
    """The ten digits of a North American number (a leading 1 dropped)."""
    only = re.sub(r"\D", "", phone)
    return only[1:] if len(only) == 11 and only.startswith("1") else only


def check_personal(text: str, service_numbers: Collection[str] = ()) -> list[Hit]:
    """`service_numbers`: the Service's own numbers as ten digits."""
    links = [m.span() for m in URL.finditer(text)]

    def in_link(start: int) -> bool:
        return any(a <= start < b for a, b in links)

    hits = []
    for match in PHONE.finditer(text):
        if digits(match.group()) in service_numbers or in_link(match.start()):
            continue
        hits.append(
            Hit(
                "personal-info",
                match.start(),
                match.end(),
                "a phone number that is not one of the Service's: if it belongs to a private person, remove it",
                "use the unit's number or 416-808-2222",
            )
        )
    for match in EMAIL.finditer(text):
        domain = match["domain"].lower()
        if any(domain == d or domain.endswith(f".{d}") for d in SERVICE_DOMAINS):
            continue
        hits.append(
            Hit(
                "personal-info",
                match.start(),
                match.end(),
                "an email address outside the Service: if it belongs to a private person, remove it",
                "",
            )
        )
    for match in PLATE.finditer(text):
        if in_link(match.start()):
            continue
        if len(match["letters"]) == 3 and not PLATE_WORD.search(
            text, max(0, match.start() - 40), match.start()
        ):
            continue
        hits.append(
            Hit(
                "personal-info",
                match.start(),
                match.end(),
                "looks like an Ontario licence plate: blur or remove it unless an appeal was approved",
                "",
            )
        )
    for match in ADDRESS.finditer(text):
        end = match.end() - (1 if match.group().endswith(" ") else 0)
        hits.append(
            Hit(
                "personal-info",
                match.start(),
                end,
                "a person's home address: never post where a victim, witness or suspect lives",
                "name the area or the nearest major intersection instead",
            )
        )
    return hits
