"""Governed feeds: which feed items the sites may show.

An item with a serious monitoring finding (SERIOUS_RULES) is *held*: it is on
no page of either site except the intranet's moderation queue (/moderation/)
and the monitoring report. Spelling and grammar never hold an item.

Reviewed decisions live in content/governance/moderation.yaml, a list reviewed
like silenced.yaml:

    - item: https://www.facebook.com/TPS32Division/posts/123
      action: release        # release | hide | pin
      reason: the number is the Service's own tip line
      reviewed_by: Corporate Communications (A. Singh), 2026-11-02
      until: 2026-12-01      # optional, pin only

`release` shows a held item, `hide` takes an item off every page, `pin` keeps it
first on its unit page and in the home page's latest posts until `until`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tps.core.problems import ContentError, Problem

from .checks.personal import check_personal
from .checks.terms import Term, check_terms, load_terms
from .findings import Finding, Subject, finding_from_hit
from .monitor import item_text_job, service_numbers
from .reviewed import load_reviewed_list
from .silence import Silences, load_silences

# The rules whose findings hold an item until it is reviewed: a private
# person's details, and words from the term list (profanity, stigmatizing
# language). Links, profiles, spelling and style never hold a post.
SERIOUS_RULES = ("personal-info", "inappropriate")
SERVICE_ZONE = ZoneInfo("America/Toronto")
MODERATION = "moderation.yaml"
ACTIONS = ("release", "hide", "pin")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: Text
    action: Literal["release", "hide", "pin"]
    reason: Text
    reviewed_by: Text
    until: dt.datetime | dt.date | None = None

    @model_validator(mode="after")
    def _until_for_pin(self) -> Decision:
        if self.until is not None and self.action != "pin":
            raise ValueError("'until' is only for action: pin")
        return self

    def pinned_at(self, now: dt.datetime) -> bool:
        if self.action != "pin":
            return False
        if self.until is None:
            return True
        until = self.until
        if not isinstance(until, dt.datetime):  # a date: through that day, Toronto
            until = dt.datetime.combine(
                until + dt.timedelta(days=1), dt.time(), tzinfo=SERVICE_ZONE
            )
        elif until.tzinfo is None:
            until = until.replace(tzinfo=SERVICE_ZONE)
        return now < until


@dataclass(frozen=True)
class Decisions:
    entries: tuple[Decision, ...] = ()

    def action(self, link: str) -> Decision | None:
        """The item's reviewed decision; a later entry overrides an earlier one."""
        found = None
        for entry in self.entries:
            if entry.item == link:
                found = entry
        return found


def load_decisions(
    path: Path, root: Path | None = None
) -> tuple[Decisions, list[Problem]]:
    """The reviewed decisions and the problems (file:line) of invalid entries."""
    where, rows, problems = load_reviewed_list(
        path, root, "item, action, reason, reviewed_by, until"
    )
    entries = []
    for row in rows:
        try:
            entries.append(Decision.model_validate(row.data))
        except ValidationError as error:
            for detail in error.errors():
                name = ".".join(str(p) for p in detail["loc"] if not isinstance(p, int))
                name = name.split(".")[0] if name else ""
                if detail["type"] == "missing":
                    message = "is required: record why and who reviewed the decision"
                elif detail["type"] == "extra_forbidden":
                    message = "unknown field; allowed: item, action, reason, reviewed_by, until"
                elif name == "action":
                    message = f"must be one of {', '.join(ACTIONS)}"
                else:
                    message = detail["msg"].removeprefix("Value error, ")
                problems.append(Problem(where, row.line_of(name), name, message))
    return Decisions(tuple(entries)), problems


@dataclass(frozen=True)
class Gate:
    """What decides whether an item is shown: the serious checks, the reviewed
    false positives (silenced.yaml) and the reviewed decisions."""

    terms: tuple[Term, ...] = ()
    numbers: frozenset[str] = frozenset()
    silences: Silences = field(default_factory=Silences)
    decisions: Decisions = field(default_factory=Decisions)

    def findings(self, item, account) -> list[Finding]:
        """The item's serious findings that are not silenced."""
        base = Subject(
            account=account.key,
            platform=account.platform,
            handle=account.handle,
            account_url=account.url,
            unit=account.unit,
            unit_name=account.unit_name,
            member=account.member,
        )
        text, subject, _ = item_text_job(item, base)
        hits = check_personal(text, self.numbers)
        hits += check_terms(text, list(self.terms))
        found = [finding_from_hit(hit, text, subject) for hit in hits]
        return [
            f
            for f in found
            if f.rule in SERIOUS_RULES and not self.silences.silences(f)
        ]


def load_gate(
    content: Path, settings: dict, root: Path | None = None, directory=None
) -> tuple[Gate, list[Problem]]:
    """The gate of a content tree (content/governance/ and the unit phones of
    `directory`, the build's, or loaded from the content)."""
    from tps.units import load_directory

    from .project import FOLDER, SILENCED, TERMS

    content = Path(content)
    folder = content / FOLDER
    root = root or content.parent
    problems: list[Problem] = []
    terms: list[Term] = []
    if (folder / TERMS).is_file():
        # a bad line is reported by project.load_setup (check, internal build)
        with suppress(ValueError):
            terms = load_terms(folder / TERMS)
    silences, _ = load_silences(folder / SILENCED, root)
    decisions, problems = load_decisions(folder / MODERATION, root)
    if directory is None:
        directory, _ = load_directory(content)
    numbers = service_numbers([entry.unit.phone for entry in directory.units], settings)
    return Gate(tuple(terms), numbers, silences, decisions), problems


@dataclass(frozen=True)
class Held:
    """An item in the moderation queue."""

    item: object  # social_feeds FeedItem
    account: object  # social_feeds FeedAccount
    findings: list[Finding]
    fetched: dt.datetime | None

    @property
    def owner(self) -> str:
        return self.account.member or f"{self.account.unit_name} (unit account)"

    def paste(self, action: str) -> str:
        """The moderation.yaml entry to paste (reason and reviewer to fill in)."""
        return (
            f"- item: {self.item.link}\n"
            f"  action: {action}\n"
            "  reason: \n"
            "  reviewed_by: \n"
        )


@dataclass
class Screening:
    """What the gate decided for a set of items."""

    held: list[Held] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)  # links
    pinned: set[str] = field(default_factory=set)  # links

    @property
    def blocked(self) -> set[str]:
        """The links of every item no page may show."""
        return self.hidden | {h.item.link for h in self.held}


def screen(
    gate: Gate,
    pairs: Iterable[tuple[object, object, dt.datetime | None]],
    now: dt.datetime,
) -> Screening:
    """`pairs`: (FeedItem, FeedAccount, when it was fetched) for every item."""
    result = Screening()
    for item, account, fetched in pairs:
        decision = gate.decisions.action(item.link)
        if decision is not None and decision.action == "hide":
            result.hidden.add(item.link)
            continue
        if decision is None or decision.action != "release":
            findings = gate.findings(item, account)
            if findings:
                result.held.append(Held(item, account, findings, fetched))
                continue
        if decision is not None and decision.pinned_at(now):
            result.pinned.add(item.link)
    result.held.sort(key=lambda h: h.item.published, reverse=True)
    return result


def govern_states(states: list, gate: Gate, now: dt.datetime) -> Screening:
    """Takes held and hidden items out of social_feeds' AccountStates (so no
    page built from them can show one) and marks the pinned ones."""
    from dataclasses import replace

    screening = screen(
        gate,
        (
            (shown.item, state.account, state.feed.last_success if state.feed else None)
            for state in states
            for shown in state.items
        ),
        now,
    )
    blocked = screening.blocked
    for state in states:
        state.items = [
            replace(shown, pinned=shown.item.link in screening.pinned)
            for shown in state.items
            if shown.item.link not in blocked
        ]
    return screening


def gate_feed_states(sender, *, settings: dict, states: list, now: dt.datetime):
    """social_feeds' feed_states_ready receiver: an invalid moderation.yaml
    stops the build rather than show what a decision meant to hide."""
    directory = getattr(sender, "context", {}).get("UNITS_DIRECTORY")
    gate, problems = load_gate(Path(settings["PATH"]), settings, directory=directory)
    if problems:
        raise ContentError(problems)
    return govern_states(states, gate, now)
