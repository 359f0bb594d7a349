"""The dates a feed item may carry: not before its platform existed, never so
far out that converting it to another zone overflows.

Feeds do send nonsense: Go's zero time (`0001-01-01T00:00:00Z`), year 1 with
a +14:00 offset (which is year 0 in UTC: `astimezone` raises OverflowError),
year 9999. Such an item is dropped with a reason, both when a feed is parsed
and when a cache written by older code is read, so no build ever meets one.
"""

from __future__ import annotations

import datetime as dt

# The day each platform opened to the public; no real post is older.
PLATFORM_LAUNCH = {
    "linkedin": dt.date(2003, 5, 5),
    "facebook": dt.date(2004, 2, 4),
    "flickr": dt.date(2004, 2, 10),
    "youtube": dt.date(2005, 2, 14),
    "x": dt.date(2006, 3, 21),
    "twitter": dt.date(2006, 3, 21),
    "instagram": dt.date(2010, 10, 6),
    "mastodon": dt.date(2016, 3, 16),
    "tiktok": dt.date(2016, 9, 1),
    "bluesky": dt.date(2023, 2, 17),
    "threads": dt.date(2023, 7, 5),
}
# Any other feed (a blog, a bridge): older than any platform above, and still
# after the years a zero or garbage date lands in.
EARLIEST = dt.date(2000, 1, 1)
# Far enough from datetime.max that any offset and zone conversion still fits.
LATEST = dt.datetime(9999, 12, 1, tzinfo=dt.UTC)


def launch(platform: str) -> dt.datetime:
    """The earliest instant an item of `platform` may be dated (UTC)."""
    day = PLATFORM_LAUNCH.get(platform.lower(), EARLIEST)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def out_of_window(value: dt.datetime, platform: str) -> str | None:
    """Why `value` cannot be an item's date, or None when it can. Compares
    aware datetimes without converting them (which is what overflows)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return "has no time zone"
    first = launch(platform)
    if value < first:
        return (
            f"dated {value.isoformat()}, before {platform} existed "
            f"({first.date().isoformat()})"
        )
    if value > LATEST:
        return f"dated {value.isoformat()}, past any real date"
    return None
