"""python-markdown's ``smarty`` rules on the text of an HTML fragment.

python-markdown educates quotes, dashes and ellipses after inline parsing,
text node by text node (an element's text, then each child's tail; never code),
applying its patterns one after the other: each pattern replaces every match,
left to right, with a placeholder, and the placeholders change what later
patterns see around them (a quote after an en dash is no longer after ``--``).
This module runs those same patterns (taken from python-markdown's smarty
extension itself, in its order) with the same placeholders over the text
between the tags of cmark-gfm's output, then puts the characters in (``’``
where python-markdown wrote ``&rsquo;``: the same text once parsed, and what
the editor allowlist writes either way).
"""

from __future__ import annotations

import html
import re
from functools import cache

from markdown.extensions.smarty import SmartyExtension
from markdown.util import Registry

_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_CODE = re.compile(r"<(code|pre)\b", re.IGNORECASE)
_PLACEHOLDER = "\x02klzzwxh:%04d\x03"
_PLACEHOLDER_RE = re.compile("\x02klzzwxh:([0-9]{4})\x03")


# What a pattern's match must contain, by what it writes: a pattern that
# writes &rsquo; matched a ', one that writes &hellip; matched "..." (a pattern
# whose text lacks it is skipped, which changes nothing but the time).
_NEEDS = {
    "&lsquo;": "'",
    "&rsquo;": "'",
    "&ldquo;": '"',
    "&rdquo;": '"',
    "&ndash;": "--",
    "&mdash;": "--",
    "&hellip;": "...",
}
_TRIGGERS = ("'", '"', "--", "...")


@cache
def patterns() -> tuple[
    tuple[re.Pattern[str], tuple[int | str, ...], tuple[str, ...]], ...
]:
    """(regular expression, replacement, what a match contains) in
    python-markdown's order: its default configuration (quotes, dashes,
    ellipses; no angled quotes)."""
    extension = SmartyExtension()
    extension.inlinePatterns = Registry()
    extension.educateEllipses(None)
    extension.educateQuotes(None)
    extension.educateDashes(None)
    found = []
    for pattern in extension.inlinePatterns:
        replace = tuple(pattern.replace)
        needs = tuple(
            _NEEDS[entity]
            for part in replace
            if isinstance(part, str)
            for entity in re.findall(r"&\w+;", part)
        )
        if not needs:  # a pattern this module does not know: never skipped
            needs = ("",)
        found.append((pattern.compiled_re, replace, needs))
    return tuple(found)


def educate_text(text: str) -> str:
    """One text node (unescaped) through every pattern, as python-markdown's
    InlineProcessor applies them."""
    if not any(trigger in text for trigger in _TRIGGERS):
        return text
    stashed: list[str] = []
    for regex, replace, needs in patterns():
        if not all(need in text for need in needs):
            continue
        start = 0
        while True:
            match = regex.search(text, start)
            if match is None:
                break
            node = "".join(
                match.group(part) if isinstance(part, int) else html.unescape(part)
                for part in replace
            )
            placeholder = _PLACEHOLDER % len(stashed)
            stashed.append(node)
            text = text[: match.start()] + placeholder + text[match.end() :]
            start = match.start() + len(placeholder)
    while stashed and "\x02" in text:
        text = _PLACEHOLDER_RE.sub(lambda m: stashed[int(m.group(1))], text)
    return text


def educate_html(fragment: str) -> str:
    """Every text node of ``fragment`` (HTML with no raw HTML of the author's,
    so every tag is the converter's) educated, except inside code."""
    parts = _TAG_OR_TEXT.split(fragment)
    in_code = 0
    for index in range(0, len(parts), 2):
        if index:
            tag = parts[index - 1]
            if _CODE.match(tag):
                in_code += 1
            elif tag[:2].lower() in ("</",) and _CODE.match("<" + tag[2:]):
                in_code -= 1
        text = parts[index]
        if text and not in_code:
            educated = educate_text(html.unescape(text))
            parts[index] = html.escape(educated, quote=False)
    return "".join(parts)
