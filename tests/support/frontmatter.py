"""Read the sample content the way an editor wrote it, to compare with the output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tps.content_model.frontmatter import parse_file
from tps.core.paths import CONTENT


@dataclass
class SourcePost:
    blog: str
    slug: str
    title: str
    author: str
    status: str
    audience: str


def blogs(content: Path = CONTENT) -> dict[str, dict]:
    return {
        p.parent.name: yaml.safe_load(p.read_text())
        for p in sorted(content.glob("blogs/*/blog.yaml"))
    }


def posts(content: Path = CONTENT) -> list[SourcePost]:
    found = []
    configs = blogs(content)
    for path in sorted(content.glob("blogs/*/*.md")):
        meta = parse_file(path).fields
        blog = path.parent.name
        audience = (
            "internal"
            if configs[blog]["audience"] == "internal"
            else meta.get("audience", "public")
        )
        found.append(
            SourcePost(
                blog,
                meta.get("slug", path.stem),
                meta["title"],
                meta["author"],
                meta.get("status", "published"),
                audience,
            )
        )
    return found


def published(content: Path = CONTENT, audience: str = "internal") -> list[SourcePost]:
    """Posts a site of this audience shows."""
    allowed = {"public"} if audience == "public" else {"public", "internal"}
    return [
        p for p in posts(content) if p.status == "published" and p.audience in allowed
    ]
