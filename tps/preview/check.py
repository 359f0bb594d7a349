"""The preview's background check: ``python -m tps.preview.check CONTENT``
prints each problem of the content tree (as ``invoke check`` does)."""

from __future__ import annotations

import sys
from pathlib import Path

from tps.site.validation import validate_tree


def main(content: str) -> int:
    problems = validate_tree(Path(content))
    for problem in problems:
        print(f"{problem.severity} {problem}", flush=True)
    return 1 if any(p.severity == "error" for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
