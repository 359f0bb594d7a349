"""Social feed items on the built pages: home, unit pages, the activity river,
stale badges, local images only, accessibility, and a hostile feed that must
not run anything in a real browser."""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.browser import axe_violations, describe
from tests.support.html import page, soup
from tps.core.paths import CONTENT, ROOT
from tps.site.build import build
from tps.social_feeds import cache
from tps.social_feeds.models import CachedFeed, FeedItem
from tps.social_feeds.parse import parse_feed
from tps.social_feeds.registry import feed_accounts
from tps.social_feeds.view import ShownItem, duration, relative_time

ACCOUNTS = {account.key: account for account in feed_accounts(CONTENT)}
SAMPLE_CACHE = ROOT / "feeds" / "cache"
RELATIVE = re.compile(r"^(just now|\d+ (minute|hour|day|week|month|year)s? ago)$")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder over HTTP on loopback; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def feed_items(html) -> list:
    return html.select(".tps-feed-item")


def check_item(element) -> None:
    """Account, platform, relative time and absolute <time datetime>."""
    assert element.select_one(".tps-platform").get_text(strip=True)
    assert element.select_one(".tps-feed-item__account").get_text(strip=True)
    assert RELATIVE.match(
        element.select_one(".tps-feed-item__when").get_text(strip=True)
    )
    time = element.select_one("time[datetime]")
    assert dt.datetime.fromisoformat(time["datetime"]).tzinfo is not None
    assert re.search(r"\w+ \d{1,2}, 20\d\d", time.get_text())


# --- the sample site ------------------------------------------------------------


def test_home_shows_the_latest_video_linking_to_the_platform(public_site):
    html = page(public_site, "")
    card = html.select_one(".tps-social-home__video .tps-video-card")
    title_link = card.select_one(".tps-video-card__title a")
    assert title_link["href"].startswith("https://www.youtube.com/watch?v=")
    assert "nofollow" in title_link["rel"] and "noopener" in title_link["rel"]
    thumbnail = card.select_one(".tps-video-card__thumb")
    assert thumbnail["href"] == title_link["href"]
    image = thumbnail.img
    assert image["src"].startswith("./media/feeds/") and image["src"].endswith(".jpg")
    assert (public_site / image["src"]).is_file()
    assert image["alt"] == "" and image["width"] and image["height"]
    assert card.select_one(".tps-platform").get_text(strip=True) == "YouTube"
    assert not html.select("iframe, embed, object, script[src*='youtube']")


def test_home_shows_latest_posts_across_accounts(public_site):
    html = page(public_site, "")
    items = feed_items(html.select_one(".tps-social-home__posts"))
    assert len(items) >= 6
    for element in items:
        check_item(element)
    accounts = {i.select_one(".tps-feed-item__account").get_text() for i in items}
    platforms = {i.select_one(".tps-platform").get_text() for i in items}
    assert len(accounts) >= 5 and len(platforms) >= 3
    times = [dt.datetime.fromisoformat(i.select_one("time")["datetime"]) for i in items]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("slug", ["52-division", "traffic-services", "31-division"])
def test_unit_page_shows_its_and_its_members_latest_items(public_site, slug):
    """The unit's own accounts and its members' accounts, newest first."""
    accounts = [a for a in ACCOUNTS.values() if a.unit == slug]
    cached = [cache.load(SAMPLE_CACHE, a.key) for a in accounts]
    expected = sorted(
        (item for feed in cached for item in feed.items),
        key=lambda item: item.published,
        reverse=True,
    )[:5]
    html = page(public_site, f"units/{slug}/")
    section = html.select_one(".tps-unit-social")
    assert section.h2.get_text(strip=True) == "Latest on social media"
    items = feed_items(section)
    assert [i.select_one(".tps-feed-item__title a")["href"] for i in items] == [
        item.link for item in expected
    ]
    for element in items:
        check_item(element)
        assert element.select_one(".tps-feed-item__title").name == "h3"
    if slug == "52-division":  # a member's account and the unit's own
        owners = {i.select_one(".tps-feed-item__owner").get_text() for i in items}
        assert "52 Division" in owners and len(owners) >= 2, owners


def test_stale_feed_shows_a_badge_with_its_age(public_site):
    stale = cache.load(SAMPLE_CACHE, "x:TPS31Div")
    assert stale.stale
    html = page(public_site, "units/31-division/")
    items = [
        i
        for i in feed_items(html)
        if i.select_one(".tps-feed-item__account").get_text() == "TPS31Div"
    ]
    assert items
    for element in items:
        badge = element.select_one(".tps-badge--stale")
        assert re.fullmatch(
            r"Stale: feed not updated for \d+ (hour|day|week)s?",
            badge.get_text(" ", strip=True).replace(" :", ":"),
        )
    fresh = [i for i in feed_items(html) if i not in items]
    assert all(i.select_one(".tps-badge--stale") is None for i in fresh)


def test_activity_river_is_paginated(public_site):
    first = page(public_site, "social-media/activity/")
    assert first.h1.get_text(strip=True) == "All social media activity"
    assert len(feed_items(first)) == 20
    assert first.select_one("a[rel=next]")["href"].endswith(
        "social-media/activity/page/2/"
    )
    second = page(public_site, "social-media/activity/page/2/")
    assert second.select_one("a[rel=prev]") and feed_items(second)
    ids = [a["href"] for a in first.select(".tps-feed-item__title a")]
    ids += [a["href"] for a in second.select(".tps-feed-item__title a")]
    assert len(ids) == len(set(ids))


def test_pages_never_reference_remote_images(public_site, internal_site):
    for site in (public_site, internal_site):
        referenced = set()
        for path in site.rglob("*.html"):
            for image in soup(path).select("img"):
                src = image["src"]
                assert not re.match(r"(?i)^(https?:)?//", src), f"{path}: {src}"
                if "media/feeds/" in src:
                    referenced.add(src.rsplit("/", 1)[-1])
                    if "tps-feed-item__image" in image.get("class", []):
                        assert image["loading"] == "lazy", path
                    assert image["width"] and image["height"] and "alt" in image.attrs
        copied = {p.name for p in (site / "media" / "feeds").iterdir()}
        assert referenced and copied == referenced  # only (and all) those shown


def test_internal_home_shows_the_feeds_too(internal_site):
    html = page(internal_site, "")
    assert len(feed_items(html.select_one(".tps-social-home__posts"))) >= 6


def test_item_text_drops_a_derived_title_but_not_a_real_one():
    account = ACCOUNTS["bluesky:tps11div.bsky.social"]
    now = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)

    def shown(title: str, summary: str) -> ShownItem:
        item = FeedItem(
            id="1",
            account=account.key,
            platform=account.platform,
            handle=account.handle,
            title=title,
            summary=summary,
            link="https://bsky.app/x",
            published=now,
        )
        return ShownItem(item, account, "Bluesky", False, "", "just now", "", None)

    assert (
        shown("Road closed.", "Road closed. Detour via King.").text
        == "Detour via King."
    )
    assert shown("Youth night", "Youth night is back on Fridays.").text == (
        "Youth night is back on Fridays."
    )
    assert shown("Only this.", "Only this.").text == ""


def test_relative_times_in_words():
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    ago = {
        dt.timedelta(seconds=30): "just now",
        dt.timedelta(minutes=1): "1 minute ago",
        dt.timedelta(hours=3, minutes=59): "3 hours ago",
        dt.timedelta(days=1, hours=2): "1 day ago",
        dt.timedelta(days=15): "2 weeks ago",
        dt.timedelta(days=95): "3 months ago",
        dt.timedelta(minutes=-5): "just now",  # a build clock behind the refresh's
    }
    for delta, words in ago.items():
        assert relative_time(now - delta, now) == words
    assert duration(dt.timedelta(days=2, hours=5)) == "2 days"
    assert duration(dt.timedelta(hours=-2)) == "under a minute"


# --- a hostile feed, end to end -------------------------------------------------------

HOSTILE_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <title type="html">&lt;script&gt;window.__pwned = "feed title"&lt;/script&gt;Hostile bridge</title>
  <subtitle type="html">&lt;img src=x onerror="window.__pwned='bio'"&gt;</subtitle>
  <link rel="alternate" href="javascript:window.__pwned='profile'"/>
  <id>urn:hostile</id>
  <updated>{now}</updated>
  <entry>
    <id>urn:hostile:1</id>
    <title type="html">&lt;script&gt;window.__pwned = "title"; alert("title")&lt;/script&gt;Road closure &lt;img src=x onerror="window.__pwned='img'; alert(1)"&gt;</title>
    <link rel="alternate" href="javascript:window.__pwned='link'"/>
    <published>{now}</published>
    <content type="html">&lt;p onclick="window.__pwned='click'" style="position:fixed;inset:0"&gt;Details&lt;/p&gt;
      &lt;script&gt;window.__pwned = "content"&lt;/script&gt;
      &lt;svg onload="window.__pwned='svg'"&gt;&lt;script&gt;window.__pwned='svg script'&lt;/script&gt;&lt;/svg&gt;
      &lt;iframe src="javascript:parent.__pwned='iframe'"&gt;&lt;/iframe&gt;
      &lt;a href="javascript:window.__pwned='a'"&gt;click me&lt;/a&gt;
      &lt;a href="data:text/html,&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"&gt;data&lt;/a&gt;
      &lt;img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" onload="window.__pwned='data img'"&gt;</content>
    <media:thumbnail url="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"/>
  </entry>
  <entry>
    <id>urn:hostile:2</id>
    <title type="text">&lt;/h3&gt;&lt;script&gt;window.__pwned = "text title"&lt;/script&gt;&lt;iframe src="https://evil.test/"&gt;&lt;/iframe&gt;</title>
    <link rel="alternate" href="https://evil.test/post?x=&quot;&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"/>
    <published>{earlier}</published>
    <summary type="html">&lt;object data="https://evil.test/x.swf"&gt;&lt;/object&gt;&lt;embed src="https://evil.test/x"&gt;&lt;style&gt;body{{display:none}}&lt;/style&gt;A tracking pixel follows</summary>
    <media:content url="https://tracker.evil.test/pixel.gif" medium="image" type="image/gif"/>
  </entry>
</feed>
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The public site built from a cache holding only a hostile feed, parsed
    the way a refresh parses it."""
    root = tmp_path_factory.mktemp("hostile")
    account = ACCOUNTS["x:TPS11Div"]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    body = HOSTILE_ATOM.format(
        now=(now - dt.timedelta(minutes=2)).isoformat(),
        earlier=(now - dt.timedelta(hours=1)).isoformat(),
    ).encode()
    parsed = parse_feed(
        body, content_type="application/atom+xml", account=account, now=now
    )
    assert len(parsed.items) == 2
    cache.save(
        root / "cache",
        CachedFeed(
            account=account.key,
            url=account.feed,
            items=parsed.items,
            profile=parsed.profile,
            last_success=now,
            last_attempt=now,
            last_status=200,
        ),
    )
    build(
        ("public",),
        output_root=root / "output",
        settings={"SOCIAL_FEEDS": {"cache_dir": str(root / "cache")}},
    )
    return root / "output" / "public"


def test_hostile_feed_renders_as_text_with_safe_links(hostile_site):
    html = page(hostile_site, "")
    items = feed_items(html)
    assert len(items) == 2  # the only cached account; every other has no cache
    main = html.select_one("main")
    assert not main.select("script, iframe, svg, object, embed, style, form")
    for attribute in main.find_all(True):
        for name, value in attribute.attrs.items():
            assert not name.startswith("on"), name
            values = value if isinstance(value, list) else [value]
            assert not any(re.match(r"(?i)\s*(javascript|data):", v) for v in values)
    links = [i.select_one(".tps-feed-item__title a")["href"] for i in items]
    assert links[0] == ACCOUNTS["x:TPS11Div"].url  # javascript: link refused
    assert "tracker.evil.test" not in (hostile_site / "index.html").read_text()


def test_hostile_feed_executes_nothing_in_a_browser(hostile_site, chromium):
    with serve(hostile_site) as base:
        context = chromium.new_context()
        browser_page = context.new_page()
        dialogs, requests = [], []
        browser_page.on(
            "dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss())
        )
        browser_page.on("request", lambda request: requests.append(request.url))
        browser_page.goto(base, wait_until="networkidle")
        assert browser_page.evaluate("() => window.__pwned") is None
        for link in browser_page.locator("main a").all():
            if link.is_visible():
                link.hover()  # mouse-over handlers, if any survived
        browser_page.locator("main p").first.click(position={"x": 1, "y": 1})
        browser_page.wait_for_timeout(300)
        assert dialogs == []
        assert browser_page.evaluate("() => window.__pwned") is None
        counts = browser_page.evaluate(
            """() => ({
                scripts: document.querySelectorAll('script').length,
                frames: document.querySelectorAll('iframe, object, embed').length,
                svg: document.querySelectorAll('main svg').length,
                handlers: [...document.querySelectorAll('main *')].filter(
                    e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            })"""
        )
        assert counts == {"scripts": 0, "frames": 0, "svg": 0, "handlers": 0}
        heading = browser_page.locator(".tps-feed-item__title").nth(1).inner_text()
        # A title that was only markup is dropped; one is derived from the text.
        assert heading.startswith("A tracking pixel follows")
        assert all(url.startswith(base) for url in requests), requests
        context.close()


# --- accessibility and weight -----------------------------------------------------------


@pytest.mark.parametrize("url", ["", "units/31-division/", "social-media/activity/"])
def test_feed_pages_pass_axe_and_the_weight_budget(public_site, chromium, url):
    with serve(public_site) as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        browser_page = context.new_page()
        transferred = []
        browser_page.on(
            "response", lambda response: transferred.append(len(response.body()))
        )
        browser_page.goto(base + url, wait_until="networkidle")
        assert browser_page.locator(".tps-feed-item").count() >= 3
        violations = axe_violations(browser_page)
        assert violations == [], describe(violations)
        assert sum(transferred) <= 300_000
        context.close()
