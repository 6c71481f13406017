"""Counts that describe a built graph: triples per graph, entities per class, facts per type, Wikidata links.

Everything is computed with SPARQL over the store (the default graph is the union of the named graphs), so
the numbers are what a query user sees.
"""

from __future__ import annotations

import pyoxigraph as ox

from .namespaces import GRAPH_INFERRED, ID, IPA, PREFIXES, sparql_prefixes

ENTITY_NS = str(ID["entity/"])

ENTITIES_ASSERTED = sparql_prefixes() + f"""
SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  GRAPH ?g {{ ?e a ?class }}
  FILTER(STRSTARTS(STR(?e), "{ENTITY_NS}") && ?g != <{GRAPH_INFERRED}>)
}} GROUP BY ?class"""

ENTITIES_ALL = sparql_prefixes() + f"""
SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  ?e a ?class FILTER(STRSTARTS(STR(?e), "{ENTITY_NS}"))
}} GROUP BY ?class"""

FACTS = sparql_prefixes() + f"""
SELECT ?type (COUNT(DISTINCT ?f) AS ?n) (COUNT(DISTINCT ?doc) AS ?docs) WHERE {{
  GRAPH ?g {{ ?f a ?type ; prov:wasDerivedFrom ?doc . ?doc a ipa:Document }}
  FILTER(?g != <{GRAPH_INFERRED}>)
}} GROUP BY ?type"""

GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _local(iri: str) -> str:
    """Ontology classes by local name (``Withdrawal``), others by prefixed name (``prov:Agent``)."""
    if iri.startswith(str(IPA)):
        return iri[len(str(IPA)):]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _rows(store: ox.Store, query: str):
    return store.query(query, use_default_graph_as_union=True)


def collect(store: ox.Store) -> dict:
    graphs = {s["g"].value: int(s["n"].value) for s in _rows(store, GRAPHS)}
    asserted = {s["class"].value: int(s["n"].value) for s in _rows(store, ENTITIES_ASSERTED)}
    with_inferred = {s["class"].value: int(s["n"].value) for s in _rows(store, ENTITIES_ALL)}
    classes = sorted(set(asserted) | set(with_inferred), key=lambda c: (-with_inferred.get(c, 0), c))
    facts = sorted(({"type": _local(s["type"].value), "facts": int(s["n"].value), "documents": int(s["docs"].value)}
                    for s in _rows(store, FACTS)), key=lambda r: (-r["facts"], r["type"]))
    try:
        from .links import link_coverage

        links = link_coverage(store)
    except ModuleNotFoundError as e:
        if e.name != "kg.links":
            raise
        links = []
    return {
        "triples": sum(graphs.values()),
        "graphs": dict(sorted(graphs.items())),
        "entities": [{"class": _local(c), "asserted": asserted.get(c, 0), "with_inferred": with_inferred.get(c, 0)}
                     for c in classes],
        "facts": facts,
        "links": links,
    }


def render(stats: dict) -> str:
    """The stats as plain-text tables."""
    out = [f"triples: {stats['triples']}", "", "triples per graph:"]
    width = max((len(g) for g in stats["graphs"]), default=10)
    out += [f"  {g:<{width}}  {n:>8}" for g, n in stats["graphs"].items()]
    out += ["", "entities per class (asserted / with inferred types):"]
    out += [f"  {r['class']:<32} {r['asserted']:>6} {r['with_inferred']:>6}" for r in stats["entities"]]
    out += ["", "facts per type (facts / documents):"]
    out += [f"  {r['type']:<32} {r['facts']:>6} {r['documents']:>6}" for r in stats["facts"]]
    if stats["links"]:
        out += ["", "Wikidata links per class (linked / entities):"]
        out += [f"  {r['class']:<32} {r['linked']:>6} / {r['entities']:<6} {100 * r['coverage']:5.1f} %"
                for r in stats["links"]]
    return "\n".join(out)
