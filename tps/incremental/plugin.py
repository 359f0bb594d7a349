"""Pelican wiring: hooks on every generator's Jinja environment, a Writer
(Pelican's own, supplied through ``get_writer``) whose templates are traced,
and the trace store in the site's cache (``<CACHE_PATH>/incremental.pickle``).
When a page's trace replays, its template renders as nothing; once Writer has
written that empty file, ``content_written`` replaces it with a hard link to
the previous build's file. Only public hooks: ``Writer.write_file`` and the
signals.

``INCREMENTAL_VERIFY`` (or the environment's ``TPS_INCREMENTAL_VERIFY=1``):
every page that is reused is rendered anyway and its bytes compared with the
reused file's; a difference stops the build with an error naming the page.

Reuse needs ``INCREMENTAL_PREVIOUS_OUTPUT``: the output folder this build will
replace (``tps.site.build`` passes it; the build writes into a fresh folder). Without
one (a first build, a publish) nothing is traced and the build is plain Pelican.
A page is reused only if the file there is the very one its trace describes
(size, time and inode), so a stale or foreign folder is never trusted.

Compiled templates are cached on disk as well (``<CACHE_PATH>/jinja-<version>``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import Writer

from tps.core.files import file_stamp

from . import session, store
from .session import VALUES, Unreplayable, intrinsic_key
from .trace import Recorder, TracingContext, replay

log = logging.getLogger(__name__)

CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations",
    "hidden_articles", "hidden_translations", "pages", "hidden_pages",
    "draft_pages", "draft_translations", "staticfiles",
)  # fmt: skip


class State:
    """One Pelican run's traces: the previous build's, and this build's."""

    def __init__(self):
        self.slot: list = [None]  # the Recorder of the render under way
        # The traces of the output folder a build in this process left, by
        # folder: a long-lived process (the preview) does not reload them.
        self.kept: dict[str, tuple[str, dict]] = {}
        self.reads: dict[str, tuple[list, frozenset]] = {}  # content_reads, by page
        self.unsaved: tuple | None = None  # (file, version, pages) not yet on disk
        self.reset(None)

    def reset(self, settings: dict | None) -> None:
        self.settings = settings
        self.new_round()
        self.in_place = False  # a round that rewrites the pages in the folder served
        self.dirty: set[str] | None = None  # in place: the only pages to write
        self.maybe: set[str] = set()  # in place: pages replayed, written if they differ
        self.structural = False  # in place, after content was added
        self.changed: set[tuple] = set()  # in place: the content keys edited
        self.outputs: dict[str, set[str]] = {}  # write_file name -> the pages it wrote
        self.call: str | None = None  # the write_file call under way
        self.place = ""  # in place: the folder the pages belong in
        self.templates: dict[str, str] = {}  # page -> the template it renders
        self.env_version, self.bytecode_folder = "", None
        self.prepared = False
        previous = (settings or {}).get("INCREMENTAL_PREVIOUS_OUTPUT")
        # Only a build that replaces an output traces its pages: a first build
        # (or a publish into a fresh folder) has no next build to save time for.
        self.enabled = bool(
            settings
            and settings.get("INCREMENTAL_RENDERING", True)
            and previous
            and Path(previous).is_dir()
        )
        self.previous_output = Path(previous) if self.enabled else None
        self.verify = verify_mode(settings)

    def save_kept(self) -> None:
        """Write the traces a build kept in memory (INCREMENTAL_KEEP_IN_MEMORY)
        to the cache, for the next process."""
        if self.unsaved is not None:
            path, version, pages = self.unsaved
            self.unsaved = None
            store.save(path, version, pages)

    def new_round(self) -> None:
        """What one build (or one round in place) records from scratch."""
        self.old, self.new, self.pending, self.index = {}, {}, {}, {}
        self.reuse: dict[str, Path] = {}  # output path -> the previous build's file
        self.linked: set[str] = set()  # output paths that are links to it
        self.counts = {"reused": 0, "rendered": 0, "untraceable": 0, "verified": 0}
        session.MEMO.clear()
        session.READS.clear()
        session.HELD.clear()

    def prepare(self) -> None:
        """Once, at the first generator: the environment's version (and so the
        compiled templates' folder and the traces still valid) covers the
        template search path, complete only once every plugin's ``initialized``
        handler put its templates folder there (tps/core/templates.py), in
        whatever order the signal called them."""
        if self.prepared or not self.settings:
            return
        self.prepared = True
        settings = self.settings
        self.env_version = store.environment_version(settings)
        self.bytecode_folder = _bytecode_folder(settings, self.env_version)
        if not self.enabled:
            return
        # One store per output folder: the preview's builds keep their own.
        previous = settings["INCREMENTAL_PREVIOUS_OUTPUT"]
        self.cache_file = Path(settings["CACHE_PATH"]) / store.file_name(previous)
        self.folder_key = str(Path(previous).resolve())
        version, pages = self.kept.get(self.folder_key, ("", {}))
        if version == self.env_version:
            self.old = pages
        else:
            self.old = store.load(self.cache_file, self.env_version)

    def begin_in_place(self, folder: str, changed: dict[tuple, set[str]]) -> set[str]:
        """A round of the preview after editing content in ``changed`` (keys of
        content objects edited in place, and the attributes that changed):
        only the pages whose trace read one of those (or that always render)
        are written again. The round's Writer
        writes into a scratch folder; ``finish_page`` drops the clean pages
        (rendered as nothing) and the caller moves the rest into the folder
        the last build left, each file whole. Returns the dirty pages."""
        self.folder_key = self.place = str(Path(folder).resolve())
        self.env_version, pages = self.kept[self.folder_key]
        self.new_round()
        self.old = dict(pages)
        self.in_place, self.changed, self.enabled = True, set(changed), True
        self.maybe, self.structural = set(), False
        wanted = {
            (key, attribute)
            for key, attributes in changed.items()
            for attribute in (*attributes, ANY)
        }
        self.dirty = {
            name
            for name, (entries, _) in self.old.items()
            if entries is None or not wanted.isdisjoint(self.reads_of(name, entries))
        }
        return self.dirty

    def begin_structural(
        self, folder: str, changed: set[tuple], context: dict
    ) -> tuple[set[str], set[str]]:
        """A round of the preview after content was added (``changed``: the
        keys of the content objects added or whose attributes changed, by
        value, anywhere below them): a page is left as it is only if it is a
        post's or page's own page whose trace read nothing but that content
        and other unchanged content, tags, categories and authors, and names
        of the context whose values (plain values only) are the same now. Every
        other page is replayed against the objects of now and written if it
        differs; a page the last build did not write is written. Returns the
        pages to write and the pages to replay."""
        self.begin_in_place(folder, {})
        self.changed, self.structural = set(changed), True
        values: dict[str, object] = {}
        self.maybe = {
            name
            for name, (entries, _) in self.old.items()
            if entries is not None
            and not self._stays(name, entries, self.changed, context, values)
        }
        return self.dirty, self.maybe

    def _stays(self, name, entries, changed, context, values) -> bool:
        own = None
        for op, key, _, expected in entries:
            if op == "r":
                if key in ("article", "page") and own is None and _is_key(expected):
                    own = expected[1]
                    continue
                if key in PER_PAGE:
                    continue
                if key not in context or not _plain_digest(expected):
                    return False
                if key not in values:
                    try:
                        values[key] = session.Session().digest(context[key])
                    except Unreplayable:
                        values[key] = None
                if values[key] != expected:
                    return False
                continue
            if op == "c":
                return False
            root = key
            while type(root) is tuple and root and type(root[0]) is tuple:
                root = root[0]
            if not (type(root) is tuple and root[:1] in (("content",), ("wrapper",))):
                return False
        if own is None or own in changed:
            return False
        return not any(key in changed for key, _ in self.reads_of(name, entries))

    def renders_with(self, templates: set[str]) -> bool:
        """In place: is a dirty page one of these templates' (by file name)?"""
        # A page of unknown template: any listing may hold it. After an
        # addition (begin_structural) a listing may have a new page: all run.
        return (
            self.dirty is None
            or self.structural
            or any(
                name not in self.templates or self.templates[name] in templates
                for name in self.dirty
            )
        )

    def reads_of(self, name: str, entries: list[tuple]) -> frozenset[tuple]:
        known = self.reads.get(name)
        if known is None or known[0] is not entries:
            known = self.reads[name] = (entries, content_reads(entries))
        return known[1]

    def skips(self, name: str) -> bool:
        """In place, a write_file call whose pages are all clean is not made."""
        if self.dirty is None:
            return False
        outputs = self.outputs.get(name)
        return (
            outputs is not None
            and self.dirty.isdisjoint(outputs)
            and self.maybe.isdisjoint(outputs)
        )

    def reusable(self, name: str, localcontext: dict, environment) -> Path | None:
        known = self.old.get(name)
        if not known or self.previous_output is None:
            return None
        entries, stamp = known
        if entries is None:
            return None
        previous = sanitised_join(str(self.previous_output), name)
        if file_stamp(previous) != stamp:
            return None
        try:
            same = replay(
                entries,
                localcontext,
                self.index,
                environment.untraced_getattr,
                environment.untraced_getitem,
            )
        except Unreplayable:
            return None
        except Exception as error:  # a read that fails now means: render it
            log.debug("replay of %s failed: %s", name, error)
            return None
        return Path(previous) if same else None


# What Pelican's Writer sets for each page from its name alone (the page's
# own URLs with RELATIVE_URLS): the same page, the same values.
PER_PAGE = frozenset({"SITEURL", "localsiteurl", "output_file"})


def _is_key(digest) -> bool:
    """The digest of a content object (its key): ("k", ("content", ...))."""
    return (
        type(digest) is tuple
        and len(digest) == 2
        and digest[0] == "k"
        and digest[1][:1] == ("content",)
    )


def _plain_digest(digest) -> bool:
    """A digest of values only: no object or content key anywhere in it."""
    if type(digest) is not tuple:
        return True
    if digest and digest[0] in ("k", "o"):
        return False
    return all(_plain_digest(part) for part in digest)


def verify_mode(settings: dict | None) -> bool:
    """INCREMENTAL_VERIFY (or TPS_INCREMENTAL_VERIFY=1, which the test suite
    sets): every reused page is rendered anyway and must give the bytes of the
    file it reuses, or the build fails naming the page."""
    if os.environ.get("TPS_INCREMENTAL_VERIFY", "") not in ("", "0"):
        return True
    return bool((settings or {}).get("INCREMENTAL_VERIFY", False))


def _bytecode_folder(settings: dict | None, version: str) -> Path | None:
    """This theme's and plugins' folder of compiled templates; older ones go.
    Each environment shape gets its own subfolder (``compiled_shape``)."""
    if not settings or not settings.get("JINJA_BYTECODE_CACHE", True):
        return None
    folder = Path(settings["CACHE_PATH"]) / f"jinja-{version[:16]}"
    for old in folder.parent.glob("jinja-*"):
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def compiled_shape(environment) -> str:
    """What, besides the template source and the theme/plugins (the folder's
    version), decides the code Jinja compiles: the options and whether a
    ``finalize`` hook exists (tracing sets one; code compiled with it calls
    ``environment.finalize`` and fails where it is None)."""

    def name(value) -> str:
        if value is None or isinstance(value, bool | str | int):
            return repr(value)
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"

    parts = [
        name(environment.finalize),
        name(environment.autoescape),
        *(
            repr(getattr(environment, option))
            for option in (
                "block_start_string",
                "block_end_string",
                "variable_start_string",
                "variable_end_string",
                "comment_start_string",
                "comment_end_string",
                "line_statement_prefix",
                "line_comment_prefix",
                "trim_blocks",
                "lstrip_blocks",
                "newline_sequence",
                "keep_trailing_newline",
                "optimized",
                "is_async",
            )
        ),
        *sorted(environment.extensions),
        name(environment.undefined),
        name(environment.code_generator_class),
    ]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()


STATE = State()


class IncrementalVerifyError(Exception):
    """INCREMENTAL_VERIFY: a page that would have been reused renders differently."""


def _first_difference(ours: bytes, theirs: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
        min(len(ours), len(theirs)),
    )
    return (
        f"first difference at byte {at}: the previous build has"
        f" {theirs[max(0, at - 40) : at + 40]!r}, a fresh render"
        f" {ours[max(0, at - 40) : at + 40]!r}"
    )


class TracedTemplate:
    """Stands in for a template in Writer.write_file: a reused page renders as
    nothing, and ``content_written`` (``finish_page``) puts the previous
    build's file in its place."""

    def __init__(self, template, writer: IncrementalWriter):
        self.template, self.writer = template, writer

    def render(self, localcontext: dict) -> str:
        name = localcontext["output_file"]
        STATE.templates[name] = self.template.name
        if STATE.in_place:
            return self.render_in_place(name, localcontext)
        path = sanitised_join(self.writer.output_path, name)
        if path in STATE.linked:
            # Writer opens the file next: never write through a link (the
            # file is the previous build's too, and may still be served).
            STATE.linked.discard(path)
            os.unlink(path)
        environment = self.template.environment
        previous = STATE.reusable(name, localcontext, environment)
        if previous is not None:
            if STATE.verify:
                self.verify(name, localcontext, previous)
            STATE.reuse[path] = previous
            STATE.pending[name] = STATE.old[name][0]
            STATE.counts["reused"] += 1
            return ""
        STATE.reuse.pop(path, None)
        return self.record(name, localcontext)

    def record(self, name: str, localcontext: dict) -> str:
        recorder = Recorder(localcontext, self.template.environment.globals)
        STATE.slot[0] = recorder
        try:
            output = self.template.render(localcontext)
        finally:
            STATE.slot[0] = None
        if recorder.unreplayable:
            log.debug("%s renders every build: %s", name, recorder.unreplayable)
            STATE.counts["untraceable"] += 1
        STATE.pending[name] = None if recorder.unreplayable else recorder.entries
        STATE.counts["rendered"] += 1
        return output

    def render_in_place(self, name: str, localcontext: dict) -> str:
        """The Writer writes into a scratch folder (``begin_in_place``): a
        clean page renders as nothing there and is dropped; a dirty one is
        rendered and moved into place whole."""
        if name in STATE.dirty or name not in STATE.old:
            return self.record(name, localcontext)
        if name in STATE.maybe and (
            STATE.reusable(name, localcontext, self.template.environment) is None
        ):
            return self.record(name, localcontext)
        if STATE.verify:
            self.verify(name, localcontext, Path(sanitised_join(STATE.place, name)))
        STATE.counts["reused"] += 1
        return ""

    def verify(self, name: str, localcontext: dict, previous: Path) -> None:
        """Render the page anyway (untraced) and compare it with the file that
        is about to be reused: the bytes Writer would write (UTF-8 text)."""
        fresh = self.template.render(localcontext).encode("utf-8")
        kept = previous.read_bytes()
        if fresh != kept:
            raise IncrementalVerifyError(
                f"INCREMENTAL_VERIFY: {name} would be reused from {previous},"
                f" but renders differently now; {_first_difference(fresh, kept)}"
            )
        STATE.counts["verified"] += 1

    def __getattr__(self, name):
        return getattr(self.template, name)


class IncrementalWriter(Writer):
    """Pelican's Writer (get_writer), with each template traced."""

    def write_file(self, name, template, context, *args, **kwargs):
        if not STATE.enabled:
            return super().write_file(name, template, context, *args, **kwargs)
        if STATE.skips(name):
            return None
        STATE.call = name
        STATE.outputs[name] = set()
        try:
            template = TracedTemplate(template, self)
            return super().write_file(name, template, context, *args, **kwargs)
        finally:
            STATE.call = None

    def write_feed(self, elements, context, *args, **kwargs):
        # In place, a feed none of whose entries was edited is the same file.
        if STATE.in_place and not any(
            intrinsic_key(element) in STATE.changed for element in elements
        ):
            return None
        return super().write_feed(elements, context, *args, **kwargs)


def finish_page(path, context) -> None:
    """After Writer wrote a page (``content_written``): a reused page's empty
    file gives way to a hard link to the previous build's; then the page's
    trace is kept with the stamp of the file now there."""
    name = context.get("output_file") if context else None
    if STATE.call is not None and name:
        STATE.outputs[STATE.call].add(name)
    if STATE.in_place and name not in STATE.pending:
        os.unlink(path)  # a clean page: the one in place stays
        return
    previous = STATE.reuse.pop(path, None)
    if previous is not None:
        os.unlink(path)
        try:
            os.link(previous, path)
        except OSError:  # another file system
            shutil.copy2(previous, path)
        STATE.linked.add(path)
    if name in STATE.pending:
        STATE.new[name] = (STATE.pending.pop(name), file_stamp(path))


ROOTS = (*session.INTRINSIC, "ctx")


ANY = "*"  # a trace that used the content itself: passed it to a call, printed it


def content_reads(entries: list[tuple]) -> frozenset[tuple]:
    """What a trace read of each content object: (its key, the attribute read
    on it), or (its key, ANY)."""
    found: set[tuple] = set()
    for op, key, arg, _ in entries:
        if op == "r":
            continue  # a name's value is its key; what is read of it follows
        if op in ("a", "i") and type(key) is tuple and key[:1] == ("content",):
            found.add((key, arg))
            continue
        while type(key) is tuple and key and key[0] not in ROOTS:
            if type(key[0]) is tuple and key[0][:1] == ("content",):
                found.add((key[0], key[2] if len(key) == 3 else ANY))
            key = key[0]
        if key[:1] == ("content",):
            found.add((key, ANY))
        if op == "c":
            recipe, kw = arg
            for kind, value in (*recipe, *(v for _, v in kw)):
                if kind == "k":
                    found.add((value, ANY))
    return frozenset(found)


def install_hooks(generator) -> None:
    """Before any template compiles: compiled templates are cached on disk, and
    reads, calls and prints report to STATE.slot."""
    environment = generator.env
    STATE.prepare()
    if STATE.enabled:
        _trace(environment)
    if STATE.bytecode_folder is not None:
        # Each generator has its own environment: without this every one of
        # them compiles the templates again. The folder is named after the
        # theme and plugins (a constant the ``asset`` filter folded into the
        # bytecode is never stale), the subfolder after the environment's
        # shape, taken once the hooks are in place.
        folder = STATE.bytecode_folder / compiled_shape(environment)
        folder.mkdir(exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def _trace(environment) -> None:
    slot = STATE.slot
    plain_getattr, plain_getitem = environment.getattr, environment.getitem

    def getattr_(obj, attribute):
        value = plain_getattr(obj, attribute)
        if slot[0] is not None:
            slot[0].read("a", obj, attribute, value)
        return value

    def getitem(obj, argument):
        value = plain_getitem(obj, argument)
        if slot[0] is not None:
            slot[0].read("i", obj, argument, value)
        return value

    def finalize(value):
        if slot[0] is not None and not isinstance(value, VALUES):
            slot[0].printed(value)
        return value

    environment.untraced_getattr = plain_getattr
    environment.untraced_getitem = plain_getitem
    environment.getattr, environment.getitem = getattr_, getitem
    environment.finalize = finalize
    environment.context_class = type(
        "PageContext", (TracingContext,), {"recorder_slot": slot}
    )


def index_content(generators) -> None:
    """Content and tags/categories/authors of this build, by the keys traces use."""
    index = STATE.index
    for generator in generators:
        for name in CONTENT_LISTS:
            for item in getattr(generator, name, None) or []:
                index.setdefault(intrinsic_key(item), item)
                for wrapper in (
                    getattr(item, "category", None),
                    getattr(item, "author", None),
                    *(getattr(item, "authors", None) or []),
                    *(getattr(item, "tags", None) or []),
                ):
                    if wrapper is not None and intrinsic_key(wrapper):
                        index.setdefault(intrinsic_key(wrapper), wrapper)


def save_traces(pelican) -> None:
    if not STATE.enabled:
        return
    if STATE.in_place:  # the pages not written this round keep their traces
        STATE.kept[STATE.folder_key] = (STATE.env_version, {**STATE.old, **STATE.new})
        STATE.in_place, STATE.dirty, STATE.changed = False, None, set()
        STATE.maybe, STATE.structural = set(), False
        return
    STATE.prepare()
    if pelican.settings.get("INCREMENTAL_KEEP_IN_MEMORY"):
        # The process that keeps them (the preview) writes them to disk once
        # its pages are in place (save_kept): no editor waits for the pickle.
        STATE.kept = {STATE.folder_key: (STATE.env_version, STATE.new)}
        STATE.unsaved = (STATE.cache_file, STATE.env_version, STATE.new)
    else:
        store.save(STATE.cache_file, STATE.env_version, STATE.new)
    counts = STATE.counts
    # One line in the build log (tps.site.build and `invoke build` show it).
    verified = (
        f"; INCREMENTAL_VERIFY: {counts['verified']} reused pages rendered"
        " anyway, every one the same"
        if STATE.verify
        else ""
    )
    print(
        f"Incremental rendering: {counts['reused']} pages reused,"
        f" {counts['rendered']} rendered ({counts['untraceable']} always render)"
        f"{verified}",
        flush=True,
    )


def start(pelican) -> None:
    STATE.reset(pelican.settings)


def get_writer(pelican):
    return IncrementalWriter


def register() -> None:
    signals.initialized.connect(start)
    signals.generator_init.connect(install_hooks)
    signals.all_generators_finalized.connect(index_content)
    signals.get_writer.connect(get_writer)
    signals.content_written.connect(finish_page)
    signals.finalized.connect(save_traces)
