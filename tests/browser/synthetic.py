"""A generated data-flow graph of any size, with the attributes of graph.build.projection's output.

Built directly as a networkx MultiDiGraph (no RDF), for the 5,000-node browser test and
bench/viz_bench.py. Degrees are skewed like the real data: a few platforms grant to many.
"""

from __future__ import annotations

import random

import networkx as nx

DATA_TYPES = [("personal-data", "personal data", ()), ("contact-information", "contact information", ("personal-data",)),
              ("phone-number", "phone number", ("contact-information",)), ("email-address", "email address", ("contact-information",)),
              ("name", "name", ("personal-data",)), ("friends-list", "friends list", ("personal-data",)),
              ("private-message", "private message", ("personal-data",)), ("posts", "posts", ("personal-data",))]
INTEGRATIONS = ["messaging-integration", "search-integration", "app-platform", "data-upload", "tracking"]
STATUSES = ["active", "shut down", "unknown"]
PERMISSIONS = [["read"], ["read", "write"], ["read", "write", "delete"]]


def _taxonomy(kind: str, items: list[tuple[str, str, tuple[str, ...]]], ns: str) -> dict:
    return {"kind": kind, "concepts": [{"slug": s, "iri": ns + s, "label": label, "alt_labels": [], "broader": list(b),
                                        "matches": [], "fideslang": None, "sensitivity": 1, "minted": False, "note": None}
                                       for s, label, b in items]}


def _claims(rng: random.Random, disputed: bool) -> list[dict]:
    out = [{"source": "gen", "locator": f"row {rng.randrange(10**6)}", "stance": "asserts", "confidence": "reported",
            "claimant": None, "aspect": None, "note": None}]
    if disputed:
        out.append({"source": "gen", "locator": "reply", "stance": "disputes", "confidence": "reported",
                    "claimant": "The grantee", "aspect": None, "note": "denies it"})
    return out


def synthetic_graph(n: int, *, seed: int = 1, edges_per_node: float = 1.8) -> nx.MultiDiGraph:
    """``n`` companies, about ``edges_per_node * n`` grants, a public node and a few incidents."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    G.graph.update(taxonomy=_taxonomy("data type", DATA_TYPES, "https://w3id.org/datareach/datatype/"),
                   integrations=_taxonomy("integration kind", [(s, s.replace("-", " "), ()) for s in INTEGRATIONS + ["scraping"]],
                                          "https://w3id.org/datareach/integration/"),
                   sources={"gen": {"publisher": "Generator", "title": "Synthetic data", "date": "2024",
                                    "url": "https://example.org/synthetic", "reports_on": None}})
    leaves = [dt[0] for dt in DATA_TYPES[2:]]
    for i in range(n):
        holds = [] if i % 10 else [{"kind": "holding", "id": f"h{i}", "data_types": rng.sample(leaves, 2),
                                    "evidence": _claims(rng, False), "note": None}]
        G.add_node(f"c{i}", kind="company", label=f"Company {i}", iri=f"https://w3id.org/datareach/id/company/c{i}",
                   aliases=[], note=None, holds=holds)
    G.add_node("public", kind="public", label="public (anyone who downloaded a dump)", iri="x:public", aliases=[], holds=[])
    hubs = max(1, n // 50)
    for j in range(int(edges_per_node * n)):
        u = f"c{rng.randrange(hubs) if rng.random() < 0.5 else rng.randrange(n)}"
        v = f"c{rng.randrange(n)}"
        if u == v:
            continue
        disputed = rng.random() < 0.05
        start = rng.randrange(2005, 2020)
        G.add_edge(u, v, key=f"g{j}", kind="grant", id=f"g{j}", iri=f"x:g{j}", data_types=rng.sample(leaves, rng.randint(1, 2)),
                   integration=rng.choice(INTEGRATIONS), permissions=rng.choice(PERMISSIONS), valid_from=str(start),
                   stated_end=str(start + rng.randrange(1, 8)) if rng.random() < 0.5 else None, last_observed_active=None,
                   status=rng.choice(STATUSES), activation=None, overrode_privacy_setting=None, note=None,
                   evidence=_claims(rng, disputed), disputed=disputed)
    for k in range(max(1, n // 500)):
        G.add_edge(f"c{k}", "public", key=f"i{k}", kind="incident", id=f"i{k}", iri=f"x:i{k}", data_types=["phone-number"],
                   integration="scraping", permissions=["read"], valid_from="2021", stated_end=None, status="incident",
                   note=None, evidence=_claims(rng, False), disputed=False, label=f"Dump {k}", exploited_feature=None,
                   affected=1000, published="2021", occurred="2019")
    return G
