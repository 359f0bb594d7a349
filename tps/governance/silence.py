"""Reviewed false positives: content/governance/silenced.yaml.

Each entry silences one word for one rule, or one item (a feed item id or a
profile, "profile:<platform>:<handle>") for one rule or all rules:

    - word: Scarborough
      rule: spelling
      reason: a place name missing from the dictionary
      reviewed_by: Corporate Communications (A. Singh), 2026-11-02

`reason` and `reviewed_by` are required: an entry without them is an error that
names the file and line, so nothing is silenced without a recorded decision."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tps.core.problems import Problem

from .findings import Finding
from .reviewed import load_reviewed_list
from .rules import RULES

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    word: Text | None = None
    item: Text | None = None
    rule: Text | None = None
    reason: Text
    reviewed_by: Text

    @model_validator(mode="after")
    def _one_target(self) -> Entry:
        if bool(self.word) == bool(self.item):
            raise ValueError("give either 'word' or 'item' (one of them)")
        if self.word and not self.rule:
            raise ValueError("a silenced word needs the 'rule' it is silenced for")
        if self.rule and self.rule not in RULES:
            raise ValueError(
                f"unknown rule '{self.rule}'; rules: {', '.join(sorted(RULES))}"
            )
        return self


@dataclass(frozen=True)
class Silences:
    entries: tuple[Entry, ...] = ()

    def silences(self, finding: Finding) -> bool:
        for entry in self.entries:
            if entry.rule and entry.rule != finding.rule:
                continue
            if entry.item and entry.item == finding.subject.item_id:
                return True
            if entry.word and entry.word.lower() == finding.word.lower():
                return True
        return False

    def apply(self, findings: list[Finding]) -> tuple[list[Finding], int]:
        """The findings left, and how many were silenced."""
        kept = [f for f in findings if not self.silences(f)]
        return kept, len(findings) - len(kept)


def load_silences(
    path: Path, root: Path | None = None
) -> tuple[Silences, list[Problem]]:
    """The reviewed entries and the problems (file:line) of the ones that are not valid."""
    where, rows, problems = load_reviewed_list(
        path, root, "word/item, rule, reason, reviewed_by"
    )
    entries = []
    for row in rows:
        try:
            entries.append(Entry.model_validate(row.data))
        except ValidationError as error:
            for detail in error.errors():
                field = ".".join(str(p) for p in detail["loc"])
                if detail["type"] == "missing":
                    message = (
                        "is required: record why this is silenced and who reviewed it"
                    )
                elif detail["type"] == "extra_forbidden":
                    message = (
                        "unknown field; allowed: word, item, rule, reason, reviewed_by"
                    )
                else:
                    message = detail["msg"].removeprefix("Value error, ")
                problems.append(Problem(where, row.line_of(field), field, message))
    return Silences(tuple(entries)), problems
