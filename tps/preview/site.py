"""The site the preview holds in memory between edits.

A full build runs Pelican in this process (into a staging folder swapped into
place, unchanged pages linked from the last one, as ``invoke build`` does) and
keeps what it made: the generators with their content and context, the
compiled templates and every page's trace. An edit of a post's or page's text
(edits.py) then costs a read of that one file and the pages that read it:
everything else stays where it is. Any other change is a full build again.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, StaticGenerator
from pelican.settings import read_settings

from tps.core.paths import CONTENT, OUTPUT, SETTINGS
from tps.core.pelican_internals import relist_articles
from tps.incremental.plugin import STATE, IncrementalWriter, index_content, save_traces
from tps.incremental.session import intrinsic_key
from tps.site import search_index
from tps.site.build import default_cache_root, site_cache, swap_into_place
from tps.sitemap.sitemap import Sitemap

from . import edits, structure

log = logging.getLogger(__name__)

PREVIEW = OUTPUT / "preview"


@dataclass
class Round:
    """What one update did."""

    kind: str  # "full" or "in place"
    seconds: float
    pages: int  # pages written
    changed: list[str] = field(default_factory=list)


class PreviewSite:
    """One site (public or internal) built with drafts, kept for the next edit."""

    def __init__(
        self,
        site: str,
        *,
        content: Path = CONTENT,
        output_root: Path = PREVIEW,
        settings: dict | None = None,
        cache_root: Path | None = None,
        search: bool = True,
    ):
        self.site, self.content = site, Path(content).resolve()
        self.output = Path(output_root).resolve() / site
        self.overrides = {"PREVIEW_DRAFTS": True, **(settings or {})}
        self.cache = site_cache(site, cache_root or default_cache_root())
        self.search = search
        self.pelican: Pelican | None = None
        self.dirty: list[str] = []  # the pages the last round in place wrote
        self.generators: list = []
        # The held posts' and pages' prints (structure.prints), taken once a
        # round's pages are served, so that adding a post takes only one.
        self.prints: dict | None = None
        self.lock = threading.Lock()  # one round at a time
        self.search_lock = threading.Lock()
        self._search_timer: threading.Timer | None = None

    # --- rounds ---------------------------------------------------------------

    def build(self) -> Round:
        """A full build in this process; on a content error nothing changes."""
        started = time.perf_counter()
        with self.lock:
            # The first build traces every page too: the folder it replaces
            # exists, even if empty, so the next edit can be applied in place.
            self.output.mkdir(parents=True, exist_ok=True)
            staging = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.site}-staging-", dir=self.output.parent
                )
            )
            try:
                pelican, generators = self._run(staging)
                swap_into_place(staging, self.output)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                STATE.unsaved = None  # traces of pages that were never served
                # What this process held may be half replaced: the next
                # change is a full build too.
                self.pelican, self.generators, self.prints = None, [], None
                raise
            self._serve_from(pelican, generators)
            pages = STATE.counts["rendered"]
            STATE.save_kept()  # once the pages are served
            self.prints = structure.prints(generators)
        self._index_search_soon()
        return Round("full", time.perf_counter() - started, pages)

    def update(self, paths: list[Path]) -> Round:
        """Apply the changed files: in place when each is a text edit of known
        content, else a full build."""
        started = time.perf_counter()
        result = None
        with self.lock:
            found = self._text_edits(paths)
            if found is not None:
                written = self._in_place(found)
                result = Round("in place", time.perf_counter() - started, written)
                self.prints = structure.prints(self.generators)  # once served
            elif (added := self._new_posts(paths)) is not None:
                try:
                    written = self._add(added)
                except BaseException:
                    # The held lists may be half made again: build in full.
                    self.pelican, self.generators, self.prints = None, [], None
                    log.warning("preview: a new post could not be added in place")
                else:
                    result = Round("in place", time.perf_counter() - started, written)
        if result is None:
            result = self.build()
        else:
            self._index_search_soon()
        result.changed = [str(p) for p in paths]
        return result

    def _holds_a_site(self) -> bool:
        """A build's site and traces are held: a change can go in place."""
        return self.pelican is not None and bool(STATE.kept.get(str(self.output)))

    def _new_posts(self, paths: list[Path]) -> list | None:
        if not self._holds_a_site():
            return None
        return structure.new_posts(self.generators, paths)

    def _add(self, added: list) -> int:
        """New posts listed with the ones held; the pages whose value that
        changed replayed, and written where they differ (begin_structural)."""
        articles = next(g for g in self.generators if type(g) is ArticlesGenerator)
        before = self.prints or structure.prints(self.generators)
        self.prints = None  # until the round is done
        relist_articles(articles, added)
        after = structure.prints(self.generators)
        changed = {key for key, value in after.items() if before.get(key) != value}
        STATE.begin_structural(
            str(self.output), changed, self.pelican.generators_context
        )
        self.dirty = sorted(STATE.dirty)
        written = self._write_round()
        # The other lists Pelican makes once every generator has read its
        # content (the search index, the sitemap's dates, fixed URLs), then
        # the sitemap of the pages now in place.
        signals.all_generators_finalized.send(self.generators)
        sitemap = Sitemap()
        sitemap.collect_dates(self.generators)
        sitemap.write(self.pelican)
        save_traces(self.pelican)
        self.prints = after
        return written

    def _text_edits(self, paths: list[Path]) -> list[edits.TextEdit] | None:
        if not self._holds_a_site():
            return None
        found = []
        for path in paths:
            edit = edits.text_edit(self.generators, path)
            if edit is None:
                return None
            found.append(edit)
        return found or None

    def _in_place(self, found: list[edits.TextEdit]) -> int:
        changed = {intrinsic_key(edit.held): edits.apply(edit) for edit in found}
        self.dirty = sorted(STATE.begin_in_place(str(self.output), changed))
        written = self._write_round()
        # Not Pelican's finalized: its other listeners (sitemap, image
        # stripping, asset fingerprints) write what a text edit cannot change.
        save_traces(self.pelican)
        return written

    def _write_round(self) -> int:
        """The pages of this round, into a scratch folder, then each moved
        over its namesake; returns how many were written."""
        pelican = self.pelican
        index_content(self.generators)
        pelican.generators_context["localsiteurl"] = pelican.settings["SITEURL"]
        scratch = Path(
            tempfile.mkdtemp(prefix=f".{self.site}-round-", dir=self.output.parent)
        )
        try:
            writer = IncrementalWriter(str(scratch), settings=pelican.settings)
            for generator in self.generators:
                if isinstance(generator, StaticGenerator):
                    continue  # no static file changed
                if isinstance(generator, ArticlesGenerator):
                    write_articles(generator, writer)
                elif hasattr(generator, "generate_output"):
                    generator.generate_output(writer)
            move_into_place(scratch, self.output)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return STATE.counts["rendered"]

    # --- Pelican in this process --------------------------------------------------

    def _run(self, staging: Path) -> tuple[Pelican, list]:
        settings = read_settings(
            str(SETTINGS[self.site]),
            override={
                **self.overrides,
                "PATH": str(self.content),
                "OUTPUT_PATH": str(staging),
                "CACHE_PATH": str(self.cache),
                "INCREMENTAL_PREVIOUS_OUTPUT": str(self.output),
                "INCREMENTAL_KEEP_IN_MEMORY": True,
                # Checked after each round by tps/preview/check.py, beside
                # this process: the editor's page does not wait for it.
                "VALIDATE_CONTENT": False,
            },
        )
        captured: list = []

        def capture(generators) -> None:
            captured[:] = generators

        signals.all_generators_finalized.connect(capture)
        try:
            pelican = Pelican(settings)
            pelican.run()
        finally:
            signals.all_generators_finalized.disconnect(capture)
        return pelican, captured

    def _serve_from(self, pelican: Pelican, generators: list) -> None:
        """The build's folder is now ``self.output``: what writes there next
        (an in-place round) must say so."""
        output = str(self.output)
        pelican.output_path = output
        pelican.settings["OUTPUT_PATH"] = output
        for generator in generators:
            generator.output_path = output
        pelican.generators_context = generators[0].context if generators else {}
        self.pelican, self.generators = pelican, generators

    # --- search ---------------------------------------------------------------------

    def _index_search_soon(self, delay: float = 2.0) -> None:
        """Pagefind over the preview once the edits pause: search is never
        what an editor waits for."""
        if not self.search:
            return
        if self._search_timer is not None:
            self._search_timer.cancel()
        self._search_timer = threading.Timer(delay, self.index_search)
        self._search_timer.daemon = True
        self._search_timer.start()

    def index_search(self) -> None:
        """Not under the round's lock: an edit saved meanwhile is applied at
        once. A full round that swaps the folder away mid-index loses that
        index, and arms the timer again."""
        if not self.search_lock.acquire(blocking=False):
            self._index_search_soon()  # the last one is still running
            return
        try:
            search_index.index(self.output)
        except (search_index.SearchIndexError, OSError) as error:
            log.warning("preview search not indexed: %s", error)
        finally:
            self.search_lock.release()

    def close(self) -> None:
        if self._search_timer is not None:
            self._search_timer.cancel()


def move_into_place(scratch: Path, output: Path) -> None:
    """Every file written in ``scratch`` replaces its namesake in ``output``
    in one rename, so a request never meets a half-written page."""
    for folder, _, files in os.walk(scratch):
        target = output / Path(folder).relative_to(scratch)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(Path(folder) / name, target / name)


# ArticlesGenerator's listings, by the template each renders: in place, the
# ones with no dirty page are not run (each first sorts every post into it).
LISTINGS = {
    "generate_period_archives": "period_archives",
    "generate_tags": "tag",
    "generate_categories": "category",
    "generate_authors": "author",
}


def write_articles(generator: ArticlesGenerator, writer) -> None:
    """ArticlesGenerator.generate_output, step by step (its public steps, in
    its order), leaving out the listings no dirty page belongs to."""
    generator.generate_feeds(writer)
    write = partial(
        writer.write_file, relative_urls=generator.settings["RELATIVE_URLS"]
    )
    generator.generate_articles(write)
    for step in ("generate_period_archives", "generate_direct_templates", "generate_tags",
                 "generate_categories", "generate_authors"):  # fmt: skip
        template = LISTINGS.get(step)
        if template is None or STATE.renders_with({f"{template}.html"}):
            getattr(generator, step)(write)
    generator.generate_drafts(write)
    signals.article_writer_finalized.send(generator, writer=writer)
