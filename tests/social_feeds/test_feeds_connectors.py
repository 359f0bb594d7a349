"""The official-API connectors against a loopback server answering in each
platform's documented shapes: posts become the same items as a feed's,
replies and reposts never show, errors are data (token expired, rate limits,
quotas, empty pages, malformed bodies) and no token reaches a written file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tps.html_dates import html_datetime
from tps.social_feeds import cache
from tps.social_feeds.connectors import plan
from tps.social_feeds.connectors.credentials import CredentialsError, load_credentials
from tps.social_feeds.refresh import RefreshError, refresh
from tps.social_feeds.registry import FeedAccount
from tps.social_feeds.settings import FeedSettings
from tps.social_feeds.view import build_view
from tps.units import load_directory

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(minutes=15)
TOKENS = {
    "facebook": {"access_token": "EAAFBtokenSECRET0123456789"},
    "instagram": {"access_token": "IGQVJtokenSECRET0123456789"},
    "x": {"bearer_token": "AAAAAAAAAAAAAAAAAAAAAXbearerSECRET0123"},
    "youtube": {"api_key": "AIzaSyYTkeySECRET0123456789"},
}
SECRETS = [value for keys in TOKENS.values() for value in keys.values()]
PLATFORMS = ("facebook", "instagram", "x", "youtube", "bluesky", "mastodon")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def http(server, monkeypatch):
    server.clear()
    for platform in PLATFORMS:
        monkeypatch.setenv(
            f"TPS_SOCIAL_API_{platform.upper()}", server.url_for(f"/{platform}")
        )
    server.expect_request(re.compile(r"/img/.*")).respond_with_data(
        png(), content_type="image/png"
    )
    yield server
    server.clear()


def account(platform: str, handle: str, api_id: str, feed: str = "") -> FeedAccount:
    urls = {
        "facebook": f"https://www.facebook.com/{handle}",
        "instagram": f"https://www.instagram.com/{handle}/",
        "x": f"https://x.com/{handle}",
        "youtube": f"https://www.youtube.com/@{handle}",
        "bluesky": f"https://bsky.app/profile/{handle}",
        "mastodon": f"https://mastodon.social/@{handle}",
    }
    return FeedAccount(
        key=f"{platform}:{handle}",
        platform=platform,
        handle=handle,
        url=urls[platform],
        feed=feed,
        unit="32-division",
        unit_name="32 Division",
        member=None,
        api_id=api_id,
    )


def settings(tmp_path: Path, **overrides) -> FeedSettings:
    values = {
        "cache_dir": tmp_path / "cache",
        "deadline": 10,
        "connect_timeout": 1,
        "read_timeout": 1,
        "retries": 2,
        "backoff": 0.05,
    } | overrides
    return FeedSettings(**values)


def by_account(report) -> dict:
    return {feed.account: feed for feed in report.feeds}


def requests_to(http: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in http.log if request.path == path]


# --- documented response shapes ---------------------------------------------------


def facebook_posts(http: HTTPServer) -> dict:
    return {
        "data": [
            {
                "id": "100000000000001_900000000000001",
                "message": "Keys found near Yonge and Sheppard.",
                "created_time": "2026-11-30T14:03:11+0000",
                "permalink_url": "https://www.facebook.com/TPS32Division/posts/pfbid01",
                "full_picture": http.url_for("/img/fb1.png"),
                "attachments": {"data": [{"media_type": "photo"}]},
            },
            {
                "id": "100000000000001_900000000000002",
                "created_time": "2026-11-29T10:00:00+0000",
                "permalink_url": "https://www.facebook.com/TPS32Division/posts/pfbid02",
                "attachments": {
                    "data": [
                        {
                            "media_type": "link",
                            "url": "https://www.tps.ca/news/winter-safety/",
                            "title": "Winter driving safety",
                            "description": "Clear the snow off your whole car.",
                        }
                    ]
                },
            },
            {
                "id": "100000000000001_900000000000003",
                "story": "32 Division updated their cover photo.",
                "created_time": "2026-11-28T10:00:00+0000",
                "permalink_url": "https://www.facebook.com/photo/?fbid=3",
            },
        ],
        "paging": {"cursors": {"before": "b", "after": "a"}},
    }


def instagram_media(http: HTTPServer) -> dict:
    return {
        "data": [
            {
                "id": "17900000000000001",
                "caption": "Bike patrol at Earl Bales Park.",
                "media_type": "IMAGE",
                "media_url": http.url_for("/img/ig1.png"),
                "permalink": "https://www.instagram.com/p/C0000000001/",
                "timestamp": "2026-11-30T16:00:00+0000",
            },
            {
                "id": "17900000000000002",
                "media_type": "VIDEO",
                "media_url": "https://video.example.org/ig2.mp4",
                "thumbnail_url": http.url_for("/img/ig2.png"),
                "permalink": "https://www.instagram.com/reel/C0000000002/",
                "timestamp": "2026-11-29T16:00:00+0000",
            },
        ],
        "paging": {"cursors": {"before": "b", "after": "a"}},
    }


def x_tweets(http: HTTPServer) -> dict:
    return {
        "data": [
            {
                "id": "1863000000000000001",
                "text": "Road closure on Bathurst tonight: https://t.co/AbCdEf1234 https://t.co/PhOtO00001",
                "created_at": "2026-11-30T18:00:00.000Z",
                "entities": {
                    "urls": [
                        {
                            "start": 34,
                            "end": 57,
                            "url": "https://t.co/AbCdEf1234",
                            "expanded_url": "https://www.tps.ca/news/bathurst-closure/",
                            "display_url": "tps.ca/news/bathurst-…",
                        },
                        {
                            "start": 58,
                            "end": 81,
                            "url": "https://t.co/PhOtO00001",
                            "expanded_url": "https://x.com/TPS32Div/status/1863000000000000001/photo/1",
                            "display_url": "pic.x.com/PhOtO00001",
                        },
                    ]
                },
                "attachments": {"media_keys": ["3_1863000000000000001"]},
                "edit_history_tweet_ids": ["1863000000000000001"],
            },
            {
                "id": "1863000000000000002",
                "text": "@someone Thanks, we have passed this on.",
                "created_at": "2026-11-30T17:00:00.000Z",
                "referenced_tweets": [{"type": "replied_to", "id": "1"}],
                "edit_history_tweet_ids": ["1863000000000000002"],
            },
            {
                "id": "1863000000000000003",
                "text": "RT @TorontoPolice: Missing person located.",
                "created_at": "2026-11-30T16:00:00.000Z",
                "referenced_tweets": [{"type": "retweeted", "id": "2"}],
                "edit_history_tweet_ids": ["1863000000000000003"],
            },
        ],
        "includes": {
            "media": [
                {
                    "media_key": "3_1863000000000000001",
                    "type": "photo",
                    "url": http.url_for("/img/x1.png"),
                    "alt_text": "A detour sign on Bathurst Street",
                }
            ]
        },
        "meta": {
            "result_count": 3,
            "newest_id": "1863000000000000001",
            "oldest_id": "1863000000000000003",
        },
    }


def youtube_channel() -> dict:
    return {
        "kind": "youtube#channelListResponse",
        "etag": "c1",
        "items": [
            {
                "kind": "youtube#channel",
                "id": "UCabcdefghijklmnopqrstuv",
                "contentDetails": {
                    "relatedPlaylists": {
                        "likes": "",
                        "uploads": "UUabcdefghijklmnopqrstuv",
                    }
                },
            }
        ],
    }


def youtube_uploads(http: HTTPServer) -> dict:
    return {
        "kind": "youtube#playlistItemListResponse",
        "etag": "p1",
        "items": [
            {
                "kind": "youtube#playlistItem",
                "snippet": {
                    "publishedAt": "2026-11-30T20:00:00Z",
                    "title": "Chief's year-end message",
                    "description": "A look back at 2026.",
                    "thumbnails": {"high": {"url": http.url_for("/img/yt1.png")}},
                    "resourceId": {"kind": "youtube#video", "videoId": "dQw4w9WgXcQ"},
                },
                "contentDetails": {
                    "videoId": "dQw4w9WgXcQ",
                    "videoPublishedAt": "2026-11-30T20:00:00Z",
                },
            },
            {
                "kind": "youtube#playlistItem",
                "snippet": {
                    "publishedAt": "2026-11-29T20:00:00Z",
                    "title": "Private video",
                    "description": "This video is private.",
                    "thumbnails": {},
                    "resourceId": {"kind": "youtube#video", "videoId": "private0001"},
                },
                "contentDetails": {"videoId": "private0001"},
            },
        ],
        "pageInfo": {"totalResults": 2, "resultsPerPage": 20},
    }


def bluesky_feed(http: HTTPServer) -> dict:
    did = "did:plc:abcdefghijklmnopqrstuvwx"
    text = "Community BBQ Saturday, details: tps.ca/events/bbq..."
    start = text.index("tps.ca")
    return {
        "cursor": "c",
        "feed": [
            {
                "post": {
                    "uri": f"at://{did}/app.bsky.feed.post/3lbbq0000001",
                    "cid": "bafy1",
                    "author": {"did": did, "handle": "tps32div.bsky.social"},
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "text": text,
                        "createdAt": "2026-11-30T12:00:00.000Z",
                        "facets": [
                            {
                                "index": {
                                    "byteStart": len(text[:start].encode()),
                                    "byteEnd": len(text.encode()),
                                },
                                "features": [
                                    {
                                        "$type": "app.bsky.richtext.facet#link",
                                        "uri": "https://www.tps.ca/events/bbq-2026/",
                                    }
                                ],
                            }
                        ],
                    },
                    "embed": {
                        "$type": "app.bsky.embed.images#view",
                        "images": [
                            {
                                "thumb": http.url_for("/img/bs1-thumb.png"),
                                "fullsize": http.url_for("/img/bs1.png"),
                                "alt": "Officers at a barbecue grill",
                            }
                        ],
                    },
                    "indexedAt": "2026-11-30T12:00:01.000Z",
                }
            },
            {
                "post": {
                    "uri": "at://did:plc:zzzzzzzzzzzzzzzzzzzzzzzz/app.bsky.feed.post/3lrepost0001",
                    "author": {"handle": "torontopolice.bsky.social"},
                    "record": {"text": "Reposted", "createdAt": "2026-11-30T11:00:00Z"},
                },
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": {"did": did},
                    "indexedAt": "2026-11-30T11:00:00Z",
                },
            },
            {
                "post": {
                    "uri": f"at://{did}/app.bsky.feed.post/3lreply00001",
                    "author": {"did": did, "handle": "tps32div.bsky.social"},
                    "record": {
                        "text": "@resident thanks!",
                        "createdAt": "2026-11-30T10:00:00Z",
                        "reply": {
                            "root": {"uri": "at://x"},
                            "parent": {"uri": "at://x"},
                        },
                    },
                }
            },
        ],
    }


def mastodon_statuses(http: HTTPServer) -> list:
    return [
        {
            "id": "113500000000000001",
            "created_at": "2026-11-30T15:00:00.000Z",
            "in_reply_to_id": None,
            "sensitive": True,
            "spoiler_text": "Collision, injuries",
            "visibility": "public",
            "uri": "https://mastodon.social/users/TPS32Div/statuses/113500000000000001",
            "url": "https://mastodon.social/@TPS32Div/113500000000000001",
            "content": "<p>Serious collision at Yonge &amp; Finch. <script>alert(1)</script>Avoid the area.</p>",
            "reblog": None,
            "media_attachments": [
                {
                    "id": "1",
                    "type": "image",
                    "url": http.url_for("/img/ma1.png"),
                    "preview_url": http.url_for("/img/ma1-small.png"),
                    "description": "Police cars blocking an intersection",
                }
            ],
        },
        {
            "id": "113500000000000002",
            "created_at": "2026-11-30T14:00:00.000Z",
            "in_reply_to_id": None,
            "spoiler_text": "",
            "visibility": "public",
            "uri": "https://mastodon.social/users/TPS32Div/statuses/113500000000000002",
            "url": "https://mastodon.social/@TPS32Div/113500000000000002",
            "content": "",
            "reblog": {"id": "9", "content": "<p>Someone else's post</p>"},
            "media_attachments": [],
        },
    ]


# --- each connector ---------------------------------------------------------------


def test_facebook_published_posts(http, tmp_path):
    http.expect_request("/facebook/100000000000001/published_posts").respond_with_json(
        facebook_posts(http)
    )
    feed = account("facebook", "TPS32Division", "100000000000001")
    report = refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)

    [request] = requests_to(http, "/facebook/100000000000001/published_posts")
    assert request.headers["Authorization"] == f"Bearer {SECRETS[0]}"
    assert SECRETS[0] not in request.url
    assert request.args["fields"] == (
        "message,story,created_time,permalink_url,full_picture,"
        "attachments{media_type,media,url,title,description}"
    )
    stored = cache.load(tmp_path / "cache", feed.key)
    first, second = stored.items  # the story-only post is skipped
    assert first.summary == "Keys found near Yonge and Sheppard."
    assert first.link == "https://www.facebook.com/TPS32Division/posts/pfbid01"
    assert first.published == dt.datetime(2026, 11, 30, 14, 3, 11, tzinfo=dt.UTC)
    assert first.image_local and (tmp_path / "cache" / first.image_local).is_file()
    assert second.summary == "Winter driving safety Clear the snow off your whole car."
    assert by_account(report)[feed.key].status == "ok"


def test_instagram_media_video_thumbnail_and_missing_caption(http, tmp_path):
    http.expect_request("/instagram/17840000000000001/media").respond_with_json(
        instagram_media(http)
    )
    feed = account("instagram", "tps32div", "17840000000000001")
    refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)
    photo, video = cache.load(tmp_path / "cache", feed.key).items
    assert photo.summary == "Bike patrol at Earl Bales Park."
    assert photo.image == http.url_for("/img/ig1.png") and photo.image_local
    assert video.is_video and video.image == http.url_for("/img/ig2.png")
    assert video.title == "Instagram video by tps32div"
    assert video.link == "https://www.instagram.com/reel/C0000000002/"


def test_x_expands_links_and_never_shows_replies_or_reposts(http, tmp_path):
    http.expect_request("/x/users/2244994945/tweets").respond_with_json(x_tweets(http))
    feed = account("x", "TPS32Div", "2244994945")
    refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)

    [request] = requests_to(http, "/x/users/2244994945/tweets")
    assert request.headers["Authorization"] == f"Bearer {TOKENS['x']['bearer_token']}"
    assert request.args["exclude"] == "replies,retweets"
    assert request.args["expansions"] == "attachments.media_keys"
    assert request.args["media.fields"] == "url,preview_image_url,alt_text"
    [tweet] = cache.load(tmp_path / "cache", feed.key).items
    assert tweet.link == "https://x.com/TPS32Div/status/1863000000000000001"
    assert "t.co" not in tweet.summary + tweet.html
    assert 'href="https://www.tps.ca/news/bathurst-closure/"' in tweet.html
    assert tweet.summary == "Road closure on Bathurst tonight: tps.ca/news/bathurst-…"
    assert tweet.image_alt == "A detour sign on Bathurst Street" and tweet.image_local


def test_youtube_data_api_with_a_key_and_atom_without(http, tmp_path):
    http.expect_request("/youtube/channels").respond_with_json(youtube_channel())
    http.expect_request(
        "/youtube/playlistItems",
        query_string={
            "part": "snippet,contentDetails",
            "playlistId": "UUabcdefghijklmnopqrstuv",
            "maxResults": "20",
        },
    ).respond_with_json(youtube_uploads(http), headers={"ETag": '"p1"'})
    feed = account("youtube", "TorontoPolice", "UCabcdefghijklmnopqrstuv")
    refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)
    [channel] = requests_to(http, "/youtube/channels")
    assert dict(channel.args) == {
        "part": "contentDetails",
        "id": "UCabcdefghijklmnopqrstuv",
    }
    assert channel.headers["X-Goog-Api-Key"] == TOKENS["youtube"]["api_key"]
    assert "key=" not in channel.url
    [video] = cache.load(tmp_path / "cache", feed.key).items  # not the private one
    assert (
        video.is_video and video.link == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    assert video.title == "Chief's year-end message" and video.image_local

    # The next refresh revalidates the uploads page.
    http.clear()
    http.expect_request("/youtube/channels").respond_with_json(youtube_channel())
    http.expect_request(
        "/youtube/playlistItems", headers={"If-None-Match": '"p1"'}
    ).respond_with_data("", status=304)
    [state] = refresh([feed], settings(tmp_path), now=LATER, credentials=TOKENS).feeds
    assert state.status == "not-modified"

    with_feed = account(
        "youtube",
        "TorontoPolice",
        "UCabcdefghijklmnopqrstuv",
        feed="https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv",
    )
    keyless = plan([with_feed], {}, credentials_file=Path("/nowhere"))
    assert keyless.api == {} and keyless.accounts == [with_feed]
    keyed = plan([with_feed], TOKENS, credentials_file=Path("/nowhere"))
    assert with_feed.key in keyed.api


def test_bluesky_author_feed(http, tmp_path):
    http.expect_request(
        "/bluesky/app.bsky.feed.getAuthorFeed",
        query_string={
            "actor": "did:plc:abcdefghijklmnopqrstuvwx",
            "filter": "posts_no_replies",
            "limit": "30",
        },
    ).respond_with_json(bluesky_feed(http))
    feed = account(
        "bluesky", "tps32div.bsky.social", "did:plc:abcdefghijklmnopqrstuvwx"
    )
    refresh([feed], settings(tmp_path), now=NOW)  # no credentials needed
    [post] = cache.load(tmp_path / "cache", feed.key).items
    assert (
        post.link == "https://bsky.app/profile/tps32div.bsky.social/post/3lbbq0000001"
    )
    assert post.image == http.url_for("/img/bs1.png") and post.image_local
    assert post.image_alt == "Officers at a barbecue grill"
    assert 'href="https://www.tps.ca/events/bbq-2026/"' in post.html


def test_mastodon_statuses_content_warning_alt_and_no_reblogs(http, tmp_path):
    http.expect_request(
        "/mastodon/api/v1/accounts/109000000000000001/statuses",
        query_string={
            "exclude_replies": "true",
            "exclude_reblogs": "true",
            "limit": "20",
        },
    ).respond_with_json(mastodon_statuses(http))
    feed = account("mastodon", "TPS32Div", "109000000000000001")
    refresh([feed], settings(tmp_path), now=NOW)
    [status] = cache.load(tmp_path / "cache", feed.key).items
    assert status.content_warning == "Collision, injuries"
    assert status.title == "Content warning: Collision, injuries"
    assert "script" not in status.html and "alert" not in status.html + status.summary
    assert status.summary == "Serious collision at Yonge & Finch. Avoid the area."
    assert status.image_alt == "Police cars blocking an intersection"
    assert status.link == "https://mastodon.social/@TPS32Div/113500000000000001"


def test_the_template_shows_the_warning_before_the_text_and_the_alt(http, tmp_path):
    http.expect_request("/mastodon/api/v1/accounts/1/statuses").respond_with_json(
        mastodon_statuses(http)
    )
    feed = account("mastodon", "TPS32Div", "1")
    refresh([feed], settings(tmp_path), now=NOW)
    stored = cache.load(tmp_path / "cache", feed.key)
    [state] = build_view(
        [feed],
        {feed.key: stored},
        cache_dir=tmp_path / "cache",
        now=NOW,
        platform_names={"mastodon": "Mastodon"},
    )
    env = Environment(
        loader=FileSystemLoader(ROOT / "theme" / "templates"), autoescape=True
    )
    env.filters["html_datetime"] = html_datetime
    macro = env.get_template("components/feed-item/feed-item.html").module.feed_item
    html = str(macro(state.items[0]))
    warning = html.index("Content warning:</strong> Collision, injuries")
    assert warning < html.index("Serious collision at Yonge &amp; Finch.")
    assert 'alt="Police cars blocking an intersection"' in html


# --- errors are data ---------------------------------------------------------------


GRAPH_190 = {
    "error": {
        "message": "Error validating access token: Session has expired on Monday, 30-Nov-26.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "AbCdEfGh",
    }
}


def test_expired_facebook_token_keeps_last_items_stale_and_names_accounts(
    http, tmp_path
):
    pages = ["100000000000001", "100000000000002"]
    for page in pages:
        http.expect_request(f"/facebook/{page}/published_posts").respond_with_json(
            facebook_posts(http)
        )
    feeds = [account("facebook", f"Page{i}", page) for i, page in enumerate(pages)]
    refresh(feeds, settings(tmp_path), now=NOW, credentials=TOKENS)

    http.clear()
    for page in pages:
        http.expect_request(f"/facebook/{page}/published_posts").respond_with_json(
            GRAPH_190, status=400
        )
    report = refresh(feeds, settings(tmp_path), now=LATER, credentials=TOKENS)
    for feed in feeds:
        state = by_account(report)[feed.key]
        assert state.status == "failed" and "token expired" in state.error
        stored = cache.load(tmp_path / "cache", feed.key)
        assert stored.stale and len(stored.items) == 2 and stored.last_success == NOW
    [notice] = report.notices
    assert notice.startswith("facebook: Facebook token expired (Graph error 190/463")
    assert "Page0" in notice and "Page1" in notice


def test_x_401_is_a_revoked_token(http, tmp_path):
    http.expect_request("/x/users/1/tweets").respond_with_json(
        {
            "title": "Unauthorized",
            "type": "about:blank",
            "status": 401,
            "detail": "Unauthorized",
        },
        status=401,
    )
    [state] = refresh(
        [account("x", "TPS32Div", "1")], settings(tmp_path), now=NOW, credentials=TOKENS
    ).feeds
    assert "X token expired or revoked (HTTP 401" in state.error


def test_x_403_usage_cap_and_youtube_403_quota(http, tmp_path):
    http.expect_request("/x/users/1/tweets").respond_with_json(
        {
            "title": "UsageCapExceeded",
            "detail": "Usage cap exceeded: Monthly product cap",
            "type": "https://api.twitter.com/2/problems/usage-capped",
            "period": "Monthly",
            "scope": "Product",
        },
        status=403,
    )
    http.expect_request("/youtube/channels").respond_with_json(
        {
            "error": {
                "code": 403,
                "message": "The request cannot be completed because you have exceeded your quota.",
                "errors": [
                    {
                        "message": "quota",
                        "domain": "youtube.quota",
                        "reason": "quotaExceeded",
                    }
                ],
            }
        },
        status=403,
    )
    report = refresh(
        [
            account("x", "TPS32Div", "1"),
            account("youtube", "TPS", "UCabcdefghijklmnopqrstuv"),
        ],
        settings(tmp_path),
        now=NOW,
        credentials=TOKENS,
    )
    states = by_account(report)
    assert "X quota exhausted (HTTP 403" in states["x:TPS32Div"].error
    assert "YouTube quota exhausted (HTTP 403" in states["youtube:TPS"].error


def test_x_429_waits_for_a_near_reset_and_not_for_a_far_one(http, tmp_path):
    calls = {"n": 0}

    def limited_once(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return Response(
                json.dumps({"title": "Too Many Requests", "status": 429}),
                status=429,
                headers={
                    "x-rate-limit-reset": str(int(time.time()) + 2),  # 1-2 s away
                    "x-rate-limit-remaining": "0",
                },
                content_type="application/json",
            )
        return Response(json.dumps(x_tweets(http)), content_type="application/json")

    http.expect_request("/x/users/1/tweets").respond_with_handler(limited_once)
    started = time.monotonic()
    [state] = refresh(
        [account("x", "TPS32Div", "1")], settings(tmp_path), now=NOW, credentials=TOKENS
    ).feeds
    assert state.status == "ok" and calls["n"] == 2
    assert time.monotonic() - started >= 0.9  # it waited for the reset

    http.clear()
    http.expect_request("/x/users/1/tweets").respond_with_json(
        {"title": "Too Many Requests", "status": 429},
        status=429,
        headers={"x-rate-limit-reset": str(int(time.time()) + 900)},
    )
    [state] = refresh(
        [account("x", "TPS32Div", "1")],
        settings(tmp_path),
        now=LATER,
        credentials=TOKENS,
    ).feeds
    assert state.status == "failed" and "X rate limit reached (HTTP 429" in state.error
    stored = cache.load(tmp_path / "cache", "x:TPS32Div")
    assert stored.stale and len(stored.items) == 1
    assert (
        len(requests_to(http, "/x/users/1/tweets")) == 1
    )  # no retry: the reset is too far


def test_graph_usage_near_the_limit_stops_further_requests(http, tmp_path):
    usage = json.dumps(
        {
            "100000000000009": [
                {
                    "type": "pages",
                    "call_count": 95,
                    "total_cputime": 10,
                    "total_time": 12,
                    "estimated_time_to_regain_access": 0,
                }
            ]
        }
    )
    http.expect_request(re.compile(r"/facebook/\d+/published_posts")).respond_with_json(
        facebook_posts(http), headers={"X-Business-Use-Case-Usage": usage}
    )
    feeds = [account("facebook", f"Page{i}", f"1000000000000{i:02d}") for i in range(3)]
    report = refresh(
        feeds, settings(tmp_path, concurrency=1), now=NOW, credentials=TOKENS
    )
    statuses = [state.status for state in report.feeds]
    assert statuses == ["ok", "failed", "failed"]
    assert "usage at 95% of its limit" in report.feeds[1].error
    assert len([r for r, _ in http.log if "/facebook/" in r.path]) == 1


def test_an_empty_page_keeps_the_last_posts_and_a_malformed_body_fails(http, tmp_path):
    http.expect_request("/x/users/1/tweets").respond_with_json(x_tweets(http))
    feed = account("x", "TPS32Div", "1")
    refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)
    http.clear()
    http.expect_request("/x/users/1/tweets").respond_with_json(
        {"meta": {"result_count": 0}}
    )
    [state] = refresh([feed], settings(tmp_path), now=LATER, credentials=TOKENS).feeds
    assert state.status == "ok" and state.items == 1

    http.clear()
    http.expect_request("/x/users/1/tweets").respond_with_data(
        "{not json", content_type="application/json"
    )
    [state] = refresh([feed], settings(tmp_path), now=LATER, credentials=TOKENS).feeds
    assert state.status == "failed" and "malformed JSON from the API" in state.error
    assert len(cache.load(tmp_path / "cache", feed.key).items) == 1

    fresh = account("mastodon", "Quiet", "5")
    http.expect_request("/mastodon/api/v1/accounts/5/statuses").respond_with_json([])
    [state] = refresh([fresh], settings(tmp_path), now=LATER).feeds
    assert state.status == "ok" and state.items == 0


def test_no_token_reaches_any_written_file(http, tmp_path, caplog):
    """A hostile API echoes the Authorization header back in its errors."""

    def echo(request: Request) -> Response:
        secret = request.headers.get("Authorization", "") + request.headers.get(
            "X-Goog-Api-Key", ""
        )
        return Response(
            json.dumps(
                {
                    "error": {"message": f"bad token {secret}", "code": 190},
                    "detail": secret,
                    "title": secret,
                }
            ),
            status=401 if "/x/" in request.path else 400,
            content_type="application/json",
        )

    http.expect_request(
        re.compile(r"/(facebook|instagram|x|youtube)/.*")
    ).respond_with_handler(echo)
    feeds = [
        account("facebook", "F", "100000000000001"),
        account("instagram", "I", "17840000000000001"),
        account("x", "X", "1"),
        account("youtube", "Y", "UCabcdefghijklmnopqrstuv"),
    ]
    caplog.set_level("DEBUG")
    report = refresh(feeds, settings(tmp_path), now=NOW, credentials=TOKENS)
    assert len(report.failed) == 4
    written = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert written
    for path in written:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, path
    for secret in SECRETS:
        assert secret not in caplog.text
        assert all(secret not in (f.error or "") for f in report.feeds)
    assert "[redacted]" in report.feeds[0].error


# --- contract plumbing -----------------------------------------------------------


def test_a_platform_without_credentials_is_skipped_with_one_line(http, tmp_path):
    feeds = [account("facebook", f"P{i}", f"10000000000000{i}") for i in range(3)]
    report = refresh(feeds, settings(tmp_path), now=NOW, credentials={})
    assert report.feeds == [] and not report.failed
    [notice] = report.notices
    assert notice.startswith("facebook: no credentials (facebook: access_token)")
    assert "3 accounts skipped" in notice


def test_credentials_file_readable_by_others_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "social-credentials.yaml"
    path.write_text("x: {bearer_token: AAAAsecret}\n")
    path.chmod(0o644)
    with pytest.raises(
        CredentialsError, match=r"group or others can read it .*chmod 600"
    ):
        load_credentials(path)
    monkeypatch.setenv("TPS_SOCIAL_CREDENTIALS", str(path))
    with pytest.raises(RefreshError, match="group or others can read"):
        refresh([account("x", "X", "1")], settings(tmp_path), now=NOW)
    path.chmod(0o600)
    assert load_credentials(path) == {"x": {"bearer_token": "AAAAsecret"}}
    assert load_credentials(tmp_path / "missing.yaml") == {}


def test_an_api_base_must_be_https_or_loopback(tmp_path, monkeypatch):
    monkeypatch.setenv("TPS_SOCIAL_API_X", "http://api.example.org/2")
    with pytest.raises(RefreshError, match=r"TPS_SOCIAL_API_X=.*https://"):
        refresh(
            [account("x", "X", "1")], settings(tmp_path), now=NOW, credentials=TOKENS
        )


def test_bad_api_ids_are_reported_with_file_and_line(content_copy):
    unit = content_copy / "units" / "32-division.yaml"
    text = unit.read_text()
    text = re.sub(
        r"(\n- platform: x\n  handle: \S+\n  url: \S+\n)(  (?:feed|api_id): \S+\n)?",
        r"\1  api_id: '@TPS32Div'\n",
        text,
        count=1,
    )
    unit.write_text(text)
    line = text.splitlines().index("  api_id: '@TPS32Div'") + 1
    _, problems = load_directory(content_copy)
    [problem] = [p for p in problems if p.field.endswith("api_id")]
    assert str(problem) == (
        f"content/units/32-division.yaml:{line}: accounts.0.api_id: "
        "'@TPS32Div' is not a numeric X user id (not the @handle)"
    )


def test_invoke_feeds_exits_0_with_an_expired_token(http, content_copy, tmp_path):
    unit = content_copy / "units" / "32-division.yaml"
    # Only the one API account below (the sample's api_ids and feeds removed).
    text = re.sub(r"^(\s*)(feed|api_id): .*$", "", unit.read_text(), flags=re.M)
    for path in (content_copy / "units").glob("*.yaml"):
        if path != unit:
            path.write_text(
                re.sub(r"^(\s*)(feed|api_id): .*$", "", path.read_text(), flags=re.M)
            )
    text = re.sub(
        r"(\n- platform: facebook\n  handle: \S+\n  url: \S+\n)",
        r"\1  api_id: '100000000000001'\n",
        text,
        count=1,
    )
    unit.write_text(text)
    http.expect_request("/facebook/100000000000001/published_posts").respond_with_json(
        GRAPH_190, status=400
    )
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(json.dumps(TOKENS))
    credentials.chmod(0o600)
    env = dict(os.environ, TPS_SOCIAL_CREDENTIALS=str(credentials))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "-r",
            str(ROOT),
            "feeds",
            "--content",
            str(content_copy),
            "--cache",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "token expired" in done.stdout
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr


# --- request budget ----------------------------------------------------------------


def test_x_asks_only_for_newer_posts_and_merges_them(http, tmp_path):
    http.expect_request("/x/users/1/tweets").respond_with_json(x_tweets(http))
    feed = account("x", "TPS32Div", "1")
    refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)
    http.clear()
    newer = {
        "data": [
            {
                "id": "1863000000000000009",
                "text": "Newer post.",
                "created_at": "2026-12-01T14:00:00.000Z",
            }
        ],
        "meta": {"result_count": 1},
    }
    http.expect_request("/x/users/1/tweets").respond_with_json(newer)
    [state] = refresh([feed], settings(tmp_path), now=LATER, credentials=TOKENS).feeds
    assert (state.status, state.items, state.new_items) == ("ok", 2, 1)
    [request] = requests_to(http, "/x/users/1/tweets")
    assert request.args["since_id"] == "1863000000000000001"
    stored = cache.load(tmp_path / "cache", feed.key)
    assert "since_id" not in stored.url


def test_a_quiet_account_is_asked_less_often(http, tmp_path):
    old_posts = facebook_posts(http)
    for post in old_posts["data"]:
        post["created_time"] = "2026-10-01T10:00:00+0000"  # two months quiet
    http.expect_request("/facebook/100000000000001/published_posts").respond_with_json(
        old_posts
    )
    feed = account("facebook", "Quiet", "100000000000001")
    refresh([feed], settings(tmp_path), now=NOW, credentials=TOKENS)
    for minutes in (15, 60, 5 * 60):
        later = NOW + dt.timedelta(minutes=minutes)
        [state] = refresh(
            [feed], settings(tmp_path), now=later, credentials=TOKENS
        ).feeds
        assert state.status == "ok" and state.items == 2
    assert len(requests_to(http, "/facebook/100000000000001/published_posts")) == 1
    refresh(
        [feed], settings(tmp_path), now=NOW + dt.timedelta(hours=6), credentials=TOKENS
    )
    assert len(requests_to(http, "/facebook/100000000000001/published_posts")) == 2


# --- the whole way: invoke feeds's refresh, then the build ---------------------------


def _to_api(content: Path, unit: str, platform: str, handle: str, api_id: str):
    import yaml

    path = content / "units" / f"{unit}.yaml"
    data = yaml.safe_load(path.read_text())
    accounts = list(data.get("accounts", []))
    for member in data.get("members", []):
        accounts += member.get("accounts", [])
    [found] = [
        a for a in accounts if a["handle"] == handle and a["platform"] == platform
    ]
    found["api_id"] = api_id
    found.pop("feed", None)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def test_every_platform_fills_the_pages(http, content_copy, tmp_path, monkeypatch):
    from bs4 import BeautifulSoup

    from tps.site.build import build
    from tps.social_feeds.command import refresh_feeds

    for path in (content_copy / "units").glob("*.yaml"):  # only the API accounts
        path.write_text(
            re.sub(r"^(\s*)(feed|api_id): .*\n", "", path.read_text(), flags=re.M)
        )
    _to_api(content_copy, "32-division", "x", "TPS32Div", "2244994945")
    _to_api(content_copy, "32-division", "facebook", "TPS32Division", "100000000000001")
    _to_api(content_copy, "32-division", "instagram", "tps32div", "17840000000000001")
    _to_api(
        content_copy,
        "11-division",
        "bluesky",
        "tps11div.bsky.social",
        "did:plc:abcdefghijklmnopqrstuvwx",
    )
    mastodon = next(
        (p.stem, h)
        for p in sorted((content_copy / "units").glob("*.yaml"))
        for h in re.findall(r"platform: mastodon\n\s*handle: (\S+)", p.read_text())
    )
    _to_api(content_copy, mastodon[0], "mastodon", mastodon[1], "109000000000000001")
    _to_api(
        content_copy,
        "53-division",
        "youtube",
        "TPS53Division",
        "UCabcdefghijklmnopqrstuv",
    )
    now = dt.datetime.now(dt.UTC)

    def recent(body):  # the build shows times relative to now
        text = json.dumps(body)
        text = re.sub(  # yesterday: in the past whatever the hour of the run
            r"2026-11-(29|30)T",
            (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT"),
            text,
        )
        return json.loads(
            re.sub(
                r"2026-12-01T\d\d:\d\d:\d\d",
                (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"),
                text,
            )
        )

    http.expect_request("/x/users/2244994945/tweets").respond_with_json(
        recent(x_tweets(http))
    )
    http.expect_request("/facebook/100000000000001/published_posts").respond_with_json(
        recent(facebook_posts(http))
    )
    http.expect_request("/instagram/17840000000000001/media").respond_with_json(
        recent(instagram_media(http))
    )
    http.expect_request("/bluesky/app.bsky.feed.getAuthorFeed").respond_with_json(
        recent(bluesky_feed(http))
    )
    http.expect_request(
        "/mastodon/api/v1/accounts/109000000000000001/statuses"
    ).respond_with_json(recent(mastodon_statuses(http)))
    http.expect_request("/youtube/channels").respond_with_json(youtube_channel())
    http.expect_request("/youtube/playlistItems").respond_with_json(
        recent(youtube_uploads(http))
    )
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(json.dumps(TOKENS))
    credentials.chmod(0o600)
    monkeypatch.setenv("TPS_SOCIAL_CREDENTIALS", str(credentials))

    report = refresh_feeds(content_copy, cache=tmp_path / "cache")
    assert {f.platform for f in report.feeds if f.status == "ok" and f.items} == set(
        PLATFORMS
    )
    build(
        ("public",),
        content=content_copy,
        output_root=tmp_path / "output",
        settings={"SOCIAL_FEEDS": {"cache_dir": str(tmp_path / "cache")}},
        cache_root=tmp_path / "pelican-cache",
    )
    site = tmp_path / "output" / "public"
    unit = BeautifulSoup(
        (site / "units/32-division/index.html").read_text(), "html.parser"
    )
    links = {a["href"] for a in unit.select(".tps-feed-item__title a")}
    assert "https://x.com/TPS32Div/status/1863000000000000001" in links
    assert "https://www.facebook.com/TPS32Division/posts/pfbid01" in links
    river = "".join(
        p.read_text() for p in (site / "social-media/activity").rglob("index.html")
    )
    assert "https://bsky.app/profile/tps11div.bsky.social/post/3lbbq0000001" in river
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in river
    assert 'alt="Police cars blocking an intersection"' in river
    assert "Content warning:</strong> Collision, injuries" in river
    for hidden in (
        "Thanks, we have passed this on",
        "Missing person located",
        "Someone else",
        "@resident thanks",
    ):
        assert hidden not in river
    assert "127.0.0.1" not in river  # images are our copies
    assert list((site / "media/feeds").glob("*.jpg"))
    home = (site / "index.html").read_text()
    assert "tps-feed-item" in home
    for path in [*site.rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert not any(secret.encode() in data for secret in SECRETS), path
