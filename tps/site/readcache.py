"""Markdown read once for both sites, on every core, and kept between builds.

A Pelican plugin (``PLUGINS = [..., "tps.site.readcache"]``): on
``readers_init`` it puts :class:`CachedMarkdownReader` in Pelican's place for
``.md`` files (``readers.reader_classes``, the documented extension point).
The reader is the site's Markdown reader (tps.markdown_reader's when the site
lists that plugin, else Pelican's own ``MarkdownReader``; its public ``read()``,
called unchanged), followed by the editor allowlist (tps.editor_html), with a
cache in front: what ``read()`` returned (the HTML and the header metadata) is
stored under a key made of

- the SHA-256 of the file's bytes (not its name, nor its time: a copy of the
  tree, or a file touched but not changed, is found too);
- the reader's *fingerprint*: every setting the result depends on (MARKDOWN,
  FORMATTED_FIELDS, the slug rules...), the metadata processors the reader
  applies, and the versions of Python, Pelican, python-markdown, cmark-gfm,
  nh3 and of the code of this module, of tps.editor_html and of the reader.

The store is one file per entry in ``<CACHE_PATH>/../markdown-reads/`` (next to
each site's Pelican cache folder, so the two sites share it); it is read when
``LOAD_CONTENT_CACHE`` is on and written when ``CACHE_CONTENT`` is. Nothing
here knows Pelican's own cache files.

Tag, author and category objects in the metadata carry the settings of the
site that made them: they are stored without them (``persistent_id``) and get
the settings of the site that loads them.

``prewarm`` (called by tps.site.build while each site's Pelican process starts
and waits at the gate) reads every file the store lacks, in parallel, with the
same reader: python-markdown is half of a cold build, and the public and
internal sites share almost every post, so each is converted once.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import marshal
import multiprocessing
import os
import pickle
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from pelican import signals
from pelican.readers import METADATA_PROCESSORS, MarkdownReader

from tps.core.paths import SETTINGS
from tps.editor_html import clean_editor_html

log = logging.getLogger(__name__)

FORMAT = 1
# Settings a Markdown read depends on (the settings the metadata processors
# give to Tag, Author and Category objects included).
READER_SETTINGS = (
    "MARKDOWN",
    "FORMATTED_FIELDS",
    "SLUGIFY_SOURCE",
    "SLUG_REGEX_SUBSTITUTIONS",
    "TAG_REGEX_SUBSTITUTIONS",
    "AUTHOR_REGEX_SUBSTITUTIONS",
    "CATEGORY_REGEX_SUBSTITUTIONS",
    "SLUGIFY_USE_UNICODE",
    "SLUGIFY_PRESERVE_CASE",
    "TIMEZONE",
    "DEFAULT_DATE_FORMAT",
)
FOLDER = "markdown-reads"
FEW = 20  # missing files that each Pelican process may as well read itself
PRUNE_AFTER = 7 * 86400  # entries of no file of the tree, older than a week, go


def _stable(value):
    """A repr that is the same in every process (no memory addresses)."""
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{_stable(k)}: {_stable(v)}"
            for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))
        ) + "}"  # fmt: skip
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_stable(v) for v in value) + "]"
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    if hasattr(value, "pattern"):  # a compiled regular expression
        return f"re({value.pattern!r}, {value.flags})"
    kind = value if isinstance(value, type) else type(value)
    return f"<{kind.__module__}.{kind.__qualname__}>"


def _function(function) -> str:
    code = getattr(function, "__code__", None)
    body = hashlib.sha256(marshal.dumps(code)).hexdigest() if code else ""
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}:{body}"


def _own_code(reader_class: type) -> bytes:
    """The code that makes a read: this module, the editor allowlist and,
    when it is ours, every module of the reader's package."""
    import tps.editor_html

    files = [Path(sys.modules[__name__].__file__), Path(tps.editor_html.__file__)]
    module = sys.modules[reader_class.__module__]
    if module.__name__.startswith("tps."):
        files += sorted(Path(module.__file__).parent.glob("*.py"))
    return b"".join(path.read_bytes() for path in files)


def base_reader(settings: dict) -> type[MarkdownReader]:
    """The Markdown reader the site's plugins give it: tps.markdown_reader's
    when PLUGINS lists it, else Pelican's own."""
    if "tps.markdown_reader" in (settings.get("PLUGINS") or []):
        from tps.markdown_reader import FastMarkdownReader

        return FastMarkdownReader
    return MarkdownReader


def fingerprint(reader: CachedMarkdownReader) -> str:
    """Everything besides the file's bytes that a read's result depends on."""
    inner = type(reader.inner)
    hasher = hashlib.sha256()
    hasher.update(
        " ".join(
            [
                str(FORMAT),
                sys.version,
                version("pelican"),
                version("markdown"),
                version("cmarkgfm"),
                version("nh3"),
                f"{type(reader).__module__}.{type(reader).__qualname__}",
                f"{inner.__module__}.{inner.__qualname__}",
                _function(type(reader).process_metadata),
            ]
        ).encode()
    )
    for name in READER_SETTINGS:
        hasher.update(f"\0{name}={_stable(reader.settings.get(name))}".encode())
    for name in sorted(METADATA_PROCESSORS):
        hasher.update(f"\0{name}:{_function(METADATA_PROCESSORS[name])}".encode())
    hasher.update(_own_code(inner))
    return hasher.hexdigest()


def store_folder(settings: dict) -> Path:
    """Shared by the sites: beside their own cache folders."""
    configured = settings.get("READ_CACHE_PATH")
    if configured:
        return Path(configured)
    return Path(settings["CACHE_PATH"]).resolve().parent / FOLDER


class _Pickler(pickle.Pickler):
    def __init__(self, file, settings):
        super().__init__(file, protocol=5)
        self.settings = settings

    def persistent_id(self, obj):
        return "settings" if obj is self.settings else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, settings):
        super().__init__(file)
        self.settings = settings

    def persistent_load(self, pid):
        if pid == "settings":
            return self.settings
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")


def _discarded(value) -> bool:
    """Pelican's metadata processors answer a bare ``object()`` sentinel for a
    field to drop (an empty ``Tags:``); ``Readers.read_file`` drops it by
    identity, which a stored copy would not keep. So the reader drops it
    itself (tests/site/test_fast_builds.py pins this)."""
    return type(value) is object


class CachedMarkdownReader(MarkdownReader):
    """The site's Markdown reader, then the editor allowlist, behind the store."""

    def __init__(self, settings):
        super().__init__(settings)
        self.inner = base_reader(self.settings)(self.settings)
        self.fingerprint = fingerprint(self).encode()
        self.folder = store_folder(self.settings)
        self.load = bool(self.settings.get("LOAD_CONTENT_CACHE"))
        self.save = bool(self.settings.get("CACHE_CONTENT"))

    def entry(self, data: bytes) -> Path:
        key = hashlib.sha256(self.fingerprint + b"\0" + data).hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def read(self, source_path):
        with open(source_path, "rb") as handle:
            data = handle.read()
        entry = self.entry(data)
        if self.load:
            found = self.cached(entry)
            if found is not None:
                return found
        content, metadata = self.inner.read(source_path)
        if content:
            content = clean_editor_html(content)
        metadata = {k: v for k, v in metadata.items() if not _discarded(v)}
        if isinstance(metadata.get("summary"), str) and metadata["summary"]:
            metadata["summary"] = clean_editor_html(metadata["summary"])
        if self.save:
            buffer = io.BytesIO()
            _Pickler(buffer, self.settings).dump((content, metadata))
            try:
                _write_entry(entry, buffer.getvalue())
            except OSError as error:  # a read-only cache: only slower
                log.debug("read cache not written: %s", error)
        return content, metadata

    def cached(self, entry: Path):
        try:
            with open(entry, "rb") as handle:
                return _Unpickler(handle, self.settings).load()
        except FileNotFoundError:
            return None
        except Exception as error:  # a damaged entry is read again
            log.debug("read cache entry %s unusable: %s", entry, error)
            return None


def _write_entry(entry: Path, data: bytes) -> None:
    """Whole or not at all, but not fsynced (write_atomic's fsync cost more
    than the read it saves): a cache entry lost in a crash is read again."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, entry)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def install_reader(readers) -> None:
    """Pelican's MarkdownReader, or a plugin's in its place (the cached
    reader reads through it: base_reader), out; the cached reader in."""
    for extension, cls in list(readers.reader_classes.items()):
        if cls is not None and issubclass(cls, MarkdownReader):
            readers.reader_classes[extension] = CachedMarkdownReader


def register() -> None:
    signals.readers_init.connect(install_reader)


# Pre-reading for both sites (tps.site.build) ------------------------------


def site_settings(site: str, content: Path, cache_path: Path | None) -> dict:
    from pelican.settings import read_settings

    override = {"PATH": str(content)}
    if cache_path:
        override["CACHE_PATH"] = str(cache_path)
    return read_settings(str(SETTINGS[site]), override=override)


def _usable(settings: dict) -> bool:
    return bool(
        settings.get("CACHE_CONTENT")
        and settings.get("LOAD_CONTENT_CACHE")
        and "tps.site.readcache" in (settings.get("PLUGINS") or [])
    )


_worker_reader: CachedMarkdownReader | None = None


def _worker_init(site: str, content: str, cache_path: str | None) -> None:
    global _worker_reader
    _worker_reader = CachedMarkdownReader(
        site_settings(site, Path(content), Path(cache_path) if cache_path else None)
    )


def _read(paths: list[str]) -> int:
    """In a worker: read (and so store) each file."""
    for path in paths:
        _worker_reader.read(path)
    return len(paths)


def _prune(folder: Path, keep: set[Path]) -> None:
    """At most once a day: forget entries that no file of this tree has and
    that were written more than a week ago (builds of test copies share the
    store, so an entry this tree lacks may be another tree's)."""
    marker = folder / ".pruned"
    now = time.time()
    try:
        if now - marker.stat().st_mtime < 86400:
            return
    except OSError:
        pass
    for entry in folder.glob("*/*.pickle"):
        try:
            if entry not in keep and now - entry.stat().st_mtime > PRUNE_AFTER:
                entry.unlink()
        except OSError:
            pass
    with contextlib.suppress(OSError):
        marker.touch()


def prewarm(
    sites: tuple[str, ...], content: Path, cache_root: Path | None = None
) -> int:
    """Store every Markdown file of ``content`` that the store lacks, read with
    each site's reader (one read serves every site with the same fingerprint
    and store), unless only a few are missing; returns how many files were
    read."""
    content = Path(os.path.abspath(content))
    caches = {
        site: (Path(cache_root) / f"pelican-{site}" if cache_root else None)
        for site in sites
    }
    settings = {site: site_settings(site, content, caches[site]) for site in sites}
    if not all(_usable(s) for s in settings.values()):
        return 0
    readers: dict[tuple[bytes, Path], str] = {}
    for site in sites:
        reader = CachedMarkdownReader(settings[site])
        readers.setdefault((reader.fingerprint, reader.folder), site)
    first = settings[sites[0]]
    paths = sorted(
        {
            str(path)
            for folder in (*first["ARTICLE_PATHS"], *first["PAGE_PATHS"])
            for path in (content / folder).rglob("*.md")
        }
    )
    data = {path: Path(path).read_bytes() for path in paths}
    total = 0
    for site in readers.values():
        reader = CachedMarkdownReader(settings[site])
        entries = {path: reader.entry(data[path]) for path in paths}
        missing = [path for path in paths if not entries[path].exists()]
        # A handful (an edit): reading them here, before the gate opens,
        # costs the build more than each site reading them itself, in
        # parallel (its reader stores them too). Only a speed choice.
        if len(missing) > FEW:
            total += _read_all(site, content, caches[site], missing)
        _prune(reader.folder, set(entries.values()))
    return total


def _read_all(site: str, content: Path, cache: Path | None, paths: list[str]) -> int:
    workers = min(os.cpu_count() or 1, max(1, len(paths) // 50))
    init = (site, str(content), str(cache) if cache else None)
    # Forking a process that runs other threads can copy a held lock into the
    # child; then (and for a few files) read here, in this process.
    if workers == 1 or threading.active_count() > 1:
        _worker_init(*init)
        return _read(paths)
    batches = [paths[n::workers] for n in range(workers)]
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=init,
    ) as pool:
        return sum(pool.map(_read, batches))
