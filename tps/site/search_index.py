"""Each site's Pagefind search index, built in shards the search page merges.

One shard per blog (``pagefind/shards/<slug>/``: the blog's posts and listing
pages) and one for everything else (``pagefind/``, the bundle the search page
loads; ``search.js`` merges the blog shards into it with Pagefind's
``mergeIndex``). Sharding lets both cores share a site's indexing, and lets a
rebuild keep every shard whose indexed pages are byte-for-byte those of the
previous build: Pagefind reads nothing but those pages, so its output would be
the same, and the previous build's shard is hard-linked instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from tps.core.files import file_stamp, write_atomic

PRIMARY = "pagefind"
SHARDS = "pagefind/shards"
BLOGS = "blogs"
BODY_MARKER = b"data-pagefind-body"
INDEXING_NICENESS = 10


class SearchIndexError(Exception):
    """Pagefind failed on one shard; its output names the shard."""


@dataclass(frozen=True)
class Page:
    relative: str  # path relative to the site, with /
    stamp: tuple[int, int, int]  # size, mtime (ns), inode of the file read
    marked: bool  # holds the body marker: Pagefind indexes it
    digest: str  # of its bytes


@dataclass(frozen=True)
class Shard:
    bundle: str  # folder of the bundle, relative to the site
    glob: str  # the pages Pagefind reads, relative to the site
    pages: tuple[Page, ...]  # those pages

    def digest(self) -> str:
        """Everything Pagefind's output depends on: its version, the shard and
        the bytes of every page it indexes (once one page has the body marker
        it skips pages without it; with none, it indexes every page)."""
        hasher = hashlib.blake2b(digest_size=20)
        hasher.update(
            f"{version('pagefind_bin')}\0{self.bundle}\0{self.glob}\0".encode()
        )
        marked = [page for page in self.pages if page.marked]
        for page in marked or self.pages:
            hasher.update(f"{page.relative}\0{page.digest}\n".encode())
        return hasher.hexdigest()


def scan(site: Path, known: dict | None = None) -> list[Page]:
    """Every HTML page of the site (the search index's own folder aside). A file
    whose size, time and inode are those ``known`` from the last build (a page
    linked from it, not rendered again) is not read again."""
    known = known or {}
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(PRIMARY + "/"):
            continue
        stamp = file_stamp(path)
        fact = known.get(relative)
        if fact and tuple(fact[0]) == stamp:
            pages.append(Page(relative, stamp, fact[1], fact[2]))
            continue
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=20).hexdigest()
        pages.append(Page(relative, stamp, BODY_MARKER in data, digest))
    return pages


def plan(pages: list[Page]) -> list[Shard]:
    """The blog shards (each blog with indexable pages), then the primary shard
    with every other indexable page. Globs name only the shapes of paths where
    indexable pages are (``blogs/crime-blog/*/index.html``), so Pagefind does
    not parse the listings it would skip anyway."""
    groups: dict[str, list[Page]] = {}
    home = None
    for page in pages:
        parts = page.relative.split("/")
        if page.relative == "index.html":
            home = page
        if not page.marked:
            continue
        blog = parts[1] if parts[0] == BLOGS and len(parts) > 2 else ""
        groups.setdefault(blog, []).append(page)
    shards = [
        _shard(f"{SHARDS}/{blog}", pages, fixed=2)
        for blog, pages in sorted(groups.items())
        if blog
    ]
    if groups.get(""):
        shards.append(_shard(PRIMARY, groups[""], fixed=1))
    else:  # no page marked: Pagefind indexes whole pages; the home page, then
        shards.append(Shard(PRIMARY, "index.html", (home,) if home else ()))
    return shards


def _shard(bundle: str, pages: list[Page], fixed: int) -> Shard:
    """``fixed`` leading folders are kept in the glob, deeper ones become ``*``."""
    shapes = set()
    for page in pages:
        parts = page.relative.split("/")
        if len(parts) > fixed:
            parts = [*parts[:fixed], *("*" for _ in parts[fixed:-1]), parts[-1]]
        shapes.add("/".join(parts))
    return Shard(bundle, "{" + ",".join(sorted(shapes)) + "}", tuple(pages))


def index(
    site: Path, *, final: Path | None = None, manifest: Path | None = None
) -> str:
    """Index ``site`` shard by shard. ``final`` is the folder the site will
    become: a shard of the output there now (the last build, described by
    ``manifest``) is reused when its digest is unchanged. Returns a log line;
    raises SearchIndexError when Pagefind fails."""
    previous = final if final and final.is_dir() else None
    known = _load(manifest, previous)
    pages = scan(site, known.get("pages"))
    shards = plan(pages)
    digests: dict[str, str] = {}
    reused: list[str] = []
    todo: list[Shard] = []
    for shard in shards:
        digests[shard.bundle] = digest = shard.digest()
        if previous and _reusable(
            known.get("shards", {}).get(shard.bundle), digest, previous, shard
        ):
            _link_tree(previous / shard.bundle, site / shard.bundle)
            reused.append(shard.bundle)
        else:
            todo.append(shard)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda shard: _run_pagefind(site, shard), todo))
        for shard, (code, output) in zip(todo, results, strict=True):
            if code != 0:
                raise SearchIndexError(
                    f"search indexing of {shard.bundle}/ failed:\n{output}"
                )
    if manifest and final:
        _save(manifest, site, final, shards, digests, pages)
    indexed = ", ".join(shard.bundle for shard in todo) or "none"
    return (
        f"Search index: {len(shards)} shards, {len(reused)} unchanged and reused;"
        f" indexed: {indexed}\n"
    )


@cache
def _pagefind() -> str:
    """The binary itself: ``python -m pagefind`` costs a Python start per shard."""
    from pagefind_bin import get_executable

    return str(get_executable())


def _run_pagefind(site: Path, shard: Shard) -> tuple[int, str]:
    done = subprocess.run(
        [_pagefind(), "--site", str(site), "--glob", shard.glob,
         "--output-subdir", shard.bundle, "--silent"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # Lower priority than Pelican: while the other site still renders (the
        # longest step), indexing takes only the spare core.
        preexec_fn=lambda: os.nice(INDEXING_NICENESS),
    )  # fmt: skip
    return done.returncode, done.stdout


def _entry_stamp(bundle: Path) -> list[int] | None:
    """The stamp of a bundle's entry file, as JSON keeps it."""
    stamp = file_stamp(bundle / "pagefind-entry.json")
    return list(stamp) if stamp else None


def _reusable(known: dict | None, digest: str, previous: Path, shard: Shard) -> bool:
    return bool(
        known
        and known.get("digest") == digest
        and known.get("entry") == _entry_stamp(previous / shard.bundle)
    )


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link the previous shard (the primary's copy leaves the blog shards out)."""
    ignore = shutil.ignore_patterns("shards") if source.name == PRIMARY else None
    shutil.copytree(
        source, target, copy_function=os.link, ignore=ignore, dirs_exist_ok=True
    )


def _load(manifest: Path | None, previous: Path | None) -> dict:
    if not manifest or not previous:
        return {}
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return {}
    # The manifest describes one output folder: the one this build replaces.
    if data.get("output") != str(previous.resolve()):
        return {}
    return data


def _save(
    manifest: Path,
    site: Path,
    final: Path,
    shards: list[Shard],
    digests: dict[str, str],
    pages: list[Page],
) -> None:
    """Written for ``final``, the folder the staged ``site`` becomes: the stamps
    survive the move (same inodes). Should the build fail instead, they match
    no file there, so nothing described here is reused."""
    data = {
        "output": str(final.resolve()),
        "shards": {
            shard.bundle: {
                "digest": digests[shard.bundle],
                "entry": _entry_stamp(site / shard.bundle),
            }
            for shard in shards
        },
        # What each page was when read: a linked page need not be read again.
        "pages": {
            page.relative: [page.stamp, page.marked, page.digest] for page in pages
        },
    }
    write_atomic(manifest, json.dumps(data).encode())
