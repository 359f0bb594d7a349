"""Feed HTML and text are untrusted: this is the one gate they pass through.

`clean_html` keeps a small allowlist of tags (no images, no style, no event
handlers, only absolute http(s) links, each with rel="nofollow noopener");
`plain_text` strips every tag and gives text for templates to escape;
`safe_url` accepts an absolute http(s) URL and nothing else.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {"p", "br", "a", "strong", "em", "ul", "ol", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# Dropped with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "textarea",
    "select",
}
LINK_REL = "nofollow noopener"

_BLOCK_END = re.compile(
    r"<\s*(?:br|hr)\b[^>]*>|<\s*/\s*(?:p|li|div|h[1-6]|blockquote|tr|pre)\s*>", re.I
)
_SPACES = re.compile(r"\s+")
# C0 controls, DEL and whitespace inside a URL are how "java\tscript:" slips past.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _URL_JUNK.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return safe_url(value)
    return value


def clean_html(fragment: str | None) -> str:
    """Sanitized HTML: the only feed field a template may mark safe."""
    if not fragment:
        return ""
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned.strip()


def plain_text(fragment: str | None) -> str:
    """All markup removed, entities decoded, whitespace collapsed: plain text."""
    if not fragment:
        return ""
    spaced = _BLOCK_END.sub(" ", fragment)
    stripped = nh3.clean(spaced, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT)
    return _SPACES.sub(" ", html.unescape(stripped)).strip()


def trim(text: str, limit: int = 280) -> str:
    """`text` cut to at most `limit` characters on a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
