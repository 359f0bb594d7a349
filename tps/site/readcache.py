"""Read every Markdown file once for both sites, on every core, into Pelican's
own reader cache.

Each site's Pelican process would otherwise convert the same Markdown itself:
python-markdown is half of a cold build, and the public and internal sites
share almost every post. What Pelican caches at its "reader" layer is exactly
``MarkdownReader.read(path)`` (the HTML and the header metadata), a function of
the file and of the reader settings (MARKDOWN, FORMATTED_FIELDS, slug rules),
which the two sites share (internal.conf.py changes none of them; `reader_key`
checks it). So those results are computed here once, in parallel, and written
into each site's cache file in Pelican's format, keyed and stamped as Pelican
keys and stamps them; Pelican then finds them fresh and reads nothing. Tag,
author and category objects in the metadata carry their site's settings, as if
that site had read the file itself.
"""

from __future__ import annotations

import copy
import gzip
import logging
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tps.core.files import write_atomic
from tps.core.paths import SETTINGS

log = logging.getLogger(__name__)

# Settings the reader output depends on; they must be equal across the sites.
READER_SETTINGS = (
    "MARKDOWN",
    "FORMATTED_FIELDS",
    "TYPOGRIFY",
    "READERS",
    "SLUGIFY_SOURCE",
    "SLUG_REGEX_SUBSTITUTIONS",
    "TAG_REGEX_SUBSTITUTIONS",
    "AUTHOR_REGEX_SUBSTITUTIONS",
    "CATEGORY_REGEX_SUBSTITUTIONS",
    "TIMEZONE",
    "DEFAULT_DATE_FORMAT",
    "CHECK_MODIFIED_METHOD",
)
CACHES = {"blogs": "ArticlesGenerator-Readers", "pages": "PagesGenerator-Readers"}


def site_settings(site: str, content: Path, cache_path: Path | None) -> dict:
    from pelican.settings import read_settings

    override = {"PATH": str(content)}
    if cache_path:
        override["CACHE_PATH"] = str(cache_path)
    return read_settings(str(SETTINGS[site]), override=override)


def reader_key(settings: dict) -> tuple:
    return tuple(repr(settings.get(name)) for name in READER_SETTINGS)


def _usable(settings: dict) -> bool:
    return (
        settings.get("CACHE_CONTENT")
        and settings.get("LOAD_CONTENT_CACHE")
        and settings.get("CONTENT_CACHING_LAYER") == "reader"
        and settings.get("CHECK_MODIFIED_METHOD") == "mtime"
    )


def _load(path: Path, gzipped: bool) -> dict:
    try:
        with (gzip.open if gzipped else open)(path, "rb") as handle:
            data = pickle.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, EOFError, pickle.PickleError, AttributeError, ImportError):
        return {}  # no cache yet, or an unreadable one: Pelican starts afresh too


def _save(path: Path, data: dict, gzipped: bool) -> None:
    pickled = pickle.dumps(data)
    write_atomic(path, gzip.compress(pickled) if gzipped else pickled)


_worker_settings: dict | None = None


def _worker_init(site: str, content: str) -> None:
    global _worker_settings
    _worker_settings = site_settings(site, Path(content), None)


def _reusing_reader(settings: dict):
    """Pelican's MarkdownReader, with one Markdown instance for every file:
    building one (extensions loaded by name, patterns compiled) cost half a
    millisecond a file. Between files it is reset, and the front matter
    preprocessor that reading metadata removes is put back. The test that
    compares shared reads with Pelican's own proves the output the same."""
    from markdown import Markdown
    from markdown.extensions.meta import MetaPreprocessor
    from pelican.readers import MarkdownReader
    from pelican.utils import pelican_open

    class ReusingMarkdownReader(MarkdownReader):
        _shared: Markdown | None = None

        def read(self, source_path):  # Pelican 4.12's, but for the instance
            self._source_path = source_path
            if self._shared is None:
                self._shared = Markdown(**self.settings["MARKDOWN"])
            else:
                self._shared.reset()
                if "meta" not in self._shared.preprocessors:
                    self._shared.preprocessors.register(
                        MetaPreprocessor(self._shared), "meta", 27
                    )
            self._md = self._shared
            with pelican_open(source_path) as text:
                content = self._md.convert(text)
            if hasattr(self._md, "Meta"):
                return content, self._parse_metadata(self._md.Meta)
            return content, {}

    return ReusingMarkdownReader(settings)


def _read(paths: list[str]) -> list[tuple[str, float, tuple]]:
    """In a worker: what Pelican's Readers.read_file caches for each path."""
    from pelican.readers import _filter_discardable_metadata

    reader = _reusing_reader(_worker_settings)
    done = []
    for path in paths:
        stamp = os.path.getmtime(path)
        content, metadata = reader.read(path)
        done.append((path, stamp, (content, _filter_discardable_metadata(metadata))))
    return done


def _rebind(metadata: dict, settings: dict) -> dict:
    """A copy whose Tag/Author/Category objects carry this site's settings (they
    keep the settings they were made with)."""
    from pelican.urlwrappers import URLWrapper

    def rebind(value):
        if isinstance(value, URLWrapper):
            value = copy.copy(value)
            value.settings = settings
        elif isinstance(value, list):
            value = [rebind(item) for item in value]
        return value

    return {key: rebind(value) for key, value in metadata.items()}


FEW = 20  # changed files that each Pelican process may as well read itself


def _few_changed(files: dict, settings: dict, sites: tuple[str, ...]) -> bool:
    """A handful of files changed since the caches were written: then loading
    and saving both caches (megabytes each) costs more than each site reading
    those few files itself. Only a speed choice: Pelican checks every file
    against its cache either way."""
    try:
        written = min(
            (Path(settings[site]["CACHE_PATH"]) / name).stat().st_mtime
            for site in sites
            for name in CACHES.values()
        )
    except OSError:
        return False  # a cache is missing: a first build
    changed = 0
    for paths in files.values():
        for path in paths:
            if os.path.getmtime(path) >= written:
                changed += 1
                if changed > FEW:
                    return False
    return True


def prewarm(
    sites: tuple[str, ...], content: Path, cache_root: Path | None = None
) -> int:
    """Fill each site's reader cache with every Markdown file that is missing
    or stale in any of them; returns how many files were read."""
    content = Path(os.path.abspath(content))  # as Pelican keys its cache
    settings = {
        site: site_settings(
            site, content, Path(cache_root) / f"pelican-{site}" if cache_root else None
        )
        for site in sites
    }
    if not all(_usable(s) for s in settings.values()):
        return 0
    if len({reader_key(s) for s in settings.values()}) != 1:
        log.warning("reader settings differ between sites: not sharing reads")
        return 0
    first = settings[sites[0]]
    files = {
        kind: sorted(
            {
                str(path)
                for folder in first[
                    "ARTICLE_PATHS" if kind == "blogs" else "PAGE_PATHS"
                ]
                for path in (content / folder).rglob("*.md")
            }
        )
        for kind in CACHES
    }
    if _few_changed(files, settings, sites):
        return 0
    caches = {
        (site, kind): _load(
            Path(settings[site]["CACHE_PATH"]) / name, settings[site]["GZIP_CACHE"]
        )
        for site in sites
        for kind, name in CACHES.items()
    }
    stale = sorted(
        {
            path
            for kind, paths in files.items()
            for path in paths
            for site in sites
            if caches[site, kind].get(path, (None,))[0] != os.path.getmtime(path)
        }
    )
    if not stale:
        return 0
    workers = min(os.cpu_count() or 1, max(1, len(stale) // 50))
    batches = [stale[n::workers] for n in range(workers)]
    # Forking a process that runs other threads can copy a held lock into the
    # child; then (and for a few files) read here, in this process.
    if workers == 1 or threading.active_count() > 1:
        _worker_init(sites[0], str(content))
        results = _read(stale)
    else:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
            initargs=(sites[0], str(content)),
        ) as pool:
            results = [row for batch in pool.map(_read, batches) for row in batch]
    read = {path: (stamp, data) for path, stamp, data in results}
    for site in sites:
        for kind, name in CACHES.items():
            cache = caches[site, kind]
            changed = False
            for path in files[kind]:
                if path in read:
                    stamp, (html, metadata) = read[path]
                    metadata = _rebind(metadata, settings[site])
                    cache[path] = (stamp, (html, metadata))
                    changed = True
            if changed:
                # Builds of other trees (test copies) share the default cache:
                # forget files that are gone, or the cache only ever grows.
                for gone in [key for key in cache if not os.path.exists(key)]:
                    del cache[gone]
                _save(
                    Path(settings[site]["CACHE_PATH"]) / name,
                    cache,
                    settings[site]["GZIP_CACHE"],
                )
    return len(stale)
