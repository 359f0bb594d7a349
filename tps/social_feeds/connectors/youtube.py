"""YouTube Data API v3: a channel's uploads playlist (with an API key; the
channel's Atom feed otherwise)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from ..fetch import FetchResult
from ..models import FeedItem
from ..parse import FeedParseError
from ..registry import FeedAccount
from .base import (
    ApiCall,
    ApiFailure,
    Connector,
    Get,
    cause,
    date,
    error_json,
    expect,
    make_item,
    text_html,
)

HIDDEN_TITLES = {"Private video", "Deleted video"}


class YouTubeConnector(Connector):
    platform = "youtube"
    name = "YouTube"
    default_base = "https://www.googleapis.com/youtube/v3"
    credential = "api_key"
    conditional = True  # the Data API answers If-None-Match with 304

    def _headers(self, secret: str | None) -> dict[str, str]:
        return {"X-Goog-Api-Key": secret or ""}  # never ?key= in the URL

    def channel_call(
        self, account: FeedAccount, base: str, secret: str | None
    ) -> ApiCall:
        query = urlencode({"part": "contentDetails", "id": account.api_id or ""})
        return ApiCall(f"{base}/channels?{query}", self._headers(secret))

    def call(self, account: FeedAccount, base: str, secret: str | None) -> ApiCall:
        raise NotImplementedError("YouTube needs the uploads playlist: resolve()")

    async def resolve(
        self,
        get: Get,
        account: FeedAccount,
        base: str,
        secret: str | None,
        *,
        since: str | None = None,
    ) -> ApiCall:
        channel = self.channel_call(account, base, secret)
        result = await get(channel)
        if not result.ok:
            raise self.failure(result)
        try:
            document = json.loads((result.body or b"").decode("utf-8"))
            playlist = document["items"][0]["contentDetails"]["relatedPlaylists"][
                "uploads"
            ]
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiFailure(
                "YouTube API: malformed JSON from channels", status=200
            ) from None
        except (KeyError, IndexError, TypeError):
            raise ApiFailure(
                f"YouTube API: no channel {account.api_id} (or no uploads playlist)",
                status=200,
            ) from None
        query = urlencode(
            {
                "part": "snippet,contentDetails",
                "playlistId": str(playlist),
                "maxResults": 20,
            }
        )
        return ApiCall(f"{base}/playlistItems?{query}", self._headers(secret))

    def failure(self, result: FetchResult) -> ApiFailure:
        error = (error_json(result) or {}).get("error")
        if not isinstance(error, dict):
            return super().failure(result)
        reasons = {
            e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)
        }
        message = str(error.get("message", ""))[:200]
        if reasons & {"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"}:
            return ApiFailure(
                f"YouTube quota exhausted (HTTP {result.status}: {message})",
                status=result.status,
                kind="rate",
            )
        if reasons & {"keyInvalid", "keyExpired", "forbidden"} or "API key" in message:
            return ApiFailure(
                f"YouTube API key expired or revoked (HTTP {result.status}: {message})",
                status=result.status,
                kind="token",
            )
        return ApiFailure(
            f"YouTube API: {cause(result)} ({message})", status=result.status
        )

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        entries = expect(
            expect(document, dict, "the body").get("items"), list, "`items`"
        )
        items = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise FeedParseError("an entry in `items` is not an object")
            snippet = entry.get("snippet") or {}
            details = entry.get("contentDetails") or {}
            video = details.get("videoId") or (snippet.get("resourceId") or {}).get(
                "videoId"
            )
            title = str(snippet.get("title") or "")
            published = date(
                details.get("videoPublishedAt") or snippet.get("publishedAt")
            )
            if not video or title in HIDDEN_TITLES or published is None:
                continue
            thumbnails = snippet.get("thumbnails") or {}
            image = next(
                (
                    thumbnails[size].get("url")
                    for size in ("maxres", "standard", "high", "medium", "default")
                    if isinstance(thumbnails.get(size), dict)
                ),
                None,
            )
            description = str(snippet.get("description") or "")
            items.append(
                make_item(
                    account,
                    raw_id=f"yt:video:{video}",
                    title=title,
                    text=description,
                    body_html=text_html(description),
                    link=f"https://www.youtube.com/watch?v={video}",
                    published=published,
                    image=image,
                    is_video=True,
                )
            )
        return items
