"""Fixtures that open generated pages in headless Chromium (Debian's package, never a
downloaded one) with every non-file request blocked; helpers live in browserkit.py.

tests/browser is a package so this conftest and its helpers never shadow tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from .browserkit import ARGS, ARTIFACTS, CHROMIUM, Opened, instrument, require_chromium


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """``open_page(path)``: load a file in a fresh context, network blocked, and wait for the first draw."""
    contexts = []

    def opener(path: Path, *, wait_drawn: bool = True, timeout_ms: int = 30_000) -> Opened:
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        opened = instrument(context, "file://")
        page = opened.page
        page.goto(path.resolve().as_uri())
        if wait_drawn:
            page.wait_for_function("document.body.dataset.drawn === '1'", timeout=timeout_ms)
        return opened

    yield opener
    for context in contexts:
        context.close()




@pytest.fixture(scope="session")
def write_page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``write_page(name, G, **render_kw)``: the page written once per session, its path returned."""
    from graph.viz.page import write_html

    folder = tmp_path_factory.mktemp("pages")
    made: dict[str, Path] = {}

    def writer(name: str, G: nx.MultiDiGraph, **kw: Any) -> Path:
        if name not in made:
            made[name] = write_html(G, folder / f"{name}.html", **kw)
        return made[name]

    return writer
