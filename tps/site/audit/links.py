"""Every href/src of every HTML file resolves to a file of the same site, and
every #fragment to an id in its target page; read from the files, not served."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .scan import Link, ScannedPage

SKIPPED_SCHEMES = {"mailto", "tel", "sms", "data", "javascript", "geo"}


def link_targets(link: Link) -> list[str]:
    if link.attribute == "srcset":
        return [item.split()[0] for item in link.value.split(",") if item.strip()]
    return [link.value.strip()]


def check_links(
    root: Path, pages: list[ScannedPage], origin: str | None = None
) -> list[str]:
    """Each problem as 'page line N: <tag attr="url"> reason'. ``origin`` (e.g.
    https://www.tps.ca) marks absolute URLs that must also exist in the site."""
    root = Path(root)
    ids = {page.path.as_posix(): page.ids for page in pages}
    origin = (origin or "").rstrip("/")
    problems = []
    for page in pages:
        base = PurePosixPath("/" + page.path.as_posix()).parent
        for link in page.links:
            for url in link_targets(link):
                reason = _check(root, ids, base, page, url, origin)
                if reason:
                    problems.append(
                        f'{page.path} line {link.line}: <{link.tag} {link.attribute}="{url}"> {reason}'
                    )
    return problems


def _check(root, ids, base, page, url, origin) -> str | None:
    if not url:
        return "is empty"
    if origin and (url == origin or url.startswith(origin + "/")):
        url = url[len(origin) :] or "/"
    parts = urlsplit(url)
    if parts.scheme in SKIPPED_SCHEMES or (
        parts.scheme and parts.scheme not in ("http", "https")
    ):
        return None
    if parts.scheme or parts.netloc:
        return None  # another site: not ours to resolve
    if not parts.path:
        target = page.path.as_posix()
    else:
        joined = (
            PurePosixPath(unquote(parts.path))
            if parts.path.startswith("/")
            else base / unquote(parts.path)
        )
        target = _resolve(root, joined, parts.path.endswith("/"))
        if target is None:
            return "leads to no file in the site"
    fragment = unquote(parts.fragment)
    if (
        fragment
        and fragment != "top"
        and target.endswith(".html")
        and fragment not in ids.get(target, set())
    ):
        return f"has no element with id {fragment!r} in {target}"
    return None


def _resolve(root: Path, url_path: PurePosixPath, directory: bool) -> str | None:
    """The site file nginx would serve for a path (try_files $uri $uri/ index.html)."""
    parts: list[str] = []
    for part in url_path.parts[1:]:
        if part == "..":
            if not parts:
                return None  # above the site root
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    relative = "/".join(parts)
    candidate = root / relative if relative else root
    if not directory and candidate.is_file():
        return relative
    index = candidate / "index.html"
    if index.is_file():
        return f"{relative}/index.html" if relative else "index.html"
    return None
