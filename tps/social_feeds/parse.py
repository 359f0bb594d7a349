"""Feed bytes to items: RSS/Atom through feedparser, JSON Feed 1.x by hand.

`parse_feed` is the only entry point. It never fetches anything (feedparser
gets a byte stream, never a string it could take for a URL or a file path, and
external entities are refused before it sees them) and it raises
`FeedParseError` for anything that is not a feed with items: an empty body, an
HTML page, malformed XML or JSON, a wrong or undecodable encoding, a document
that is not a feed, a feed with no items. Everything it returns has been
through the sanitizer: titles, summaries and profile fields are plain text,
`html` is allowlisted HTML, URLs are absolute http(s).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import xml.sax
from dataclasses import dataclass, field
from typing import Any

import feedparser
from feedparser.exceptions import (
    CharacterEncodingOverride,
    CharacterEncodingUnknown,
    NonXMLContentType,
)

from .models import FeedItem, Profile
from .normalise import aware, feed_zone, normalise_items, parse_date
from .registry import FeedAccount
from .sanitize import clean_html, plain_text, safe_url, trim
from .settings import FeedSettings

SUMMARY_LIMIT = 280
TITLE_LIMIT = 100  # a title derived from a post's text (Bluesky, Mastodon)
JSON_FEED_TYPES = {"application/feed+json", "application/json"}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1"

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
# An ENTITY declaration pointing outside the document: never legitimate in a feed.
_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY[^>]*\b(?:SYSTEM|PUBLIC)\b", re.I)
_BOM = b"\xef\xbb\xbf"
_FLICKR_BOILERPLATE = re.compile(r"^.{0,200}? posted a (?:photo|video):\s*")


class FeedParseError(ValueError):
    """The body is not a usable feed; `reason` says why (shown in the report)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedFeed:
    items: list[FeedItem]
    profile: Profile = field(default_factory=Profile)
    dropped: list[str] = field(default_factory=list)  # items dropped for their date


def parse_feed(
    body: bytes,
    *,
    content_type: str | None,
    account: FeedAccount,
    now: dt.datetime,
    cap: int | None = None,
) -> ParsedFeed:
    """The feed's items (normalised, newest first, at most `cap`) and profile."""
    if now.tzinfo is None:
        raise ValueError("parse_feed: `now` must be timezone-aware")
    cap = cap or FeedSettings().per_feed_cap
    if not body or not body.strip():
        raise FeedParseError("empty body")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in {"text/html", "application/xhtml+xml"} or _HTML_START.match(
        body.removeprefix(_BOM)
    ):
        raise FeedParseError(
            f"an HTML page, not a feed (content type {media_type or 'none'})"
        )
    if _is_json_feed(body, media_type):
        items, profile = _parse_json_feed(body, account)
    else:
        items, profile = _parse_xml_feed(body, content_type, account)
    if not items:
        raise FeedParseError("the feed has no items")
    dropped: list[str] = []
    kept = normalise_items(
        items, now=now, cap=cap, shared_links={account.url}, dropped=dropped
    )
    if not kept:
        raise FeedParseError(
            f"the feed has no items with a usable date ({'; '.join(dropped[:3])})"
        )
    return ParsedFeed(items=kept, profile=profile, dropped=dropped)


# --- RSS and Atom ---------------------------------------------------------


def _parse_xml_feed(
    body: bytes, content_type: str | None, account: FeedAccount
) -> tuple[list[FeedItem], Profile]:
    if _EXTERNAL_ENTITY.search(body[:65536]):
        raise FeedParseError("the document declares an external entity")
    headers = _xml_headers(content_type)
    # A BytesIO, never bytes: feedparser reads a bytes or str argument as a
    # file path or a URL when it looks like one.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    error = parsed.get("bozo_exception")
    if parsed.get("bozo"):
        if isinstance(error, CharacterEncodingUnknown):
            raise FeedParseError(f"undecodable encoding: {error}")
        if isinstance(error, CharacterEncodingOverride):
            raise FeedParseError(f"wrong encoding: {error}")
        if isinstance(error, xml.sax.SAXException):
            raise FeedParseError(f"malformed XML: {error}")
        if not isinstance(error, NonXMLContentType):
            raise FeedParseError(f"unreadable feed: {error}")
    if not parsed.get("version"):
        raise FeedParseError("not an RSS or Atom feed")
    feed = parsed.feed
    zone = feed_zone(dict.get(feed, "updated"), dict.get(feed, "published"))
    items = []
    for entry in parsed.entries:
        item = _xml_item(entry, account, zone)
        if item is not None:
            items.append(item)
    if parsed.entries and not items:
        raise FeedParseError(
            f"none of the feed's {len(parsed.entries)} items has a date"
        )
    profile = Profile(
        display_name=trim(plain_text(feed.get("title")), 200),
        bio=trim(plain_text(feed.get("subtitle") or feed.get("description")), 500),
        link=safe_url(feed.get("link")) or account.url,
    )
    return items, profile


def _xml_headers(content_type: str | None) -> dict[str, str]:
    """The content type feedparser should see. A text/* type without a charset
    leaves the encoding to the XML declaration (RFC 7303); feedparser follows
    the obsolete RFC 3023 default, us-ascii, and would call a UTF-8 feed served
    as plain `text/xml` wrongly encoded."""
    if not content_type:
        return {}
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower().startswith("text/") and (
        "charset" not in parameters.lower()
    ):
        return {"content-type": "application/xml"}
    return {"content-type": content_type}


def _xml_item(
    entry: Any, account: FeedAccount, zone: dt.tzinfo | None
) -> FeedItem | None:
    published = _entry_date(entry, "published", zone) or _entry_date(
        entry, "updated", zone
    )
    if published is None:
        return None  # an undated item cannot be placed in a timeline
    updated = _entry_date(entry, "updated", zone)
    if updated == published:
        updated = None  # feedparser repeats `published` as `updated`
    link = _entry_link(entry) or account.url
    body_html = _entry_html(entry)
    text = plain_text(body_html)
    if account.platform == "flickr":  # "<name> posted a photo:" says nothing
        text = _FLICKR_BOILERPLATE.sub("", text, count=1)
    title = plain_text(entry.get("title"))
    image, image_alt = _entry_image(entry)
    is_video = (
        bool(entry.get("yt_videoid"))
        or account.platform == "youtube"
        or any(
            str(media.get("medium", "")).lower() == "video"
            or str(media.get("type", "")).lower().startswith("video/")
            for media in entry.get("media_content", [])
        )
    )
    if image and not image_alt and account.platform == "flickr":
        image_alt = title  # a Flickr photo's title is what it shows
    if is_video:
        image_alt = ""  # the thumbnail sits in a link that carries the title
    raw_id = str(entry.get("id") or entry.get("link") or "")
    return _item(
        account,
        raw_id=raw_id or _fallback_id(title, text, published),
        title=title,
        text=text,
        body_html=body_html,
        link=link,
        image=image,
        image_alt=image_alt,
        published=published,
        updated=updated,
        is_video=is_video,
    )


def _entry_date(entry: Any, name: str, zone: dt.tzinfo | None) -> dt.datetime | None:
    # The raw text, not feedparser's *_parsed: those are UTC and would turn a
    # naive local time into the wrong instant.
    # dict.get: feedparser's own get() answers `updated` with `published`.
    value = parse_date(dict.get(entry, name))
    if value is None:
        parsed = dict.get(entry, f"{name}_parsed")
        if parsed:
            value = dt.datetime(*parsed[:6], tzinfo=dt.UTC)
    return aware(value, zone) if value is not None else None


def _entry_link(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and safe_url(link.get("href")):
            return link["href"].strip()
    return safe_url(entry.get("link"))


def _entry_html(entry: Any) -> str:
    for content in entry.get("content", []):
        if content.get("type") in {
            "text/html",
            "application/xhtml+xml",
        } and content.get("value"):
            return content["value"]
    summary = entry.get("summary") or ""
    if summary:
        return summary
    for content in entry.get("content", []):
        if content.get("value"):
            return content["value"]
    return ""


def _entry_image(entry: Any) -> tuple[str | None, str]:
    """The item's picture (http(s) only) and its alt text, if the feed gives one."""
    alt = ""
    for content in entry.get("content", []):
        # Mastodon puts an attachment's description (its alt text) here.
        if content.get("type") == "text/plain" and entry.get("media_content"):
            alt = plain_text(content.get("value"))
            break
    for media in entry.get("media_content", []):
        kind = str(media.get("medium") or media.get("type") or "").lower()
        if kind.startswith("image") and safe_url(media.get("url")):
            return media["url"].strip(), alt
    for thumbnail in entry.get("media_thumbnail", []):
        if safe_url(thumbnail.get("url")):
            return thumbnail["url"].strip(), alt
    for enclosure in [*entry.get("enclosures", []), *entry.get("links", [])]:
        if enclosure.get("rel", "enclosure") != "enclosure":
            continue
        if str(enclosure.get("type", "")).lower().startswith("image/") and safe_url(
            enclosure.get("href")
        ):
            return enclosure["href"].strip(), alt
    return None, ""


# --- JSON Feed 1.x ----------------------------------------------------------


def _is_json_feed(body: bytes, media_type: str) -> bool:
    if media_type in JSON_FEED_TYPES:
        return True
    start = body.removeprefix(_BOM).lstrip()
    return start.startswith(b"{") and JSON_FEED_VERSION.encode() in start[:4096]


def _parse_json_feed(
    body: bytes, account: FeedAccount
) -> tuple[list[FeedItem], Profile]:
    try:
        document = json.loads(body.removeprefix(_BOM).decode("utf-8"))
    except UnicodeDecodeError as error:
        raise FeedParseError(f"JSON Feed is not UTF-8: {error}") from None
    except json.JSONDecodeError as error:
        raise FeedParseError(f"malformed JSON: {error}") from None
    if not isinstance(document, dict):
        raise FeedParseError("JSON document is not an object, not a JSON Feed")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION):
        raise FeedParseError(f"not a JSON Feed (version {version!r})")
    entries = document.get("items")
    if not isinstance(entries, list):
        raise FeedParseError("JSON Feed field `items` is missing or not a list")
    items = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise FeedParseError(f"JSON Feed items[{index}] is not an object")
        item = _json_item(entry, account)
        if item is not None:
            items.append(item)
    if entries and not items:
        raise FeedParseError(f"none of the feed's {len(entries)} items has a date")
    profile = Profile(
        display_name=trim(plain_text(_text(document.get("title"))), 200),
        bio=trim(plain_text(_text(document.get("description"))), 500),
        link=safe_url(document.get("home_page_url")) or account.url,
    )
    return items, profile


def _json_item(entry: dict, account: FeedAccount) -> FeedItem | None:
    published = parse_date(entry.get("date_published")) or parse_date(
        entry.get("date_modified")
    )
    if published is None:
        return None
    published = aware(published, None)  # JSON Feed dates are RFC 3339; be lenient
    updated = parse_date(entry.get("date_modified"))
    body_html = _text(entry.get("content_html"))
    text = plain_text(body_html) or plain_text(_text(entry.get("content_text")))
    if not body_html and text:
        body_html = "<p>" + _escape(text) + "</p>"
    summary = plain_text(_text(entry.get("summary")))
    title = plain_text(_text(entry.get("title")))
    image = safe_url(entry.get("image")) or safe_url(entry.get("banner_image"))
    image_alt = ""
    is_video = False
    for attachment in entry.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        mime = str(attachment.get("mime_type", "")).lower()
        is_video = is_video or mime.startswith("video/")
        if not mime.startswith("image/"):
            continue
        url = safe_url(attachment.get("url"))
        if image is None:
            image = url
        if url is not None and url == image:  # its title describes the picture
            image_alt = plain_text(_text(attachment.get("title")))
    link = (
        safe_url(entry.get("url")) or safe_url(entry.get("external_url")) or account.url
    )
    raw_id = entry.get("id")
    raw_id = str(raw_id) if isinstance(raw_id, str | int) and str(raw_id) else ""
    return _item(
        account,
        raw_id=raw_id or _fallback_id(title, text, published),
        title=title,
        text=summary or text,
        body_html=body_html,
        link=link,
        image=image,
        image_alt=image_alt,
        published=published,
        updated=aware(updated, None) if updated else None,
        is_video=is_video,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- shared -------------------------------------------------------------------


def _item(
    account: FeedAccount,
    *,
    raw_id: str,
    title: str,
    text: str,
    body_html: str,
    link: str,
    image: str | None,
    image_alt: str,
    published: dt.datetime,
    updated: dt.datetime | None,
    is_video: bool,
) -> FeedItem:
    if not title:
        title = derive_title(text) or f"Post by {account.handle}"
    return FeedItem(
        id=raw_id[:500],
        account=account.key,
        platform=account.platform,
        handle=account.handle,
        title=trim(title, 200),
        summary=trim(text, SUMMARY_LIMIT),
        html=clean_html(body_html),
        link=link,
        image=image,
        image_alt=trim(image_alt, 300),
        published=published,
        updated=updated,
        is_video=is_video,
    )


def derive_title(text: str) -> str:
    """A title for a post that has none (Bluesky, Mastodon): its first sentence,
    or its first words, up to TITLE_LIMIT characters."""
    text = text.strip()
    if not text:
        return ""
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", text)
    if sentence and len(sentence.group(1)) <= TITLE_LIMIT:
        return sentence.group(1)
    return trim(text, TITLE_LIMIT)


def _fallback_id(title: str, text: str, published: dt.datetime) -> str:
    digest = hashlib.sha256(f"{title}\n{text}\n{published.isoformat()}".encode())
    return "sha256:" + digest.hexdigest()[:32]
