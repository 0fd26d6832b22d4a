"""A fast yes/no check of fact files against the JSON Schema.

jsonschema takes about half a millisecond per record, which is minutes at a million
records. This compiles the subset of JSON Schema our schema uses (type, enum, pattern,
min/maxLength, required, properties, additionalProperties false, items, min/maxItems,
local $ref, oneOf) into closures. The schema stays the single source of truth: when this check
says no, jsonschema runs to explain why, with lines and suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
_TYPES: dict[str, type] = {"string": str, "array": list, "object": dict}
_SUPPORTED = {"type", "enum", "pattern", "minLength", "maxLength", "required", "properties", "additionalProperties",
              "items", "minItems", "maxItems", "$ref", "description", "default", "title", "$schema", "$id", "$defs",
              "oneOf"}


def compile_schema(schema: dict[str, Any]) -> Check:
    """A function telling whether a value is valid under ``schema``.

    >>> ok = compile_schema({"type": "object", "required": ["a"], "additionalProperties": False,
    ...                      "properties": {"a": {"type": "string", "enum": ["x", "y"]}}})
    >>> ok({"a": "x"}), ok({"a": "z"}), ok({"a": "x", "b": "1"}), ok({})
    (True, False, False, False)
    """
    cache: dict[str, Check] = {}
    return _compile(schema, schema, cache)


def _compile(node: dict[str, Any], root: dict[str, Any], cache: dict[str, Check]) -> Check:
    unknown = set(node) - _SUPPORTED
    if unknown:
        raise ValueError(f"fastcheck does not support {sorted(unknown)}")
    if "$ref" in node:
        return _ref(node["$ref"], root, cache)
    checks: list[Check] = []
    if "type" in node:
        kind = _TYPES[node["type"]]
        checks.append(lambda v: isinstance(v, kind))
    checks += _scalar_checks(node)
    if "items" in node or "minItems" in node or "maxItems" in node:
        checks.append(_array(node, root, cache))
    if "properties" in node or "required" in node:
        checks.append(_object(node, root, cache))
    if "oneOf" in node:
        alternatives = [_compile(alt, root, cache) for alt in node["oneOf"]]
        checks.append(lambda v: sum(alt(v) for alt in alternatives) == 1)
    return lambda v: all(check(v) for check in checks)


def _ref(ref: str, root: dict[str, Any], cache: dict[str, Check]) -> Check:
    if ref not in cache:
        cache[ref] = lambda v: False  # placeholder for recursive references
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        cache[ref] = _compile(target, root, cache)
    return lambda v: cache[ref](v)


def _scalar_checks(node: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "enum" in node:
        allowed = set(node["enum"])
        checks.append(lambda v: v in allowed)
    if "pattern" in node:
        pattern = re.compile(node["pattern"])
        checks.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)
    low, high = node.get("minLength", 0), node.get("maxLength")
    if low or high is not None:
        checks.append(lambda v: not isinstance(v, str) or (len(v) >= low and (high is None or len(v) <= high)))
    return checks


def _array(node: dict[str, Any], root: dict[str, Any], cache: dict[str, Check]) -> Check:
    item = _compile(node["items"], root, cache) if "items" in node else (lambda v: True)
    low, high = node.get("minItems", 0), node.get("maxItems")
    return lambda v: not isinstance(v, list) or (
        len(v) >= low and (high is None or len(v) <= high) and all(item(x) for x in v))


def _object(node: dict[str, Any], root: dict[str, Any], cache: dict[str, Check]) -> Check:
    props = {k: _compile(v, root, cache) for k, v in node.get("properties", {}).items()}
    required = list(node.get("required", []))
    closed = node.get("additionalProperties") is False

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        if any(r not in v for r in required) or (closed and any(k not in props for k in v)):
            return False
        return all(props[k](x) for k, x in v.items() if k in props)

    return check
