"""Start a new post: a draft with valid front matter in the right blog folder."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican.utils import slugify

from tps.content_model.blogs import blog_configs
from tps.core.paths import CONTENT

TORONTO = ZoneInfo("America/Toronto")

BODY = """\
Write the post here in plain language. The title above is the page heading, so
start sections with `## Subheading`, never a single `#`.

Before you publish: add `Tags:` and a one- or two-sentence `Summary:` above,
run `invoke check`, then remove the `Status: draft` line.
"""


class NewPostError(Exception):
    pass


def new_post(
    blog: str,
    title: str,
    author: str | None = None,
    unit: str | None = None,
    content: Path = CONTENT,
    now: datetime | None = None,
) -> Path:
    blogs = blog_configs(content)
    if blog not in blogs:
        raise NewPostError(
            f"unknown blog '{blog}'; the blogs are: {', '.join(sorted(blogs))}"
        )
    if not title.strip():
        raise NewPostError("--title must not be empty")
    slug = slugify(
        title,
        regex_subs=[
            (r"[^\w\s-]", ""),
            (r"(?u)\A\s*", ""),
            (r"(?u)\s*\Z", ""),
            (r"[-\s]+", "-"),
        ],
    )
    path = content / "blogs" / blog / f"{slug}.md"
    if path.exists():
        raise NewPostError(f"{path} already exists: choose another title")
    when = (now or datetime.now(TORONTO)).astimezone(TORONTO)
    lines = [
        f"Title: {title.strip()}",
        f"Date: {when:%Y-%m-%d %H:%M}",
        f"Author: {author or _git_user() or 'Corporate Communications'}",
    ]
    if unit:
        lines.append(f"Unit: {unit}")
    lines.append("Status: draft")
    path.write_text("\n".join(lines) + "\n\n" + BODY, encoding="utf-8")
    return path


def _git_user() -> str:
    try:
        result = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return result.stdout.strip()
