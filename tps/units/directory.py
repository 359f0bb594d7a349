"""Load and cross-check every unit file; report every problem with file, line,
field and value."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from tps.core import safe_yaml
from tps.core.problems import Problem, relative

from .accountrules import fold, url_key
from .api_ids import api_id_problem
from .models import Account, Member, Unit

KINDS = {
    "division": "Divisions",
    "community-consultative-group": "Community consultative committees",
    "unit": "Units",
}
PLATFORM_NAMES = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "flickr": "Flickr",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
}


# libyaml's parser when PyYAML has it: the pure-Python one was most of a build.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDatesLoader(_SafeLoader):
    """Leaves dates as text so pydantic parses them and names the field on error
    (PyYAML itself raises a bare ValueError for 2026-06-31)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class AccountRecord:
    """One official account with who owns it: a row of the registry."""

    account: Account
    unit: UnitEntry
    member: Member | None

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES[self.account.platform]

    @property
    def owner(self) -> str:
        return self.member.name if self.member else self.unit.unit.name

    def overdue(self, today: dt.date) -> bool:
        return self.account.review_due < today


@dataclass
class UnitEntry:
    slug: str
    unit: Unit
    source: str
    posts: list = field(default_factory=list)

    def __getattr__(self, name):  # templates read unit fields directly
        return getattr(self.unit, name)

    @property
    def url(self) -> str:
        return f"units/{self.slug}/"

    @property
    def sort_key(self) -> tuple:
        number = re.match(r"\d+", self.slug)
        return (int(number.group()) if number else 1000, self.unit.name.lower())


@dataclass
class Directory:
    units: list[UnitEntry]

    @property
    def by_slug(self) -> dict[str, UnitEntry]:
        return {entry.slug: entry for entry in self.units}

    @property
    def by_kind(self) -> list[tuple[str, str, list[UnitEntry]]]:
        return [
            (kind, label, [u for u in self.units if u.unit.kind == kind])
            for kind, label in KINDS.items()
        ]

    @property
    def accounts(self) -> list[AccountRecord]:
        records = []
        for entry in self.units:
            records += [AccountRecord(a, entry, None) for a in entry.unit.accounts]
            for member in entry.unit.members:
                records += [AccountRecord(a, entry, member) for a in member.accounts]
        return records

    @property
    def neighbourhoods(self) -> list[tuple[str, UnitEntry]]:
        """The "find your division" index: every neighbourhood, A to Z."""
        pairs = [(hood, e) for e in self.units for hood in e.unit.neighbourhoods]
        return sorted(pairs, key=lambda pair: pair[0].lower())

    @property
    def members(self) -> list[tuple[Member, UnitEntry]]:
        return [(m, entry) for entry in self.units for m in entry.unit.members]


def load_directory(
    content: Path, root: Path | None = None
) -> tuple[Directory, list[Problem]]:
    root = root or Path(content).parent
    entries, problems = [], []
    for path in sorted((Path(content) / "units").glob("*.yaml")):
        entry, found = _load_unit(path, root)
        problems += found
        if entry:
            entries.append(entry)
    problems += _duplicates(entries, root)
    entries.sort(key=lambda e: e.sort_key)
    return Directory(entries), problems


def _load_unit(path: Path, root: Path) -> tuple[UnitEntry | None, list[Problem]]:
    where = relative(path, root)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", path.stem):
        return None, [
            Problem(
                where,
                0,
                "",
                "a unit file name is its URL: use lower-case letters, digits and -",
            )
        ]
    text = path.read_text(encoding="utf-8", errors="replace")
    try:  # parse once: the node tree gives error lines, then the data
        node, data = safe_yaml.load(text, _TextDatesLoader)
    except safe_yaml.YamlRefused as refused:
        return None, [Problem(where, refused.line, "", refused.message)]
    if not isinstance(data, dict):
        return None, [Problem(where, 1, "", "must be a mapping of unit fields")]
    try:
        unit = Unit.model_validate(data)
    except ValidationError as error:
        return None, [_problem(where, node, data, item) for item in error.errors()]
    return UnitEntry(path.stem, unit, where), _api_id_problems(where, node, unit)


def _api_id_problems(where: str, node, unit: Unit) -> list[Problem]:
    """Each `api_id` in the platform's own format, reported at its line."""
    located: list[tuple[tuple, Account]] = [
        (("accounts", i), account) for i, account in enumerate(unit.accounts)
    ]
    for m, member in enumerate(unit.members):
        located += [
            (("members", m, "accounts", i), account)
            for i, account in enumerate(member.accounts)
        ]
    problems = []
    for loc, account in located:
        if account.api_id is None:
            continue
        message = api_id_problem(account.platform, account.api_id)
        if message:
            loc = (*loc, "api_id")
            problems.append(
                Problem(where, _line(node, loc), ".".join(map(str, loc)), message)
            )
    return problems


def _problem(where: str, node, data, item: dict) -> Problem:
    loc = item["loc"]
    field_name = ".".join(str(part) for part in loc)
    value = data
    for part in loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            value = None
            break
    kind = item["type"]
    if kind == "missing":
        message = "is required but missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
    else:
        message = item["msg"].removeprefix("Value error, ")
        if value is not None and not (isinstance(value, str) and value in message):
            message += f" (found {safe_yaml.short_repr(value)})"
    return Problem(where, _line(node, loc), field_name, message)


def _line(node, loc) -> int:
    """The line of the deepest YAML node on the error's path."""
    line = node.start_mark.line + 1 if node else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if match is None:
                break
            node, line = match, (key or match).start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _duplicates(entries: list[UnitEntry], root: Path) -> list[Problem]:
    """Handles, URLs and member names listed twice, compared as they look
    (accountrules.fold: NFKC, case, confusables), not as they are spelled."""
    problems, handles, urls, names = [], {}, {}, {}
    for entry in entries:
        for record in Directory([entry]).accounts:
            account = record.account
            key = (account.platform, fold(account.handle))
            for seen, value, what in (
                (handles, key, "handle"),
                (urls, url_key(account.url), "url"),
            ):
                if value in seen and seen[value] != (entry.source, record.owner):
                    first = seen[value]
                    shown = account.handle if what == "handle" else account.url
                    problems.append(
                        Problem(
                            entry.source,
                            _line_of(root / entry.source, what, shown),
                            f"accounts.{what}",
                            f"'{shown}' ({record.owner}) is already listed for {first[1]} in {first[0]}",
                        )
                    )
                seen.setdefault(value, (entry.source, record.owner))
        for member in entry.unit.members:
            name = fold(member.name)
            if name in names:
                problems.append(
                    Problem(
                        entry.source,
                        _line_of(root / entry.source, "name", member.name),
                        "members.name",
                        f"'{member.name}' is already a member of {names[name]}",
                    )
                )
            names.setdefault(name, entry.source)
    return problems


def _line_of(path: Path, key: str, value: str) -> int:
    """The line of `key: value` in the unit file (0 if not found): the loaded
    models keep no YAML marks, and a duplicate is rare."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    for number, line in enumerate(lines, 1):
        found = re.match(rf"\s*(?:-\s+)?{key}:\s*(.*?)\s*$", line)
        if found and found[1].strip("'\"") == value:
            return number
    return 0
