"""Item lists and dates made uniform, whatever the feed did.

Dates: tz-aware always (a naive date takes the feed's zone when the feed states
one, else the service's, America/Toronto). Items: future-dated ones clamped to
`now` when within a few minutes of it (clock skew), dropped otherwise; dated
before their platform existed (datewindow), dropped; duplicates
removed by id, then by link; newest first; at most `cap` items.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from .datewindow import out_of_window
from .models import FeedItem

SERVICE_ZONE = ZoneInfo("America/Toronto")
FUTURE_TOLERANCE = dt.timedelta(minutes=10)


def parse_date(raw: object) -> dt.datetime | None:
    """A date from a feed (RFC 822, ISO 8601 or something dateutil reads), as
    given: naive when the text has no zone. None when it is not a date."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return dateutil_parser.parse(text)
    except (ValueError, OverflowError, dateutil_parser.ParserError):
        return None


def aware(value: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    """`value` with a zone: its own, else `zone`, else the service's."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    return value.replace(tzinfo=zone or SERVICE_ZONE)


def feed_zone(*raw_dates: object) -> dt.tzinfo | None:
    """The zone a feed states through its own (feed-level) dates, if any."""
    for raw in raw_dates:
        value = parse_date(raw)
        if value is not None and value.tzinfo is not None:
            offset = value.utcoffset()
            if offset is not None:
                return dt.timezone(offset)
    return None


def normalise_items(
    items: Iterable[FeedItem],
    *,
    now: dt.datetime,
    cap: int,
    shared_links: Iterable[str] = (),
    dropped: list[str] | None = None,
) -> list[FeedItem]:
    """Clamp or drop future items, drop items dated before their platform
    existed, dedupe by id then link, newest first, capped.

    `shared_links` are links that do not identify an item (the profile URL an
    item without a link of its own falls back to): never a reason to dedupe.
    `dropped`, when given, receives one line per item dropped for its date."""
    kept: list[FeedItem] = []
    for item in items:
        why = out_of_window(item.published, item.platform)
        if why is None and item.published - now > FUTURE_TOLERANCE:
            why = f"dated {item.published.isoformat()}, in the future"
        if why is not None:
            if dropped is not None:
                dropped.append(f"item {item.id!r} dropped: {why}")
            continue
        if item.published > now:
            item = item.model_copy(update={"published": now})
        if item.updated is not None and out_of_window(item.updated, item.platform):
            item = item.model_copy(update={"updated": None})
        elif item.updated is not None and item.updated > now:
            item = item.model_copy(update={"updated": now})
        kept.append(item)
    kept.sort(key=lambda item: item.published, reverse=True)
    seen_ids: set[str] = set()
    seen_links: set[str] = set()
    shared = set(shared_links)
    unique: list[FeedItem] = []
    for item in kept:  # newest first, so the newest copy of a duplicate wins
        if item.id in seen_ids or (item.link in seen_links and item.link not in shared):
            continue
        seen_ids.add(item.id)
        seen_links.add(item.link)
        unique.append(item)
    return unique[:cap]
