"""SPARQL over an embedded on-disk Oxigraph store (``--store DIR``), for graphs too large
to reload into rdflib at every start (PERF.md: rdflib needs about 1.2 KB a triple).

The store is made from a build's N-Triples once (their size and sha256 checked against the
build's manifest first), in a temporary folder swapped into place, and marked with the
build's token; later runs open it read-only while that build is the current one. Queries pass the
same guard as ``run_query`` (size and nesting caps — pyoxigraph crashes on very deep
nesting — then rdflib's parser and the algebra walk refusing SERVICE, FROM and updates)
and run in a forked child that is killed at the deadline, since an Oxigraph query cannot
be interrupted. Bindings are written into the query as serialised terms, never as text.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.term import Node

from graph.buildfolder import Build, BuildDamaged, current
from graph.errors import DatareachError
from graph.sparql import (
    QueryResult,
    _decode_result,
    _encode_payload,
    _guarded,
    _install_guards,
    _limit_memory,
    _run_forked,
)
from graph.sparql_guard import DEFAULT_LIMITS, Limits, QueryRefused, prepare_safe, scan_text

MARK = "datareach-build.json"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class StoreBusy(DatareachError):
    """Another process holds the store's write lock."""


def ensure_store(out_dir: Path, store_dir: Path, build: Build | None = None) -> Path:
    """An Oxigraph store of ``build`` (default: the current build in ``out_dir``) at
    ``store_dir``, made if missing or of another build (its mark names the build's token)."""
    found = build if build is not None else current(out_dir)
    if found is None:
        raise BuildDamaged(f"no build in {out_dir}")
    if _mark(store_dir).get("token") == found.token:
        return store_dir
    nt = found.file("graph.nt", full=True)  # never a store of another build's triples
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    try:
        store = ox.Store(str(staging))
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        del store
        mark = {"token": found.token, "fingerprint": found.manifest.get("fingerprint")}
        (staging / MARK).write_text(json.dumps(mark), encoding="utf-8")
        old = store_dir.with_name(f".{store_dir.name}.old")
        if store_dir.exists():
            store_dir.rename(old)
        staging.rename(store_dir)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if "lock" in str(exc).lower():
            raise StoreBusy(f"the store {store_dir} is in use by another process; try again") from None
        raise
    return store_dir


def _mark(store_dir: Path) -> dict[str, Any]:
    """What the store at ``store_dir`` says it was made from ({} if nothing readable)."""
    try:
        mark = json.loads((store_dir / MARK).read_bytes())
    except (OSError, ValueError):
        return {}
    return mark if isinstance(mark, dict) else {}


def run_store_query(store_dir: Path, text: str | bytes, *, bindings: Mapping[str, Node] | None = None,
                    timeout: float = 10.0, max_rows: int = 100_000, limits: Limits = DEFAULT_LIMITS) -> QueryResult:
    """Check ``text`` as ``run_query`` does, then run it on the store in a killable child."""
    from graph.serve_remote import bind_text, with_prefixes

    checked = scan_text(text, limits=limits)
    prepare_safe(checked, limits=limits)  # the same refusals as for the in-memory graph
    query = with_prefixes(bind_text(checked, bindings or {}))
    _install_guards()

    def job(conn: Connection) -> None:
        try:
            _limit_memory(limits.max_memory)
            payload = _guarded(lambda: _evaluate(store_dir, query, max_rows))
        except QueryRefused as err:
            payload = {"refused": str(err)}
        except MemoryError:
            payload = {"error": "the query ran out of memory"}
        except Exception as err:
            payload = {"error": f"{type(err).__name__}: {err}"[:500]}
        conn.send_bytes(_encode_payload(payload, limits.max_result_bytes))
        conn.close()

    return _decode_result(_run_forked(job, timeout))


def _evaluate(store_dir: Path, query: str, max_rows: int) -> dict[str, Any]:
    store = ox.Store.read_only(str(store_dir))
    result = store.query(query)
    if isinstance(result, ox.QueryBoolean):
        return {"kind": "ASK", "boolean": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows: list[list[list[str | None] | None]] = []
        for solution in result:
            if len(rows) > max_rows:
                break
            rows.append([_enc(solution[name]) for name in names])
        return {"kind": "SELECT", "vars": names, "rows": rows[:max_rows], "truncated": len(rows) > max_rows}
    triples: list[list[list[str | None] | None]] = []
    for triple in result:
        if len(triples) > max_rows:
            break
        triples.append([_enc(triple.subject), _enc(triple.predicate), _enc(triple.object)])
    return {"kind": "CONSTRUCT", "triples": triples[:max_rows], "truncated": len(triples) > max_rows}


def _enc(term: Any) -> list[str | None] | None:
    """An Oxigraph term in run_query's wire format: [kind, value, datatype, language]."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["uri", term.value]
    if isinstance(term, ox.BlankNode):
        return ["bnode", term.value]
    datatype = None if term.language is not None else term.datatype.value
    if datatype == _XSD_STRING:  # rdflib writes a plain literal without a datatype
        datatype = None
    return ["literal", term.value, datatype, term.language]
