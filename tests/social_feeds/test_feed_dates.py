"""Feed items dated year 1, year 9999 or Go's zero time: dropped with a reason
when parsed, ignored when an older cache holds them, and never a broken build
or publish."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

from tests.site.test_publish import run
from tps.core.paths import ROOT
from tps.social_feeds import cache
from tps.social_feeds.models import CachedFeed, FeedItem
from tps.social_feeds.parse import parse_feed
from tps.social_feeds.registry import FeedAccount
from tps.social_feeds.view import local_date

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
YEAR_ONE = "0001-01-01T00:00:00+14:00"  # year 0 in UTC
GO_ZERO = "0001-01-01T00:00:00Z"
YEAR_9999 = "9999-12-31T23:59:59-14:00"
ACCOUNT = FeedAccount(
    key="mastodon:TPSTest",
    platform="mastodon",
    handle="TPSTest",
    url="https://mastodon.social/@TPSTest",
    feed="https://mastodon.social/@TPSTest.rss",
    unit="14-division",
    unit_name="14 Division",
    member=None,
)


def rss(*dates: str, good: str = "Tue, 24 Nov 2026 10:00:00 -0500") -> str:
    items = [(f"bad-{i}", date) for i, date in enumerate(dates)] + [("good", good)]
    body = "".join(
        f"<item><guid>urn:{name}</guid><title>{name} post</title>"
        f"<link>https://mastodon.social/@TPSTest/{name}</link>"
        f"<pubDate>{date}</pubDate><description>{name}.</description></item>"
        for name, date in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test</title><link>https://mastodon.social/@TPSTest</link>
<description>Test</description>{body}</channel></rss>"""


def json_feed(*dates: str, good: str = "2026-11-24T10:00:00-05:00") -> str:
    items = [(f"bad-{i}", date) for i, date in enumerate(dates)] + [("good", good)]
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Test",
            "items": [
                {
                    "id": f"urn:{name}",
                    "url": f"https://mastodon.social/@TPSTest/{name}",
                    "content_text": f"{name} post.",
                    "date_published": date,
                }
                for name, date in items
            ],
        }
    )


def test_out_of_range_dates_are_dropped_with_a_reason():
    for body, content_type in (
        (rss(YEAR_ONE, GO_ZERO, YEAR_9999), "application/rss+xml"),
        (json_feed(YEAR_ONE, GO_ZERO, YEAR_9999), "application/feed+json"),
    ):
        parsed = parse_feed(
            body.encode(), content_type=content_type, account=ACCOUNT, now=NOW
        )
        assert [item.id for item in parsed.items] == ["urn:good"], content_type
        assert len(parsed.dropped) == 3, parsed.dropped
        assert "before mastodon existed (2016-03-16)" in parsed.dropped[0]
        assert "past any real date" in parsed.dropped[2]


def test_an_item_before_its_platform_launched_is_dropped():
    body = rss("Mon, 01 Mar 2010 10:00:00 +0000").encode()
    parsed = parse_feed(body, content_type=None, account=ACCOUNT, now=NOW)
    assert [item.id for item in parsed.items] == ["urn:good"]
    assert "2010-03-01" in parsed.dropped[0]


def test_local_date_never_overflows():
    assert local_date(dt.datetime.fromisoformat(YEAR_ONE)) == (
        "January 1, 1, 12:00 a.m."
    )
    assert local_date(dt.datetime.fromisoformat(YEAR_9999)).startswith("December 31")


def bad_item(published: str) -> FeedItem:
    return FeedItem(
        id=f"urn:bad:{published}",
        account="mastodon:TPS53Div",
        platform="mastodon",
        handle="TPS53Div",
        title="Zero time",
        summary="Zero time.",
        link="https://mastodon.social/@TPS53Div/0",
        published=dt.datetime.fromisoformat(published),
    )


def test_a_cache_already_holding_year_one_is_read_without_it(tmp_path):
    shutil.copytree(ROOT / "feeds" / "cache", tmp_path / "cache")
    feed = cache.load(tmp_path / "cache", "mastodon:TPS53Div")
    assert feed is not None and feed.items
    good = len(feed.items)
    feed.items = [bad_item(YEAR_ONE), *feed.items, bad_item(YEAR_9999)]
    cache.save(tmp_path / "cache", feed)
    assert YEAR_ONE in cache.cache_file(tmp_path / "cache", feed.account).read_text()
    again = cache.load(tmp_path / "cache", "mastodon:TPS53Div")
    assert again is not None and len(again.items) == good


def test_publish_deploys_with_an_old_cache_holding_year_one(content_copy, tmp_path):
    feeds = tmp_path / "feeds-cache"
    shutil.copytree(ROOT / "feeds" / "cache", feeds)
    path = cache.cache_file(feeds, "mastodon:TPS53Div")
    feed = CachedFeed.model_validate_json(path.read_bytes())
    feed.items = [bad_item(YEAR_ONE), bad_item(GO_ZERO), *feed.items]
    cache.save(feeds, feed)

    [done] = run(content_copy, tmp_path / "srv", tmp_path, feeds_cache=feeds)
    assert (tmp_path / "srv/public/current/index.html").is_file(), done


def test_publish_with_its_own_refresh_of_feeds_dated_year_1_9999_and_zero(
    content_copy, tmp_path, httpserver
):
    """The scheduled path: refresh from loopback feeds carrying every bad date,
    then build and deploy."""
    bodies = {
        "/rss": (rss(YEAR_ONE, GO_ZERO, YEAR_9999), "application/rss+xml"),
        "/json": (json_feed(YEAR_ONE, GO_ZERO, YEAR_9999), "application/feed+json"),
        "/zero": (rss(GO_ZERO, good=GO_ZERO), "application/rss+xml"),
    }
    for path, (body, content_type) in bodies.items():
        httpserver.expect_request(path).respond_with_data(
            body, content_type=content_type
        )
    urls = [httpserver.url_for(path) for path in bodies]
    count = 0

    def local(match: re.Match) -> str:
        nonlocal count
        count += 1
        return f"{match[1]}{urls[count % len(urls)]}"

    for unit in sorted((content_copy / "units").glob("*.yaml")):
        text = re.sub(r"^\s*api_id: .*\n", "", unit.read_text(), flags=re.M)
        unit.write_text(re.sub(r"^(\s*feed: ).*$", local, text, flags=re.M))
    feeds = tmp_path / "feeds-cache"
    shutil.copytree(ROOT / "feeds" / "cache", feeds)

    [done] = run(
        content_copy, tmp_path / "srv", tmp_path, refresh=True, feeds_cache=feeds
    )

    report = json.loads((feeds / "report.json").read_text())
    by_status = {}
    for entry in report["feeds"]:
        by_status.setdefault(entry["status"], []).append(entry)
    # every feed with a good item is ok; the all-zero feed fails, keeping its items
    assert by_status["ok"] and by_status["failed"], by_status.keys()
    assert all(len(entry["dropped"]) == 3 for entry in by_status["ok"])
    assert all("usable date" in entry["error"] for entry in by_status["failed"])
    assert (tmp_path / "srv/public/current/index.html").is_file(), done
