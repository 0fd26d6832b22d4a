"""Packaging stays honest: the lowest-versions constraints pin exactly the lower bounds of
pyproject's ranges, and the test tools are pinned."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _pins(name: str) -> dict[str, str]:
    lines = (REPO / "constraints" / name).read_text(encoding="utf-8").splitlines()
    return {n.lower(): v for n, v in (line.split("==") for line in lines if line and not line.startswith("#"))}


def test_lowest_constraints_pin_every_lower_bound() -> None:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    bounds = {}
    for dep in deps:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", dep)
        assert match, f"{dep}: give every runtime dependency a lower bound (>=)"
        bounds[match.group(1).lower()] = match.group(2)
    pins = _pins("lowest.txt")
    assert set(pins) == set(bounds)
    for name, bound in bounds.items():
        assert tuple(int(x) for x in pins[name].split(".")) >= tuple(int(x) for x in bound.split(".")), name
        assert pins[name].startswith(bound), f"{name}: lowest.txt pins {pins[name]}, pyproject allows {bound}"


def test_every_test_tool_is_pinned() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pins = _pins("test.txt")
    for dep in extras["test"]:
        name = re.split(r"[<>=\[ ]", dep, maxsplit=1)[0].lower()
        assert name in pins, f"{name} (a test tool) is not pinned in constraints/test.txt"
