"""IRIs and prefixes shared by every stage, so that no module spells a namespace twice."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

IPA = Namespace("https://w3id.org/ipakg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/ipakg/ontology"
ONTOLOGY_VERSION_IRI = "https://w3id.org/ipakg/ontology/0.1.0"
ID = Namespace("https://w3id.org/ipakg/id/")

OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
DCT = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SSSOM = Namespace("https://w3id.org/sssom/")
WD = Namespace("http://www.wikidata.org/entity/")

# Named graphs that are not per-document.
GRAPH_ONTOLOGY = ID["graph/ontology"]
GRAPH_ENTITIES = ID["graph/entities"]  # types, labels and lexicon ids, stated once for all documents
GRAPH_INFERRED = ID["graph/inferred"]
GRAPH_LINKS = ID["graph/links"]
GRAPH_META = ID["graph/meta"]  # build runs (prov:Activity) and dataset description

PREFIXES: dict[str, str] = {
    "ipa": str(IPA),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "oa": str(OA),
    "org": str(ORG),
    "sem": str(SEM),
    "schema": str(SCHEMA),
    "dct": str(DCT),
    "void": str(VOID),
    "wd": str(WD),
}


def sparql_prefixes() -> str:
    """The PREFIX block for queries written in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def slug(text: str) -> str:
    """A stable, IRI-safe slug: lower-case ASCII words joined by '-'.

    Lexicon ids such as ``UN_WOMEN`` become ``un-women``. Non-ASCII input keeps its
    letters percent-free by falling back to code points, so two different ids never
    share a slug.
    """
    norm = unicodedata.normalize("NFKD", text)
    out = []
    for ch in norm:
        if ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        elif ch.isascii():
            out.append("-")
        elif unicodedata.category(ch).startswith("M"):
            continue
        else:
            out.append(f"u{ord(ch):x}")
    s = re.sub(r"-+", "-", "".join(out)).strip("-")
    return s or "x"


def entity_iri(entity_id: str):
    return ID[f"entity/{slug(entity_id)}"]


def document_iri(doc_id: str):
    return ID[f"doc/{doc_id}"]


def document_graph(doc_id: str):
    return ID[f"doc/{doc_id}/graph"]


def fact_iri(fact_key: str):
    return ID[f"fact/{fact_key}"]


def evidence_iri(evidence_key: str):
    return ID[f"evidence/{evidence_key}"]
