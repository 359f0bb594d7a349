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

What the templates must keep to (they do; a read outside it makes the page
render every time, never a wrong page): attributes of objects are read through
Jinja, not inside custom filters (filters must be pure functions of their
arguments, like ``asset``); objects are compared by identity, not ``==``.
"""

from __future__ import annotations

import hashlib
import types
from datetime import date, time

from jinja2 import Undefined
from jinja2.runtime import (
    BlockReference,
    Context,
    LoopContext,
    Macro,
    TemplateReference,
    missing,
)
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

SHORT = 80  # strings up to this length are kept as they are, longer ones hashed
VALUES = (str, int, float, bool, type(None), date, time, Undefined)
CONTAINERS = (list, tuple, dict, set, frozenset)
# Template-internal objects: what they hold came from reads already recorded.
INTERNAL = (
    Namespace, LoopContext, Macro, Cycler, Joiner, TemplateReference,
    BlockReference, types.ModuleType,
)  # fmt: skip
MISSING = ("missing",)
# Kept for one build: id -> (container, digest); id -> (container, key, digest,
# [(object, key)]); (content key, read, localsiteurl) -> digest.
MEMO: dict[int, tuple] = {}
HELD: dict[int, tuple] = {}
READS: dict[tuple, object] = {}
INTRINSIC = ("content", "wrapper")

# What each type is, found once per type (most of a replay is telling them apart).
VALUE, CONTENT, WRAPPER, CONTAINER, OTHER = range(5)
_KINDS: dict[type, int] = {}


def kind_of(cls: type) -> int:
    found = _KINDS.get(cls)
    if found is None:
        if issubclass(cls, VALUES):
            found = VALUE
        elif issubclass(cls, Content):
            found = CONTENT
        elif issubclass(cls, URLWrapper):
            found = WRAPPER
        elif issubclass(cls, CONTAINERS):
            found = CONTAINER
        else:
            found = OTHER
        _KINDS[cls] = found
    return found


class Unreplayable(Exception):
    """The render read something the trace cannot check again."""


def intrinsic_key(obj) -> tuple | None:
    kind = kind_of(type(obj))
    if kind == CONTENT:
        return ("content", type(obj).__name__, obj.source_path)
    if kind == WRAPPER:
        return ("wrapper", type(obj).__name__, obj.slug)
    return None


def _hash(text: str) -> bytes:
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


class Session:
    """Keys of the objects one render (or one replay) has met, and their digests.
    Recording and replaying register objects in the same order, so equal data
    gives equal keys."""

    def __init__(self, index: dict | None = None):
        self.key_of_id: dict[int, tuple] = {}
        self.obj_of_key: dict[tuple, object] = {}
        self.alive: list = []  # registered objects outlive the session: ids stay unique
        self.index = index  # intrinsic key -> object of this build (replay)
        self.container_keys: dict[int, tuple] = {}  # nested containers' paths
        # ids of the objects (neither values, containers nor content) digested
        self.digested: list[int] = []

    def key(self, obj) -> tuple | None:
        found = intrinsic_key(obj)
        if found is not None:
            return found
        return self.key_of_id.get(id(obj))

    def register(self, obj, key: tuple) -> None:
        # Reads from values and containers are never recorded (their content
        # is in their digest); a container's path keys the objects it holds.
        kind = kind_of(type(obj))
        if kind in (VALUE, CONTENT, WRAPPER):
            return
        if kind == CONTAINER:
            if id(obj) not in self.container_keys:
                self.container_keys[id(obj)] = key
                self.alive.append(obj)
            return
        if id(obj) not in self.key_of_id:
            self.key_of_id[id(obj)] = key
            self.obj_of_key[key] = obj
            self.alive.append(obj)

    def resolve(self, key: tuple):
        if key[0] in ("content", "wrapper"):
            found = self.index.get(key) if self.index is not None else None
        else:
            found = self.obj_of_key.get(key)
        if found is None:
            raise Unreplayable(f"no object for {key!r} in this build")
        return found

    def digest(self, value):
        kind = type(value)
        if kind is str:
            return value if len(value) <= SHORT else ("#", _hash(value))
        if value is None or kind is bool:
            return value
        if kind is Markup:
            return ("M", value if len(value) <= SHORT else _hash(value))
        if kind is int or kind is float:
            return (kind.__name__, value)
        category = kind_of(kind)
        if category == CONTENT:
            return ("k", ("content", kind.__name__, value.source_path))
        if category == WRAPPER:
            return ("k", ("wrapper", kind.__name__, value.slug), str(value))
        if category == CONTAINER:
            return self._container(value)
        if category == VALUE:
            if isinstance(value, str):
                return (kind.__name__, _hash(value))
            if isinstance(value, Undefined):
                return ("undefined",)
            if isinstance(value, (int, float)):
                return (kind.__name__, value)
            return (  # dates and times
                kind.__name__,
                value.isoformat(),
                str(getattr(value, "tzinfo", None)),
            )
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            return ("f", getattr(value, "__module__", None), value.__qualname__)
        if isinstance(value, types.MethodType):
            return ("m", self.key(value.__self__), value.__name__)
        self.digested.append(id(value))
        key = self.key_of_id.get(id(value))
        own_str = type(value).__str__ is not object.__str__
        if hasattr(type(value), "__iter__") and not isinstance(value, INTERNAL):
            # A template may loop over it: what it yields is part of the value.
            if iter(value) is value:
                raise Unreplayable(f"an iterator ({type(value).__qualname__})")
            items = tuple(self._element(item, key, i) for i, item in enumerate(value))
            return ("o", type(value).__qualname__, key, items)
        return ("o", type(value).__qualname__, key, str(value) if own_str else None)

    def _container(self, value):
        """The same lists and dicts reach many pages, so their digests are kept
        for the build: outright when they hold only values and content; when
        they hold other objects, together with the keys those objects get, and
        reused only where none of them has a key yet (so the keys would be the
        same)."""
        known = MEMO.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        key = self.container_keys.get(id(value))
        held = HELD.get(id(value))
        if (
            held is not None
            and held[0] is value
            and held[1] == key
            and not any(id(obj) in self.key_of_id or id(obj) in self.container_keys
                        for obj, _ in held[3])
        ):  # fmt: skip
            for obj, obj_key in held[3]:
                self.register(obj, obj_key)
            return held[2]
        objects_before, registered_before = len(self.digested), len(self.alive)
        digest = self._container_digest(value)
        if len(self.digested) == objects_before:
            MEMO[id(value)] = (value, digest)
        elif key is not None:
            made = self.alive[registered_before:]
            fresh = {id(obj) for obj in made}
            if all(i in fresh for i in self.digested[objects_before:]):
                keys = [
                    (obj, self.container_keys.get(id(obj)) or self.key_of_id[id(obj)])
                    for obj in made
                ]
                HELD[id(value)] = (value, key, digest, keys)
        return digest

    def _container_digest(self, value):
        kind = type(value)
        key = self.container_keys.get(id(value))
        if isinstance(value, (list, tuple)):
            return (
                kind.__name__,
                tuple(self._element(item, key, i) for i, item in enumerate(value)),
            )
        if isinstance(value, dict):
            return (
                "dict",
                tuple(
                    (self.digest(k), self._element(item, key, k))
                    for k, item in value.items()
                ),
            )
        return ("set", tuple(sorted(repr(self.digest(item)) for item in value)))

    def _element(self, item, parent_key, position):
        if parent_key is not None:
            self.register(item, (parent_key, "#", position))
        return self.digest(item)


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
            if key[0] in INTRINSIC:
                # The same post's title, URL, summary... are read by many pages:
                # a digest that registers nothing is kept for the build. Content
                # links depend on the page's folder, hence localsiteurl.
                memo_key = (key, op, arg, root.get("localsiteurl"))
                known = READS.get(memo_key)
                if known is None:
                    parent = session.resolve(key)
                    value = getattr_(parent, arg) if op == "a" else getitem(parent, arg)
                    objects = len(session.digested)
                    known = session.digest(value)
                    if len(session.digested) == objects and not _needs_key(value):
                        READS[memo_key] = known
                    else:
                        session.register(value, (key, op, arg))
                        known = session.digest(value)
                if known != expected:
                    return False
                continue
            parent = session.resolve(key)
            value = getattr_(parent, arg) if op == "a" else getitem(parent, arg)
            session.register(value, (key, op, arg))
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


def _needs_key(value) -> bool:
    """Objects read later through this one need it registered."""
    return not (
        isinstance(value, VALUES + CONTAINERS) or intrinsic_key(value) is not None
    )


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
