"""The publish gate's no-leak check: no internal title or URL in a public build."""

from __future__ import annotations

import gzip
from pathlib import Path

from content_model.blogs import internal_blog_folders
from content_model.frontmatter import parse_file

MIN_TITLE = 16  # shorter titles ("Training") are too common to prove a leak
TEXT_SUFFIXES = {
    ".html",
    ".xml",
    ".json",
    ".csv",
    ".txt",
    ".js",
    ".pf_fragment",
    ".pf_meta",
}


def internal_titles(content: Path) -> set[str]:
    internal_blogs = set(internal_blog_folders(content))
    titles = set()
    for path in content.rglob("*.md"):
        fields = parse_file(path).fields
        relative = path.relative_to(content).parts
        internal = (
            relative[0] == "internal"
            or (relative[0] == "blogs" and relative[1] in internal_blogs)
            or fields.get("audience") == "internal"
        )
        if internal and len(fields.get("title", "")) >= MIN_TITLE:
            titles.add(fields["title"])
    return titles


def find_leaks(public: Path, content: Path) -> list[str]:
    titles = [t.encode() for t in internal_titles(content)]
    leaks = []
    for path in public.rglob("*"):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        data = path.read_bytes()
        if path.suffix.startswith(".pf_"):
            data = gzip.decompress(data)
        leaks += [
            f"{path.relative_to(public)}: {t.decode()!r}" for t in titles if t in data
        ]
    return sorted(leaks)
