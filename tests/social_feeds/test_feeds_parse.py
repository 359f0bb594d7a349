"""Feed bytes to items: every platform's format, dates, dedupe, cap, the
failures that must not pass for a feed, and the sanitizer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tps.core.paths import CONTENT, ROOT
from tps.social_feeds import cache
from tps.social_feeds.parse import FeedParseError, derive_title, parse_feed
from tps.social_feeds.registry import FeedAccount, feed_accounts
from tps.social_feeds.sanitize import clean_html, plain_text, safe_url, trim

SAMPLES = ROOT / "feeds" / "samples"
CACHE = ROOT / "feeds" / "cache"
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
TORONTO = ZoneInfo("America/Toronto")
ACCOUNTS = {account.key: account for account in feed_accounts(CONTENT)}
CONTENT_TYPES = {
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".xml": "text/xml; charset=UTF-8",
    ".json": "application/feed+json",
}
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


def sample(platform: str, handle: str) -> tuple[bytes, str, FeedAccount]:
    account = ACCOUNTS[f"{platform}:{handle}"]
    stem = cache.cache_file(Path(), account.key).stem
    [path] = (SAMPLES / platform).glob(f"{stem}.*")
    return path.read_bytes(), CONTENT_TYPES[path.suffix], account


def parse(body: bytes | str, content_type: str | None = None, **kwargs):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return parse_feed(
        body, content_type=content_type, account=ACCOUNT, now=NOW, **kwargs
    )


def rss(*items: str, channel_extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test</title><link>https://mastodon.social/@TPSTest</link>
<description>Test feed</description>{channel_extra}{"".join(items)}</channel></rss>"""


def item(guid: str, date: str, text: str = "Hello", link: str | None = None) -> str:
    link = link or f"https://mastodon.social/@TPSTest/{guid}"
    return (
        f"<item><guid>{guid}</guid><link>{link}</link><pubDate>{date}</pubDate>"
        f"<description>{text}</description></item>"
    )


# --- every platform ---------------------------------------------------------


def test_youtube_atom_gives_videos_with_thumbnail_and_description():
    body, content_type, account = sample("youtube", "TPSTrafficServices")
    feed = parse_feed(body, content_type=content_type, account=account, now=NOW)
    assert len(feed.items) >= 3
    for video in feed.items:
        assert video.is_video and video.platform == "youtube"
        assert video.link.startswith("https://www.youtube.com/watch?v=")
        assert video.image.startswith("https://i1.ytimg.com/vi/")
        assert video.title and video.summary  # media:title and media:description
        assert video.image_alt == ""  # decorative: the title sits beside it
    assert feed.profile.display_name == "Toronto Police Traffic Services"


def test_mastodon_rss_gives_html_posts_with_image_alt_and_derived_titles():
    body, content_type, account = sample("mastodon", "TPS14Div")
    feed = parse_feed(body, content_type=content_type, account=account, now=NOW)
    assert all(post.title and not post.is_video for post in feed.items)
    assert all(post.html.startswith("<p>") for post in feed.items)
    [pictured] = [post for post in feed.items if post.image]
    assert pictured.image.startswith("https://files.mastodon.social/")
    assert pictured.image_alt  # from media:description
    assert "Not monitored 24/7" in feed.profile.bio


def test_bluesky_items_without_titles_get_one_from_their_text():
    body, content_type, account = sample("bluesky", "tps11div.bsky.social")
    assert b"<title>" not in body.split(b"<item>", 1)[1]
    feed = parse_feed(body, content_type=content_type, account=account, now=NOW)
    for post in feed.items:
        assert post.title and post.summary.startswith(post.title.rstrip("…"))
        assert len(post.title) <= 100
        assert post.link.startswith("https://bsky.app/profile/tps11div.bsky.social/")


def test_flickr_photo_is_the_image_with_its_title_as_alt():
    body, content_type, account = sample("flickr", "tps22div")
    feed = parse_feed(body, content_type=content_type, account=account, now=NOW)
    for photo in feed.items:
        assert photo.image.startswith("https://live.staticflickr.com/")
        assert photo.image_alt == photo.title
        assert "posted a photo" not in photo.summary


def test_json_feed_image_attachment_title_is_the_alt_text():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Test",
            "home_page_url": "https://mastodon.social/@TPSTest",
            "items": [
                {
                    "id": "1",
                    "url": "https://mastodon.social/@TPSTest/1",
                    "content_text": "Bike rodeo in the park on Saturday.",
                    "date_published": "2026-11-24T15:00:00-05:00",
                    "image": "https://example.org/bike.jpg",
                    "attachments": [
                        {
                            "url": "https://example.org/bike.jpg",
                            "mime_type": "image/jpeg",
                            "title": "Kids learning hand signals on their bikes.",
                        }
                    ],
                },
                {
                    "id": "2",
                    "url": "https://mastodon.social/@TPSTest/2",
                    "content_text": "Coffee with a Cop on Thursday.",
                    "date_published": "2026-11-23T09:00:00-05:00",
                },
            ],
        }
    ).encode()
    feed = parse(body, "application/feed+json")
    [pictured] = [post for post in feed.items if post.image]
    assert pictured.image_alt == "Kids learning hand signals on their bikes."
    # Detected by its content even when served as text/plain.
    again = parse(body, "text/plain")
    assert [p.id for p in again.items] == [p.id for p in feed.items] == ["1", "2"]


# --- dates --------------------------------------------------------------------


def test_naive_dates_take_toronto_time():
    feed = parse(rss(item("1", "Tue, 24 Nov 2026 09:00:00")))
    published = feed.items[0].published
    assert published.tzinfo == TORONTO
    assert published == dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


def test_naive_summer_date_takes_toronto_daylight_time():
    feed = parse(rss(item("1", "2026-07-27T09:30:00")))
    assert feed.items[0].published.utcoffset() == dt.timedelta(hours=-4)


def test_naive_dates_take_the_zone_the_feed_states():
    feed = parse(
        rss(
            item("1", "Tue, 24 Nov 2026 09:00:00"),
            channel_extra="<lastBuildDate>Tue, 24 Nov 2026 10:00:00 -0800</lastBuildDate>",
        )
    )
    assert feed.items[0].published == dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)


def test_dates_with_a_zone_are_kept():
    feed = parse(rss(item("1", "Tue, 24 Nov 2026 09:00:00 +0000")))
    assert feed.items[0].published == dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_future_items_clamped_within_ten_minutes_dropped_beyond():
    soon = (NOW + dt.timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    later = (NOW + dt.timedelta(hours=3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    feed = parse(
        rss(
            item("soon", soon),
            item("later", later),
            item("past", "Tue, 24 Nov 2026 09:00:00 +0000"),
        )
    )
    assert [i.id for i in feed.items] == ["soon", "past"]
    assert feed.items[0].published == NOW


def test_a_feed_of_only_far_future_items_is_a_failure():
    later = (NOW + dt.timedelta(days=2)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    with pytest.raises(FeedParseError, match="future"):
        parse(rss(item("later", later)))


# --- dedupe, order, cap -----------------------------------------------------------


def test_dedupe_by_id_then_by_link_keeps_the_newest():
    feed = parse(
        rss(
            item("a", "Mon, 23 Nov 2026 09:00:00 +0000", "old copy of a"),
            item("a", "Tue, 24 Nov 2026 09:00:00 +0000", "new copy of a"),
            item("b", "Sun, 22 Nov 2026 09:00:00 +0000", "b", link="https://x.test/1"),
            item("c", "Sat, 21 Nov 2026 09:00:00 +0000", "c", link="https://x.test/1"),
            item("d", "Fri, 20 Nov 2026 09:00:00 +0000", "d"),
        )
    )
    assert [i.id for i in feed.items] == ["a", "b", "d"]
    assert feed.items[0].summary == "new copy of a"


def test_items_newest_first_and_capped():
    entries = [item(str(n), f"{n + 1:02d} Nov 2026 09:00:00 +0000") for n in range(20)]
    feed = parse(rss(*entries), cap=5)
    assert [i.id for i in feed.items] == ["19", "18", "17", "16", "15"]


def test_summary_is_plain_text_trimmed_on_a_word_boundary():
    long_text = "Officers will be at the community centre " * 20
    feed = parse(rss(item("1", "Tue, 24 Nov 2026 09:00:00 +0000", long_text)))
    summary = feed.items[0].summary
    assert len(summary) <= 280 and summary.endswith("…")
    assert long_text.startswith(summary.removesuffix("…"))
    assert summary.removesuffix("…").split()[-1] in long_text.split()


# --- what is not a feed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "application/rss+xml", "empty"),
        (b"  \n\t ", None, "empty"),
        (
            b"<!DOCTYPE html><html><head><title>Log in</title></head></html>",
            None,
            "HTML",
        ),
        (b"<rss version='2.0'><channel><item>", "text/html; charset=utf-8", "HTML"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel><item>", None, "malformed"),
        (b"<?xml version='1.0'?><note><to>Tove</to></note>", "text/xml", "not an RSS"),
        (
            b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title></channel></rss>",
            None,
            "no items",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
            None,
            "no items",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            "application/feed+json",
            "malformed JSON",
        ),
        (b'{"title": "not a feed"}', "application/json", "not a JSON Feed"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "title": "caf\xe9", "items": []}',
            None,
            "not UTF-8",
        ),
    ],
)
def test_failures_raise_feed_parse_error(body, content_type, reason):
    with pytest.raises(FeedParseError, match=reason):
        parse(body, content_type)


def test_undated_items_are_dropped_and_a_feed_of_only_those_fails():
    undated = "<item><guid>u</guid><description>When?</description></item>"
    feed = parse(rss(undated, item("1", "Tue, 24 Nov 2026 09:00:00 +0000")))
    assert [i.id for i in feed.items] == ["1"]
    with pytest.raises(FeedParseError, match="none of the feed's 1 items has a date"):
        parse(rss(undated))


def test_wrong_encoding_is_a_failure():
    body = rss(item("1", "Tue, 24 Nov 2026 09:00:00", "Café déjà vu")).encode("latin-1")
    with pytest.raises(FeedParseError, match="encoding"):
        parse(body, "application/rss+xml; charset=utf-8")


@pytest.mark.parametrize("content_type", ["text/xml", "text/plain", None])
def test_utf8_feed_served_as_text_without_charset_is_fine(content_type):
    body = rss(item("1", "Tue, 24 Nov 2026 09:00:00", "Café déjà vu"))
    assert parse(body, content_type).items[0].summary == "Café déjà vu"


def test_external_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>x</title>
<item><guid>1</guid><title>&leak;</title><pubDate>Tue, 24 Nov 2026 09:00:00 +0000</pubDate></item>
</channel></rss>"""
    with pytest.raises(FeedParseError, match="external entity"):
        parse(body)


def test_a_body_that_looks_like_a_path_or_url_is_never_opened(tmp_path):
    secret = tmp_path / "feed.xml"
    secret.write_text(rss(item("1", "Tue, 24 Nov 2026 09:00:00 +0000", "from disk")))
    for body in (str(secret), "https://127.0.0.1:9/feed.xml"):
        with pytest.raises(FeedParseError):
            parse(body)


# --- sanitizer ----------------------------------------------------------------------

HOSTILE = """<p onclick="steal()" style="position:fixed">Hi <strong>there</strong></p>
<script>window.__pwned = 1</script><style>body{display:none}</style>
<img src="x" onerror="window.__pwned = 1">
<a href="javascript:window.__pwned=1">js link</a> <a href="data:text/html,<script>1</script>">data link</a>
<a href="JaVa&#x09;ScRiPt:alert(1)">tab link</a> <a href="/relative">relative</a>
<a href="https://www.tps.ca/" target="_blank" onmouseover="x()">tps</a>
<svg onload="window.__pwned=1"><script>window.__pwned=1</script><a href="https://x.test">svg link</a></svg>
<iframe src="https://evil.test/"></iframe><object data="x.swf"></object><embed src="x">
<form action="https://evil.test/"><input name="q"><button>Go</button></form>
<math><mi xlink:href="javascript:alert(1)">m</mi></math>"""


def test_clean_html_keeps_a_small_allowlist_and_nothing_that_runs():
    cleaned = clean_html(HOSTILE)
    lowered = cleaned.lower()
    for banned in (
        "<script", "<style", "<img", "<svg", "<iframe", "<object", "<embed",
        "<form", "<input", "<math", "onclick", "onerror", "onload", "onmouseover",
        "style=", "javascript:", "data:", "target=", "window.__pwned", "/relative",
    ):  # fmt: skip
        assert banned not in lowered, banned
    assert "<strong>there</strong>" in cleaned
    assert '<a href="https://www.tps.ca/" rel="nofollow noopener">tps</a>' in cleaned


def test_every_link_gets_rel_nofollow_noopener():
    cleaned = clean_html(
        '<a href="https://a.test/" rel="opener">a</a><a href="http://b.test/">b</a>'
    )
    assert cleaned.count(
        'rel="nofollow noopener"'
    ) == 2 and "opener" not in cleaned.replace("noopener", "")


def test_plain_text_has_no_markup_at_all():
    text = plain_text(HOSTILE)
    assert "<" not in text and "window.__pwned" not in text and "body{" not in text
    assert text.startswith("Hi there")
    assert plain_text("<p>One</p><p>Two &amp; three</p>") == "One Two & three"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "data:image/png;base64,AAAA",
        "vbscript:x",
        "/relative",
        "//evil.test/x",
        "https://",
        None,
        42,
    ],
)
def test_safe_url_refuses_anything_but_absolute_http(url):
    assert safe_url(url) is None


def test_safe_url_keeps_http_and_https():
    assert safe_url(" https://www.tps.ca/a?b=c ") == "https://www.tps.ca/a?b=c"
    assert safe_url("http://127.0.0.1:8000/feed") == "http://127.0.0.1:8000/feed"


def test_hostile_feed_fields_come_out_as_text_and_safe_urls():
    body = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title type="html">&lt;script&gt;x()&lt;/script&gt;Bad bridge</title>
<link rel="alternate" href="javascript:alert(1)"/>
<entry><id>1</id><title type="html">&lt;img src=x onerror=alert(1)&gt;Title</title>
<link rel="alternate" href="javascript:alert(1)"/>
<published>2026-11-24T09:00:00-05:00</published>
<content type="html">&lt;p&gt;Body&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
<media:thumbnail url="data:image/svg+xml;base64,PHN2Zz4="/>
</entry></feed>"""
    feed = parse(body, "application/atom+xml")
    [post] = feed.items
    assert post.title == "Title" and post.summary == "Body"
    assert post.link == ACCOUNT.url  # the javascript: link was refused
    assert post.image is None
    assert feed.profile.display_name == "Bad bridge"
    assert feed.profile.link == ACCOUNT.url


def test_derived_titles_and_trim():
    assert (
        derive_title("Road closed on Queen St. Detour via King.")
        == "Road closed on Queen St."
    )
    assert len(derive_title("word " * 60)) <= 100
    assert trim("one two three four five six", 14) == "one two three…"
