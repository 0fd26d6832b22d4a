"""The SHACL shapes (``ontology/shapes.ttl``) compiled into checks that run on the whole graph.

pySHACL takes about 60 µs a triple (some 200 s at M, 3.3M triples), so the build used to
check only a sample of large graphs. ``Shapes.compile`` reads the shapes graph once and
turns each constraint into a small Python check; ``Shapes.validate`` runs them over every
focus node of a graph (a ``TripleIndex`` or an rdflib ``Graph``: anything with
``objects(s, p)`` and ``subjects(p, o)``), following the same rules as pySHACL with
``inference="none"`` and reporting each result as pySHACL does: focus node, path, value
and message.

Only the SHACL features ``shapes.ttl`` uses are supported (``SUPPORTED``): node shapes with
``sh:targetClass``; property shapes whose ``sh:path`` is one IRI; ``sh:minCount``,
``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:in``, ``sh:hasValue``, ``sh:node``,
``sh:or``, ``sh:pattern``, ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``,
``sh:maxInclusive`` and ``sh:message``. Any other term of the SHACL
namespace in the shapes graph raises ``UnsupportedShape``, so a new kind of constraint is
never silently ignored. Targets and ``sh:class`` follow ``rdf:type/rdfs:subClassOf*`` in
the data graph, as SHACL requires.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from graph import dates
from graph.build.emit import RDF_TYPE, RDFS_LABEL, SKOS_ALT, XSD_ANYURI, XSD_INTEGER
from graph.build.rdfinput import BASE
from graph.errors import Problem
from graph.model import ontology
from graph.model.vocab import FAST, PREFIXES

SH = "http://www.w3.org/ns/shacl#"

#: SHACL terms the compiler understands (predicates and the node-shape class).
SUPPORTED = frozenset(SH + name for name in (
    "NodeShape", "targetClass", "property", "path", "minCount", "maxCount", "class",
    "datatype", "in", "hasValue", "node", "or", "pattern", "minLength", "maxLength", "minInclusive", "maxInclusive",
    "message"))

# The build's own term objects: a dict look-up by the very object the data holds never calls
# rdflib's (Python-level) __eq__, which would otherwise dominate the checks' time.
_SHARED: dict[str, URIRef] = {str(t): t for t in (*(v for v in vars(FAST).values() if isinstance(v, URIRef)),
                                                  RDF_TYPE, RDFS_LABEL, SKOS_ALT, XSD_ANYURI, XSD_INTEGER)}


def _shared(term: Node) -> Node:
    """The build's own object for ``term`` when it has one, else ``term``."""
    return _SHARED.get(str(term), term) if type(term) is URIRef else term


_TYPE, _SUBCLASS, _STRING, _LANGSTRING = RDF_TYPE, RDFS.subClassOf, XSD.string, RDF.langString


_NONE: list[Node] = []  # no values (never appended to)


class UnsupportedShape(ValueError):
    """The shapes graph uses a SHACL feature the compiler does not support."""


class Data(Protocol):
    """What the checks read from a data graph (``TripleIndex`` and rdflib ``Graph`` both fit)."""

    def objects(self, subject: Any = None, predicate: Any = None) -> Iterator[Node]: ...

    def subjects(self, predicate: Any = None, object: Any = None) -> Iterator[Node]: ...  # noqa: A002

    def predicate_objects(self, subject: Any) -> Iterator[tuple[Node, Node]]: ...


@dataclass(frozen=True)
class Violation:
    """One validation result, as pySHACL reports it.

    ``path`` is None for a node-level constraint; ``value`` is None for a count or
    ``sh:hasValue`` result (which concerns the focus node's values as a whole).
    """

    focus: Node
    path: URIRef | None
    value: Node | None
    component: str
    message: str
    shape: Node


# ---------------------------------------------------------------- the compiled form

# A value test: (value, context) -> bool, True when the value conforms.
Test = Callable[[Node, "_Context"], bool]


@dataclass
class _Constraint:
    component: str  # sh:class, sh:datatype… (without the prefix)
    test: Test
    message: str  # pySHACL's default message for a failing value
    arg: Any = None  # the constraint's parameter (a class, a datatype, the allowed set, a length...), for the column route


@dataclass
class _Property:
    shape: Node
    path: URIRef
    min_count: int | None = None
    max_count: int | None = None
    has_value: list[Node] = field(default_factory=list)
    values: list[_Constraint] = field(default_factory=list)  # tested on each value node
    message: str | None = None

    optional: bool = False  # having no value at all conforms (no sh:minCount, no sh:hasValue)

    def __post_init__(self) -> None:
        self.optional = self.min_count is None and not self.has_value

    def count(self) -> int:
        return (self.min_count is not None) + (self.max_count is not None) + len(self.has_value) + len(self.values)


@dataclass
class _NodeShape:
    shape: Node
    targets: list[URIRef] = field(default_factory=list)
    node: list[_Constraint] = field(default_factory=list)  # tested on the focus node itself
    properties: list[_Property] = field(default_factory=list)
    message: str | None = None

    def count(self) -> int:
        return len(self.node) + sum(p.count() for p in self.properties)


class _Context:
    """The data graph with the subclass closure the class tests need (computed once)."""

    def __init__(self, data: Data) -> None:
        self.data = data
        self._sub: dict[Node, list[Node]] = {}
        for sub in set(data.subjects(_SUBCLASS, None)):
            for sup in data.objects(sub, _SUBCLASS):
                self._sub.setdefault(sup, []).append(sub)
        self._closure: dict[Node, frozenset[Node]] = {}
        self.verdicts: dict[Test, dict[Node, bool]] = {}  # memoised tests' verdicts (see _memo)

    def classes(self, cls: Node) -> frozenset[Node]:
        """``cls`` and every class below it (``rdfs:subClassOf*`` in the data graph)."""
        found = self._closure.get(cls)
        if found is None:
            seen, todo = {cls}, [cls]
            while todo:
                for sub in self._sub.get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            found = self._closure[cls] = frozenset(seen)
        return found

    def instances(self, cls: Node) -> Iterator[Node]:
        """The SHACL instances of ``cls``, each once."""
        seen: set[Node] = set()
        for c in self.classes(cls):
            for s in self.data.subjects(_TYPE, c):
                if s not in seen:
                    seen.add(s)
                    yield s


# ---------------------------------------------------------------- the compiler


def _label(g: Graph, node: Node) -> str:
    return node.n3(g.namespace_manager) if isinstance(node, (URIRef, Literal)) else "a blank-node shape"


def _only_shacl_we_know(g: Graph) -> None:
    unknown: dict[str, str] = {}
    for s, p, o in g:
        for term in (p, o) if p == _TYPE else (p,):
            if isinstance(term, URIRef) and str(term).startswith(SH) and str(term) not in SUPPORTED:
                unknown.setdefault(term.n3(g.namespace_manager), _label(g, s))
    if unknown:
        used = "; ".join(f"{term} (on {where})" for term, where in sorted(unknown.items()))
        raise UnsupportedShape(f"the shapes use SHACL the shapes compiler does not support: {used}. Supported: "
                               + ", ".join(sorted("sh:" + t[len(SH):] for t in SUPPORTED)))


class Shapes:
    """The shapes of a shapes graph, compiled into checks.

    >>> from graph.model import ontology
    >>> from rdflib import Graph
    >>> shapes = Shapes.compile(ontology.shapes_graph())
    >>> shapes.count > 50, shapes.validate(Graph())
    (True, [])
    """

    def __init__(self, shapes: list[_NodeShape], count: int) -> None:
        self._by_target: dict[URIRef, list[_NodeShape]] = {}
        for shape in shapes:
            for cls in shape.targets:
                self._by_target.setdefault(cls, []).append(shape)
        self.count = count  #: the number of constraint checks run on every focus node of their targets

    # ------------------------------------------------------------ compile

    @classmethod
    def compile(cls, g: Graph) -> Shapes:
        """Compile every targeted node shape of ``g``.

        Parameters
        ----------
        g : rdflib.Graph
            A SHACL shapes graph.

        Returns
        -------
        Shapes
            Ready to ``validate`` data graphs.

        Raises
        ------
        UnsupportedShape
            If ``g`` uses a SHACL term outside ``SUPPORTED``, a path that is not one IRI,
            or a malformed value (a count that is not an integer, a list that is not an RDF list).
        """
        _only_shacl_we_know(g)
        compiler = _Compiler(g)
        targeted = sorted({s for s in g.subjects(URIRef(SH + "targetClass"), None)}, key=str)
        shapes = [compiler.node_shape(s) for s in targeted]
        return cls(shapes, sum(s.count() for s in shapes))

    # ------------------------------------------------------------ validate

    def validate(self, data: Data) -> list[Violation]:
        """Every violation of the shapes in ``data``, in a stable order.

        Parameters
        ----------
        data : TripleIndex or rdflib.Graph
            The data graph (facts and the ontology, as given to pySHACL).

        Returns
        -------
        list of Violation
            Empty when ``data`` conforms.
        """
        ctx = _Context(data)
        found: list[Violation] = []
        for cls, shapes in self._by_target.items():  # each focus node's triples grouped once for all its shapes
            for focus in ctx.instances(cls):
                grouped = _grouped(data, focus)
                for shape in shapes:
                    _check(shape, focus, ctx, found, grouped)
        return sorted(set(found), key=lambda v: (str(v.focus), str(v.path), str(v.value), v.component, v.message))


    def subset(self, shapes: Sequence[_NodeShape]) -> Shapes:
        """These shapes alone (of this compiled set), with their targets."""
        return Shapes(list(shapes), sum(s.count() for s in shapes))

    def shapes(self) -> list[_NodeShape]:
        """Every targeted shape, each once, in target order."""
        seen: dict[int, _NodeShape] = {}
        for shapes in self._by_target.values():
            for shape in shapes:
                seen.setdefault(id(shape), shape)
        return list(seen.values())


class Columns:
    """The compiled shapes run over new triples held in columns (polars), a batch at a time,
    against a data graph that holds everything else (``base``: the per-row part and the ontology).

    The new triples are a frame of N-Triples terms, ``s``, ``p`` and ``o`` (``<iri>``,
    ``_:b`` or a quoted literal); their subjects are new nodes that ``base`` never names. The
    focus nodes are the new subjects typed (``rdf:type``, through ``rdfs:subClassOf*`` in
    ``base``) with a shape's target, as ``Shapes.validate`` finds them on ``base`` overlaid with
    the batch. Each constraint is the compiled one: counts (``sh:minCount``, ``sh:maxCount``,
    ``sh:hasValue`` of an IRI) are group-bys over the frame; a value constraint is decided by
    column expressions where the term's text settles it (``sh:in`` of IRIs, ``sh:datatype``,
    ``sh:minLength``/``sh:maxLength``, ``sh:class`` of a new node against the batch's own
    types, any test of a literal of another datatype), and otherwise by the compiled test run
    once per distinct term (a company, a data type, a date), its verdict kept for later batches.
    A shape the columns cannot state (a constraint on the focus node itself, an ``sh:hasValue``
    literal, an ``sh:node`` or ``sh:or`` reaching a new node) is handed back to be checked the
    row way (``Shapes.validate`` over the batch overlaid on ``base``).

    Only the failing rows become rdflib terms: the violations are the ``Violation`` objects
    ``Shapes.validate`` gives (focus node, path, value, component, message).
    """

    def __init__(self, shapes: Shapes, base: Data) -> None:
        self.all = shapes.shapes()
        self.ctx = _Context(base)
        self._verdicts: dict[tuple[int, str], bool] = {}

    def validate(self, triples: Any) -> tuple[list[Violation], Shapes | None]:
        """The violations among ``triples`` (a polars frame ``s``, ``p``, ``o`` of N-Triples
        terms), and the shapes left to check the row way on this batch (None when none are)."""
        import polars as pl

        if triples.height == 0:
            return [], None
        if triples.select((pl.col("p") == f"<{_SUBCLASS}>").any()).item():
            return [], Shapes(self.all, 0)  # new triples change the class tree: the row way
        types = triples.filter(pl.col("p") == f"<{_TYPE}>").select("s", "o")
        # every new node with its types in the batch: what a value that is a new node is looked up in
        subjects = (triples.select(pl.col("s").unique()).join(types.group_by("s").agg(types=pl.col("o")), on="s", how="left")
                    .select(o=pl.col("s"), types=pl.col("types").fill_null(pl.lit([], dtype=pl.List(pl.String))),
                            bulk=pl.lit(True)))
        by_path = {key[0]: part.select("s", "o") for key, part in triples.partition_by("p", as_dict=True).items()}
        found: list[Violation] = []
        left: list[_NodeShape] = []
        for shape in self.all:
            closure = sorted({f"<{c}>" for t in shape.targets for c in self.ctx.classes(t)})
            foci = types.filter(pl.col("o").is_in(closure)).select(pl.col("s").unique())
            if foci.height == 0:
                continue
            mine = self._shape(shape, foci, by_path, subjects)
            if mine is None:
                left.append(shape)
            else:
                found += mine
        return found, (Shapes(left, sum(s.count() for s in left)) if left else None)

    # ------------------------------------------------------------ one shape

    def _shape(self, shape: _NodeShape, foci: Any, by_path: dict[str, Any], subjects: Any) -> list[Violation] | None:
        import polars as pl

        if shape.node or any(not isinstance(hv, URIRef) for p in shape.properties for hv in p.has_value):
            return None
        out: list[Violation] = []
        empty = pl.DataFrame(schema={"s": pl.String, "o": pl.String})
        for prop in shape.properties:
            path = prop.path
            vals = by_path.get(f"<{path}>", empty).join(foci, on="s", how="semi").unique()  # a graph: each triple once
            needs_data = [c for c in prop.values if c.component not in _TERM_ONLY and c.component != "class"]
            if needs_data and vals.height and vals.join(subjects, on="o", how="semi").height:
                return None  # an sh:node or sh:or reaching a new node: the row way
            if prop.min_count is not None or prop.max_count is not None:
                counts = foci.join(vals.group_by("s").len(), on="s", how="left").with_columns(pl.col("len").fill_null(0))
                for bound, word, name in ((prop.min_count, "Less", "minCount"), (prop.max_count, "More", "maxCount")):
                    if bound is None:
                        continue
                    failing = pl.col("len") < bound if name == "minCount" else pl.col("len") > bound
                    for s in counts.filter(failing)["s"].to_list():
                        focus = URIRef(s[1:-1])
                        default = f"{word} than {bound} values on {focus.n3(_names())}->{path.n3(_names())}"
                        out.append(Violation(focus, path, None, name, prop.message or default, prop.shape))
            for wanted in prop.has_value:
                having = vals.filter(pl.col("o") == f"<{wanted}>")
                for s in foci.join(having, on="s", how="anti")["s"].to_list():
                    focus = URIRef(s[1:-1])
                    default = (f"Node {focus.n3(_names())}->{path.n3(_names())} does not contain a value in the set: "
                               f"[{wanted.n3(_names())}]")
                    out.append(Violation(focus, path, None, "hasValue", prop.message or default, prop.shape))
            if not prop.values or vals.height == 0:
                continue
            terms = _parsed(vals.select(pl.col("o").unique()), subjects)
            for c in prop.values:
                bad = self._failing(c, terms)
                if not bad:
                    continue
                rows = vals.join(pl.DataFrame({"o": bad}), on="o", how="semi")
                term = dict(zip(bad, rdf_terms(bad), strict=True))
                for s, o in rows.iter_rows():
                    v = term[o]
                    out.append(Violation(URIRef(s[1:-1]), path, v, c.component,
                                         prop.message or c.message.replace("{value}", _shown(v)), prop.shape))
        return out

    def _failing(self, c: _Constraint, terms: Any) -> list[str]:
        """The distinct terms (``o``) failing ``c``: settled by columns where the text does,
        else by ``c.test`` once per term."""
        import polars as pl

        decided = terms.select("o", ok=_settled(c, self.ctx))
        bad = decided.filter(pl.col("ok").not_())["o"].to_list()
        todo = decided.filter(pl.col("ok").is_null())["o"].to_list()
        fresh = [t for t in todo if (id(c), t) not in self._verdicts]
        for text, term in zip(fresh, rdf_terms(fresh), strict=True):
            self._verdicts[id(c), text] = c.test(term, self.ctx)
        return bad + [t for t in todo if not self._verdicts[id(c), t]]


# value constraints whose verdict depends on the term alone (never on the data graph)
_TERM_ONLY = frozenset({"datatype", "in", "pattern", "minLength", "maxLength", "minInclusive", "maxInclusive", "hasValue"})


def _parsed(terms: Any, subjects: Any) -> Any:
    """The distinct terms ``o`` with what the column tests read: the IRI, whether a literal or
    a blank node, the literal's datatype (``xsd:string`` or ``rdf:langString`` when not written)
    and its lexical form when its only escapes are ``\\"`` and ``\\\\`` (else null), whether
    the term is a new node, and its ``rdf:type`` objects in the batch."""
    import polars as pl

    o = pl.col("o")
    raw = o.str.extract(r'^"(.*)"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?$', 1)
    typed = o.str.extract(r'"\^\^<([^>]*)>$', 1)
    tagged = o.str.extract(r'"@([A-Za-z0-9-]+)$', 1)
    is_lit = o.str.starts_with('"')
    out = terms.with_columns(
        iri=pl.when(o.str.starts_with("<")).then(o.str.strip_prefix("<").str.strip_suffix(">")),
        lit=is_lit, bnode=o.str.starts_with("_:"),
        dtype=pl.when(is_lit).then(pl.coalesce(typed, pl.when(tagged.is_not_null()).then(pl.lit(str(_LANGSTRING)))
                                                .otherwise(pl.lit(str(_STRING))))),
        lex=pl.when(is_lit & ~raw.str.contains(r'\\[^"\\]')).then(raw.str.replace_all(r'\\(["\\])', "${1}")))
    return out.join(subjects, on="o", how="left").with_columns(pl.col("bulk").fill_null(False))


def _settled(c: _Constraint, ctx: _Context) -> Any:
    """A column expression: True or False where the term's text settles ``c``, else null."""
    import polars as pl

    unknown = pl.lit(None, dtype=pl.Boolean)
    if c.component == "class":
        closure = [f"<{k}>" for k in ctx.classes(c.arg)]
        member = pl.col("types").list.eval(pl.element().is_in(closure)).list.any().fill_null(False)
        return pl.when(pl.col("lit")).then(False).when(pl.col("bulk")).then(member).otherwise(unknown)
    if c.component == "datatype":
        plain = str(c.arg) in (str(_STRING), str(_LANGSTRING))
        return (pl.when(~pl.col("lit")).then(False).when(pl.col("dtype") != str(c.arg)).then(False)
                .otherwise(pl.lit(True) if plain else unknown))
    if c.component == "in" and all(isinstance(a, URIRef) for a in c.arg):
        return pl.col("o").is_in(sorted(f"<{a}>" for a in c.arg))
    if c.component in ("minLength", "maxLength"):
        length = pl.coalesce(pl.col("iri"), pl.col("lex")).str.len_chars()
        within = length >= c.arg if c.component == "minLength" else length <= c.arg
        return pl.when(pl.col("bnode")).then(False).when(length.is_null()).then(unknown).otherwise(within)
    return unknown


def rdf_terms(texts: Sequence[str]) -> list[Node]:
    """rdflib terms of N-Triples term texts (literals parsed by Oxigraph, all in one document)."""
    import pyoxigraph as ox

    out: list[Node | None] = [None] * len(texts)
    quoted = []
    for i, text in enumerate(texts):
        if text.startswith("<"):
            out[i] = _shared(URIRef(text[1:-1]))
        elif text.startswith("_:"):
            out[i] = BNode(text[2:])
        else:
            quoted.append(i)
    doc = "".join(f"<s:> <p:> {texts[i]} .\n" for i in quoted).encode("utf-8")
    for i, triple in zip(quoted, ox.parse(doc, format=ox.RdfFormat.N_TRIPLES), strict=True):
        out[i] = _literal(triple.object)
    return out  # type: ignore[return-value]


def _literal(t: Any) -> Literal:
    """An rdflib literal of an Oxigraph one."""
    dt = t.datatype.value
    if t.language:
        return Literal(t.value, lang=t.language)
    return Literal(t.value) if dt == str(_STRING) else Literal(t.value, datatype=URIRef(dt))


def _grouped(data: Data, focus: Node) -> dict[Node, list[Node]]:
    """The values of ``focus`` by predicate: one pass over its triples, not one look-up per property."""
    grouped: dict[Node, list[Node]] = {}
    for p, o in data.predicate_objects(focus):
        values = grouped.get(p)
        if values is None:
            grouped[p] = [o]
        else:
            values.append(o)
    return grouped


def _check(shape: _NodeShape, focus: Node, ctx: _Context, out: list[Violation] | None,
           grouped: dict[Node, list[Node]] | None = None) -> bool:
    """Check ``focus`` against ``shape``; append results to ``out`` (when given); True if it conforms.

    A focus node that is an instance of several target classes of one shape is checked once
    for each: the results are the same, and ``Shapes.validate`` keeps each once."""
    ok = True
    for c in shape.node:
        if not c.test(focus, ctx):
            if out is None:
                return False
            ok = False
            message = shape.message or c.message.replace("{value}", _shown(focus))
            out.append(Violation(focus, None, focus, c.component, message, shape.shape))
    if not shape.properties:
        return ok
    if grouped is None:
        grouped = _grouped(ctx.data, focus)
    for prop in shape.properties:
        values = grouped.get(prop.path, _NONE)
        if not values and prop.optional:  # the common case: an optional property left out
            continue
        if not _check_property(prop, focus, values, ctx, out):
            if out is None:
                return False
            ok = False
    return ok


def _check_property(prop: _Property, focus: Node, values: list[Node], ctx: _Context, out: list[Violation] | None) -> bool:
    """Check the ``values`` of ``focus`` against ``prop``; append results to ``out`` (when given)."""
    found: list[tuple[Node | None, str, str]] = []  # (value, component, pySHACL's message)
    path = prop.path
    if prop.min_count is not None and len(values) < prop.min_count:
        found.append((None, "minCount", f"Less than {prop.min_count} values on {focus.n3(_names())}->{path.n3(_names())}"))
    if prop.max_count is not None and len(values) > prop.max_count:
        found.append((None, "maxCount", f"More than {prop.max_count} values on {focus.n3(_names())}->{path.n3(_names())}"))
    for wanted in prop.has_value:
        if wanted not in values:
            found.append((None, "hasValue", f"Node {focus.n3(_names())}->{path.n3(_names())} does not contain a value in the set: [{wanted.n3(_names())}]"))
    if found and out is None:
        return False
    for c in prop.values:
        for v in values:
            if not c.test(v, ctx):
                if out is None:
                    return False
                found.append((v, c.component, c.message.replace("{value}", _shown(v))))
    if out is not None:
        out += [Violation(focus, path, v, component, prop.message or default, prop.shape) for v, component, default in found]
    return not found


class _Compiler:
    def __init__(self, g: Graph) -> None:
        self.g = g
        self.memo: dict[Node, _NodeShape] = {}
        self.open: set[Node] = set()  # shapes being compiled (a reference back to one is recursion)

    def all(self, node: Node, name: str) -> list[Node]:
        """The values of ``node sh:name`` (the build's own term objects where it has them)."""
        return [_shared(o) for o in self.g.objects(node, URIRef(SH + name))]

    def one(self, node: Node, name: str) -> Node | None:
        values = self.all(node, name)
        if len(values) > 1:
            raise UnsupportedShape(f"{_label(self.g, node)} has {len(values)} values of sh:{name}; the compiler takes one")
        return values[0] if values else None

    def integer(self, node: Node, name: str) -> int | None:
        value = self.one(node, name)
        if value is None:
            return None
        if not (isinstance(value, Literal) and isinstance(value.toPython(), int)):
            raise UnsupportedShape(f"sh:{name} of {_label(self.g, node)} is not an integer: {value.n3()}")
        return int(value.toPython())

    def items(self, node: Node, name: str) -> list[Node]:
        head = self.one(node, name)
        if head is None:
            return []
        if head != RDF.nil and self.g.value(head, RDF.first) is None:
            raise UnsupportedShape(f"sh:{name} of {_label(self.g, node)} is not an RDF list")
        return [_shared(item) for item in Collection(self.g, head)]

    def node_shape(self, node: Node) -> _NodeShape:
        """The shape ``node`` as a node shape (its value constraints tested on the focus node)."""
        if node in self.memo:
            if node in self.open:
                raise UnsupportedShape(f"{_label(self.g, node)} refers to itself through sh:node or sh:or "
                                       "(recursive shapes are not supported)")
            return self.memo[node]
        if self.one(node, "path") is not None:
            raise UnsupportedShape(f"{_label(self.g, node)} is used as a node shape but has an sh:path")
        shape = self.memo[node] = _NodeShape(node)
        self.open.add(node)
        shape.targets = [t for t in self.all(node, "targetClass") if isinstance(t, URIRef)]
        message = self.one(node, "message")
        shape.message = None if message is None else str(message)
        shape.node = self.value_constraints(node)
        for hv in self.all(node, "hasValue"):
            shape.node.append(_Constraint("hasValue", _equals(hv), f"Value is not {hv.n3()}"))
        for name in ("minCount", "maxCount"):
            if self.one(node, name) is not None:
                raise UnsupportedShape(f"sh:{name} on {_label(self.g, node)}, a node shape (it needs an sh:path)")
        shape.properties = [self.property_shape(p) for p in self.all(node, "property")]
        self.open.discard(node)
        return shape

    def property_shape(self, node: Node) -> _Property:
        path = self.one(node, "path")
        if not isinstance(path, URIRef):
            raise UnsupportedShape(f"the sh:path of {_label(self.g, node)} is not one IRI "
                                   "(sequence, alternative and inverse paths are not supported)")
        if self.one(node, "targetClass") is not None or self.one(node, "property") is not None:
            raise UnsupportedShape(f"{_label(self.g, node)} is a property shape with sh:targetClass or sh:property")
        message = self.one(node, "message")
        prop = _Property(node, path, self.integer(node, "minCount"), self.integer(node, "maxCount"),
                         list(self.all(node, "hasValue")), self.value_constraints(node),
                         None if message is None else str(message))
        return prop

    def value_constraints(self, node: Node) -> list[_Constraint]:
        """The constraints of ``node`` that test one value at a time."""
        out: list[_Constraint] = []
        g = self.g
        for cls in self.all(node, "class"):
            out.append(_Constraint("class", _has_class(cls), f"Value does not have class {_label(g, cls)}", cls))
        for dt in self.all(node, "datatype"):
            out.append(_Constraint("datatype", _has_datatype(dt), f"Value is not Literal with datatype {_label(g, dt)}", dt))
        if self.one(node, "in") is not None:
            allowed = self.items(node, "in")
            listed = ", ".join(_label(g, a) for a in allowed)
            out.append(_Constraint("in", _member(frozenset(allowed)), f"Value {{value}} not in list [{listed}]",
                                   frozenset(allowed)))
        for ref in self.all(node, "node"):
            out.append(_Constraint("node", _conforms(self.node_shape(ref)), f"Value does not conform to Shape {_label(g, ref)}"))
        if self.one(node, "or") is not None:
            branches = [self.branch(b) for b in self.items(node, "or")]
            out.append(_Constraint("or", _any_of(branches), "Node {value} must conform to one or more shapes in "
                                   + ", ".join(_label(g, b) for b in self.items(node, "or"))))
        for pattern in self.all(node, "pattern"):
            out.append(_Constraint("pattern", _matches(re.compile(str(pattern))), f"Value does not match pattern '{pattern}'"))
        length = self.integer(node, "minLength")
        if length is not None:
            out.append(_Constraint("minLength", _min_length(length), f"String length not >= {length}", length))
        longest = self.integer(node, "maxLength")
        if longest is not None:
            out.append(_Constraint("maxLength", _max_length(longest), f"String length not <= {longest}", longest))
        for name, above in (("minInclusive", True), ("maxInclusive", False)):
            bound = self.one(node, name)
            if bound is None:
                continue
            if not isinstance(bound, Literal):
                raise UnsupportedShape(f"sh:{name} of {_label(g, node)} is not a literal: {bound.n3()}")
            sign = ">=" if above else "<="
            out.append(_Constraint(name, _bounded(bound, above), f"Value is not {sign} {bound.n3()}"))
        return out

    def branch(self, node: Node) -> Test:
        """A member of an ``sh:or`` list: a property shape (tested on the focus node's values) or a node shape."""
        if self.one(node, "path") is not None:
            prop = self.property_shape(node)
            return lambda v, ctx: _check_property(prop, v, list(ctx.data.objects(v, prop.path)), ctx, None)
        return _conforms(self.node_shape(node))


# ---------------------------------------------------------------- value tests (pySHACL's rules)


def _memo(test: Test) -> Test:
    """``test`` remembering its verdict on IRIs and blank nodes for one validation (companies,
    claims and terms are tested again and again)."""
    def memo(v: Node, ctx: _Context) -> bool:
        if isinstance(v, Literal):
            return test(v, ctx)
        seen = ctx.verdicts.get(memo)
        if seen is None:
            seen = ctx.verdicts[memo] = {}
        verdict = seen.get(v)
        if verdict is None:
            verdict = seen[v] = test(v, ctx)
        return verdict
    return memo


def _has_class(cls: Node) -> Test:
    def test(v: Node, ctx: _Context) -> bool:
        if isinstance(v, Literal):
            return False
        classes = ctx.classes(cls)
        return any(t in classes for t in ctx.data.objects(v, _TYPE))
    return _memo(test)


def _has_datatype(dt: Node) -> Test:
    def test(v: Node, ctx: _Context) -> bool:
        if not isinstance(v, Literal):
            return False
        if v.datatype is None:  # a plain literal is xsd:string, or rdf:langString with a language
            return dt == (_STRING if v.language is None else _LANGSTRING)
        # rdflib leaves "2019-13"^^xsd:gYearMonth unchecked (ill_typed None): dates by the one rule
        return v.datatype == dt and v.ill_typed is not True and dates.well_formed(str(v), str(dt))
    return test


def _member(allowed: frozenset[Node]) -> Test:
    return lambda v, ctx: v in allowed


def _equals(wanted: Node) -> Test:
    return lambda v, ctx: v == wanted


def _conforms(shape: _NodeShape) -> Test:
    return _memo(lambda v, ctx: _check(shape, v, ctx, None))


def _any_of(branches: list[Test]) -> Test:
    return _memo(lambda v, ctx: any(b(v, ctx) for b in branches))


def _matches(pattern: re.Pattern[str]) -> Test:
    return lambda v, ctx: not isinstance(v, BNode) and pattern.search(str(v)) is not None


def _min_length(n: int) -> Test:
    return lambda v, ctx: not isinstance(v, BNode) and len(str(v)) >= n


def _max_length(n: int) -> Test:
    return lambda v, ctx: not isinstance(v, BNode) and len(str(v)) <= n


def _bounded(bound: Literal, above: bool) -> Test:
    """A literal at least (``above``) or at most ``bound``, as pySHACL compares them: a value
    that is not a literal, or cannot be compared with the bound, fails."""
    limit = bound.toPython()

    def test(v: Node, ctx: object) -> bool:
        if not isinstance(v, Literal) or v.ill_typed:
            return False
        try:
            return bool(v.toPython() >= limit) if above else bool(v.toPython() <= limit)
        except TypeError:
            return False

    return test


# ---------------------------------------------------------------- the build's shapes, and problems


@lru_cache(maxsize=1)
def ontology_shapes() -> Shapes:
    """``ontology/shapes.ttl`` compiled (cached).

    >>> ontology_shapes().count == Shapes.compile(ontology.shapes_graph()).count
    True
    """
    return Shapes.compile(ontology.shapes_graph())


def _shown(node: Node, limit: int = 200) -> str:
    """``node`` in Turtle with the project's prefixes, cut at ``limit`` characters (a value
    in the input may be a megabyte long)."""
    text = node.n3(_names())
    return text if len(text) <= limit else text[:limit] + "…"


@lru_cache(maxsize=1)
def _names() -> NamespaceManager:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g.namespace_manager


def problems(found: Iterable[Violation], natives: Sequence[tuple[Path, Graph]] = (),
             origins: Mapping[URIRef, tuple[str, int | None]] | None = None) -> list[Problem]:
    """One ``Problem`` per violation, in the file (and at the line) that states its focus node.

    Parameters
    ----------
    found : iterable of Violation
        What ``Shapes.validate`` returned.
    natives : sequence of (path, rdflib.Graph)
        The RDF-native input files as read: a focus node stated in one is reported there,
        at the first line that names it as a subject.
    origins : mapping, optional
        Where each node compiled from YAML or CSV came from (file, line), as
        ``graph.build.emit.Compiler`` notes it when asked. Other focus nodes (from the
        ontology) are reported by IRI, as pySHACL names them.

    Returns
    -------
    list of Problem
        Sorted; their messages start with "SHACL:".
    """
    names = _names()
    texts: dict[Path, list[str]] = {}
    out = []
    for v in found:
        field = "" if v.path is None else v.path.n3(names)
        home = next((path for path, g in natives if (v.focus, None, None) in g), None)
        origin = None if home is not None or origins is None or not isinstance(v.focus, URIRef) else origins.get(v.focus)
        if origin is not None:
            out.append(Problem(origin[0], origin[1], field, f"SHACL: {v.message} (focus node {v.focus.n3(names)})"))
            continue
        if home is None:
            out.append(Problem(f"<{v.focus}>" if not isinstance(v.focus, BNode) else "a blank node", None, field,
                               f"SHACL: {v.message}"))
            continue
        if home not in texts:
            texts[home] = _lines(home)
        line = None if isinstance(v.focus, BNode) else _subject_line(texts[home], v.focus, dict(natives)[home])
        out.append(Problem(str(home), line, field, f"SHACL: {v.message} (focus node {v.focus.n3(names)})"))
    return sorted(out, key=str)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _subject_line(lines: list[str], focus: Node, g: Graph) -> int | None:
    """The first line starting with a spelling of ``focus`` (full, relative to the base, or prefixed)."""
    iri = str(focus)
    spellings = [f"<{iri}>"]
    if iri.startswith(BASE):
        spellings.append(f"<{iri[len(BASE):]}>")
    spellings += [f"{prefix}:{iri[len(ns):]}" for prefix, ns in g.namespaces() if prefix and iri.startswith(str(ns))]
    spellings += [f'"@id": "{s[1:-1]}"' for s in spellings if s.startswith("<")]  # JSON-LD
    for number, text in enumerate(lines, 1):
        stripped = text.lstrip()
        if any(stripped.startswith(s) and stripped[len(s):len(s) + 1] in ("", " ", "\t", ";", ",", '"') for s in spellings):
            return number
    return None
