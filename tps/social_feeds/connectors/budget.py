"""How often a metered API is asked about one account: quiet accounts less.

Bluesky and Mastodon are free and unmetered for reads: every refresh. The
metered ones (X, Facebook, Instagram, YouTube) are asked every refresh while
the account posted in the last 2 days, hourly while it posted in the last 14,
and every 6 hours otherwise. A feed whose last attempt failed, or that has
nothing cached, is always asked. README "Request budget" has the arithmetic.
"""

from __future__ import annotations

import datetime as dt

from ..models import CachedFeed

METERED = {"x", "facebook", "instagram", "youtube"}
TIERS = (  # (newest post younger than, ask at most every)
    (dt.timedelta(days=2), dt.timedelta(0)),
    (dt.timedelta(days=14), dt.timedelta(hours=1)),
)
DORMANT_EVERY = dt.timedelta(hours=6)
SLACK = dt.timedelta(minutes=2)  # a scheduled run starting a little early


def interval(newest: dt.datetime, now: dt.datetime) -> dt.timedelta:
    quiet = now - newest
    for younger_than, every in TIERS:
        if quiet < younger_than:
            return every
    return DORMANT_EVERY


def due(platform: str, old: CachedFeed | None, now: dt.datetime) -> bool:
    """Whether this refresh should ask the platform's API about the account."""
    if platform not in METERED or old is None or old.stale or not old.items:
        return True
    if old.last_success is None:
        return True
    newest = max(item.published for item in old.items)
    return now - old.last_success >= interval(newest, now) - SLACK
