"""What every API connector shares: its request, its JSON body turned into the
same items the feed parser makes, and its errors turned into report text.

A connector never fetches by itself: the refresh gives it `get` (the shared
Fetcher: deadline, byte caps, retries) and sends secrets only in headers.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..fetch import FetchResult
from ..models import FeedItem, Profile
from ..normalise import aware, normalise_items, parse_date
from ..parse import FeedParseError, ParsedFeed, _fallback_id, _item
from ..registry import FeedAccount
from ..sanitize import plain_text, safe_url


@dataclass(frozen=True)
class ApiCall:
    url: str  # never holds a secret: those go in `headers`
    headers: dict[str, str] = field(default_factory=dict)
    # The URL the cache records, when `url` carries a since-id that changes
    # every refresh.
    cache_url: str | None = None


class ApiFailure(Exception):
    """One account's API request failed. `kind`: "token" (expired or revoked:
    every account of the platform fails the same way), "rate" (rate limit or
    quota: stop asking this run), or "error"."""

    def __init__(self, message: str, *, status: int | None = None, kind: str = "error"):
        super().__init__(message)
        self.message, self.status, self.kind = message, status, kind


Get = Callable[[ApiCall], Awaitable[FetchResult]]


class Connector:
    platform: str = ""
    name: str = ""  # as people say it: "Facebook"
    default_base: str | None = None  # None: from the account's URL (Mastodon)
    credential: str | None = None  # the key it needs under its platform
    conditional: bool = False  # the API answers If-None-Match with 304
    # The API can return only posts newer than the newest one cached
    # (`since`), merged with the cached ones.
    incremental: bool = False

    def base_for(self, account: FeedAccount, override: str | None) -> str:
        if override:
            return override.rstrip("/")
        assert self.default_base is not None
        return self.default_base

    def call(self, account: FeedAccount, base: str, secret: str | None) -> ApiCall:
        raise NotImplementedError

    async def resolve(
        self,
        get: Get,
        account: FeedAccount,
        base: str,
        secret: str | None,
        *,
        since: str | None = None,
    ) -> ApiCall:
        """The request whose body holds the posts (YouTube needs one before)."""
        return self.call(account, base, secret)

    def items(self, document: Any, account: FeedAccount) -> list[FeedItem]:
        raise NotImplementedError

    def profile(self, document: Any, account: FeedAccount) -> Profile:
        return Profile(link=account.url)

    def failure(self, result: FetchResult) -> ApiFailure:
        """The report's words for a failed request (override per API)."""
        return ApiFailure(
            f"{self.name} API: {_cause(result)}",
            status=result.status,
            kind=_kind(result),
        )

    def parse(
        self, body: bytes, account: FeedAccount, *, now: dt.datetime, cap: int
    ) -> ParsedFeed:
        """Items (normalised as feeds are), or FeedParseError for a malformed
        body. An empty page gives no items: not an error for an API."""
        document = load_json(body)
        items = self.items(document, account)
        kept = normalise_items(items, now=now, cap=cap, shared_links={account.url})
        return ParsedFeed(items=kept, profile=self.profile(document, account))


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise FeedParseError(f"API body is not UTF-8: {error}") from None
    except json.JSONDecodeError as error:
        raise FeedParseError(f"malformed JSON from the API: {error}") from None


def error_json(result: FetchResult) -> Any:
    try:
        return json.loads((result.error_body or b"").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def expect(value: Any, kind: type, what: str) -> Any:
    if not isinstance(value, kind):
        raise FeedParseError(f"{what} is missing or not a {kind.__name__}")
    return value


def date(value: Any) -> dt.datetime | None:
    parsed = parse_date(value)
    return aware(parsed, dt.UTC) if parsed is not None else None


def text_html(text: str, links: list[tuple[str, str, str]] = ()) -> str:
    """Plain text as HTML paragraphs; `links` (shown, href, label) become
    anchors. The result still goes through clean_html in `make_item`."""
    out = html.escape(text)
    for shown, href, label in links:
        if safe_url(href):
            anchor = f'<a href="{html.escape(href)}">{html.escape(label)}</a>'
            out = out.replace(html.escape(shown), anchor)
    paragraphs = [p.strip() for p in out.split("\n\n") if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


def make_item(
    account: FeedAccount,
    *,
    raw_id: str,
    text: str,
    body_html: str,
    link: str | None,
    published: dt.datetime,
    title: str = "",
    image: str | None = None,
    image_alt: str = "",
    is_video: bool = False,
    content_warning: str = "",
    updated: dt.datetime | None = None,
) -> FeedItem:
    """One item, through the same sanitizer and limits as a feed's."""
    text = plain_text(text)
    warning = plain_text(content_warning)
    if warning and not title:
        title = f"Content warning: {warning}"  # never the hidden text as title
    item = _item(
        account,
        raw_id=raw_id or _fallback_id(title, text, published),
        title=plain_text(title),
        text=text,
        body_html=body_html,
        link=safe_url(link) or account.url,
        image=safe_url(image),
        image_alt=plain_text(image_alt),
        published=published,
        updated=updated,
        is_video=is_video,
    )
    return (
        item.model_copy(update={"content_warning": warning[:300]}) if warning else item
    )


def _cause(result: FetchResult) -> str:
    """The fetcher's cause without its URL prefix (the refresh adds the URL)."""
    error = result.error or "failed"
    return error.split(": ", 1)[1] if error.startswith(result.url) else error


def _kind(result: FetchResult) -> str:
    return "rate" if result.status == 429 else "error"


def cause(result: FetchResult) -> str:
    return _cause(result)
