"""Wikibase RDF for the selected statements, shaped like Wikidata's own RDF (ontology note §1.5).

``wd:Q30 p:P463 <stmt>``; the statement node is ``wikibase:Statement`` (normal rank, and best rank since
it is the only one we know of) with ``ps:P463 wd:Q7817``, qualifiers ``pq:P582`` (simple value) and
``pqv:P582`` (a ``wikibase:TimeValue`` with precision, timezone and calendar model), and
``prov:wasDerivedFrom`` reference nodes with ``pr:``/``prv:`` snaks.

Statement, reference and value nodes are minted in **our** namespace (``id:wbstatement/…``,
``id:wbreference/…``, ``id:wbvalue/…``), never under wikidata.org. A reference IRI is the SHA-1 of its
content, as in Wikibase, so statements citing the same source share one reference node. Times keep the
Wikibase lexical form ``2026-01-22T00:00:00Z`` (rdflib would rewrite ``Z`` as ``+00:00`` unless told
not to normalise). Each statement points back to our fact nodes with ``rdfs:seeAlso``.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from ..namespaces import ID, WD
from .statements import CALENDAR_GREGORIAN, Reference, Selection, Time

WIKIBASE = Namespace("http://wikiba.se/ontology#")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PSV = Namespace("http://www.wikidata.org/prop/statement/value/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
PQV = Namespace("http://www.wikidata.org/prop/qualifier/value/")
PR = Namespace("http://www.wikidata.org/prop/reference/")
PRV = Namespace("http://www.wikidata.org/prop/reference/value/")

PREFIXES = {"wd": WD, "wdt": WDT, "p": P, "ps": PS, "psv": PSV, "pq": PQ, "pqv": PQV, "pr": PR, "prv": PRV,
            "wikibase": WIKIBASE, "prov": PROV, "xsd": XSD, "rdfs": RDFS, "id": ID}


def time_literal(t: Time) -> Literal:
    return Literal(t.xsd_datetime, datatype=XSD.dateTime, normalize=False)


def _time_node(g: Graph, t: Time) -> URIRef:
    node = ID[f"wbvalue/{hashlib.md5(f'{t.wikibase}/{t.precision}'.encode()).hexdigest()}"]
    g.add((node, RDF.type, WIKIBASE.TimeValue))
    g.add((node, WIKIBASE.timeValue, time_literal(t)))
    g.add((node, WIKIBASE.timePrecision, Literal(t.precision)))
    g.add((node, WIKIBASE.timeTimezone, Literal(0)))
    g.add((node, WIKIBASE.timeCalendarModel, WD[CALENDAR_GREGORIAN]))
    return node


def _snak_value(kind: str, v):
    if kind == "item":
        return WD[v]
    if kind == "url":
        return URIRef(v)
    if kind == "text":
        lang, text = v
        return Literal(text, lang=lang)
    return time_literal(v)


def reference_iri(ref: Reference) -> URIRef:
    content = "\x1e".join(f"{p}\x1f{kind}\x1f{v.wikibase if isinstance(v, Time) else v}" for p, kind, v in ref.snaks())
    return ID[f"wbreference/{hashlib.sha1(content.encode()).hexdigest()}"]


def to_graph(selection: Selection) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for st in selection.statements:
        key = "\x1f".join([st.subject, st.property, st.value] + [f"{p}={t.wikibase}/{t.precision}" for p, t in st.qualifiers])
        node = ID[f"wbstatement/{hashlib.sha256(key.encode()).hexdigest()[:16]}"]
        subject, value = WD[st.subject], WD[st.value]
        g.add((subject, P[st.property], node))
        g.add((subject, WDT[st.property], value))
        g.add((node, RDF.type, WIKIBASE.Statement))
        g.add((node, RDF.type, WIKIBASE.BestRank))
        g.add((node, WIKIBASE.rank, WIKIBASE.NormalRank))
        g.add((node, PS[st.property], value))
        for p, t in st.qualifiers:
            g.add((node, PQ[p], time_literal(t)))
            g.add((node, PQV[p], _time_node(g, t)))
        for fact in st.facts:
            g.add((node, RDFS.seeAlso, URIRef(fact)))
        for ref in st.references:
            r = reference_iri(ref)
            g.add((node, PROV.wasDerivedFrom, r))
            g.add((r, RDF.type, WIKIBASE.Reference))
            for p, kind, v in ref.snaks():
                g.add((r, PR[p], _snak_value(kind, v)))
                if kind == "time":
                    g.add((r, PRV[p], _time_node(g, v)))
    return g
