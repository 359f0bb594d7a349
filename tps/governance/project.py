"""Loads the governance data of a content tree: content/governance/ (term list,
word list, silenced findings) and the unit files."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from tps.core.problems import Problem, relative
from tps.units import Directory

from .checks.terms import load_terms
from .moderation import MODERATION, load_decisions
from .monitor import Checker, make_registry, service_numbers
from .silence import Silences, load_silences
from .wordlist import service_words

FOLDER = "governance"
TERMS = "terms.txt"
WORDLIST = "wordlist.txt"
SILENCED = "silenced.yaml"


@dataclass(frozen=True)
class Setup:
    checker: Checker
    silences: Silences
    problems: list[Problem]  # errors in the governance files themselves


def load_setup(
    content: Path,
    directory: Directory,
    settings: dict,
    root: Path | None = None,
    site_paths: Collection[str] | None = None,
) -> Setup:
    folder = Path(content) / FOLDER
    root = root or Path(content).parent
    problems: list[Problem] = []
    terms = []
    if (folder / TERMS).is_file():
        try:
            terms = load_terms(folder / TERMS)
        except ValueError as error:
            where, _, rest = str(error).partition(": ")
            path, _, line = where.rpartition(":")
            problems.append(Problem(relative(Path(path), root), int(line), "", rest))
    silences, found = load_silences(folder / SILENCED, root)
    problems += found
    problems += load_decisions(folder / MODERATION, root)[1]
    checker = Checker(
        service_words=service_words(directory, folder / WORDLIST),
        terms=tuple(terms),
        service_numbers=service_numbers(
            [entry.unit.phone for entry in directory.units], settings
        ),
        registry=make_registry(directory.accounts),
        site_paths=frozenset(site_paths) if site_paths is not None else None,
    )
    return Setup(checker, silences, problems)
