"""The one clock the feed refresh reads: the real time, or a fixed one.

`TPS_FIXED_NOW` (ISO 8601 with an offset, e.g. 2026-11-25T03:00:00-05:00)
fixes it, so a run is reproducible: the committed sample cache is made with
it (feeds/make_sample_cache.py), and a build's golden output can use it too.
"""

from __future__ import annotations

import datetime as dt
import os

FIXED_NOW_ENV = "TPS_FIXED_NOW"


class ClockError(ValueError):
    """TPS_FIXED_NOW is set but is not an ISO 8601 time with an offset."""


def now() -> dt.datetime:
    """The current time (tz-aware, UTC), or TPS_FIXED_NOW when it is set."""
    value = (os.environ.get(FIXED_NOW_ENV) or "").strip()
    if not value:
        return dt.datetime.now(dt.UTC)
    try:
        fixed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ClockError(
            f"{FIXED_NOW_ENV}={value!r}: not an ISO 8601 time "
            "(e.g. 2026-11-25T03:00:00-05:00)"
        ) from None
    if fixed.tzinfo is None or fixed.utcoffset() is None:
        raise ClockError(
            f"{FIXED_NOW_ENV}={value!r}: needs an offset (e.g. -05:00 or Z)"
        )
    return fixed.astimezone(dt.UTC)
