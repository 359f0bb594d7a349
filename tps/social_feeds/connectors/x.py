"""X API v2: a user's posts, never a reply or a repost."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from ..fetch import FetchResult
from ..models import FeedItem
from ..parse import FeedParseError
from ..registry import FeedAccount
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


class XConnector(Connector):
    platform = "x"
    name = "X"
    default_base = "https://api.x.com/2"
    credential = "bearer_token"
    incremental = True  # since_id: posts read count against the monthly cap

    async def resolve(self, get, account, base, secret, *, since=None) -> ApiCall:
        call = self.call(account, base, secret)
        if not since or not since.isdigit():
            return call
        return ApiCall(f"{call.url}&since_id={since}", call.headers, cache_url=call.url)

    def call(self, account: FeedAccount, base: str, secret: str | None) -> ApiCall:
        query = urlencode(
            {
                "exclude": "replies,retweets",
                # referenced_tweets too: a reply or repost is dropped even if sent.
                "tweet.fields": "created_at,entities,attachments,referenced_tweets",
                "expansions": "attachments.media_keys",
                "media.fields": "url,preview_image_url,alt_text",
                "max_results": 10,
            }
        )
        return ApiCall(
            f"{base}/users/{quote(account.api_id or '', safe='')}/tweets?{query}",
            {"Authorization": f"Bearer {secret}"},
        )

    def failure(self, result: FetchResult) -> ApiFailure:
        body = error_json(result) or {}
        detail = (
            str(body.get("detail") or body.get("title") or "")[:200]
            if isinstance(body, dict)
            else ""
        )
        if result.status == 401:
            return ApiFailure(
                f"X token expired or revoked (HTTP 401{': ' + detail if detail else ''})",
                status=401,
                kind="token",
            )
        if result.status == 429 or (
            result.status == 403
            and isinstance(body, dict)
            and "usage" in str(body.get("type", "") + body.get("title", "")).lower()
        ):
            reset = (result.headers or {}).get("x-rate-limit-reset")
            what = "rate limit reached" if result.status == 429 else "quota exhausted"
            return ApiFailure(
                f"X {what} (HTTP {result.status}"
                + (f"; resets at {reset} (epoch s)" if reset else "")
                + (f": {detail}" if detail else "")
                + ")",
                status=result.status,
                kind="rate",
            )
        return ApiFailure(
            f"X API: {cause(result)}" + (f" ({detail})" if detail else ""),
            status=result.status,
        )

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        document = expect(document, dict, "the body")
        if "data" not in document:
            if document.get("errors"):
                first = (
                    document["errors"][0]
                    if isinstance(document["errors"], list)
                    else {}
                )
                detail = first.get("detail", "") if isinstance(first, dict) else ""
                raise FeedParseError(f"X API error: {str(detail)[:200]}")
            if "meta" in document:
                return []  # result_count 0
            raise FeedParseError("X body has neither `data` nor `meta`")
        tweets = expect(document["data"], list, "`data`")
        media = {
            m.get("media_key"): m
            for m in (document.get("includes") or {}).get("media") or []
            if isinstance(m, dict)
        }
        items = []
        for tweet in tweets:
            if not isinstance(tweet, dict):
                raise FeedParseError("a post in `data` is not an object")
            references = tweet.get("referenced_tweets") or []
            if any(
                isinstance(r, dict) and r.get("type") in ("replied_to", "retweeted")
                for r in references
            ) or str(tweet.get("text", "")).startswith("RT @"):
                continue
            published = date(tweet.get("created_at"))
            if published is None or not tweet.get("id"):
                continue
            text, links = _expanded(tweet)
            image, alt, video = _media(tweet, media)
            items.append(
                make_item(
                    account,
                    raw_id=str(tweet["id"]),
                    text=text,
                    body_html=text_html(text, links),
                    link=f"https://x.com/{account.handle}/status/{tweet['id']}",
                    published=published,
                    image=image,
                    image_alt=alt,
                    is_video=video,
                )
            )
        return items


def _expanded(tweet: dict) -> tuple[str, list[tuple[str, str, str]]]:
    """The text with each t.co link replaced by its display URL, and links."""
    text = str(tweet.get("text", ""))
    links = []
    for url in (tweet.get("entities") or {}).get("urls") or []:
        if not isinstance(url, dict) or not url.get("url"):
            continue
        short, expanded = str(url["url"]), str(url.get("expanded_url") or "")
        if not expanded:
            continue
        if "/photo/" in expanded or "/video/" in expanded:
            text = text.replace(short, "").strip()  # the attached media's own link
            continue
        shown = str(url.get("display_url") or expanded)
        text = text.replace(short, shown)
        links.append((shown, expanded, shown))
    return text, links


def _media(tweet: dict, media: dict) -> tuple[str | None, str, bool]:
    keys = (tweet.get("attachments") or {}).get("media_keys") or []
    for key in keys:
        entry = media.get(key)
        if not entry:
            continue
        video = entry.get("type") in ("video", "animated_gif")
        url = entry.get("preview_image_url") if video else entry.get("url")
        if isinstance(url, str):
            return url, "" if video else str(entry.get("alt_text") or ""), video
    return None, "", False
