"""Keys and digests: how a trace names the objects a template met and what
their values were, the same way in the build that records and the build that
replays (see trace.py)."""

from __future__ import annotations

import hashlib
import types
from datetime import date, time

from jinja2 import Undefined
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
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
        if key[0] in INTRINSIC:
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
