"""The one clock of the build and of the feed refresh.

Everything that puts the current time into the output ("3 hours ago", a feed's
age, which alerts are active, the dashboard's windows, overdue reviews) asks
:func:`now`. Unset, it is the real time. With ``TPS_FIXED_NOW`` set to an ISO
8601 time with an offset (``2026-11-30T12:00:00-05:00``) every call returns that
moment, so two builds of the same tree are byte for byte the same whenever they
run (the golden output, tests/output/, is built that way).
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "TPS_FIXED_NOW"
FIXED_NOW_ENV = ENV  # the name feeds/make_sample_cache.py uses


class ClockError(ValueError):
    """TPS_FIXED_NOW is set but is not an ISO 8601 time with an offset."""


def fixed(environ: dict | None = None) -> dt.datetime | None:
    """The fixed moment of ``TPS_FIXED_NOW``, or None when it is unset (or empty)."""
    text = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        # A silent fallback to the real time would make a "reproducible" build
        # that is not: refuse instead.
        raise ClockError(
            f"{ENV}={text!r} is not an ISO 8601 time with an offset,"
            " e.g. 2026-11-30T12:00:00-05:00"
        )
    return moment


def now(tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    """The current time in ``tz`` (UTC by default): ``TPS_FIXED_NOW`` when set."""
    moment = fixed()
    return dt.datetime.now(tz) if moment is None else moment.astimezone(tz)


def today(tz: dt.tzinfo = dt.UTC) -> dt.date:
    """The current date in ``tz`` (through :func:`now`)."""
    return now(tz).date()
