"""Turn schema-checked fact files into RDF: resolve names and terms, then emit triples.

Three passes over all files: sources, then companies, then facts, so any file may cite
or name what another declares. Every problem is collected; the caller refuses the
whole input if there is one, so a bad file never yields a partial graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, SKOS, XSD, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS

from graph import dates
from graph.build.factfile import FactFile
from graph.build.identity import Declaration, Identities
from graph.build.triples import TripleIndex
from graph.errors import NotFoundError, Problem
from graph.model.taxonomy import Taxonomy
from graph.model.vocab import (
    CONFIDENCE,
    DT,
    FAST,
    ID,
    IK,
    LIST_STATUS,
    PERMISSION,
    POPULATION,
    READ,
    STANCE,
    STATUS,
    WHOSE,
)
from graph.names import CompanyIndex, slugify, suggest, suspicious

_ID = str(ID)  # URIRef(_ID + local) is several times faster than ID[local] (a Namespace look-up)

RDF_TYPE, RDFS_LABEL, SKOS_ALT = RDF.type, RDFS.label, SKOS.altLabel  # constants: Namespace look-ups are slow
XSD_INTEGER, XSD_ANYURI, XSD_DECIMAL = XSD.integer, XSD.anyURI, XSD.decimal


PUBLIC = "public"
_DATE_FIELDS = {"valid_from": FAST.validFrom, "stated_end": FAST.statedEnd, "last_observed_active": FAST.lastObservedActive,
                "occurred": FAST.occurred, "published": FAST.published,
               "feature_closed": FAST.featureClosed, "observed": FAST.observed, "valid_until": FAST.validUntil}


@dataclass
class Compiler:
    """Collects fact files into one TripleIndex (``g``) plus problems and warnings."""

    data_types: Taxonomy
    integrations: Taxonomy
    g: TripleIndex = field(default_factory=TripleIndex)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    companies: CompanyIndex = field(default_factory=CompanyIndex)
    sources: dict[str, str] = field(default_factory=dict)
    _ids: set[URIRef] = field(default_factory=set)
    identities: Identities = field(default_factory=Identities)
    _judgements: list[URIRef] = field(default_factory=list)
    _declared: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    _reserved: set[URIRef] = field(default_factory=set)
    _iris: dict[str, URIRef] = field(default_factory=dict)
    _resolved: dict[tuple[str, str], str] = field(default_factory=dict)
    aggregates: dict[str, URIRef] = field(default_factory=dict)  # casefolded name → aggregate party
    _incident_judgements: list[tuple[FactFile, tuple[str | int, ...], URIRef, dict[str, Any]]] = field(default_factory=list)
    # When a dict: the file and line each fact, claim, source and company was compiled from
    # (the loader asks for it only to place shape violations; it costs memory at scale).
    origins: dict[URIRef, tuple[str, int | None]] | None = None

    def compile(self, files: list[FactFile]) -> TripleIndex:
        """Emit every file's facts into ``g``; see ``problems`` afterwards."""
        for ff in files:
            for i, src in enumerate(ff.data.get("sources", [])):
                self._source(ff, ("sources", i), src)
        for ff in files:
            for i, judgement in enumerate(ff.data.get("judgements", [])):
                self._judgement(ff, ("judgements", i), judgement)
        for ff in files:
            for i, company in enumerate(ff.data.get("companies", [])):
                self.identities.declare(ff, ("companies", i), company)
        self.problems += self.identities.problems
        self.warnings += self.identities.warnings
        for slug, decls in self.identities.groups():
            self._company(slug, decls)
        for a, b in self.companies.lookalikes():
            file, line = self._declared.get(b, ("", None))
            self.warnings.append(Problem(file, line, "companies", f"'{a}' and '{b}' look alike but are different companies (not merged)"))
        for ff in files:
            for i, aggregate in enumerate(ff.data.get("aggregates", [])):
                self._aggregate(ff, ("aggregates", i), aggregate)
        self._reserve_explicit_ids(files)
        for ff in files:
            for section, emit in (("holdings", self._holding), ("grants", self._grant),
                                  ("incidents", self._incident), ("ownership", self._ownership),
                                  ("domains", self._domain), ("lists", self._list)):
                for i, record in enumerate(ff.data.get(section, [])):
                    emit(ff, (section, i), record)
        for ff, path, node, rec in self._incident_judgements:
            self._incident_judgement(ff, path, node, rec)
        return self.g

    # ------------------------------------------------------------ for records compiled by columns (graph.build.columnar)

    def reserve(self, nodes: set[URIRef]) -> None:
        """Keep ids that records compiled elsewhere use: ids generated here avoid them."""
        self._reserved |= nodes

    def uses(self, node: URIRef) -> bool:
        """Whether ``node`` is the id of a record compiled here."""
        return node in self._ids

    def party(self, name: str, *, allow_public: bool = False, allow_aggregate: bool = False) -> URIRef | None:
        """The IRI ``name`` resolves to as a grant's party, or None; records no problem
        (the per-row compile of the record explains it)."""
        key = name.strip().casefold()
        if allow_public and key == PUBLIC:
            return FAST.Public
        if allow_aggregate and key in self.aggregates:
            return self.aggregates[key]
        slug = self.companies.resolve(name)
        return None if slug is None else self._iri(f"company/{slug}", ID)

    def term_slug(self, tax: Taxonomy, text: str) -> str | None:
        """The slug ``text`` resolves to in ``tax``, or None; records no problem."""
        known = self._resolved.get((tax.kind, text))
        if known is not None:
            return known
        try:
            return tax.resolve(text)
        except NotFoundError:  # unknown or ambiguous: the per-row compile explains it
            return None

    # ------------------------------------------------------------ helpers

    def _reserve_explicit_ids(self, files: list[FactFile]) -> None:
        """Ids an author wrote win over ids generated for records without one."""
        kinds = {"holdings": "holding", "grants": "grant", "incidents": "incident", "ownership": "ownership"}
        for ff in files:
            for section, kind in kinds.items():
                self._reserved |= {URIRef(_ID + f"{kind}/{r['id']}") for r in ff.data.get(section, []) if "id" in r}

    def _iri(self, local: str, ns: Any) -> URIRef:
        """A cached IRI in ``ns``: the same companies and terms are named again and again."""
        key = str(ns) + local
        node = self._iris.get(key)
        if node is None:
            node = self._iris[key] = URIRef(key)
        return node

    def _new_id(self, ff: FactFile, path: tuple[str | int, ...], kind: str, slug: str, explicit: bool) -> URIRef:
        node = URIRef(_ID + f"{kind}/{slug}")
        n = 2
        while (node in self._ids or node in self._reserved) and not explicit:
            node, n = URIRef(_ID + f"{kind}/{slug}-{n}"), n + 1
        if node in self._ids:
            self.problems.append(ff.problem((*path, "id"), f"duplicate {kind} id '{slug}'"))
        self._ids.add(node)
        return node

    def _text(self, node: URIRef | BNode, pred: URIRef, record: dict[str, Any], key: str) -> None:
        if key in record:
            self.g.add((node, pred, Literal(record[key])))

    def _company_ref(self, ff: FactFile, path: tuple[str | int, ...], name: str, allow_public: bool = False,
                     allow_aggregate: bool = False) -> URIRef | None:
        if allow_public and name.strip().casefold() == PUBLIC:
            return FAST.Public
        if allow_aggregate and name.strip().casefold() in self.aggregates:
            return self.aggregates[name.strip().casefold()]
        slug = self.companies.resolve(name)
        if slug is None:
            near = self.companies.suggest(name)
            self.problems.append(ff.problem(path, f"unknown company '{name}' (declare it under companies:)", near[0] if near else None))
            return None
        return self._iri(f"company/{slug}", ID)

    def _term(self, ff: FactFile, path: tuple[str | int, ...], tax: Taxonomy, text: str) -> str | None:
        known = self._resolved.get((tax.kind, text))
        if known is not None:
            return known
        try:
            slug = self._resolved[(tax.kind, text)] = tax.resolve(text)
            return slug
        except NotFoundError as exc:
            self.problems.append(ff.problem(path, f"unknown {tax.kind} '{text}'", exc.suggestions[0] if exc.suggestions else None))
            return None

    def _dates(self, ff: FactFile, path: tuple[str | int, ...], node: URIRef, record: dict[str, Any]) -> None:
        for key, pred in _DATE_FIELDS.items():
            value = record.get(key, dates.UNKNOWN)
            if value == dates.UNKNOWN:
                continue
            try:
                self.g.add((node, pred, dates.literal(value)))
            except ValueError as exc:
                self.problems.append(ff.problem((*path, key), str(exc)))

    def _origin(self, node: URIRef, ff: FactFile, path: tuple[str | int, ...]) -> None:
        if self.origins is not None:
            self.origins.setdefault(node, (ff.path, ff.line(path)))

    def _evidence(self, ff: FactFile, path: tuple[str | int, ...], fact: URIRef, claims: list[dict[str, str]]) -> None:
        start = len(set(self.g.objects(fact, FAST.evidence)))
        self._origin(fact, ff, path)
        for i, claim in enumerate(claims):
            node = URIRef(_ID + f"claim/{str(fact)[len(_ID):].replace('/', '-')}-{start + i + 1}")
            self._origin(node, ff, (*path, "evidence", i))
            self.g.add((fact, FAST.evidence, node))
            self.g.add((node, RDF_TYPE, FAST.Claim))
            if claim["source"] not in self.sources:
                near = suggest(claim["source"], self.sources)
                self.problems.append(ff.problem((*path, "evidence", i, "source"), f"unknown source '{claim['source']}' (add it to a sources: list)", near))
            self.g.add((node, FAST.source, self._iri(f"source/{claim['source']}", ID)))
            self.g.add((node, FAST.locator, Literal(claim["locator"])))
            self.g.add((node, FAST.stance, STANCE[claim.get("stance", "asserts")]))
            self.g.add((node, FAST.confidence, CONFIDENCE[claim.get("confidence", "reported")]))
            for key, pred in (("claimant", FAST.claimant), ("aspect", FAST.aspect), ("note", FAST.note)):
                self._text(node, pred, claim, key)

    def _data_types(self, ff: FactFile, path: tuple[str | int, ...], node: URIRef, names: list[str]) -> None:
        for i, name in enumerate(names):
            slug = self._term(ff, (*path, "data_types", i), self.data_types, name)
            if slug is not None:
                self.g.add((node, FAST.dataType, self._iri(slug, DT)))

    def _integration(self, ff: FactFile, path: tuple[str | int, ...], node: URIRef, pred: URIRef, name: str | None) -> None:
        if name is None:
            return
        key = "integration" if pred == FAST.integration else "exploited_feature"
        slug = self._term(ff, (*path, key), self.integrations, name)
        if slug is not None:
            self.g.add((node, pred, self._iri(slug, IK)))

    # ------------------------------------------------------------ sections

    def _source(self, ff: FactFile, path: tuple[str | int, ...], src: dict[str, Any]) -> None:
        slug = src["id"]
        if slug in self.sources:
            self.problems.append(ff.problem((*path, "id"), f"source id '{slug}' is already used in {self.sources[slug]}"))
            return
        self.sources[slug] = ff.path
        node = URIRef(_ID + f"source/{slug}")
        self._origin(node, ff, path)
        self.g.add((node, RDF_TYPE, FAST.Source))
        self.g.add((node, DCTERMS.publisher, Literal(src["publisher"])))
        self.g.add((node, DCTERMS.title, Literal(src["title"])))
        if "url" in src:
            self.g.add((node, FAST.url, Literal(src["url"], datatype=XSD_ANYURI)))
        if "read" in src:
            self.g.add((node, FAST.read, READ[src["read"]]))
        indirect = src.get("read", "directly") != "directly"
        if indirect and not src.get("read_via"):
            self.problems.append(ff.problem((*path, "read"), f"a source read {src['read']} names the pages it was read through "
                                            "(read_via: publisher and url of each)"))
        elif src.get("read_via") and not indirect:
            self.problems.append(ff.problem((*path, "read_via"), "read_via is for a source read through a reprint or "
                                            "through quotes: set read to one of those"))
        for i, page in enumerate(src.get("read_via", [])):
            via = URIRef(_ID + f"source/{slug}/via-{i + 1}")
            self._origin(via, ff, (*path, "read_via", i))
            self.g.add((node, FAST.readVia, via))
            self.g.add((via, RDF_TYPE, FAST.Page))
            self.g.add((via, DCTERMS.publisher, Literal(page["publisher"])))
            self.g.add((via, FAST.url, Literal(page["url"], datatype=XSD_ANYURI)))
            self._text(via, DCTERMS.title, page, "title")
            if page.get("date", dates.UNKNOWN) != dates.UNKNOWN:
                try:
                    self.g.add((via, DCTERMS.date, dates.literal(page["date"])))
                except ValueError as exc:
                    self.problems.append(ff.problem((*path, "read_via", i, "date"), str(exc)))
        if src["date"] != dates.UNKNOWN:
            try:
                self.g.add((node, DCTERMS.date, dates.literal(src["date"])))
            except ValueError as exc:
                self.problems.append(ff.problem((*path, "date"), str(exc)))
        for key, pred in (("reports_on", FAST.reportsOn), ("licence", FAST.licence), ("note", FAST.note)):
            self._text(node, pred, src, key)

    def _company(self, slug: str, decls: list[Declaration]) -> None:
        """One company node for all the declarations that name it."""
        node = self._iri(f"company/{slug}", ID)
        self._ids.add(node)
        self._origin(node, decls[0].ff, decls[0].path)
        label = decls[0].names[0]
        self.g.add((node, RDF_TYPE, FAST.Company))
        self.g.add((node, RDFS_LABEL, Literal(label)))
        names = list(dict.fromkeys(n for d in decls for n in d.names))
        for alias in names[1:]:
            self.g.add((node, SKOS_ALT, Literal(alias)))
        self.companies.add(slug, names)
        for d in decls:
            for n in d.names:
                self._declared.setdefault(n, (d.ff.path, d.ff.line((*d.path, "name"))))
            reason = suspicious(d.record["name"])
            if reason is not None:
                self.warnings.append(d.ff.problem((*d.path, "name"), f"company name '{d.record['name']}' {reason}"))
            if "homepage" in d.record:
                self.g.add((node, FAST.homepage, Literal(d.record["homepage"], datatype=XSD_ANYURI)))
            for key, pred in (("country", FAST.country), ("note", FAST.note)):
                self._text(node, pred, d.record, key)
            if "evidence" in d.record:
                self._evidence(d.ff, d.path, node, d.record["evidence"])

    def _judgement(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        node = URIRef(_ID + f"judgement/{len(self._judgements) + 1}")
        self._judgements.append(node)
        self.g.add((node, RDF_TYPE, FAST.Judgement))
        self.g.add((node, FAST.verdict, Literal(rec["verdict"])))
        if "incidents" in rec:  # linked once every incident is emitted
            self._incident_judgements.append((ff, path, node, rec))
        else:
            self.identities.judge(rec["verdict"], *rec["names"])
        for n in rec.get("names", []):
            self.g.add((node, FAST.names, Literal(n)))
        self._text(node, FAST.note, rec, "note")
        if "evidence" in rec:
            self._evidence(ff, path, node, rec["evidence"])

    def _domain(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        node = URIRef(_ID + f"domain/{rec['domain']}")
        owner = self._company_ref(ff, (*path, "owner"), rec["owner"])
        self.g.add((node, RDF_TYPE, FAST.Domain))
        self.g.add((node, RDFS_LABEL, Literal(rec["domain"])))
        if owner is not None:
            self.g.add((node, FAST.operator, owner))
        self._text(node, FAST.note, rec, "note")
        before = set(self.g.objects(node, FAST.evidence))
        self._evidence(ff, path, node, rec["evidence"])
        if owner is not None:  # sources may name different operators of one domain: keep each claim with its own
            for claim in set(self.g.objects(node, FAST.evidence)) - before:
                self.g.add((claim, FAST.supports, owner))

    def _holding(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        holder = self._company_ref(ff, (*path, "holder"), rec["holder"])
        slug = rec.get("id") or f"{slugify(rec['holder'])}-holds"
        node = self._new_id(ff, path, "holding", slug, "id" in rec)
        self.g.add((node, RDF_TYPE, FAST.Collection))
        if holder is not None:
            self.g.add((node, FAST.holder, holder))
        for w in rec.get("whose_data", []):
            self.g.add((node, FAST.whoseData, WHOSE[w]))
        for origin in rec.get("from", []):
            self.g.add((node, FAST.collectedFrom, POPULATION[origin]))
        self._integration(ff, path, node, FAST.integration, rec.get("integration"))
        self._data_types(ff, path, node, rec["data_types"])
        self._text(node, FAST.site, rec, "site")
        self._text(node, FAST.tracker, rec, "tracker")
        if "share" in rec:  # the schema allows digits only, 0 to 1
            self.g.add((node, FAST.share, Literal(rec["share"], datatype=XSD_DECIMAL)))
        self._dates(ff, path, node, rec)
        self._text(node, FAST.note, rec, "note")
        self._evidence(ff, path, node, rec["evidence"])

    def _grant(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        grantor = self._company_ref(ff, (*path, "grantor"), rec["grantor"], allow_aggregate=True)
        grantee = self._company_ref(ff, (*path, "grantee"), rec["grantee"], allow_public=True, allow_aggregate=True)
        slug = rec.get("id") or f"{slugify(rec['grantor'])}-{slugify(rec['grantee'])}"
        node = self._new_id(ff, path, "grant", slug, "id" in rec)
        self.g.add((node, RDF_TYPE, FAST.AccessGrant))
        for pred, ref in ((FAST.grantor, grantor), (FAST.grantee, grantee)):
            if ref is not None:
                self.g.add((node, pred, ref))
        self._integration(ff, path, node, FAST.integration, rec["integration"])
        self._data_types(ff, path, node, rec["data_types"])
        for p in rec.get("permissions", []):
            self.g.add((node, FAST.permission, PERMISSION[p]))
        for w in rec.get("whose_data", []):
            self.g.add((node, FAST.whoseData, WHOSE[w]))
        for key, pred in (("on_by_default", FAST.onByDefault), ("overrode_privacy_setting", FAST.overrodePrivacySetting)):
            if rec.get(key, "unknown") != "unknown":
                self.g.add((node, pred, Literal(rec[key] == "yes")))
        self.g.add((node, FAST.status, STATUS[rec.get("status", "unknown")]))
        self._dates(ff, path, node, rec)
        for key, pred in (("activation", FAST.activation), ("note", FAST.note)):
            self._text(node, pred, rec, key)
        self._evidence(ff, path, node, rec["evidence"])

    def _incident(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        node = self._new_id(ff, path, "incident", rec["id"], explicit=True)
        self.g.add((node, RDF_TYPE, FAST.Incident))
        self.g.add((node, RDFS_LABEL, Literal(rec["name"])))
        platform = self._company_ref(ff, (*path, "platform"), rec["platform"])
        if platform is not None:
            self.g.add((node, FAST.platform, platform))
        self._integration(ff, path, node, FAST.integration, rec.get("integration"))
        self._integration(ff, path, node, FAST.exploitedFeature, rec.get("exploited_feature"))
        self._data_types(ff, path, node, rec["data_types"])
        for i, name in enumerate(rec["recipients"]):
            ref = self._company_ref(ff, (*path, "recipients", i), name, allow_public=True, allow_aggregate=True)
            if ref is not None:
                self.g.add((node, FAST.recipient, ref))
        if "affected" in rec:
            self.g.add((node, FAST.affectedCount, Literal(int(rec["affected"]), datatype=XSD_INTEGER)))
        self._dates(ff, path, node, rec)
        for key, pred in (("count_qualifier", FAST.countQualifier), ("note", FAST.note)):
            self._text(node, pred, rec, key)
        self._evidence(ff, path, node, rec["evidence"])

    def _ownership(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        owner = self._company_ref(ff, (*path, "owner"), rec["owner"])
        owned = self._company_ref(ff, (*path, "owned"), rec["owned"])
        slug = rec.get("id") or f"{slugify(rec['owner'])}-owns-{slugify(rec['owned'])}"
        node = self._new_id(ff, path, "ownership", slug, "id" in rec)
        self.g.add((node, RDF_TYPE, FAST.Ownership))
        for pred, ref in ((FAST.owner, owner), (FAST.owned, owned)):
            if ref is not None:
                self.g.add((node, pred, ref))
        self._text(node, FAST.note, rec, "note")
        self._evidence(ff, path, node, rec["evidence"])

    # ------------------------------------------------------------ lists, aggregate parties, incident judgements

    def _aggregate(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        """An unnamed group a source counts ("more than 150 companies"): a party of its own kind,
        never a company, so it is never merged with one nor counted as one."""
        name = rec["name"].strip()
        key = name.casefold()
        if key == PUBLIC or self.companies.resolve(name) is not None:
            self.problems.append(ff.problem((*path, "name"), f"aggregate name '{name}' is also a company's name or 'public'; "
                                                                 "give the group a name of its own ('more than 150 companies')"))
            return
        if key in self.aggregates:
            self.problems.append(ff.problem((*path, "name"), f"aggregate name '{name}' is already declared"))
            return
        node = self._new_id(ff, path, "aggregate", rec["id"], explicit=True)
        self.aggregates[key] = node
        self.g.add((node, RDF_TYPE, FAST.AggregateParty))
        self.g.add((node, RDFS_LABEL, Literal(name)))
        if "count" in rec:
            self.g.add((node, FAST.partyCount, Literal(int(rec["count"]), datatype=XSD_INTEGER)))
        for key_, pred in (("count_qualifier", FAST.countQualifier), ("note", FAST.note)):
            self._text(node, pred, rec, key_)
        self._evidence(ff, path, node, rec["evidence"])

    def _list(self, ff: FactFile, path: tuple[str | int, ...], rec: dict[str, Any]) -> None:
        node = self._new_id(ff, path, "list", rec["id"], explicit=True)
        self.g.add((node, RDF_TYPE, FAST.List))
        self.g.add((node, RDFS_LABEL, Literal(rec["name"])))
        if "count" in rec:
            self.g.add((node, FAST.partyCount, Literal(int(rec["count"]), datatype=XSD_INTEGER)))
        if rec.get("date", dates.UNKNOWN) != dates.UNKNOWN:
            try:
                self.g.add((node, DCTERMS.date, dates.literal(rec["date"])))
            except ValueError as exc:
                self.problems.append(ff.problem((*path, "date"), str(exc)))
        self._text(node, FAST.note, rec, "note")
        self._evidence(ff, path, node, rec["evidence"])
        seen: set[URIRef] = set()
        for i, member in enumerate(rec["members"]):
            where = (*path, "members", i)
            company = self._company_ref(ff, (*where, "company"), member["company"])
            if company is None:
                continue
            if company in seen:
                self.problems.append(ff.problem((*where, "company"), f"'{member['company']}' is already a member of this list"))
                continue
            seen.add(company)
            entry = URIRef(f"{node}/member/{str(company).rsplit('/', 1)[-1]}")
            self.g.add((node, FAST.member, entry))
            self.g.add((entry, RDF_TYPE, FAST.Membership))
            self.g.add((entry, FAST.memberCompany, company))
            self.g.add((entry, FAST.memberStatus, LIST_STATUS[member.get("status", "unknown")]))
            self._text(entry, FAST.note, member, "note")
            self._evidence(ff, where, entry, member["evidence"])

    def _incident_judgement(self, ff: FactFile, path: tuple[str | int, ...], node: URIRef, rec: dict[str, Any]) -> None:
        """Two incident records judged one incident (``same``) are linked with dr:sameIncident;
        ``not same`` is recorded and links nothing."""
        refs = []
        for i, slug in enumerate(rec["incidents"]):
            ref = URIRef(_ID + f"incident/{slug}")
            if ref not in self._ids:
                self.problems.append(ff.problem((*path, "incidents", i), f"unknown incident id '{slug}'"))
                continue
            refs.append(ref)
            self.g.add((node, FAST.incidents, ref))
        if len(refs) == 2 and refs[0] != refs[1] and rec["verdict"] == "same":
            self.g.add((refs[0], FAST.sameIncident, refs[1]))
            self.g.add((refs[1], FAST.sameIncident, refs[0]))
