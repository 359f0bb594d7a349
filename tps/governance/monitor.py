"""Runs every check over the feed items, the profiles and the registry, and
turns the hits into Findings about an account, its unit and its member."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from tps.core.accounts import account_key

from .checks.links import check_links, registry_keys
from .checks.personal import check_personal, digits
from .checks.profiles import ProfileOwner, check_bio, check_display_name, check_review
from .checks.spelling import check_spelling
from .checks.style import check_style_many
from .checks.terms import Term, check_terms
from .findings import Excerpt, Finding, Hit, Subject, finding_from_hit
from .rules import RULES, SEVERITY_ORDER
from .silence import Silences

_HREF = re.compile(r"""href=["']([^"']+)["']""")


@dataclass(frozen=True)
class Checker:
    """Everything the text checks need, loaded once per build or `invoke check`."""

    service_words: frozenset[str] = frozenset()
    terms: tuple[Term, ...] = ()
    service_numbers: frozenset[str] = frozenset()
    registry: frozenset[tuple[str, str]] = frozenset()
    site_paths: frozenset[str] | None = None  # None: own-site links not checked

    def hits(
        self, text: str, *, platform: str = "", extra_links: Iterable[str] = ()
    ) -> list[Hit]:
        return self.hits_many([(text, platform, tuple(extra_links))])[0]

    def hits_many(
        self, texts: list[tuple[str, str, tuple[str, ...]]]
    ) -> list[list[Hit]]:
        """`texts`: (text, platform it was posted on or "", links of its HTML).
        proselint runs once for all of them (see checks.style)."""
        styles = check_style_many([text for text, _, _ in texts])
        found = []
        for (text, platform, extra_links), style in zip(texts, styles, strict=True):
            hits = (
                check_personal(text, self.service_numbers)
                + check_terms(text, list(self.terms))
                + check_links(
                    text,
                    site_paths=self.site_paths,
                    registry=set(self.registry),
                    platform=platform,
                    extra_links=extra_links,
                )
                + check_spelling(text, self.service_words)
                + style
            )
            found.append(_without_overlaps(hits))
        return found


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """One finding per stretch of text: the most serious rule wins ("CBTX 123"
    is a licence plate, not a misspelled word), then document order."""
    kept: list[Hit] = []
    for hit in sorted(
        hits, key=lambda h: (SEVERITY_ORDER[RULES[h.rule].severity], h.start)
    ):
        if hit.end > hit.start and any(
            k.start < hit.end and hit.start < k.end and k.end > k.start for k in kept
        ):
            continue
        kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.rule))


def service_numbers(unit_phones: Iterable[str], settings: dict) -> frozenset[str]:
    numbers = set(unit_phones)
    for key in ("NON_EMERGENCY_NUMBER", "TTY_NUMBER", "CRIME_STOPPERS_NUMBER"):
        if settings.get(key):
            numbers.add(settings[key])
    return frozenset(digits(number) for number in numbers)


def make_registry(records) -> frozenset[tuple[str, str]]:
    return frozenset(
        registry_keys((r.account.platform, r.account.handle) for r in records)
    )


def item_text(title: str, summary: str) -> str:
    """Title and summary as one text (once, when the title is the summary's start)."""
    title, summary = title.strip(), summary.strip()
    if not title or summary.startswith(title.rstrip("…. ")):
        return summary or title
    if not summary or title.startswith(summary.rstrip("…. ")):
        return title
    return f"{title}\n\n{summary}"


@dataclass
class Monitoring:
    findings: list[Finding] = field(default_factory=list)
    silenced: int = 0
    items_checked: int = 0
    profiles_checked: int = 0
    accounts_checked: int = 0


class TextChecks(Protocol):
    """A Checker, or hits_cache.HitsCache in front of one."""

    def hits_many(
        self, texts: list[tuple[str, str, tuple[str, ...]]]
    ) -> list[list[Hit]]: ...


def monitor(
    checker: TextChecks,
    feed_accounts: Collection,
    feeds: dict,
    records: Collection,
    as_of: dt.datetime,
    silences: Silences | None = None,
) -> Monitoring:
    """`feed_accounts`: registry.FeedAccount; `feeds`: account key -> CachedFeed;
    `records`: units.AccountRecord (every official account, for the review check).
    Only items published up to `as_of` are checked."""
    result = Monitoring()
    findings: list[Finding] = []
    pending: list[tuple[str, Subject, tuple[str, str, tuple[str, ...]]]] = []
    for account in feed_accounts:
        feed = feeds.get(account.key)
        if feed is None:
            continue
        base = Subject(
            account=account.key,
            platform=account.platform,
            handle=account.handle,
            account_url=account.url,
            unit=account.unit,
            unit_name=account.unit_name,
            member=account.member,
        )
        for item in feed.items:
            if item.published > as_of:
                continue
            result.items_checked += 1
            pending.append(item_text_job(item, base))
        profile = feed.profile
        if profile.display_name or profile.bio:
            result.profiles_checked += 1
            findings += profile_findings(profile, base)
            bio_subject = profile_subject(profile, base)
            pending.append((profile.bio, bio_subject, (profile.bio, base.platform, ())))
    jobs = [job for _, _, job in pending]
    for (text, subject, _), hits in zip(pending, checker.hits_many(jobs), strict=True):
        findings += [finding_from_hit(hit, text, subject) for hit in hits]
    for record in records:
        result.accounts_checked += 1
        key = account_key(record.account.platform, record.account.handle)
        subject = Subject(
            account=key,
            platform=record.account.platform,
            handle=record.account.handle,
            account_url=record.account.url,
            unit=record.unit.slug,
            unit_name=record.unit.unit.name,
            member=record.member.name if record.member else None,
            item_id=f"profile:{key}",
            item_link=record.account.url,
            item_title="Profile review",
        )
        for hit in check_review(record.account.review_due, as_of.date()):
            findings.append(
                Finding(hit.rule, hit.message, subject, Excerpt(), hit.suggestion)
            )
    result.findings, result.silenced = (silences or Silences()).apply(findings)
    return result


def item_text_job(item, base: Subject):
    """What to check for one feed item: (text, subject, checker job)."""
    text = item_text(item.title, item.summary)
    subject = replace(
        base,
        item_id=item.id,
        item_link=item.link,
        item_title=item.title,
        published=item.published,
    )
    hrefs = tuple(h for h in _HREF.findall(item.html) if h != item.link)
    return text, subject, (text, item.platform, hrefs)


def profile_subject(profile, base: Subject) -> Subject:
    return replace(
        base,
        item_id=f"profile:{base.account}",
        item_link=profile.link or base.account_url,
        item_title="Profile",
    )


def profile_findings(profile, base: Subject) -> list[Finding]:
    """The profile guidelines (the bio's text is checked with the posts)."""
    subject = profile_subject(profile, base)
    owner = ProfileOwner(base.unit_name, base.member)
    found = []
    name = profile.display_name
    for hit in check_display_name(name, owner):
        found.append(
            Finding(hit.rule, hit.message, subject, Excerpt(match=name), hit.suggestion)
        )
    # Some feeds carry no bio (YouTube's channel feed): nothing to check then;
    # the yearly review covers it.
    for hit in check_bio(profile.bio, profile.link) if profile.bio.strip() else []:
        found.append(
            Finding(
                hit.rule,
                hit.message,
                subject,
                Excerpt(before=profile.bio),
                hit.suggestion,
            )
        )
    return found
