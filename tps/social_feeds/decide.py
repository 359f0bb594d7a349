"""What one refresh attempt does to an account's cached feed: a pure
function of (cached feed, fetch outcome, now), apart from the I/O in
refresh.py (lemon24/reader's Decider/Pipeline split). Tested as a table
(tests/social_feeds/test_feeds_decide.py).

The rules:
- a new body parsed into items replaces the cache; its new items are those
  whose ids the cache did not hold;
- a 304 keeps the items and refreshes the validators and the last success,
  but only when validators were sent: a 304 to a request without them (an
  empty cache, or a cache of another URL) is a failure, or the account would
  be left with nothing;
- a failure keeps the items, profile, validators and last success, and only
  records the attempt: the account shows its last good items, marked stale;
- an API account that is not due yet (connectors/budget.py) keeps everything
  but records that it was considered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from .models import CachedFeed


@dataclass(frozen=True)
class Parsed:
    """The body fetched and parsed: the feed as it now is."""

    feed: CachedFeed


@dataclass(frozen=True)
class NotModified:
    etag: str | None = None
    last_modified: str | None = None
    validators_sent: bool = True


@dataclass(frozen=True)
class Failed:
    error: str
    status: int | None = None


@dataclass(frozen=True)
class NotDue:
    """A quiet API account, asked less often: not requested this time."""


Outcome = Parsed | NotModified | Failed | NotDue
Status = Literal["ok", "not-modified", "failed"]


@dataclass(frozen=True)
class Decision:
    feed: CachedFeed  # what the cache holds after this attempt
    status: Status
    new_items: int
    age_seconds: float | None  # of the items shown: since the last success


def validators(old: CachedFeed | None, url: str) -> tuple[str | None, str | None]:
    """The (etag, last_modified) to send: only with something worth keeping
    (items) from this same URL, else a 304 could leave the account empty."""
    if old is not None and old.items and old.url == url:
        return old.etag, old.last_modified
    return None, None


def decide(
    account: str, url: str, old: CachedFeed | None, outcome: Outcome, now: dt.datetime
) -> Decision:
    if isinstance(outcome, NotModified) and not (
        outcome.validators_sent and old is not None
    ):
        outcome = Failed(
            f"{url}: 304 Not Modified to a request without validators", 304
        )
    if isinstance(outcome, Parsed):
        known = {item.id for item in old.items} if old else set()
        feed = outcome.feed
        new = sum(1 for item in feed.items if item.id not in known)
        status: Status = "not-modified" if feed.last_status == 304 else "ok"
        return _decision(feed, status, new, now)
    if isinstance(outcome, NotModified):
        feed = old.model_copy(
            update={
                "etag": outcome.etag or old.etag,
                "last_modified": outcome.last_modified or old.last_modified,
                "last_success": now,
                "last_attempt": now,
                "last_status": 304,
                "last_error": None,
            }
        )
        return _decision(feed, "not-modified", 0, now)
    if isinstance(outcome, NotDue) and old is not None:
        feed = old.model_copy(update={"last_attempt": now})
        return _decision(
            feed, "not-modified" if old.last_status == 304 else "ok", 0, now
        )
    if isinstance(outcome, NotDue):
        outcome = Failed(f"{url}: not requested and nothing cached", None)
    attempt = {
        "last_attempt": now,
        "last_status": outcome.status,
        "last_error": outcome.error,
    }
    if old is None:
        feed = CachedFeed(account=account, url=url, **attempt)
    else:
        feed = old.model_copy(update=attempt)
    return _decision(feed, "failed", 0, now)


def _decision(feed: CachedFeed, status: Status, new: int, now: dt.datetime) -> Decision:
    age = feed.age(now)
    return Decision(
        feed, status, new, round(age.total_seconds(), 1) if age is not None else None
    )
