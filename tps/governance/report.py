"""Groups the findings for the report pages: by rule, unit and member, with the
training lessons that cover each rule."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .findings import Finding
from .rules import RULES, SEVERITY_LABELS, SEVERITY_ORDER, Rule


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")


def account_slug(account: str) -> str:
    """ "x:TPS53Div" -> "x-tps53div" (the page is monitoring/accounts/<slug>/)."""
    platform, _, handle = account.partition(":")
    return f"{platform}-{slug(handle)}"


@dataclass(frozen=True)
class Lesson:
    title: str
    url: str  # relative to the site root, with the section anchor


@dataclass
class Topic:
    """One rule's findings for a member or account: a thing to talk about."""

    rule: Rule
    findings: list[Finding]
    lessons: list[Lesson]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.rule.severity]


@dataclass
class Person:
    """A member (or a unit's own accounts) and what to discuss with them."""

    slug: str
    name: str
    rank: str
    role: str
    unit: str
    unit_name: str
    accounts: list = field(default_factory=list)  # account keys
    findings: list[Finding] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER[RULES[f.rule].severity],
            -(f.subject.published.timestamp() if f.subject.published else 0),
            f.subject.account,
        ),
    )


def topics(findings: list[Finding], lessons: dict[str, Lesson]) -> list[Topic]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in sort_findings(findings):
        grouped[finding.rule].append(finding)
    found = [
        Topic(
            RULES[rule],
            items,
            rule_lessons(rule, lessons),
        )
        for rule, items in grouped.items()
    ]
    return sorted(
        found, key=lambda t: (SEVERITY_ORDER[t.rule.severity], -len(t.findings))
    )


def lesson_links(pages) -> dict[str, Lesson]:
    """Training lessons by file stem, from Pelican's pages (content/internal/training/).
    The section anchor is added per rule by `rule_lessons`."""
    found = {}
    for page in pages:
        source = getattr(page, "source_path", "").replace("\\", "/")
        if "/internal/training/" in source:
            stem = source.rsplit("/", 1)[-1].removesuffix(".md")
            found[stem] = Lesson(page.title, page.url)
    return found


def rule_lessons(rule_id: str, lessons: dict[str, Lesson]) -> list[Lesson]:
    return [
        Lesson(lessons[stem].title, f"{lessons[stem].url}#{anchor}")
        for stem, anchor in RULES[rule_id].lessons
        if stem in lessons
    ]


def counts(findings: list[Finding], key) -> list[tuple[str, int]]:
    return Counter(key(f) for f in findings).most_common()
