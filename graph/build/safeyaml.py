"""A strict YAML reader for fact files.

Every scalar stays the string the author wrote (YAML 1.1 would turn ``NO`` into False
and ``0123`` into 83); anchors, aliases, tags and duplicate keys are refused; nesting
is capped. Each value's line is kept so errors can name it (SECURITY.md 4a–4d).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from graph.build.inputs import bad_character

MAX_DEPTH = 64
C_THRESHOLD = 64 * 1024  # files this large are composed by libyaml (C) when it is available
_CLoader = getattr(yaml, "CBaseLoader", None)
MAX_BYTES = 20 * 1024 * 1024
_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}

Path = tuple[str | int, ...]


class YamlRefused(ValueError):
    """The text is not YAML we accept; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class _StrictLoader(yaml.BaseLoader):
    """BaseLoader (all scalars are strings) that refuses aliases, anchors and deep nesting."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused("aliases (*name) are not allowed in fact files", line)
        if getattr(event, "anchor", None) is not None:
            raise YamlRefused("anchors (&name) are not allowed in fact files", line)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlRefused(f"nesting deeper than {MAX_DEPTH} levels", line)
        try:
            node = super().compose_node(parent, index)
            assert node is not None
            return node
        finally:
            self._depth -= 1


def load(text: str, *, max_chars: int = MAX_BYTES) -> tuple[Any, dict[Path, int]]:
    """Parse ``text``; return the data (dicts, lists, strings) and each path's line.

    >>> data, lines = load("status: NO\\ncount: 0123\\nat: 12:30\\n")
    >>> data
    {'status': 'NO', 'count': '0123', 'at': '12:30'}
    >>> lines[("count",)]
    2
    >>> load("a: 1\\na: 2\\n")
    Traceback (most recent call last):
    ...
    graph.build.safeyaml.YamlRefused: duplicate key 'a' (first at line 1)
    """
    if len(text) > max_chars:
        raise YamlRefused(f"file larger than {max_chars // (1024 * 1024)} MB", None)
    if len(text) >= C_THRESHOLD and _CLoader is not None and _shallow(text):
        return _load_with(_CLoader, text)
    try:
        loader = _StrictLoader(text)
    except yaml.YAMLError as exc:
        raise YamlRefused(f"not valid YAML: {exc}".splitlines()[0], _reader_line(text, exc)) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise YamlRefused(f"not valid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(f"not valid YAML: {exc}", None) from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    return _to_python(node, (), lines, set()), lines


def _load_with(loader_class: Any, text: str) -> tuple[Any, dict[Path, int]]:
    """Compose with libyaml (C); aliases show up as a node reached twice and are refused."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlRefused(f"not valid YAML: {exc.problem or exc.context}", None if mark is None else mark.line + 1) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(f"not valid YAML: {exc}".splitlines()[0], None) from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    return (None if node is None else _to_python(node, (), lines, set())), lines


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'')


def _shallow(text: str) -> bool:
    """True when flow nesting and indentation are modest enough for the recursive C composer."""
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", _QUOTED.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    indent = max((len(m) for m in re.findall(r"^ +", text, flags=re.M)), default=0)
    return deepest <= MAX_DEPTH and indent <= 4 * MAX_DEPTH


def _reader_line(text: str, exc: yaml.YAMLError) -> int | None:
    position = getattr(exc, "position", None)
    return None if position is None else text.count("\n", 0, position) + 1


def _to_python(node: Node, path: Path, lines: dict[Path, int], seen: set[int]) -> Any:
    line = node.start_mark.line + 1
    lines[path] = line
    if id(node) in seen:
        raise YamlRefused("aliases (*name) are not allowed in fact files", line)
    seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        raise YamlRefused(f"tag '{node.tag}' is not allowed in fact files", line)
    if isinstance(node, ScalarNode):
        return _text(node.value, line)
    if isinstance(node, SequenceNode):
        return [_to_python(item, (*path, i), lines, seen) for i, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    return _mapping(node, path, lines, seen)


def _text(value: str, line: int) -> str:
    """A scalar as it is, unless it holds what no output can store: a NUL (``"\\0"``) or a
    lone surrogate (``"\\ud800"``), which would pass here and fail when the graph is written."""
    reason = bad_character(value)
    if reason is not None:
        raise YamlRefused(f"the value {reason}", line)
    return value


def _mapping(node: MappingNode, path: Path, lines: dict[Path, int], seen: set[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode) or key_node.tag not in _PLAIN_TAGS:
            raise YamlRefused("mapping keys must be plain text", line)
        key = _text(key_node.value, line)
        if key in first:
            raise YamlRefused(f"duplicate key '{key}' (first at line {first[key]})", line)
        first[key] = line
        out[key] = _to_python(value_node, (*path, key), lines, seen)
        lines[(*path, key)] = line  # a field is where its key is, even when its value starts below
    return out
