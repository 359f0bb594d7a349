"""Meta's Graph API: Facebook Page posts and Instagram professional media."""

from __future__ import annotations

import json
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

FACEBOOK_FIELDS = (
    "message,story,created_time,permalink_url,full_picture,"
    "attachments{media_type,media,url,title,description}"
)
INSTAGRAM_FIELDS = (
    "id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,children"
)
# Graph's rate-limit error codes (application, user, page, custom limits).
RATE_CODES = {4, 17, 32, 613, 80001, 80002}
BACK_OFF_AT = 90  # percent of a Graph usage limit: stop before it reaches 100


class GraphConnector(Connector):
    credential = "access_token"
    path = ""
    fields = ""

    def call(self, account: FeedAccount, base: str, secret: str | None) -> ApiCall:
        query = urlencode({"fields": self.fields, "limit": 20})
        return ApiCall(
            f"{base}/{quote(account.api_id or '', safe='')}/{self.path}?{query}",
            {"Authorization": f"Bearer {secret}"},
        )

    def failure(self, result: FetchResult) -> ApiFailure:
        error = (error_json(result) or {}).get("error")
        if not isinstance(error, dict):
            return super().failure(result)
        code = error.get("code")
        subcode = error.get("error_subcode")
        message = str(error.get("message", ""))[:200]
        if code == 190:
            what = "token expired" if subcode in (463, None) else "token revoked"
            if subcode not in (463, None):
                what += " or invalid"
            return ApiFailure(
                f"{self.name} {what} (Graph error 190"
                + (f"/{subcode}" if subcode else "")
                + f": {message})",
                status=result.status,
                kind="token",
            )
        if code in RATE_CODES:
            return ApiFailure(
                f"{self.name} rate limit reached (Graph error {code}: {message})",
                status=result.status,
                kind="rate",
            )
        return ApiFailure(
            f"{self.name} API: {cause(result)} (Graph error {code}: {message})",
            status=result.status,
        )


def graph_usage(headers: dict[str, str] | None) -> tuple[int, int]:
    """The highest usage percentage in X-App-Usage / X-Business-Use-Case-Usage,
    and the minutes until access is regained (0 when not throttled)."""
    highest, regain = 0, 0
    for name in ("x-app-usage", "x-business-use-case-usage"):
        try:
            value = json.loads((headers or {}).get(name) or "null")
        except json.JSONDecodeError:
            continue
        entries: list[Any] = []
        if isinstance(value, dict) and name == "x-app-usage":
            entries = [value]
        elif isinstance(value, dict):
            entries = [
                e for group in value.values() if isinstance(group, list) for e in group
            ]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for key in ("call_count", "total_cputime", "total_time"):
                if isinstance(entry.get(key), int | float):
                    highest = max(highest, int(entry[key]))
            wait = entry.get("estimated_time_to_regain_access")
            if isinstance(wait, int | float):
                regain = max(regain, int(wait))
    return highest, regain


class FacebookConnector(GraphConnector):
    platform = "facebook"
    name = "Facebook"
    default_base = "https://graph.facebook.com/v21.0"
    path = "published_posts"
    fields = FACEBOOK_FIELDS

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        posts = expect(expect(document, dict, "the body").get("data"), list, "`data`")
        items = []
        for post in posts:
            if not isinstance(post, dict):
                raise FeedParseError("a post in `data` is not an object")
            published = date(post.get("created_time"))
            if published is None:
                continue
            attachment = _first(post.get("attachments"))
            text = str(post.get("message") or "")
            if not text and attachment:
                text = "\n\n".join(
                    str(attachment.get(k) or "")
                    for k in ("title", "description")
                    if attachment.get(k)
                )
            if not text.strip():
                continue  # only a `story` ("updated their cover photo")
            image = post.get("full_picture") or _attachment_image(attachment)
            items.append(
                make_item(
                    account,
                    raw_id=str(post.get("id") or ""),
                    text=text,
                    body_html=text_html(text),
                    link=post.get("permalink_url"),
                    published=published,
                    image=image if isinstance(image, str) else None,
                    is_video=str((attachment or {}).get("media_type", "")).startswith(
                        "video"
                    ),
                )
            )
        return items


class InstagramConnector(GraphConnector):
    platform = "instagram"
    name = "Instagram"
    default_base = "https://graph.instagram.com/v21.0"
    path = "media"
    fields = INSTAGRAM_FIELDS

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        media = expect(expect(document, dict, "the body").get("data"), list, "`data`")
        items = []
        for entry in media:
            if not isinstance(entry, dict):
                raise FeedParseError("a media object in `data` is not an object")
            published = date(entry.get("timestamp"))
            if published is None:
                continue
            video = entry.get("media_type") == "VIDEO"
            image = entry.get("thumbnail_url") if video else entry.get("media_url")
            caption = str(entry.get("caption") or "")
            items.append(
                make_item(
                    account,
                    raw_id=str(entry.get("id") or ""),
                    title=""
                    if caption
                    else f"Instagram {'video' if video else 'photo'} by {account.handle}",
                    text=caption,
                    body_html=text_html(caption),
                    link=entry.get("permalink"),
                    published=published,
                    image=image if isinstance(image, str) else None,
                    is_video=video,
                )
            )
        return items


def _first(attachments: Any) -> dict | None:
    if isinstance(attachments, dict) and isinstance(attachments.get("data"), list):
        for attachment in attachments["data"]:
            if isinstance(attachment, dict):
                return attachment
    return None


def _attachment_image(attachment: dict | None) -> str | None:
    media = (attachment or {}).get("media")
    image = media.get("image") if isinstance(media, dict) else None
    src = image.get("src") if isinstance(image, dict) else None
    return src if isinstance(src, str) else None
