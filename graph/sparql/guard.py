"""The SPARQL query guard: read-only queries on the loaded graph, nothing else.

A query must pass two layers before it runs (SECURITY.md 2a-2g):

1. a linear pre-scan of the text, which never calls a parser (nor imports rdflib): size, valid UTF-8,
   nesting depth of ``( [ {`` (strings, IRIs and comments skipped), and the keywords
   SERVICE, FROM and the update verbs outside strings, IRIs and comments;
2. rdflib's *query* parser (run on a thread with a deep stack, so deep nesting is a
   clean refusal, not a crash), then a walk of the whole parse tree and algebra for
   ``SERVICE`` (also SILENT, variable IRIs, inside OPTIONAL/UNION/MINUS/EXISTS/subqueries)
   and dataset clauses (``FROM``/``FROM NAMED``).

Both layers see the text after ``\\uXXXX`` escapes are expanded, exactly once, as the
parser does, so ``\\u0053ERVICE`` is SERVICE to both.

>>> check_query("SELECT ?s WHERE { ?s ?p ?o }")
>>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:8000/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.sparql.guard.QueryRefused: SERVICE is not allowed: queries may not call other endpoints
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:  # rdflib's parser is imported when the second layer runs, not with this module
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query

T = TypeVar("T")

DEEP_STACK_BYTES = 256 * 1024 * 1024
DEEP_RECURSION_LIMIT = 20_000

MSG_SERVICE = "SERVICE is not allowed: queries may not call other endpoints"
MSG_FROM = "FROM / FROM NAMED is not allowed: queries run on the loaded graph only"
MSG_UPDATE = "updates are not allowed: read-only"

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# A letter, digit, _ - . : % \ or any non-ASCII character, written as "not the other ASCII characters":
# the class with the range \u0080-\U0010ffff took 4-13 ms to compile at every start.
_TOKEN = re.compile(r"[^\x00-\x24\x26-\x2c\x2f\x3b-\x40\x5b\x5d-\x5e\x60\x7b-\x7f]+")
_UPDATE_WORDS = frozenset(
    "INSERT DELETE LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING".split()
)
_OPENERS, _CLOSERS = "([{", ")]}"
# rdflib's expandUnicodeEscapes, without importing rdflib's parser (tests check they agree)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", flags=re.IGNORECASE)


class QueryRefused(ValueError):
    """The query is not allowed (too big, too deep, not read-only, reaches out)."""


@dataclass(frozen=True)
class Limits:
    """Caps on one query; the defaults suit a laptop and a shared endpoint alike.

    ``max_memory`` is the extra address space a query process may take (None: no cap);
    ``keyword_scan`` turns the textual pre-scan on (tests switch it off to prove the
    algebra walk alone refuses the same queries).
    """

    max_bytes: int = 100_000
    max_depth: int = 200
    max_memory: int | None = 2 * 1024**3
    max_result_bytes: int = 256 * 1024**2
    keyword_scan: bool = True


DEFAULT_LIMITS = Limits()


def check_query(text: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a query that is not a safe, read-only SPARQL query on the loaded graph.

    Parameters
    ----------
    text : str or bytes
        The query; bytes must be UTF-8.
    limits : Limits
        Size and depth caps.

    Raises
    ------
    QueryRefused
        With a message naming the reason.

    Notes
    -----
    This parses in the calling process with no time limit, and rdflib's parser is slow
    on some inputs (a 75 KB query of deep expressions takes half a minute). For
    untrusted text use :func:`graph.sparql.local.run_query`, which parses under its deadline.

    Examples
    --------
    >>> check_query("ASK { ?s ?p ?o }")
    >>> check_query("DROP ALL")
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: updates are not allowed: read-only (DROP)
    """
    prepare_safe(text, limits=limits)


def prepare_safe(text: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> Query:
    """Check a query and return it parsed and translated, ready for ``evalQuery``.

    What was checked is what runs: the caller evaluates this object, never the text.

    >>> prepare_safe("SELECT ?s WHERE { ?s a dr:Company }").algebra.name
    'SelectQuery'
    """
    expanded = scan_text(text, limits=limits)
    return run_deep(lambda: _parse_and_check(expanded))


def scan_text(text: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The linear pre-scan; return the text with ``\\uXXXX`` escapes expanded once.

    >>> scan_text("SELECT * { " + "(" * 300 + " }")
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: query is nested too deeply (more than 200 levels of ( [ {)
    """
    decoded = _decode(text, limits.max_bytes)
    try:
        expanded = expand_unicode_escapes(decoded)
    except ValueError as err:
        raise QueryRefused(f"not a valid SPARQL query: {err}") from None
    _check_unicode(expanded)
    _refuse_lone_cr(expanded)
    for word in _code_tokens(expanded, limits.max_depth):
        if limits.keyword_scan:
            _refuse_keyword(word)
    return expanded


def expand_unicode_escapes(text: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` escapes expanded once, exactly as rdflib's parser
    (``expandUnicodeEscapes``) does, without importing it.

    >>> expand_unicode_escapes(r"\\u0053ERVICE")
    'SERVICE'
    """

    def expand(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1), 16))
        except (ValueError, OverflowError) as e:
            raise ValueError("Invalid unicode code point: " + m.group(1)) from e

    return _UNICODE_ESCAPE.sub(expand, text)


def run_deep(fn: Callable[[], T]) -> T:
    """Call ``fn`` on a thread with a large stack and a high recursion limit.

    rdflib's parser recurses about 40 frames per nesting level; a RecursionError
    (never a C stack overflow) becomes a refusal.

    >>> run_deep(lambda: 6 * 7)
    42
    """
    box: dict[str, Any] = {}
    thread = _start_deep_thread(lambda: box.update(value=fn()), box)
    thread.join()
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


def _start_deep_thread(job: Callable[[], None], box: dict[str, Any]) -> threading.Thread:
    def target() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, DEEP_RECURSION_LIMIT))
        try:
            job()
        except RecursionError:
            box["error"] = QueryRefused(
                "query is nested too deeply for the parser (or one group is too long: split it)"
            )
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err
        finally:
            sys.setrecursionlimit(old)

    previous = threading.stack_size(DEEP_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="sparql-deep", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    return thread


def _decode(text: str | bytes, max_bytes: int) -> str:
    if len(text) > max_bytes:
        raise QueryRefused(f"query is too long ({len(text):,} > {max_bytes:,} bytes)")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise QueryRefused(f"query is not valid UTF-8 (byte {err.start})") from None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryRefused(f"query is too long ({size:,} > {max_bytes:,} bytes)")
    return text


def _check_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise QueryRefused(f"query is not valid Unicode (character {err.start})") from None


def _refuse_lone_cr(text: str) -> None:
    """Refuse a carriage return not followed by a line feed.

    rdflib ends a ``#`` comment only at ``\\n``, Oxigraph (and the SPARQL grammar) at
    ``\\r`` too, so ``# x\\rFILTER(false)`` or ``# x\\rSERVICE …`` would mean one thing to
    one engine and another to the other. ``\\r\\n`` reads the same to both.
    """
    at = re.search(r"\r(?!\n)", text)
    if at is not None:
        raise QueryRefused(
            f"a lone carriage return (\\r, character {at.start()}) is not allowed in a query: "
            "end lines with \\n or \\r\\n (write \\r inside strings as the escape \\\\r)"
        )


def _code_tokens(text: str, max_depth: int) -> Iterator[str]:
    """Yield the bare words outside strings, IRIs and comments; enforce the depth cap."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPENERS:
            depth += 1
            if depth > max_depth:
                raise QueryRefused(
                    f"query is nested too deeply (more than {max_depth} levels of ( [ {{)"
                )
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        i, word = _skip(text, i)
        if word is not None:
            yield word


def _skip(text: str, i: int) -> tuple[int, str | None]:
    """Return the index after the lexical unit at ``i`` and the bare word, if it is one."""
    ch = text[i]
    if ch == "#":
        end = min(_find(text, "\n", i), _find(text, "\r", i))
        return end, None
    if ch in "\"'":
        return _skip_string(text, i), None
    if ch == "<":
        m = _IRIREF.match(text, i)
        return (m.end() if m else i + 1), None
    m = _TOKEN.match(text, i)
    if m is None:
        return i + 1, None
    bare = i == 0 or text[i - 1] not in "?$@"
    return m.end(), (m.group().rstrip(".") if bare else None)


def _find(text: str, needle: str, start: int) -> int:
    found = text.find(needle, start)
    return len(text) if found < 0 else found


def _skip_string(text: str, i: int) -> int:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return len(text)


def _refuse_keyword(word: str) -> None:
    upper = word.upper()
    if upper in _UPDATE_WORDS:
        raise QueryRefused(f"{MSG_UPDATE} ({upper})")
    # Oxigraph's parser matches keywords without a word boundary: it reads
    # ``SERVICESILENT:x`` as ``SERVICE SILENT :x`` and ``1SERVICE`` as ``1 SERVICE``. So a
    # keyword glued into a longer bare word (before any ``:``; a local name is read whole)
    # counts too. A prefix named exactly ``service:`` or ``from:`` stays a name.
    head = upper.split(":", 1)[0]
    for keyword, message in (("SERVICE", MSG_SERVICE), ("FROM", MSG_FROM)):
        if upper == keyword:
            raise QueryRefused(message)
        if keyword in head and head != keyword:
            raise QueryRefused(f"{message} ({keyword} inside the word {word[:40]!r})")


def _parse_and_check(expanded: str) -> Query:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser as sparql_parser
    from rdflib.plugins.sparql.algebra import translateQuery

    from graph.model.vocab import PREFIXES

    try:
        tree = sparql_parser.Query.parse_string(expanded, parse_all=True)
    except ParseBaseException as err:
        _refuse_if_update(expanded)
        raise QueryRefused(f"not a valid SPARQL query: {err}") from None
    refuse_unsafe_parts(tree)
    _keep_constant_filters(tree)
    star = tree[1].name == "SelectQuery" and dict.get(tree[1], "projection") is None
    try:
        query = translateQuery(tree, initNs=PREFIXES)
    except RecursionError:
        raise
    except Exception as err:  # rdflib raises bare Exceptions for semantic errors
        raise QueryRefused(f"not a valid SPARQL query: {err}") from None
    refuse_unsafe_parts(query.algebra)
    if star:  # SELECT *: columns in a stable order, not set order
        query.algebra["PV"] = sorted(query.algebra["PV"])
    return query


def _keep_constant_filters(tree: object) -> None:
    """Make ``FILTER(false)`` (any constant literal) survive rdflib's translation.

    rdflib drops a group's filter when the expression is a falsy Python object
    (``if filters:``), so ``FILTER(false)``, ``FILTER(0)`` and ``FILTER("")`` kept every
    row, while Oxigraph (and the SPARQL semantics) keep none. ``c && true`` has the same
    effective boolean value (or error) as ``c`` and is never dropped.
    """
    from rdflib import Literal
    from rdflib.plugins.sparql.operators import ConditionalAndExpression
    from rdflib.plugins.sparql.parserutils import Expr

    for node in list(_walk(tree)):
        if node.name == "Filter" and isinstance(_collapsed(dict.get(node, "expr")), Literal):
            node["expr"] = Expr("ConditionalAndExpression", ConditionalAndExpression,
                                expr=node["expr"], other=[Literal(True)])


def _collapsed(expr: object) -> object:
    """What a chain of one-operand expressions reduces to (rdflib simplifies them away)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    while isinstance(expr, CompValue) and list(expr.keys()) == ["expr"]:
        expr = dict.get(expr, "expr")
    return expr


def _refuse_if_update(expanded: str) -> None:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser as sparql_parser

    try:
        sparql_parser.UpdateUnit.parse_string(expanded, parse_all=True)
    except ParseBaseException:
        return
    raise QueryRefused(MSG_UPDATE)


def refuse_unsafe_parts(tree: object) -> None:
    """Walk a parse tree or algebra (iteratively) and refuse SERVICE and dataset clauses.

    >>> from rdflib.plugins.sparql.parser import parseQuery
    >>> refuse_unsafe_parts(parseQuery("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"))
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: FROM / FROM NAMED is not allowed: queries run on the loaded graph only
    """
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(MSG_SERVICE)
        if node.name == "DatasetClause" or dict.get(node, "datasetClause") not in (None, []):
            raise QueryRefused(MSG_FROM)


def _walk(tree: object) -> Iterator[CompValue]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            yield node
            stack.extend(dict.values(node))
        elif isinstance(node, list | tuple | set | frozenset | ParseResults):
            stack.extend(node)
