"""The endpoint writes SPARQL CSV as the protocol defines it; the CLI's csv stays spreadsheet-safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_serve_fixtures import get, running_server

QUERY = 'SELECT ?x ?n WHERE { BIND("=1+1" AS ?x) BIND(-5 AS ?n) }'


def test_endpoint_csv_is_the_raw_sparql_csv(default_build: Path) -> None:
    with running_server(default_build) as server:
        reply = get(server, "/sparql", params={"query": QUERY}, headers={"Accept": "text/csv"})
    assert reply.status == 200
    assert reply.text == "x,n\r\n=1+1,-5\r\n"


def test_cli_csv_defuses_spreadsheet_formulas(default_build: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "graph", "-q", "--out", str(default_build), "sparql", QUERY,
                           "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "'=1+1,'-5"


def test_query_page_downloads_defuse_formulas(default_build: Path) -> None:
    """The /query page's CSV/TSV links kept =… raw (a download meant for people); they ask for
    format=csv-safe / tsv-safe now, and the endpoint's plain csv stays the protocol's."""
    with running_server(default_build) as server:
        page = get(server, "/query", params={"query": QUERY})
        assert "format=csv-safe" in page.text and "format=tsv-safe" in page.text
        assert "format=csv&" not in page.text and "format=tsv&" not in page.text
        safe = get(server, "/sparql", params={"query": QUERY, "format": "csv-safe"})
        tsv = get(server, "/sparql", params={"query": QUERY, "format": "tsv-safe"})
        raw = get(server, "/sparql", params={"query": QUERY, "format": "csv"})
    assert safe.status == 200 and safe.headers["content-type"].startswith("text/csv")
    assert safe.text.splitlines()[1] == "'=1+1,'-5"
    assert tsv.text.splitlines()[1].startswith('"\'=1+1"')
    assert raw.text == "x,n\r\n=1+1,-5\r\n"
