"""Helpers for the browser tests: Chromium's path and flags, fixture graphs, and ``Opened``
(a page plus the requests, console errors and dialogs it caused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"


def require_chromium() -> None:
    """Skip the calling module when Chromium is not installed (CI installs it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests",
                    allow_module_level=True)


@lru_cache(maxsize=4)
def _fixture_graph(name: str) -> nx.MultiDiGraph:
    from graph.build.loader import load
    from graph.build.projection import project

    return project(load([FIXTURES / name]).g)


def fixture_graph(name: str) -> nx.MultiDiGraph:
    """A fact file under tests/fixtures/ through the real loader and projection."""
    return _fixture_graph(name).copy()


@dataclass
class Opened:
    """A page and everything it tried: requests, console errors, dialogs."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def eval(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def assert_clean(self) -> None:
        assert self.requests == [], f"requests left file://: {self.requests}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.eval("typeof window.__pwned") == "undefined"

    def canvas_pixels(self) -> int:
        """How many sampled canvas pixels differ from the first one (0 = blank)."""
        return int(self.eval("""() => {
            const c = document.querySelector('#graph canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let differ = 0;
            for (let i = 0; i < d.length; i += 4 * 31) {
                if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) differ++;
            }
            return differ;
        }"""))

def ids_by_key(opened: Opened) -> dict[str, str]:
    """The page's opaque node id of each graph node key (company slug or dt:<slug>)."""
    return dict(opened.eval("datareach.nodes.get().map(n => [n.key, n.id])"))


def visible_facts(opened: Opened) -> list[str]:
    """The fact ids of the edges the filters leave visible."""
    return sorted(opened.eval("datareach.edgeView.get().map(e => e.fact)"))


def instrument(context: Any, allowed: str) -> Opened:
    """A new page in ``context`` whose requests outside ``allowed`` (a URL prefix) are
    blocked and recorded, with console errors and dialogs collected (dialogs dismissed)."""
    page = context.new_page()
    opened = Opened(page)

    def route(r: Any) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            opened.requests.append(r.request.url)
            r.abort()

    def dialog(d: Any) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    context.route("**/*", route)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("dialog", dialog)
    return opened
