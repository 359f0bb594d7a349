"""Each site's Pagefind search index, built in shards the search page merges.

One shard per blog (``pagefind/shards/<slug>/``: the blog's posts) and one for
everything else (``pagefind/``, the bundle the search page loads; ``search.js``
merges the blog shards into it with Pagefind's ``mergeIndex``). Sharding lets
both cores share a site's indexing, and lets a rebuild keep every shard whose
indexed pages read as those of the previous build: Pagefind reads nothing but
those pages, so its output would be the same, and the previous build's shard
is hard-linked instead.

A page's digest covers what Pagefind reads of it (:func:`indexed_view`): the
marked body without its ``data-pagefind-ignore`` parts, and what of the rest
Pagefind could read. So the intranet, whose posts share the public site's
bodies in a different frame, borrows a public blog shard when every page of it
is on the intranet with the same digest (its own extra posts of that blog join
its primary shard): each public post is indexed once per build, not twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

from tps.core.files import file_stamp, files_ending, write_atomic

PRIMARY = "pagefind"
SHARDS = "pagefind/shards"
BLOGS = "blogs"
BODY_MARKER = b"data-pagefind-body"
INDEXING_NICENESS = 10
FORMAT = 2  # of the page digests: what Pagefind reads (indexed_view)


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
            f"{version('pagefind_bin')}\0{FORMAT}\0{self.bundle}\0{self.glob}\0".encode()
        )
        marked = [page for page in self.pages if page.marked]
        for page in marked or self.pages:
            hasher.update(f"{page.relative}\0{page.digest}\n".encode())
        return hasher.hexdigest()


_ATTRIBUTE = b"data-pagefind-"
_IGNORE = b"data-pagefind-ignore"
_TAG_NAME = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)")
_FRAME = (
    re.compile(rb"<html\b[^>]*>"),  # the language
    re.compile(rb"<h1\b.*?</h1>", re.S),  # the default title
    re.compile(rb"<img\b[^>]*>"),  # the default image
)


def _attributed_tags(data: bytes):
    """(start, end, name, tag) of each opening tag with a data-pagefind- attribute."""
    found = data.find(_ATTRIBUTE)
    while found != -1:
        start = data.rfind(b"<", 0, found)
        end = data.find(b">", found)
        name = _TAG_NAME.match(data, start) if start != -1 else None
        if name is None or end == -1:
            yield None
            return
        if b">" in data[start:found]:  # in text, not in a tag: content
            found = data.find(_ATTRIBUTE, found + 1)
            continue
        yield start, end + 1, name.group(1), data[start : end + 1]
        found = data.find(_ATTRIBUTE, end)


def _element_end(data: bytes, tag: bytes, start: int) -> int | None:
    """The end of the element whose opening tag ends at ``start`` (nesting of
    the same tag counted); None when it does not close."""
    pattern = re.compile(rb"<(/?)" + re.escape(tag) + rb"\b[^>]*>", re.I)
    depth = 1
    for match in pattern.finditer(data, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return None


def _cut(data: bytes, marker: bytes) -> tuple[list[bytes], list[bytes]] | None:
    """``data`` split into the elements whose opening tag holds ``marker`` and
    what is left around them; None when a tag or an element is not whole."""
    inside, outside, position = [], [], 0
    for found in _attributed_tags(data):
        if found is None:
            return None
        start, opened, name, tag = found
        if start < position or marker not in tag:
            continue
        end = _element_end(data, name, opened)
        if end is None:
            return None
        outside.append(data[position:start])
        inside.append(data[start:end])
        position = end
    outside.append(data[position:])
    return inside, outside


def indexed_view(data: bytes) -> bytes:
    """What Pagefind reads of a page with the body marker: each marked element
    without its ignored parts, and from the frame the ``<html>`` tag, the
    first ``<h1>`` and the first ``<img>``. Whenever that is not certain (an
    element that does not close, a data-pagefind- attribute in the frame or in
    an ignored part other than the markers themselves) it is the whole page:
    never less than Pagefind reads, so pages with equal views index alike."""
    split = _cut(data, BODY_MARKER)
    if split is None:
        return data
    bodies, frame = split
    views = []
    for body in bodies:
        opened = body.find(b">") + 1  # the marked element's own tag stays
        parts = _cut(body[opened:], _IGNORE)
        if parts is None or any(
            _ATTRIBUTE in part.replace(_IGNORE, b"") for part in parts[0]
        ):
            return data
        views.append(body[:opened] + b"".join(parts[1]))
    if _ATTRIBUTE in b"".join(frame).replace(_IGNORE, b""):
        return data
    for pattern in _FRAME:
        found = pattern.search(data)
        views.append(found.group(0) if found else b"")
    return b"\0".join(views)


def _page_digest(data: bytes, marked: bool) -> str:
    view = indexed_view(data) if marked else data
    return hashlib.blake2b(view, digest_size=20).hexdigest()


def scan(site: Path, known: dict | None = None) -> list[Page]:
    """Every HTML page of the site (the search index's own folder aside). A file
    whose size, time and inode are those ``known`` from the last build (a page
    linked from it, not rendered again) is not read again."""
    known = known or {}
    pages = []
    for path in files_ending(site, ".html", skip=(PRIMARY,)):
        relative = path.relative_to(site).as_posix()
        stamp = file_stamp(path)
        fact = known.get(relative)
        if fact and tuple(fact[0]) == stamp:
            pages.append(Page(relative, stamp, fact[1], fact[2]))
            continue
        data = path.read_bytes()
        marked = BODY_MARKER in data
        pages.append(Page(relative, stamp, marked, _page_digest(data, marked)))
    return pages


@dataclass(frozen=True)
class Plan:
    """A site's shards, as planned before Pagefind runs."""

    site: Path
    shards: tuple[Shard, ...]


@dataclass
class Lender:
    """One site's index as it is made, for another site built from the same
    content (tps.site.build: the public site's, for the intranet). Its plan is
    known as soon as its pages are scanned; its shards, once Pagefind is done."""

    planned: Future = field(default_factory=Future)
    built: Future = field(default_factory=Future)

    def plan(self) -> Plan | None:
        try:
            return self.planned.result()
        except Exception:  # that site failed: nothing to share
            return None

    def ready(self) -> bool:
        try:
            self.built.result()
        except Exception:
            return False
        return True

    def fail(self, error: BaseException) -> None:
        for future in (self.planned, self.built):
            if not future.done():
                future.set_exception(error)


def plan(pages: list[Page], lent: Plan | None = None) -> list[Shard]:
    """The blog shards (each blog with indexable pages), then the primary shard
    with every other indexable page. Globs name only the shapes of paths where
    indexable pages are (``blogs/crime-blog/*/index.html``), so Pagefind does
    not parse the listings it would skip anyway.

    A blog shard of ``lent`` (the other site's index) whose every page is one
    of this blog's pages here, with the same digest, is this site's shard too;
    the blog's other pages here join the primary shard, by name."""
    groups: dict[str, list[Page]] = {}
    home = None
    for page in pages:
        parts = page.relative.split("/")
        if page.relative == "index.html":
            home = page
        if not page.marked:
            continue
        # A blog's shard holds its posts; its first page (which lists
        # intranet-only posts on the intranet) is with the other pages.
        blog = parts[1] if parts[0] == BLOGS and len(parts) > 3 else ""
        groups.setdefault(blog, []).append(page)
    borrowed = {shard.bundle: shard for shard in (lent.shards if lent else ())}
    shards, extras = [], []
    for blog, group in sorted(groups.items()):
        if not blog:
            continue
        bundle = f"{SHARDS}/{blog}"
        theirs = borrowed.get(bundle)
        here = {(page.relative, page.digest) for page in group}
        if theirs and {(p.relative, p.digest) for p in theirs.pages} <= here:
            shards.append(theirs)
            mine = {page.relative for page in theirs.pages}
            extras += [page for page in group if page.relative not in mine]
        else:
            shards.append(_shard(bundle, group, fixed=2))
    if groups.get("") or extras:
        shards.append(_shard(PRIMARY, groups.get("", []), fixed=1, exact=extras))
    else:  # no page marked: Pagefind indexes whole pages; the home page, then
        shards.append(Shard(PRIMARY, "index.html", (home,) if home else ()))
    return shards


def _shard(bundle: str, pages: list[Page], fixed: int, exact: list[Page] = ()) -> Shard:
    """``fixed`` leading folders are kept in the glob, deeper ones become ``*``;
    the ``exact`` pages are named as they are."""
    shapes = {page.relative for page in exact}
    for page in pages:
        parts = page.relative.split("/")
        if len(parts) > fixed:
            parts = [*parts[:fixed], *("*" for _ in parts[fixed:-1]), parts[-1]]
        shapes.add("/".join(parts))
    return Shard(bundle, "{" + ",".join(sorted(shapes)) + "}", (*pages, *exact))


def index(
    site: Path,
    *,
    final: Path | None = None,
    manifest: Path | None = None,
    lender: Lender | None = None,
    lends: Lender | None = None,
) -> str:
    """Index ``site`` shard by shard. ``final`` is the folder the site will
    become: a shard of the output there now (the last build, described by
    ``manifest``) is reused when its digest is unchanged. A shard this site
    shares with the one ``lender`` stands for (see :func:`plan`) is linked
    from it, not indexed again; ``lends`` is where this site's own plan and
    shards are announced for another. Returns a log line; raises
    SearchIndexError when Pagefind fails."""
    try:
        return _index(site, final, manifest, lender, lends)
    except BaseException as error:
        if lends:
            lends.fail(error)
        raise


def _index(site, final, manifest, lender, lends) -> str:
    previous = final if final and final.is_dir() else None
    known = _load(manifest, previous)
    pages = scan(site, known.get("pages"))
    lent = lender.plan() if lender else None
    shards = plan(pages, lent)
    if lends:
        lends.planned.set_result(Plan(site, tuple(shards)))
    lent_bundles = {shard.bundle: shard for shard in (lent.shards if lent else ())}
    digests: dict[str, str] = {}
    reused: list[str] = []
    borrowed: list[Shard] = []
    todo: list[Shard] = []
    for shard in shards:
        digests[shard.bundle] = digest = shard.digest()
        if previous and _reusable(
            known.get("shards", {}).get(shard.bundle), digest, previous, shard
        ):
            _link_tree(previous / shard.bundle, site / shard.bundle)
            reused.append(shard.bundle)
        elif lent_bundles.get(shard.bundle) is shard:
            borrowed.append(shard)
        else:
            todo.append(shard)
    # Only a shard neither site had before waits for the other site's Pagefind.
    if borrowed and lender.ready():
        for shard in borrowed:
            _link_tree(lent.site / shard.bundle, site / shard.bundle)
    else:
        todo += borrowed
        borrowed = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda shard: _run_pagefind(site, shard), todo))
        for shard, (code, output) in zip(todo, results, strict=True):
            if code != 0:
                raise SearchIndexError(
                    f"search indexing of {shard.bundle}/ failed:\n{output}"
                )
    if lends:
        lends.built.set_result(True)
    if manifest and final:
        _save(manifest, site, final, shards, digests, pages)
    indexed = ", ".join(shard.bundle for shard in todo) or "none"
    shared = f", {len(borrowed)} shared with the other site" if lender else ""
    return (
        f"Search index: {len(shards)} shards, {len(reused)} unchanged and reused"
        f"{shared}; indexed: {indexed}\n"
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
    if data.get("output") != str(previous.resolve()) or data.get("format") != FORMAT:
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
        "format": FORMAT,
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
