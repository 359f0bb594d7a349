"""What a page's template read, recorded while it renders, and checked again later.

Jinja sends every ``obj.attr`` and ``obj[item]`` through ``Environment.getattr``
and ``getitem``, every call through ``Context.call``, every top-level name
through ``Context.resolve_or_missing`` and every ``{{ value }}`` through
``finalize``. Hooked there, a render leaves a list of *reads*: which object
(by a key stable across builds), which attribute or item, and a digest of what
came back. A later build replays the list against its own objects: when every
read gives the same digest, the template saw the same data, so it would write
the same bytes.

Keys: content by class and source path, tags/categories/authors by class and
slug, anything else by the path it was reached by (``article.blog``,
``BLOGS[2]``). Digests are shallow: an object is its key, and what the
template used of it is in the reads of its attributes, so editing one post does
not change every page that links to one that links to it.

What the templates must keep to (ours do): attributes of objects are read
through Jinja, not inside custom filters (filters must be pure functions of
their arguments, like ``asset``), and objects are compared by identity, not
``==``. A template that broke these could be reused when it should not be;
anything else the trace cannot check again (an iterator, an object it has no
key for) makes the page render every time.
"""

from __future__ import annotations

import types

from jinja2.runtime import Context, missing
from pelican.urlwrappers import URLWrapper

from .session import (
    CONTAINERS,
    INTERNAL,
    INTRINSIC,
    MISSING,
    OTHER,
    READS,
    VALUES,
    Session,
    Unreplayable,
    kind_of,
)

__all__ = ["Recorder", "Session", "TracingContext", "Unreplayable", "replay"]


PLAIN = VALUES + CONTAINERS + INTERNAL
PLAIN_OWNERS = VALUES + CONTAINERS
PLAIN_TYPES: set[type] = set()  # exact types already found plain (a fast path)


def _plain(obj) -> bool:
    """Reads from these give results that depend on nothing but the object's
    value, and that value was recorded when the object was."""
    kind = type(obj)
    if kind in PLAIN_TYPES:
        return True
    if isinstance(obj, PLAIN):
        PLAIN_TYPES.add(kind)
        return True
    if kind_of(kind) != OTHER:
        return False
    return isinstance(obj, (types.MethodType, types.BuiltinMethodType)) and isinstance(
        getattr(obj, "__self__", None), PLAIN_OWNERS
    )


class Recorder:
    """Records the reads of one render."""

    def __init__(self, root: dict, env_globals: dict):
        self.root = root
        self.env_globals = env_globals
        self.session = Session()
        self.entries: list[tuple] = []
        self.seen: set = set()
        self.unreplayable: str | None = None

    def give_up(self, why: str) -> None:
        if self.unreplayable is None:
            self.unreplayable = why

    def name(self, name: str, value) -> None:
        if name in self.seen or self.unreplayable:
            return
        self.seen.add(name)
        if value is missing:
            self.entries.append(("r", name, None, MISSING))
            return
        self.session.register(value, ("ctx", name))
        self.entries.append(("r", name, None, self._digest(value)))

    def read(self, op: str, obj, arg, value) -> None:
        if self.unreplayable or _plain(obj):
            return
        parent = self.session.key(obj)
        if parent is None:
            self.give_up(f"read .{arg} of an untraced {type(obj).__name__}")
            return
        if not isinstance(arg, (str, int)):
            self.give_up(f"item {type(arg).__name__} of {parent!r}")
            return
        seen = (op, parent, arg)
        if seen in self.seen:
            return
        self.seen.add(seen)
        self.session.register(value, (parent, op, arg))
        self.entries.append((op, parent, arg, self._digest(value)))

    def call(self, function, args: tuple, kwargs: dict, result) -> None:
        if self.unreplayable:
            return
        key = self.session.key(function)
        if key is None:
            self.give_up(
                f"called an untraced {getattr(function, '__qualname__', function)}"
            )
            return
        recipe = tuple(self._recipe(a) for a in args)
        kw = tuple((k, self._recipe(v)) for k, v in sorted(kwargs.items()))
        if self.unreplayable:
            return
        self.session.register(result, (key, "()", recipe, kw))
        self.entries.append(("c", key, (recipe, kw), self._digest(result)))

    def printed(self, value) -> None:
        if self.unreplayable or isinstance(value, URLWrapper):
            return  # a tag's, category's or author's digest holds its text
        key = self.session.key(value)
        if key is None:
            self.give_up(f"printed an untraced {type(value).__name__}")
            return
        self.entries.append(("s", key, None, str(value)))

    def _digest(self, value):
        try:
            return self.session.digest(value)
        except Unreplayable as why:
            self.give_up(str(why))
            return None

    def _recipe(self, value):
        if value is None or isinstance(value, (str, int, float, bool)):
            return ("v", value)
        key = self.session.key(value)
        if key is None:
            self.give_up(f"passed an untraced {type(value).__name__} to a call")
            return None
        return ("k", key)


def replay(entries: list[tuple], root: dict, index: dict, getattr_, getitem) -> bool:
    """True when every read gives the digest it gave when recorded."""
    session = Session(index)
    for op, key, arg, expected in entries:
        if op == "r":
            if key not in root:
                if expected != MISSING:
                    return False
                continue
            value = root[key]
            session.register(value, ("ctx", key))
        elif op == "a" or op == "i":
            # The same post's title, URL, summary... are read by many pages: a
            # digest that holds no session key is kept for the build. Content
            # links depend on the page's folder, hence localsiteurl.
            memo = (key, op, arg, root.get("localsiteurl"))
            known = READS.get(memo) if key[0] in INTRINSIC else None
            if known is None:
                parent = session.resolve(key)
                value = getattr_(parent, arg) if op == "a" else getitem(parent, arg)
                session.register(value, (key, op, arg))
                objects = len(session.digested)
                known = session.digest(value)
                if (
                    key[0] in INTRINSIC
                    and len(session.digested) == objects
                    and kind_of(type(value)) != OTHER
                ):
                    READS[memo] = known
            if known != expected:
                return False
            continue
        elif op == "c":
            function = session.resolve(key)
            recipe, kw = arg
            value = function(
                *(session_value(session, r) for r in recipe),
                **{k: session_value(session, r) for k, r in kw},
            )
            session.register(value, (key, "()", recipe, kw))
        elif op == "s":
            if str(session.resolve(key)) != expected:
                return False
            continue
        else:
            return False
        if session.digest(value) != expected:
            return False
    return True


def session_value(session: Session, recipe: tuple):
    kind, value = recipe
    return value if kind == "v" else session.resolve(value)


class TracingContext(Context):
    """Reports top-level names read from the page's own context, and calls."""

    recorder_slot: list  # [Recorder | None], shared with the environment hooks

    def resolve_or_missing(self, key: str):
        value = super().resolve_or_missing(key)
        recorder = self.recorder_slot[0]
        if recorder is not None and key not in self.vars:
            if value is missing:
                if key not in recorder.env_globals:
                    recorder.name(key, missing)
            elif recorder.root.get(key, missing) is value:
                recorder.name(key, value)
        return value

    def call(__self, __obj, *args, **kwargs):
        result = super().call(__obj, *args, **kwargs)
        recorder = __self.recorder_slot[0]
        if (
            recorder is not None
            and not _plain(__obj)
            and not _internal_call(__obj, recorder)
        ):
            clean = {
                k: v
                for k, v in kwargs.items()
                if k not in ("_loop_vars", "_block_vars")
            }
            recorder.call(__obj, args, clean, result)
        return result


def _internal_call(function, recorder: Recorder) -> bool:
    if isinstance(function, INTERNAL):
        return True
    owner = getattr(function, "__self__", None)
    if owner is not None and isinstance(owner, INTERNAL):
        return True
    # Jinja's own globals (range, dict, namespace...) are pure.
    return any(function is g for g in recorder.env_globals.values())
