"""Who may see a content file: the one rule, used by the build (public sites
drop internal content), the validator, the leak check and governance.

A file is internal when it is under content/internal/, in the folder of a
blog whose _blog.yaml says `audience: internal`, or its front matter says
`Audience: internal`. Everything else is public."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path, PurePath, PurePosixPath
from typing import Literal

Audience = Literal["public", "internal"]
INTERNAL_FOLDER = "internal"  # content/internal/: the intranet's own pages


def audience_of(
    path: str | PurePath,
    *,
    audience: str | None = None,
    internal_blogs: Collection[str] = (),
) -> Audience:
    """`path` relative to the content folder; `audience` its front matter's
    Audience (if any); `internal_blogs` the slugs of the internal blogs."""
    parts = PurePosixPath(PurePath(path).as_posix()).parts
    if parts and parts[0] == INTERNAL_FOLDER:
        return "internal"
    if len(parts) > 2 and parts[0] == "blogs" and parts[1] in internal_blogs:
        return "internal"
    return "internal" if audience == "internal" else "public"


def audience_of_content(
    content, content_root: str | Path, internal_blogs: Collection[str] = ()
) -> Audience:
    """The same rule for a Pelican article or page (its source path and its
    `audience` metadata)."""
    source = PurePath(os.path.abspath(content.source_path))
    try:
        # Pelican's source paths are absolute under PATH: no file system call
        # (resolving every post's path was a tenth of a preview round).
        relative = source.relative_to(os.path.abspath(content_root))
    except ValueError:
        try:  # reached through a symbolic link
            relative = Path(source).resolve().relative_to(Path(content_root).resolve())
        except ValueError:  # not under the content folder: only its metadata counts
            relative = PurePath(source.name)
    return audience_of(
        relative,
        audience=getattr(content, "audience", None),
        internal_blogs=internal_blogs,
    )
