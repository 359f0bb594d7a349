"""What a check reports (a Hit, over one text) and what the report shows (a Finding)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

EXCERPT_CONTEXT = 60  # characters of context either side of the highlighted words


@dataclass(frozen=True)
class Hit:
    """One problem in one text, located by character offsets into that text."""

    rule: str
    start: int
    end: int
    message: str
    suggestion: str = ""


@dataclass(frozen=True)
class Excerpt:
    """The text around a hit: templates escape all three and wrap `match` in <mark>."""

    before: str = ""
    match: str = ""
    after: str = ""

    @property
    def text(self) -> str:
        return f"{self.before}{self.match}{self.after}"


def excerpt(text: str, start: int, end: int, context: int = EXCERPT_CONTEXT) -> Excerpt:
    """The hit with up to `context` characters either side, cut at word boundaries."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    flat = lambda s: " ".join(s.split())  # noqa: E731
    before = ("…" if left > 0 else "") + flat(text[left:start])
    after = flat(text[end:right]) + ("…" if right < len(text) else "")
    # keep the single space that separated the words from their context
    if start > left and text[start - 1].isspace():
        before += " "
    if end < right and text[end].isspace():
        after = " " + after
    return Excerpt(before, text[start:end], after)


@dataclass(frozen=True)
class Subject:
    """Who and what a finding is about: an account's post or profile, or a file."""

    account: str = ""  # "platform:handle"; "" for an editor's Markdown file
    platform: str = ""
    handle: str = ""
    account_url: str = ""
    unit: str = ""  # unit slug
    unit_name: str = ""
    member: str | None = None  # None: the unit's own account
    item_id: str = ""  # feed item id, "profile:<account>" or the file path
    item_link: str = ""
    item_title: str = ""
    published: dt.datetime | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    subject: Subject
    excerpt: Excerpt = field(default_factory=Excerpt)
    suggestion: str = ""
    line: int = 0  # editors' Markdown: the line in the file

    @property
    def word(self) -> str:
        return self.excerpt.match

    @property
    def severity(self) -> str:
        """high, medium or low: set by the rule (governance.rules)."""
        from .rules import RULES

        return RULES[self.rule].severity

    def with_subject(self, subject: Subject) -> Finding:
        return replace(self, subject=subject)


def finding_from_hit(hit: Hit, text: str, subject: Subject) -> Finding:
    return Finding(
        rule=hit.rule,
        message=hit.message,
        subject=subject,
        excerpt=excerpt(text, hit.start, hit.end),
        suggestion=hit.suggestion,
    )
