"""Heading ids as python-markdown's ``toc`` extension gives them: its own
``slugify`` (separator ``-``) of the heading's text, made unique in the
document with its own ``unique`` (``_1``, ``_2``...)."""

from __future__ import annotations

import html
import re

from markdown.extensions.toc import slugify, unique

_HEADING = re.compile(r"<(h[1-6])>(.*?)</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def heading_id(inner_html: str, used: set[str], counters: dict[str, int]) -> str:
    """toc's id for a heading whose content is ``inner_html``."""
    name = " ".join(_TAG.sub("", inner_html).split())
    return unique(slugify(html.unescape(name), "-"), used, counters)


def add_heading_ids(fragment: str) -> str:
    """Every ``<hN>`` of ``fragment`` (which has no ids of its own) with its id."""
    if "<h" not in fragment:
        return fragment
    used: set[str] = set()
    counters: dict[str, int] = {}

    def with_id(match: re.Match[str]) -> str:
        tag, inner = match.group(1), match.group(2)
        return f'<{tag} id="{heading_id(inner, used, counters)}">{inner}</{tag}>'

    return _HEADING.sub(with_id, fragment)
