"""The one way content YAML is read (unit files, blog.yaml, silenced.yaml):
bounded size, no anchors or aliases (a "billion laughs" file expands to
gigabytes), no duplicate keys, bounded nesting. Errors name the line."""

from __future__ import annotations

import yaml

MAX_BYTES = 512 * 1024  # the largest unit file is under 10 KB
MAX_DEPTH = 32

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlRefused(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


def load(text: str, loader: type = _SafeLoader) -> tuple[yaml.Node | None, object]:
    """The document's node tree (for error lines) and its data."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlRefused(
            0, f"is larger than {MAX_BYTES // 1024} KB: not a content file"
        )
    instance = loader(text)
    try:
        try:
            node = instance.get_single_node()
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise YamlRefused(
                mark.line + 1 if mark else 0, f"not valid YAML: {error}"
            ) from None
        if node is None:
            return None, None
        check(node)
        return node, instance.construct_document(node)
    finally:
        instance.dispose()


def check(root: yaml.Node) -> None:
    """Refuse aliases (a node reached twice), duplicate keys and deep nesting,
    without expanding anything: each node is visited once."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise YamlRefused(
                line,
                "uses a YAML anchor and alias (&name / *name): write the value out instead",
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlRefused(line, f"is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value == "<<":
                        raise YamlRefused(
                            key.start_mark.line + 1, "uses a YAML merge key (<<)"
                        )
                    if key.value in keys:
                        raise YamlRefused(
                            key.start_mark.line + 1,
                            f"'{key.value[:60]}' appears twice (first on line {keys[key.value]})",
                        )
                    keys[key.value] = key.start_mark.line + 1
                stack += [(key, depth + 1), (value, depth + 1)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, depth + 1) for item in node.value]


def short_repr(value: object, limit: int = 80) -> str:
    """A value for an error message: never the repr of something huge."""
    if isinstance(value, dict | list | tuple | set) and len(value) > 20:
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
