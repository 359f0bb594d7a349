"""The open networks, no key needed: Bluesky's AppView and Mastodon."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..fetch import FetchResult
from ..models import FeedItem
from ..parse import FeedParseError
from ..registry import FeedAccount
from ..sanitize import plain_text
from .base import (
    ApiCall,
    ApiFailure,
    Connector,
    cause,
    date,
    error_json,
    expect,
    make_item,
    text_html,
)

IMAGES_VIEW = "app.bsky.embed.images#view"
MEDIA_VIEW = "app.bsky.embed.recordWithMedia#view"
REPOST = "app.bsky.feed.defs#reasonRepost"
LINK_FACET = "app.bsky.richtext.facet#link"


class BlueskyConnector(Connector):
    platform = "bluesky"
    name = "Bluesky"
    default_base = "https://public.api.bsky.app/xrpc"
    conditional = True

    def call(self, account: FeedAccount, base: str, secret: str | None) -> ApiCall:
        query = urlencode(
            {"actor": account.api_id or "", "filter": "posts_no_replies", "limit": 30}
        )
        return ApiCall(f"{base}/app.bsky.feed.getAuthorFeed?{query}")

    def failure(self, result: FetchResult) -> ApiFailure:
        body = error_json(result)
        if isinstance(body, dict) and body.get("error"):
            return ApiFailure(
                f"Bluesky API: {cause(result)} ({body.get('error')}: "
                f"{str(body.get('message', ''))[:200]})",
                status=result.status,
                kind="rate" if result.status == 429 else "error",
            )
        return super().failure(result)

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        feed = expect(expect(document, dict, "the body").get("feed"), list, "`feed`")
        items = []
        for entry in feed:
            if not isinstance(entry, dict) or not isinstance(entry.get("post"), dict):
                raise FeedParseError("an entry in `feed` has no `post` object")
            reason = entry.get("reason") or {}
            post = entry["post"]
            record = post.get("record") or {}
            if (
                isinstance(reason, dict) and reason.get("$type") == REPOST
            ) or record.get("reply"):
                continue
            published = date(record.get("createdAt") or post.get("indexedAt"))
            uri = str(post.get("uri") or "")
            if published is None or not uri.startswith("at://"):
                continue
            rkey = uri.rsplit("/", 1)[-1]
            text = str(record.get("text") or "")
            image, alt = _bluesky_image(post.get("embed"))
            items.append(
                make_item(
                    account,
                    raw_id=uri,
                    text=text,
                    body_html=text_html(text, _facet_links(record)),
                    link=f"https://bsky.app/profile/{account.handle}/post/{rkey}",
                    published=published,
                    image=image,
                    image_alt=alt,
                )
            )
        return items


def _bluesky_image(embed: Any) -> tuple[str | None, str]:
    if isinstance(embed, dict) and embed.get("$type") == MEDIA_VIEW:
        embed = embed.get("media")
    if not isinstance(embed, dict) or embed.get("$type") != IMAGES_VIEW:
        return None, ""
    for image in embed.get("images") or []:
        if isinstance(image, dict) and isinstance(
            image.get("fullsize") or image.get("thumb"), str
        ):
            return image.get("fullsize") or image.get("thumb"), str(
                image.get("alt") or ""
            )
    return None, ""


def _facet_links(record: dict) -> list[tuple[str, str, str]]:
    """Link facets: (the text shown, its full URL, the label). Offsets are in
    UTF-8 bytes."""
    raw = str(record.get("text") or "").encode("utf-8")
    links = []
    for facet in record.get("facets") or []:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (
            isinstance(start, int)
            and isinstance(end, int)
            and 0 <= start < end <= len(raw)
        ):
            continue
        shown = raw[start:end].decode("utf-8", "replace")
        for feature in facet.get("features") or []:
            if isinstance(feature, dict) and feature.get("$type") == LINK_FACET:
                links.append((shown, str(feature.get("uri", "")), shown))
    return links


class MastodonConnector(Connector):
    platform = "mastodon"
    name = "Mastodon"
    default_base = None  # the origin of the account's own URL
    conditional = True

    def base_for(self, account: FeedAccount, override: str | None) -> str:
        if override:
            return override.rstrip("/")
        parts = urlsplit(account.url)
        return f"{parts.scheme}://{parts.netloc}"

    def call(self, account: FeedAccount, base: str, secret: str | None) -> ApiCall:
        query = urlencode(
            {"exclude_replies": "true", "exclude_reblogs": "true", "limit": 20}
        )
        return ApiCall(
            f"{base}/api/v1/accounts/{quote(account.api_id or '', safe='')}/statuses?{query}"
        )

    def failure(self, result: FetchResult) -> ApiFailure:
        body = error_json(result)
        if isinstance(body, dict) and body.get("error"):
            return ApiFailure(
                f"Mastodon API: {cause(result)} ({str(body['error'])[:200]})",
                status=result.status,
                kind="rate" if result.status == 429 else "error",
            )
        return super().failure(result)

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        statuses = expect(document, list, "the body (a list of statuses)")
        items = []
        for status in statuses:
            if not isinstance(status, dict):
                raise FeedParseError("a status is not an object")
            if status.get("reblog") or status.get("in_reply_to_id"):
                continue
            if status.get("visibility") not in (None, "public", "unlisted"):
                continue
            published = date(status.get("created_at"))
            if published is None or not status.get("id"):
                continue
            content = str(status.get("content") or "")
            image, alt = None, ""
            for media in status.get("media_attachments") or []:
                if isinstance(media, dict) and media.get("type") in (
                    "image",
                    "gifv",
                    "video",
                ):
                    url = (
                        media.get("preview_url")
                        if media.get("type") != "image"
                        else media.get("url")
                    )
                    if isinstance(url, str):
                        image = url
                        alt = str(media.get("description") or "")
                        break
            items.append(
                make_item(
                    account,
                    raw_id=str(status.get("uri") or status["id"]),
                    text=plain_text(content),
                    body_html=content,  # sanitized in make_item, as a feed's
                    link=status.get("url"),
                    published=published,
                    image=image,
                    image_alt=alt,
                    content_warning=str(status.get("spoiler_text") or ""),
                )
            )
        return items
