"""Questions answered inside a SPARQL server (or an Oxigraph store): fetch only their scope.

``reach``, ``table`` and ``owner`` need a small part of a large graph. Rather than
downloading every triple, :class:`ScopeReader` asks the server for the facts in a
question's scope, pages through them, and describes only those facts, what they cite
and the parties they name. The triples fetched are projected (``graph.build.projection``)
and the usual question functions answer on them, so the answers are the local build's:

- the *frame*: the data-type and integration taxonomies and the source registry;
- ``reach``: grants, incidents and holdings naming the type, a broader or a narrower one
  (SPARQL ``VALUES`` over the taxonomy), grants only with every permission asked and
  passing the other filters that can be decided on the grant itself (:func:`grant_filter`:
  integration kind, on by default, whose data, as-of, sources and their dates, confidence,
  read), holdings only when observed in the as-of month and on the site asked; the grants beside those (same grantor and grantee: their conflicts are shown);
  incidents judged one incident with another; ownership only ``--through-ownership``;
- ``table``: access grants (only a company's, with ``--company``; only those naming a
  ``--data-type`` or a broader or narrower one, and passing on by default, whose data and
  the source filters, pushed as for reach; then the grants beside them);
- ``owner``: ownership facts and the domains the name can fall under;
- with a company name to resolve (``--from``, ``--into``, ``--company``, ``owner``): every
  company's type, name and aliases; with ``--list``: the named lists.

Paging is by key, not OFFSET: ``SELECT DISTINCT ?x … FILTER(STR(?x) > last) ORDER BY STR(?x)
LIMIT n``, which Virtuoso serves past its 10,000-row sort limit. Describing goes in batches
of ``VALUES ?s { … }``, small enough to stay under Virtuoso's default ``ResultSetMaxRows``
(10,000); an answer of exactly that many rows is refused as cut. The filters pushed into the
query keep a superset of what the question keeps (never less: a grant with several values
of a field is kept if any could pass), and the question applies every filter again, exactly,
on the fetched edges. The holdings' as-of (a crawl's month) and site are pushed as well
(:func:`holding_scope`); the country filter, the incidents' filters and the holdings' others
are applied only there.

Our own queries name no graph: the runner sends the graph (``default-graph-uri``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from graph import dates
from graph.errors import DatareachError
from graph.model import ontology
from graph.model.labels import CONFIDENCES
from graph.model.vocab import CONFIDENCE, DR, DT, IK, LABEL, PERMISSION
from graph.records import Source
from graph.sparql.result import QueryResult

Runner = Callable[[str], QueryResult]
PAGE = 1_000  # keys per SELECT page
BATCH = 100  # subjects per describing CONSTRUCT
SERVER_ROW_CAP = 10_000  # Virtuoso's default ResultSetMaxRows: an answer this long was probably cut
_NO_SOURCE = "\x00"  # no registered source has this id: what an unregistered source is allowed
FOLLOW = (DR.evidence, DR.grantor, DR.grantee, DR.holder, DR.platform, DR.recipient, DR.owner, DR.owned,
          DR.member, DR.memberCompany, DR.operator, DR.sameIncident)


class ScopeError(DatareachError):
    """The server's answer could not be used (cut at a row limit, or not what was asked)."""


def _iri(term: Node) -> str | None:
    """``<iri>`` for a well-formed IRI, None otherwise (it cannot be one of ours)."""
    if not isinstance(term, URIRef):
        return None
    text = str(term)
    if any(c in text for c in '<>"{}|^`\\ \n\r\t'):
        return None
    return f"<{text}>"


def _string(text: str) -> str:
    return Literal(text).n3()


@dataclass
class Counts:
    """What a reader asked and got: queries sent, keys listed, triples described."""

    queries: int = 0
    keys: int = 0
    triples: int = 0


class ScopeReader:
    """Fetch parts of a graph through ``run`` (a query runner: a server, or a store).

    Parameters
    ----------
    run : callable
        Runs one SELECT or CONSTRUCT query text and returns its QueryResult.
    page : int
        Keys per SELECT page.
    batch : int, optional
        Subjects per describing CONSTRUCT (default: the runner's ``batch``, else 100).

    A runner with a true ``whole`` attribute (an embedded store: ``graph.sparql.store.StoreRunner``)
    is asked for keys in one unsorted query, not paged.

    Examples
    --------
    >>> from graph.build.loader import load
    >>> from graph.examples import SMALL
    >>> from graph.sparql.local import run_query
    >>> g = load([SMALL]).g
    >>> reader = ScopeReader(lambda text: run_query(g, text, max_rows=10**9), page=3, batch=2)
    >>> keys = reader.keys("?x a dr:Company")
    >>> len(keys) == len(set(g.subjects(RDF.type, DR.Company)))
    True
    """

    def __init__(self, run: Runner, *, page: int = PAGE, batch: int | None = None) -> None:
        self.run, self.page = run, page
        self.batch: int = batch if batch is not None else getattr(run, "batch", BATCH)
        self.whole = bool(getattr(run, "whole", False))
        self.g = Graph()
        self.described: set[URIRef] = set()
        self.counts = Counts()

    def _ask(self, text: str) -> QueryResult:
        self.counts.queries += 1
        return self.run(text)

    def keys(self, where: str) -> list[URIRef]:
        """Every IRI ``?x`` that ``where`` binds, paged by key (sorted by its text); in one query
        from a runner that cuts no answer (``whole``)."""
        out: list[URIRef] = []
        if self.whole:
            result = self._ask(f"SELECT DISTINCT ?x WHERE {{ {where} FILTER(isIRI(?x)) }}")
            out = sorted((row[0] for row in result.rows if isinstance(row[0], URIRef)), key=str)
            self.counts.keys += len(out)
            return out
        last = ""
        while True:
            result = self._ask(f"SELECT DISTINCT ?x WHERE {{ {where} FILTER(isIRI(?x) && STR(?x) > {_string(last)}) }} "
                               f"ORDER BY STR(?x) LIMIT {self.page}")
            page = [row[0] for row in result.rows if isinstance(row[0], URIRef)]
            out += page
            self.counts.keys += len(page)
            if len(result.rows) < self.page or not page:
                return out
            following = str(page[-1])
            if following <= last:
                raise ScopeError("the server's answers do not page (keys did not grow)")
            last = following

    def describe(self, subjects: Iterable[URIRef], *, follow: bool = True) -> None:
        """Add every triple of each subject; then (``follow``) of what they cite and name, and so on."""
        todo = sorted({s for s in subjects if s not in self.described}, key=str)
        while todo:
            fresh: set[URIRef] = set()  # what the triples described now cite and name
            for start in range(0, len(todo), self.batch):
                chunk = [t for t in (_iri(s) for s in todo[start:start + self.batch]) if t is not None]
                self.described.update(todo[start:start + self.batch])
                if not chunk:
                    continue
                result = self._ask(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {' '.join(chunk)} }} ?s ?p ?o }}")
                got = result.graph if result.graph is not None else Graph()
                if (len(got) >= SERVER_ROW_CAP and not self.whole) or result.truncated:  # an embedded store cuts nothing
                    raise ScopeError(f"the server cut an answer at {len(got):,} triples (Virtuoso: raise "
                                     "ResultSetMaxRows in virtuoso.ini)")
                before = len(self.g)
                self.g += got  # each triple added once more, not twice (through a graph of this round)
                self.counts.triples += len(self.g) - before
                if follow:
                    fresh.update(o for p in FOLLOW for o in got.objects(None, p) if isinstance(o, URIRef))
            if not follow:
                return
            todo = sorted(fresh - self.described, key=str)

    def frame(self) -> None:
        """The taxonomies and the source registry (with the pages a source was read through)."""
        self.describe(self.keys("?x a ?c . VALUES ?c { dr:DataType dr:IntegrationKind dr:Source dr:Page }"), follow=False)

    def names(self) -> None:
        """Every company's type, name and aliases (to resolve a company name as the local build does)."""
        last = ""
        while True:
            result = self._ask(
                "CONSTRUCT { ?x a dr:Company ; rdfs:label ?l ; skos:altLabel ?a } WHERE { "
                f"{{ SELECT ?x WHERE {{ ?x a dr:Company FILTER(STR(?x) > {_string(last)}) }} ORDER BY STR(?x) "
                f"LIMIT {self.page} }} OPTIONAL {{ ?x rdfs:label ?l }} OPTIONAL {{ ?x skos:altLabel ?a }} }}")
            got = result.graph if result.graph is not None else Graph()
            if len(got) >= SERVER_ROW_CAP and not self.whole:
                raise ScopeError("the server cut an answer of company names (Virtuoso: raise ResultSetMaxRows)")
            self.counts.triples += len(got)
            for triple in got:
                if triple not in self.g:
                    self.g.add(triple)
            companies = sorted(str(s) for s in got.subjects(RDF.type, DR.Company))
            if len(companies) < self.page:
                return
            last = companies[-1]

    def named_lists(self) -> None:
        """The named lists, their members and the members' companies."""
        self.describe(self.keys("?x a dr:List"))


def _values(var: str, terms: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(terms)} }}"


def related_types(reader: ScopeReader, data_types: Sequence[str]) -> list[str]:
    """The IRIs of the asked types, with every broader and narrower type (from the frame's taxonomy)."""
    tax = ontology.data_types(reader.g)
    slugs: set[str] = set()
    for text in data_types:
        slug = tax.resolve(text)  # NotFoundError, as locally, for an unknown type
        slugs |= tax.ancestors(slug) | tax.descendants(slug)
    return sorted(f"<{DT[s]}>" for s in slugs)


@dataclass(frozen=True)
class ReachFilters:
    """The filters of a reach question that the scoped query can push to the server (see
    ``graph.questions.reach.reach`` for their meaning)."""

    as_of: str | None = None
    integrations: Sequence[str] = ()
    on_by_default: bool | None = None
    whose_data: str | None = None
    sources: Sequence[str] = ()
    source_before: str | None = None
    source_after: str | None = None
    confidence: str | None = None
    read: str | None = None
    site: str | None = None


def _registry(g: Graph) -> dict[str, Source]:
    """The source registry of the frame: each source's date and how it was read (as the projection reads them)."""
    out: dict[str, Source] = {}
    for src in g.subjects(RDF.type, DR.Source):
        stated = sorted(str(d) for d in g.objects(src, DCTERMS.date))
        out[str(src).rsplit("/", 1)[-1]] = {"publisher": None, "title": None, "date": stated[0] if stated else None,
                                            "url": None, "reports_on": None,
                                            "read": LABEL.get(g.value(src, DR.read), "directly")}  # type: ignore[arg-type]
    return out


def grant_filter(g: Graph, filters: ReachFilters, var: str = "x") -> str:
    """SPARQL graph-pattern text keeping the grants ``?var`` that may pass ``filters``, decided
    on the grant and its claims (``g``: the frame, for the taxonomies and the source registry).

    It keeps a superset of what reach keeps: every grant reach keeps, and perhaps a few more
    (a field with several values; a claim that disputes), which reach drops again locally.
    UsageError or NotFoundError, as reach, for an unknown kind, population, source or level.

    Examples
    --------
    >>> from graph.build.loader import load
    >>> from graph.examples import SMALL
    >>> g = load([SMALL]).g
    >>> "2014-01-01" in grant_filter(g, ReachFilters(as_of="2014"))
    True
    >>> grant_filter(g, ReachFilters())
    ''
    """
    # numpy stays unloaded until a filter is asked
    from graph.questions.reach import check_whose_data, evidence_rule

    x = f"?{var}"
    parts: list[str] = []
    if filters.integrations:
        kinds = ontology.integration_kinds(g)
        iris = sorted({f"<{IK[kinds.resolve(i)]}>" for i in filters.integrations})
        parts.append(f"FILTER EXISTS {{ {x} dr:integration ?fk . {_values('fk', iris)} }}")
    if filters.on_by_default is not None:
        test = "=" if filters.on_by_default else "!="
        parts.append(f'FILTER EXISTS {{ {x} dr:onByDefault ?fo FILTER(STR(?fo) {test} "true") }}')
    if filters.whose_data is not None:
        check_whose_data(filters.whose_data)
        iris = sorted(t for t in (_iri(w) for w, label in LABEL.items() if label == filters.whose_data) if t)
        parts.append(f"FILTER EXISTS {{ {x} dr:whoseData ?fw . {_values('fw', iris)} }}")
    if filters.as_of is not None:
        # graph.dates.valid_at is False only when the start's first day is after the day, or the
        # end's last day before it. Partial dates compare as text: "2019" > "2018-06-01", and a
        # date that is a prefix of the day ("2018", "2018-06") covers it.
        day = _string(dates.parse(filters.as_of)[0].isoformat())
        parts.append(f"FILTER(NOT EXISTS {{ {x} dr:validFrom ?fv }} || "
                     f"EXISTS {{ {x} dr:validFrom ?fv FILTER(STR(?fv) <= {day}) }})")
        parts.append(f"FILTER(NOT EXISTS {{ {x} dr:statedEnd ?fe }} || "
                     f"EXISTS {{ {x} dr:statedEnd ?fe FILTER(STR(?fe) >= {day} || STRSTARTS({day}, STR(?fe))) }})")
    registry = _registry(g)
    keep = evidence_rule(registry, filters.sources, filters.source_before, filters.source_after,
                         filters.confidence, filters.read)
    if keep is not None:
        claim = [f"{x} dr:evidence ?fc ."]
        if not any(keep(_NO_SOURCE, level) for level in CONFIDENCES):  # an unregistered source cannot pass
            passing = sorted(t for t in (_iri(s) for s in g.subjects(RDF.type, DR.Source)
                                         if any(keep(str(s).rsplit("/", 1)[-1], level) for level in CONFIDENCES)
                                         and str(s).rsplit("/", 1)[-1] in registry) if t)
            claim.append(f"?fc dr:source ?fs . {_values('fs', passing)}")
        sure = [c for c in CONFIDENCES if any(keep(s, c) for s in [*registry, _NO_SOURCE])]
        if "reported" not in sure:  # a claim stating no confidence (or an unknown one) counts as reported
            claim.append(f"?fc dr:confidence ?fl . {_values('fl', [f'<{CONFIDENCE[c]}>' for c in sure])}")
        parts.append(f"FILTER EXISTS {{ {' '.join(claim)} }}")
    return " ".join(parts)


def holding_scope(filters: ReachFilters | None, var: str = "x") -> str:
    """SPARQL graph-pattern text binding ``?var`` to the holdings (``dr:Collection``) of data type
    ``?t`` that may pass ``filters``' as-of and site (a crawl's month and site): what reach
    keeps, and the holdings stating no observed period (their other dates are judged locally,
    as for :func:`grant_filter`).

    Both are matched as exact values, which the store's indexes answer: a site is a lower-case
    host name (``shapes.ttl``), so ``site_key`` keeps exactly ``KEY`` and ``www.KEY``; an observed
    period counts on a day (``dates.held_at``) when it is that day, its month or its year, in
    the one lexical form the build accepts. (A ``FILTER`` testing each holding's text took
    Oxigraph 16 s over the WhoTracks.me store's 435,457 holdings for one site and month; the
    values, 0.1 s.)

    Examples
    --------
    >>> holding_scope(None)
    '{ ?x a dr:Collection ; dr:dataType ?t . }'
    >>> print(holding_scope(ReachFilters(as_of="2018-01", site="https://www.Spiegel.de/")))  # doctest: +NORMALIZE_WHITESPACE
    { ?x a dr:Collection ; dr:dataType ?t . VALUES ?hs { "spiegel.de" "www.spiegel.de" } ?x dr:site ?hs .
      VALUES ?ho { "2018"^^xsd:gYear "2018-01"^^xsd:gYearMonth "2018-01-01"^^xsd:date } ?x dr:observed ?ho }
    UNION { { ?x a dr:Collection ; dr:dataType ?t . VALUES ?hs { "spiegel.de" "www.spiegel.de" } ?x dr:site ?hs . }
      MINUS { ?x dr:observed ?hn } }
    """
    from graph.questions.reach import site_key

    x = f"?{var}"
    base = f"{x} a dr:Collection ; dr:dataType ?t ."
    if filters is not None and filters.site is not None:
        key = site_key(filters.site)
        base += f" VALUES ?hs {{ {_string(key)} {_string('www.' + key)} }} {x} dr:site ?hs ."
    if filters is None or filters.as_of is None:
        return f"{{ {base} }}"
    day = dates.parse(filters.as_of)[0]
    periods = (f'"{day.year:04d}"^^xsd:gYear "{day.year:04d}-{day.month:02d}"^^xsd:gYearMonth '
               f'"{day.isoformat()}"^^xsd:date')
    return (f"{{ {base} VALUES ?ho {{ {periods} }} {x} dr:observed ?ho }} "
            f"UNION {{ {{ {base} }} MINUS {{ {x} dr:observed ?hn }} }}")  # MINUS: 8 s there, NOT EXISTS 14 s


def read_reach(run: Runner, data_type: str, *, permissions: Iterable[str] = (), through_ownership: bool = False,
               companies: bool = False, named_lists: bool = False, filters: ReachFilters | None = None) -> ScopeReader:
    """The scope of a reach question on ``data_type`` (see the module docstring); ``filters``
    are pushed into the query for the grants (:func:`grant_filter`)."""
    reader = ScopeReader(run)
    reader.frame()
    types = _values("t", related_types(reader, [data_type]))
    wanted = [PERMISSION[p] for p in permissions if p in PERMISSION]
    granted = " ".join(f"?x dr:permission <{p}> ." for p in wanted)
    pushed = grant_filter(reader.g, filters) if filters is not None else ""
    facts = reader.keys(f"{{ ?x a dr:AccessGrant ; dr:dataType ?t . {granted} {pushed} }} UNION "
                        f"{{ ?x a dr:Incident ; dr:dataType ?t }} UNION {holding_scope(filters)} {types}")
    facts += reader.keys("?x a dr:Incident . { ?x dr:sameIncident ?y } UNION { ?y dr:sameIncident ?x }")
    if through_ownership:
        facts += reader.keys("?x a dr:Ownership")
    reader.describe(facts)
    _siblings(reader)
    if companies:
        reader.names()
    if named_lists:
        reader.named_lists()
    return reader


def _siblings(reader: ScopeReader) -> None:
    """Grants of the same grantor and grantee as a fetched grant: the conflicts a hop shows are among them.

    One query per grantor (its grantees in ``VALUES``, in batches): Oxigraph plans a
    ``VALUES (?u ?v)`` of pairs as a join after matching every grant (20 to 40 s for 100
    pairs among 200,000 grants), and a named grantor as an index lookup (0.06 s)."""
    by_grantor: dict[str, set[str]] = {}
    for f in reader.g.subjects(RDF.type, DR.AccessGrant):
        for u in reader.g.objects(f, DR.grantor):
            for v in reader.g.objects(f, DR.grantee):
                iu, iv = _iri(u), _iri(v)
                if iu and iv:
                    by_grantor.setdefault(iu, set()).add(iv)
    keys: list[URIRef] = []
    for grantor, grantees in sorted(by_grantor.items()):
        ordered = sorted(grantees)
        for start in range(0, len(ordered), reader.batch):
            keys += reader.keys(f"?x a dr:AccessGrant ; dr:grantor {grantor} ; dr:grantee ?v . "
                                f"{_values('v', ordered[start:start + reader.batch])}")
    reader.describe(keys)


def read_table(run: Runner, company_iris: Callable[[Graph], list[str]] | None = None,
               named_lists: bool = False, *, data_types: Sequence[str] = (),
               filters: ReachFilters | None = None) -> ScopeReader:
    """The scope of the partner table: every access grant, or (``company_iris``, given the
    company names) only grants a named company is party to; with ``data_types``, only grants
    naming one of them, a broader or a narrower type; with ``filters`` (on by default, whose
    data, the source filters), only grants that may pass them (:func:`grant_filter`). A
    filtered table also fetches the grants beside those it lists (their conflicts are shown)."""
    reader = ScopeReader(run)
    reader.frame()
    pushed = grant_filter(reader.g, filters) if filters is not None else ""
    if data_types:
        pushed += f" ?x dr:dataType ?t . {_values('t', related_types(reader, data_types))}"
    if company_iris is not None:
        reader.names()
        iris = [t for t in (_iri(URIRef(i)) for i in company_iris(reader.g)) if t is not None]
        grants = reader.keys(f"?x a dr:AccessGrant . {{ ?x dr:grantor ?a }} UNION {{ ?x dr:grantee ?a }} "
                             f"{_values('a', iris)} {pushed}") if iris else []
    else:
        grants = reader.keys(f"?x a dr:AccessGrant . {pushed}")
    reader.describe(grants)
    if pushed:
        _siblings(reader)
    if named_lists:
        reader.named_lists()
    return reader


def read_owner(run: Runner, name: str) -> ScopeReader:
    """The scope of ``owner NAME``: ownership facts, company names, the domains NAME may fall under."""
    reader = ScopeReader(run)
    reader.frame()
    reader.names()
    host = name.strip().lower().rstrip(".")
    hosts = []
    while host:
        hosts.append(_string(host))
        host = host.partition(".")[2] if "." in host else ""
    facts = reader.keys("?x a dr:Ownership")
    if hosts:
        facts += reader.keys(f"?x a dr:Domain ; rdfs:label ?l . {_values('l', hosts)}")
    reader.describe(facts)
    return reader


def read_all(run: Runner) -> ScopeReader:
    """Every subject of the graph, paged (what ``rank`` and ``serve`` still need)."""
    reader = ScopeReader(run)
    reader.describe(reader.keys("?x ?p ?o"), follow=False)
    return reader


__all__ = ["Counts", "ReachFilters", "ScopeError", "ScopeReader", "grant_filter", "holding_scope", "read_all", "read_owner", "read_reach", "read_table",
           "related_types"]
