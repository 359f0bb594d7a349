"""Editor HTML (what Markdown and raw HTML in a post become) goes through nh3
with an allowlist for editors: broader than the feeds' (headings, tables,
images, code), but no ``meta``, ``script``, ``iframe``, ``style``, ``form``,
no ``on*`` attribute and no ``javascript:`` URL. A post that needs an embed
gets a reviewed theme component instead.

Not a plugin of its own: the site's Markdown reader (tps/site/readcache.py)
applies it to the HTML and the summary of every file it reads, so what Pelican
gets from the reader (and what the read cache keeps) is already clean."""

from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}  # fmt: skip
GLOBAL_ATTRIBUTES = {"id", "class", "title", "lang", "dir"}
ATTRIBUTES = {
    "*": GLOBAL_ATTRIBUTES,
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "td": {"colspan", "rowspan", "headers", "style"},
    "th": {"colspan", "rowspan", "headers", "scope", "style"},
    "ol": {"start", "reversed", "type"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "details": {"open"},
    "abbr": {"title"},
}
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "noscript", "template",
    "textarea", "select", "svg", "math", "frame", "frameset",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean_editor_html(fragment: str | None) -> str:
    """``fragment`` with everything outside the editor allowlist removed.
    Relative URLs (and Pelican's ``{filename}``/``|static|`` links) stay."""
    if not fragment:
        return fragment or ""
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        # Markdown tables align columns with style="text-align: …": only that.
        filter_style_properties={"text-align"},
    )
