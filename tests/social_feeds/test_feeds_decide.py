"""The refresh's decision, without a server: what each kind of attempt does
to an account's cached feed and its report line (tps/social_feeds/decide.py).
The loopback tests (test_feeds_refresh.py) cover the I/O around it."""

from __future__ import annotations

import datetime as dt

import pytest

from tps.social_feeds.decide import (
    Failed,
    NotDue,
    NotModified,
    Parsed,
    decide,
    validators,
)
from tps.social_feeds.models import CachedFeed, FeedItem

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
BEFORE = NOW - dt.timedelta(hours=2)
URL = "https://example.org/feed.xml"
KEY = "x:TPS11Div"


def item(number: int) -> FeedItem:
    return FeedItem(
        id=f"id-{number}",
        account=KEY,
        platform="x",
        handle="TPS11Div",
        title=f"Post {number}",
        summary="",
        link=f"https://x.com/TPS11Div/status/{number}",
        published=BEFORE,
    )


def cached(*numbers: int, url: str = URL, error: str | None = None) -> CachedFeed:
    return CachedFeed(
        account=KEY,
        url=url,
        items=[item(n) for n in numbers],
        etag='"v1"',
        last_modified="Mon, 30 Nov 2026 10:00:00 GMT",
        last_success=BEFORE,
        last_attempt=BEFORE,
        last_status=200,
        last_error=error,
    )


def fresh(*numbers: int, status: int = 200) -> CachedFeed:
    feed = cached(*numbers)
    return feed.model_copy(
        update={
            "etag": '"v2"',
            "last_success": NOW,
            "last_attempt": NOW,
            "last_status": status,
        }
    )


TWO_HOURS = 7200.0

# (why, cached feed, outcome, status, new items, items kept, last_success,
#  last_error, age of the items shown)
CASES = [
    ("first fetch", None, Parsed(fresh(1, 2)), "ok", 2, 2, NOW, None, 0.0),
    ("one new post", cached(1), Parsed(fresh(1, 2)), "ok", 1, 2, NOW, None, 0.0),
    ("nothing new", cached(1, 2), Parsed(fresh(1, 2)), "ok", 0, 2, NOW, None, 0.0),
    (
        "only ids the cache did not hold are new",
        cached(1, 2),
        Parsed(fresh(2, 3, 4, 5)),
        "ok",
        3,
        4,
        NOW,
        None,
        0.0,
    ),
    (
        "a 304 keeps the items",
        cached(1, 2),
        NotModified('"v3"'),
        "not-modified",
        0,
        2,
        NOW,
        None,
        0.0,
    ),
    (
        "a 304 without validators is a failure",
        cached(1),
        NotModified(validators_sent=False),
        "failed",
        0,
        1,
        BEFORE,
        "304 Not Modified to a request without validators",
        TWO_HOURS,
    ),
    (
        "a failure keeps the last good items, stale",
        cached(1, 2),
        Failed("HTTP 503", 503),
        "failed",
        0,
        2,
        BEFORE,
        "HTTP 503",
        TWO_HOURS,
    ),
    (
        "a first failure caches nothing but the attempt",
        None,
        Failed("token expired", 401),
        "failed",
        0,
        0,
        None,
        "token expired",
        None,
    ),
    (
        "a quiet API account not due keeps everything",
        cached(1),
        NotDue(),
        "ok",
        0,
        1,
        BEFORE,
        None,
        TWO_HOURS,
    ),
    (
        "a success after a failure clears the error",
        cached(1, error="HTTP 503"),
        Parsed(fresh(1)),
        "ok",
        0,
        1,
        NOW,
        None,
        0.0,
    ),
]


@pytest.mark.parametrize(
    "old, outcome, status, new, kept, success, error, age",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide(old, outcome, status, new, kept, success, error, age):
    decision = decide(KEY, URL, old, outcome, NOW)
    assert decision.status == status
    assert decision.new_items == new
    assert len(decision.feed.items) == kept
    assert decision.feed.last_success == success
    assert decision.feed.last_attempt == NOW
    if error is None:
        assert decision.feed.last_error is None
    else:
        assert error in decision.feed.last_error
    assert decision.age_seconds == age


def test_a_304_refreshes_the_validators_it_was_given_and_keeps_the_rest():
    decision = decide(KEY, URL, cached(1), NotModified(etag='"v3"'), NOW)
    assert decision.feed.etag == '"v3"'
    assert decision.feed.last_modified == "Mon, 30 Nov 2026 10:00:00 GMT"
    assert decision.feed.last_status == 304


def test_a_failure_keeps_validators_and_profile():
    old = cached(1)
    decision = decide(KEY, URL, old, Failed("timeout"), NOW)
    assert (decision.feed.etag, decision.feed.profile) == (old.etag, old.profile)
    assert decision.feed.last_status is None


@pytest.mark.parametrize(
    "old, url, sent",
    [
        (None, URL, (None, None)),
        (cached(), URL, (None, None)),  # nothing to keep: a 304 would empty it
        (cached(1, url="https://example.org/old.xml"), URL, (None, None)),
        (cached(1), URL, ('"v1"', "Mon, 30 Nov 2026 10:00:00 GMT")),
    ],
    ids=["no cache", "empty cache", "another URL", "same URL with items"],
)
def test_validators_are_sent_only_for_something_worth_keeping(old, url, sent):
    assert validators(old, url) == sent
