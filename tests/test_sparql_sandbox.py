"""The sandboxed query child (graph.sparql.sandbox): the job the in-memory and on-disk engines
share, written once (issue 12: it was pasted into local.py and store.py)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph.sparql import sandbox
from graph.sparql.guard import Limits, QueryRefused
from graph.sparql.sandbox import Answer, QueryFailed, QueryTimeout, encode_term, run_sandboxed

SPARQL = Path(__file__).resolve().parents[1] / "graph" / "sparql"


def _select(n: int) -> Answer:
    return Answer("SELECT", vars=["n"], rows=([encode_term(Literal(i))] for i in range(n)))


def test_the_job_lives_in_the_sandbox_only() -> None:
    """No engine forks, caps memory, leaves the network or arms the audit hook by itself."""
    for path in SPARQL.glob("*.py"):
        if path.name == "sandbox.py":
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("multiprocessing", "addaudithook", "setrlimit", "unshare", "send_bytes", "get_context"):
            assert word not in text, f"{path.name} does part of the sandbox's job ({word})"


@pytest.mark.parametrize(("n", "rows", "truncated"), [(0, 0, False), (3, 3, False), (4, 3, True), (50, 3, True)])
def test_rows_are_cut_at_max_rows(n: int, rows: int, truncated: bool) -> None:
    result = run_sandboxed(lambda offline: _select(n), timeout=10, max_rows=3)
    assert (len(result.rows), result.truncated) == (rows, truncated)
    assert result.rows[:1] == ([(Literal(0),)] if n else [])


def test_triples_come_back_as_a_graph_with_our_prefixes() -> None:
    triple = [encode_term(URIRef("http://x/s")), encode_term(URIRef("http://x/p")), encode_term(Literal("o", lang="en"))]
    result = run_sandboxed(lambda offline: Answer("CONSTRUCT", rows=iter([triple])), timeout=10, max_rows=5)
    assert result.graph is not None and list(result.graph) == [
        (URIRef("http://x/s"), URIRef("http://x/p"), Literal("o", lang="en"))]
    assert dict(result.graph.namespaces())["dr"] == URIRef("https://w3id.org/datareach/ns#")


def test_errors_in_the_work_come_back_typed() -> None:
    def refuse(offline: bool) -> Answer:
        raise QueryRefused("no")

    def fail(offline: bool) -> Answer:
        raise KeyError("x" * 1000)

    with pytest.raises(QueryRefused, match="^no$"):
        run_sandboxed(refuse, timeout=10, max_rows=1)
    with pytest.raises(QueryFailed, match="^KeyError: ") as caught:
        run_sandboxed(fail, timeout=10, max_rows=1)
    assert len(str(caught.value)) == 500


def test_the_memory_cap_and_the_result_cap_hold() -> None:
    def hog(offline: bool) -> Answer:
        _ = bytearray(1024**3)
        return Answer("ASK", boolean=True)

    with pytest.raises(QueryFailed, match="out of memory"):
        run_sandboxed(hog, timeout=20, max_rows=1, limits=Limits(max_memory=400 * 1024**2))
    with pytest.raises(QueryFailed, match="too large"):
        run_sandboxed(lambda offline: _select(1000), timeout=10, max_rows=1000, limits=Limits(max_result_bytes=1000))


def test_a_slow_work_is_killed_at_the_deadline() -> None:
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="after 1 s"):
        run_sandboxed(lambda offline: time.sleep(60) or _select(1), timeout=1, max_rows=1)
    assert time.monotonic() - start < 5


def test_bad_budgets_are_refused_before_forking() -> None:
    for timeout, max_rows in ((0, 1), (-1, 1), (1, -1)):
        with pytest.raises(ValueError, match="timeout must be positive"):
            run_sandboxed(lambda offline: _select(1), timeout=timeout, max_rows=max_rows)


def test_the_audit_hook_refuses_a_socket_in_the_work() -> None:
    def connect(offline: bool) -> Answer:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
        return Answer("ASK", boolean=True)

    with pytest.raises(QueryRefused, match="tried to reach out"):
        run_sandboxed(connect, timeout=10, max_rows=1)


def test_offline_work_runs_with_no_network_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``offline``, the work learns whether the child left the network, and only then."""
    seen = run_sandboxed(lambda offline: Answer("ASK", boolean=offline), timeout=10, max_rows=0)
    assert seen.boolean is False
    sealed = run_sandboxed(lambda offline: Answer("ASK", boolean=offline), timeout=10, max_rows=0, offline=True)
    if not sealed.boolean:
        pytest.skip("this system allows no network namespace")
    monkeypatch.setattr(sandbox, "FORBIDDEN_EVENTS", frozenset())  # the namespace alone must hold

    def interfaces(offline: bool) -> Answer:
        up = [name for _, name in socket.if_nameindex() if name != "lo"]
        return Answer("SELECT", vars=["i"], rows=([encode_term(Literal(n))] for n in up))

    assert run_sandboxed(interfaces, timeout=10, max_rows=10, offline=True).rows == []
    with pytest.raises(QueryFailed, match="unreachable|refused"):
        run_sandboxed(lambda offline: socket.create_connection(("127.0.0.1", 9), timeout=1) and _select(1),
                      timeout=10, max_rows=1, offline=True)


def test_every_kind_of_term_comes_back_as_it_went() -> None:
    """The wire format is decoded by graph.sparql.result.make_term, as SPARQL JSON results are."""
    from rdflib import BNode
    from rdflib.namespace import XSD

    terms = [URIRef("http://x/a"), BNode("b1"), Literal("plain"), Literal("chat", lang="fr"),
             Literal("2018", datatype=XSD.gYear), None]
    answer = Answer("SELECT", vars=[f"v{i}" for i in range(len(terms))], rows=iter([[encode_term(t) for t in terms]]))
    assert run_sandboxed(lambda offline: answer, timeout=10, max_rows=1).rows == [tuple(terms)]
