"""The checks' hits for texts an identical checker has already read, kept
between builds in the site's cache: the feed items and bios rarely change, and
spelling and proselint over all of them were most of a warm internal build's
monitoring. The cache is only ever used whole: any change to the checker (word
lists, terms, registry, site paths), to this plugin's code, to proselint or to
the en_CA dictionary files starts it afresh."""

from __future__ import annotations

import hashlib
import pickle
from importlib.metadata import version
from pathlib import Path

from tps.core.files import write_atomic

from .findings import Hit
from .monitor import Checker

DICTIONARIES = Path("/usr/share/hunspell")
Job = tuple[str, str, tuple[str, ...]]


def checker_fingerprint(checker: Checker) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    parts = [
        version("proselint"),
        sorted(checker.service_words),
        repr(checker.terms),
        sorted(checker.service_numbers),
        sorted(checker.registry),
        sorted(checker.site_paths) if checker.site_paths is not None else None,
    ]
    hasher.update(repr(parts).encode())
    code = Path(__file__).parent
    for path in sorted(code.rglob("*.py")):
        hasher.update(path.read_bytes())
    for path in sorted(DICTIONARIES.glob("en_CA.*")):
        stat = path.stat()
        hasher.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}".encode())
    return hasher.hexdigest()


class HitsCache:
    """Stands in for ``checker`` (monitor.TextChecks): texts it has seen are
    answered from the cache, the rest by the checker."""

    def __init__(self, path: Path, checker: Checker):
        self.path = path
        self.checker = checker
        self.fingerprint = checker_fingerprint(checker)
        self.known: dict[Job, list[Hit]] = {}
        self.changed = False
        try:
            with path.open("rb") as handle:
                stored = pickle.load(handle)
            if stored.get("fingerprint") == self.fingerprint:
                self.known = stored["hits"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError):
            pass

    def hits_many(self, jobs: list[Job]) -> list[list[Hit]]:
        missing = list(dict.fromkeys(job for job in jobs if job not in self.known))
        if missing:
            found = self.checker.hits_many(missing)
            self.known.update(zip(missing, found, strict=True))
            self.changed = True
        used = set(jobs)
        if len(used) != len(self.known):  # forget texts no longer checked
            self.known = {job: self.known[job] for job in used}
            self.changed = True
        return [self.known[job] for job in jobs]

    def save(self) -> None:
        if not self.changed:
            return
        write_atomic(
            self.path,
            pickle.dumps({"fingerprint": self.fingerprint, "hits": self.known}),
        )
