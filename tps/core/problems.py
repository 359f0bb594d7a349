from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located precisely enough to fix it."""

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error" stops a build; "warning" is advice

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ContentError(Exception):
    """Raised to stop a build; carries every problem found, not just the first."""

    exitcode = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [f"{len(self.problems)} content problem(s) stop the build:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def relative(path: Path, root: Path) -> str:
    """Path as an editor sees it: relative to the project, forward slashes."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
