"""The dashboard's weekly history computed from the records archive: every item
ever fetched counts in the weeks it was published, including items that have
since left the feed window (the cache keeps each feed's latest items only,
which undercounted the earliest weeks) or were deleted upstream later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from . import history
from .metrics import summarize

# The rows the archive can know for a past day: the posting metrics. Findings
# and feed health stay as the history file recorded them.
POSTING_METRICS = {
    "posts_7d",
    "posts_per_week",
    "active_accounts",
    "dormant_accounts",
    "active_units",
    "active_unit_share",
    "accounts",
}


@dataclass
class _Published:
    published: dt.datetime


@dataclass
class _ArchivedFeed:
    """What metrics.summarize reads of a feed."""

    items: list[_Published] = field(default_factory=list)
    stale: bool = False
    last_success: dt.datetime | None = None
    last_error: str | None = None


def weekly_rows(
    item_dates: Iterable[tuple[str, str, dt.datetime, dt.datetime | None]],
    accounts: Collection,
    units: list[tuple[str, str]],
    as_of: dt.datetime,
    weeks: int = 12,
) -> list[history.Row]:
    """Posting rows for each of the `weeks` weeks before `as_of`, from the
    archive's (account, item id, published, deleted) tuples."""
    dates = list(item_dates)
    if not dates:
        return []
    earliest = min(published for _, _, published, _ in dates)
    rows: list[history.Row] = []
    for week in range(weeks, 0, -1):
        moment = as_of - dt.timedelta(days=7 * week)
        if moment < earliest:
            continue
        feeds: dict[str, _ArchivedFeed] = {}
        for key, _, published, deleted in dates:
            if deleted is not None and deleted <= moment:
                continue
            feed = feeds.setdefault(key, _ArchivedFeed(last_success=moment))
            feed.items.append(_Published(published))
        summary = summarize(accounts, feeds, units, moment)
        rows += [
            row
            for row in history.rows_for(summary, health=False)
            if row.metric in POSTING_METRICS
        ]
    return rows


def overlay(rows: list[history.Row], computed: list[history.Row]) -> list[history.Row]:
    """`rows` with each (date, metric, scope) of `computed` in its place."""
    keys = {(r.date, r.metric, r.scope) for r in computed}
    return sorted(
        [r for r in rows if (r.date, r.metric, r.scope) not in keys] + computed
    )
