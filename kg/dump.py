"""Serialise the current generation: Turtle, TriG, N-Quads, N-Triples or compacted JSON-LD.

* Dataset formats (TriG, N-Quads, JSON-LD) write every named graph, or only ``graph`` when it is given
  (still inside that named graph).
* Graph formats (Turtle, N-Triples) write one graph: ``graph`` when given, else the **union** of all named
  graphs with duplicates removed (what the SPARQL default graph shows).
* Turtle and TriG use the ontology's prefixes (:data:`kg.namespaces.PREFIXES`).
* JSON-LD is compacted with ``ontology/context.jsonld`` (embedded in the output, so a reader needs no network)
  by rdflib; pyoxigraph only writes expanded JSON-LD.

Oxigraph writes the RDF formats itself (streamed); only JSON-LD goes through rdflib.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .errors import InputError, NotFound
from .namespaces import PREFIXES, SH, SSSOM

CONTEXT_FILE = Path(__file__).resolve().parents[1] / "ontology" / "context.jsonld"

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_JSONLD_LOCK = threading.Lock()
# The ontology's prefixes, plus one per kind of data node, so that Turtle reads entity:who rather than
# id:entity\/who (a '/' must be escaped in a prefixed name).
TURTLE_PREFIXES = {**PREFIXES, **{kind: f"{PREFIXES['id']}{kind}/" for kind in (
    "entity", "fact", "evidence", "mention", "membership", "doc", "run", "graph")}}
SUFFIXES = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq", "ntriples": ".nt", "jsonld": ".jsonld"}


# Vocabularies the graphs use besides the ontology's own prefixes (mapping records, ontology header, shapes).
EXTRA_PREFIXES = {"sssom": str(SSSOM), "semapv": "https://w3id.org/semapv/vocab/", "sh": str(SH),
                  "vann": "http://purl.org/vocab/vann/"}


def jsonld_context() -> dict:
    """The published JSON-LD context (the ``@context`` object of ``ontology/context.jsonld``)."""
    if not CONTEXT_FILE.is_file():
        return {}
    try:
        data = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(f"{CONTEXT_FILE}: not JSON: {e}") from e
    return data.get("@context", data)


def dump_context() -> dict:
    """The published context, plus a prefix for every other vocabulary the graphs use (never overriding it)."""
    ctx = dict(jsonld_context())
    taken = {v for v in ctx.values() if isinstance(v, str)}
    for prefix, iri in {**PREFIXES, **EXTRA_PREFIXES}.items():
        if prefix not in ctx and iri not in taken:
            ctx[prefix] = iri
    return ctx


def _graph_node(store: ox.Store, graph: str) -> ox.NamedNode:
    node = ox.NamedNode(graph)
    if not store.contains_named_graph(node):
        raise NotFound(f"no graph <{graph}> in the store")
    return node


def union_triples(store: ox.Store) -> list[ox.Triple]:
    """The triples of all named graphs, each once, in a stable order."""
    seen = {q.triple for q in store.quads_for_pattern(None, None, None, None)}
    return sorted(seen, key=str)


def dump(store: ox.Store, fmt: str, output: BinaryIO, *, graph: str | None = None) -> None:
    """Write the store (or one graph of it) to ``output`` in ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "jsonld":
        output.write(jsonld_bytes(store, graph=graph))
        return
    rdf_format = FORMATS[fmt]
    prefixes = TURTLE_PREFIXES if fmt in ("turtle", "trig") else None
    if graph is not None:
        node = _graph_node(store, graph)
        if rdf_format.supports_datasets:
            ox.serialize(store.quads_for_pattern(None, None, None, node), output, rdf_format, prefixes=prefixes)
        else:
            store.dump(output, rdf_format, from_graph=node, prefixes=prefixes)
    elif rdf_format.supports_datasets:
        store.dump(output, rdf_format, prefixes=prefixes)
    else:
        ox.serialize(union_triples(store), output, rdf_format, prefixes=prefixes)


@contextlib.contextmanager
def verbatim_literals():
    """Make rdflib keep literals' lexical forms while parsing (it would rewrite "…Z" dateTimes as "…+00:00",
    a different RDF term than the one in the store). Process-wide: for tests and tools, not for servers."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def to_rdflib(term):
    """A pyoxigraph term as the same rdflib term (lexical form kept exactly)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise InputError(f"cannot write {term!r} as JSON-LD")


@contextlib.contextmanager
def lexical_numbers():
    """Keep numbers as typed strings in JSON-LD. With a context rdflib writes xsd:double and xsd:integer as JSON
    numbers, which a reader turns back into the canonical form ("0.95" comes back as "9.5E-1"): the same value but
    a different RDF term, so the dump would not be isomorphic to the store."""
    from rdflib.namespace import XSD
    from rdflib.plugins.serializers import jsonld

    # rdflib reads this module global at call time; _JSONLD_LOCK keeps two dumps from interleaving the swap.

    before = jsonld.PLAIN_LITERAL_TYPES
    jsonld.PLAIN_LITERAL_TYPES = {XSD.boolean, XSD.string}
    try:
        yield
    finally:
        jsonld.PLAIN_LITERAL_TYPES = before


def jsonld_bytes(store: ox.Store, *, graph: str | None = None) -> bytes:
    """Compacted JSON-LD of the dataset (or one named graph), the context embedded."""
    from rdflib import Dataset

    node = _graph_node(store, graph) if graph is not None else None
    ds = Dataset()
    for q in store.quads_for_pattern(None, None, None, node):
        g = ds.default_graph if isinstance(q.graph_name, ox.DefaultGraph) else ds.graph(to_rdflib(q.graph_name))
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    for p, ns in PREFIXES.items():
        ds.bind(p, ns)
    with _JSONLD_LOCK, lexical_numbers():
        text = ds.serialize(format="json-ld", context=dump_context(), indent=1, ensure_ascii=False)
    return text.encode("utf-8") if isinstance(text, str) else text
