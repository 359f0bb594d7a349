"""The publish gate's no-leak check: no internal title, and no internal file's
bytes (a source page, an image), in any file of a public build."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import zlib
from pathlib import Path

from tps.content_model.blogs import internal_blog_folders
from tps.content_model.frontmatter import parse_file
from tps.core.audience import audience_of
from tps.image_metadata import SUFFIXES, ImageError, strip

MIN_TITLE = 16  # shorter titles ("Training") are too common to prove a leak


def _internal_files(content: Path) -> list[Path]:
    """Every file only the intranet may hold: content/internal/, internal
    blogs' folders, and Audience: internal posts and pages."""
    internal_blogs = set(internal_blog_folders(content))
    found = []
    for path in content.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(content)
        where = audience_of(relative, internal_blogs=internal_blogs)
        if where == "public" and path.suffix == ".md":  # its front matter decides
            where = audience_of(relative, audience=_audience(path))
        if where == "internal":
            found.append(path)
    return found


def _audience(path: Path) -> str:
    try:
        return parse_file(path).fields.get("audience", "")
    except (UnicodeDecodeError, OSError):
        return ""


def internal_titles(content: Path) -> set[str]:
    titles = set()
    for path in _internal_files(content):
        if path.suffix != ".md":
            continue
        try:
            title = parse_file(path).fields.get("title", "")
        except (UnicodeDecodeError, OSError):
            continue
        if len(title) >= MIN_TITLE:
            titles.add(title)
    return titles


def find_leaks(public: Path, content: Path) -> list[str]:
    """Every file of ``public``, whatever its type, is read: an internal title
    in it, or the whole of an internal file's bytes, is a leak."""
    titles = [t.encode() for t in internal_titles(content)]
    digests = {}
    for p in _internal_files(content):
        for data in _published_forms(p):
            digests[hashlib.sha256(data).digest()] = p.relative_to(content).as_posix()
    leaks = []
    for path in public.rglob("*"):
        if not path.is_file():
            continue
        shown = path.relative_to(public)
        data = path.read_bytes()
        copy = digests.get(hashlib.sha256(data).digest())
        if copy:
            leaks.append(f"{shown}: a copy of content/{copy}")
        data = _decompressed(data)
        leaks += [f"{shown}: {t.decode()!r}" for t in titles if t in data]
    return sorted(leaks)


def _published_forms(path: Path) -> list[bytes]:
    """The file's bytes, and an image's as the build publishes it (stripped of
    its metadata by tps/image_metadata)."""
    data = path.read_bytes()
    if not data:
        return []
    forms = [data]
    if path.suffix.lower() in SUFFIXES:
        with contextlib.suppress(ImageError, OSError, ValueError):
            forms.append(strip(path, data))
    return forms


def _decompressed(data: bytes) -> bytes:
    """Pagefind's fragments (and any .gz) are gzip: the text is inside."""
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return data
    return data
