"""The sample data: API responses in each platform's documented shape under
feeds/samples/, and the committed cache the real refresh makes of them
(feeds/make_sample_cache.py)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tps.core.paths import CONTENT, ROOT
from tps.social_feeds import cache
from tps.social_feeds.connectors import CONNECTORS
from tps.social_feeds.registry import feed_accounts

SAMPLES = ROOT / "feeds" / "samples"
CACHE = ROOT / "feeds" / "cache"
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
ACCOUNTS = {account.key: account for account in feed_accounts(CONTENT)}
API = {
    key: account
    for key, account in ACCOUNTS.items()
    if account.api_id and (not account.feed or account.platform == "youtube")
}


def api_sample(key: str) -> dict | list:
    account = API[key]
    stem = cache.cache_file(Path(), key).stem
    kind = ".playlistItems" if account.platform == "youtube" else ""
    return json.loads((SAMPLES / account.platform / f"{stem}{kind}.json").read_text())


def parsed(key: str):
    body = json.dumps(api_sample(key)).encode()
    return CONNECTORS[API[key].platform].parse(body, API[key], now=NOW, cap=20)


def test_no_account_is_bridged_any_more():
    assert not [a.key for a in ACCOUNTS.values() if "feeds.tps.ca" in a.feed]
    platforms = Counter(a.platform for a in API.values())
    assert {"facebook", "instagram", "x", "youtube", "bluesky", "mastodon"} <= set(
        platforms
    )


@pytest.mark.parametrize("key", sorted(API))
def test_every_api_sample_parses_through_its_connector(key):
    items = parsed(key).items
    assert items, key
    assert all(item.link.startswith("https://") for item in items)


def test_x_sample_expands_links_and_never_shows_replies_or_retweets():
    document = api_sample("x:TPS32Div")
    sent = {t["id"] for t in document["data"]}
    items = parsed("x:TPS32Div").items
    assert len(items) < len(sent)  # the reply and the retweet are dropped
    assert not [i for i in items if i.summary.startswith(("RT @", "@"))]
    linked = [i for i in items if "https://www.tps.ca/units/32-division/" in i.html]
    assert linked and all("t.co" not in i.html for i in linked)
    assert all(i.link.startswith("https://x.com/TPS32Div/status/") for i in items)


def test_x_photos_keep_their_alt_text():
    pictured = [
        item
        for key in API
        if key.startswith("x:")
        for item in parsed(key).items
        if item.image
    ]
    assert pictured and all(i.image_alt for i in pictured)
    assert all(i.image.startswith("https://pbs.twimg.com/media/") for i in pictured)


def test_facebook_story_only_post_is_skipped_and_a_shared_link_has_text():
    document = api_sample("facebook:TPSTrafficServices")
    stories = [p for p in document["data"] if "story" in p and "message" not in p]
    assert stories
    items = parsed("facebook:TPSTrafficServices").items
    assert len(items) == len(document["data"]) - len(stories)
    assert any(i.summary.startswith("Festive RIDE: plan your safe ride") for i in items)


def test_instagram_video_shows_its_thumbnail():
    items = parsed("instagram:tps32div").items
    [video] = [i for i in items if i.is_video]
    assert video.image.endswith("_thumb.jpg")


def test_mastodon_content_warning_and_no_reblog_or_reply():
    statuses = api_sample("mastodon:TPS32Div")
    items = parsed("mastodon:TPS32Div").items
    assert len(items) == len(
        [s for s in statuses if not s["reblog"] and not s["in_reply_to_id"]]
    )
    [warned] = [i for i in items if i.content_warning]
    assert warned.content_warning == "Serious collision, injuries"
    assert warned.title == "Content warning: Serious collision, injuries"


def test_bluesky_skips_reposts_and_replies_and_keeps_link_facets():
    feed = api_sample("bluesky:tps22div.bsky.social")["feed"]
    items = parsed("bluesky:tps22div.bsky.social").items
    assert len(items) == len(feed) - 2
    assert any('href="https://www.tps.ca/units/22-division/"' in i.html for i in items)


def test_the_sample_is_alive():
    """At least 150 of the 293 accounts show activity, on at least 6 platforms."""
    feeds = cache.load_all(CACHE, list(ACCOUNTS))
    active = Counter(key.split(":")[0] for key, feed in feeds.items() if feed.items)
    assert sum(active.values()) >= 150
    assert len(active) >= 6


def test_the_committed_cache_is_what_the_real_refresh_makes_of_the_samples(tmp_path):
    """feeds/make_sample_cache.py: the same bytes again, no loopback address
    and no token in anything it writes."""
    out = tmp_path / "cache"
    subprocess.run(
        [sys.executable, str(ROOT / "feeds" / "make_sample_cache.py"), "--cache", out],
        check=True,
        capture_output=True,
        timeout=120,
    )
    made = {
        p.relative_to(out): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != "report.json"
    }
    committed = {
        p.relative_to(CACHE): p.read_bytes()
        for p in CACHE.rglob("*")
        if p.is_file() and p.name != "report.json"
    }
    assert sorted(made) == sorted(committed)
    changed = [str(path) for path in made if made[path] != committed[path]]
    assert not changed, f"run .venv/bin/python feeds/make_sample_cache.py: {changed}"
    for path in out.rglob("*"):
        if path.is_file() and path.suffix == ".json":
            text = path.read_text("utf-8")
            assert "127.0.0.1" not in text and "sample-x-bearer-token" not in text
    stale = [f.account for f in cache.load_all(out, list(ACCOUNTS)).values() if f.stale]
    assert sorted(stale) == [
        "bluesky:tps41div.bsky.social",
        "facebook:TPS43Division",
        "x:TPS31Div",
    ]


def test_the_fixed_clock(monkeypatch):
    from tps.core import clock

    monkeypatch.delenv(clock.FIXED_NOW_ENV, raising=False)
    before = dt.datetime.now(dt.UTC)
    assert before <= clock.now() <= dt.datetime.now(dt.UTC)
    monkeypatch.setenv(clock.FIXED_NOW_ENV, "2026-11-25T03:00:00-05:00")
    assert clock.now() == NOW and clock.now().tzinfo == dt.UTC
    monkeypatch.setenv(clock.FIXED_NOW_ENV, "2026-11-25T08:00:00Z")
    assert clock.now() == NOW
    for bad in ("2026-11-25T03:00:00", "yesterday"):
        monkeypatch.setenv(clock.FIXED_NOW_ENV, bad)
        with pytest.raises(clock.ClockError, match="TPS_FIXED_NOW"):
            clock.now()


def test_the_refresh_reads_the_fixed_clock(monkeypatch, tmp_path):
    from tps.social_feeds.refresh import RefreshError, refresh
    from tps.social_feeds.settings import FeedSettings

    settings = FeedSettings(cache_dir=tmp_path / "cache", deadline=5)
    monkeypatch.setenv("TPS_FIXED_NOW", "2026-11-25T03:00:00-05:00")
    report = refresh([], settings)
    assert report.started == NOW
    monkeypatch.setenv("TPS_FIXED_NOW", "not a time")
    with pytest.raises(RefreshError, match="TPS_FIXED_NOW"):
        refresh([], settings)
