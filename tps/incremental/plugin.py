"""Pelican wiring: hooks on every generator's Jinja environment, a Writer that
hard-links a page from the previous build when its trace replays, and the
trace store in the site's cache (``<CACHE_PATH>/incremental.pickle``).

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
        self.reset(None)

    def reset(self, settings: dict | None) -> None:
        self.settings = settings
        self.old, self.new, self.pending, self.index = {}, {}, {}, {}
        self.counts = {"reused": 0, "rendered": 0, "untraceable": 0}
        session.MEMO.clear()
        session.READS.clear()
        session.HELD.clear()
        self.env_version = store.environment_version(settings) if settings else ""
        self.bytecode_folder = _bytecode_folder(settings, self.env_version)
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
        if not self.enabled:
            return
        # One store per output folder: the preview's builds keep their own.
        self.cache_file = Path(settings["CACHE_PATH"]) / store.file_name(previous)
        self.old = store.load(self.cache_file, self.env_version)

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


class TracedTemplate:
    """Stands in for a template in Writer.write_file."""

    def __init__(self, template, writer: IncrementalWriter):
        self.template, self.writer = template, writer

    def render(self, localcontext: dict) -> str:
        name = localcontext["output_file"]
        environment = self.template.environment
        previous = STATE.reusable(name, localcontext, environment)
        if previous is not None:
            self.writer.reuse[sanitised_join(self.writer.output_path, name)] = previous
            STATE.pending[name] = STATE.old[name][0]
            STATE.counts["reused"] += 1
            return ""
        recorder = Recorder(localcontext, environment.globals)
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

    def __getattr__(self, name):
        return getattr(self.template, name)


class _Discard:
    def write(self, _text: str) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        pass


class IncrementalWriter(Writer):
    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.reuse: dict[str, Path] = {}
        self.linked: set[str] = set()

    def write_file(self, name, template, context, *args, **kwargs):
        if STATE.enabled:
            template = TracedTemplate(template, self)
        return super().write_file(name, template, context, *args, **kwargs)

    def _open_w(self, filename, encoding, override=False):
        previous = self.reuse.pop(filename, None)
        if filename in self.linked:
            # Never write through a link: the file belongs to the previous build too.
            self.linked.discard(filename)
            os.unlink(filename)
        if previous is None:
            return super()._open_w(filename, encoding, override)
        if filename in self._written_files:  # Writer's overwrite rules decide
            handle = super()._open_w(filename, encoding, override)
            handle.write(previous.read_text(encoding=encoding))
            return handle
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        try:
            os.link(previous, filename)
        except OSError:  # another file system
            shutil.copy2(previous, filename)
        self.linked.add(filename)
        return _Discard()


def install_hooks(generator) -> None:
    """Before any template compiles: compiled templates are cached on disk, and
    reads, calls and prints report to STATE.slot."""
    environment = generator.env
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


def stamp_written(path, context) -> None:
    name = context.get("output_file") if context else None
    if name in STATE.pending:
        STATE.new[name] = (STATE.pending.pop(name), file_stamp(path))


def save_traces(pelican) -> None:
    if not STATE.enabled:
        return
    store.save(STATE.cache_file, STATE.env_version, STATE.new)
    counts = STATE.counts
    # One line in the build log (tps.site.build and `invoke build` show it).
    print(
        f"Incremental rendering: {counts['reused']} pages reused,"
        f" {counts['rendered']} rendered ({counts['untraceable']} always render)",
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
    signals.content_written.connect(stamp_written)
    signals.finalized.connect(save_traces)
