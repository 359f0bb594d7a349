"""The one formatter for machine-readable dates in HTML (``<time datetime>``,
``article:published_time``): seconds precision, ISO 8601 with the offset.

Python's ``isoformat()`` writes microseconds ("…06.953723+00:00"); the HTML
spec allows at most three fraction digits, so ``vnu`` (and the publish audit)
refuses it. Every template goes through ``html_datetime`` instead."""

from __future__ import annotations

import datetime as dt
import re

# HTML Living Standard, "valid date string", "valid local date and time
# string", "valid global date and time string" (the forms we emit).
_DATE = r"\d{4,}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"
_ZONE = r"(?:Z|[+-]\d{2}:?\d{2})"
VALID = re.compile(rf"^{_DATE}(?:[T ]{_TIME}{_ZONE}?)?$")


def html_datetime(value: dt.date | dt.datetime | str | None) -> str:
    """``value`` as a valid HTML machine-readable date (``""`` for None)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"html_datetime: not a date: {type(value).__name__}")


def is_valid(text: str) -> bool:
    """Whether ``text`` is one of the HTML date forms above (tests, audit)."""
    return bool(VALID.match(text))
