"""Links from our entities to Wikidata, each with a record of how it was made.

Every entity with a *verified* QID gets ``skos:exactMatch wd:Q…`` in the links graph
(``id:graph/links``) plus an SSSOM-style mapping node: subject, predicate, object, how the
link was justified (``lexicon``, ``manual`` or ``reconciled``), the source that verified the QID,
the mapping date, a confidence and the tool. ``owl:sameAs`` is never stored (see
``kg.export.sameas``): identity links would fuse bodies the article itself confuses
(UNHCR vs UNHRC).

QIDs come from two places only: the lexicon (entries carry ``qid`` only with its ``qid_source``)
and ``data/wikidata/mappings.sssom.tsv`` (links reviewed by hand or through reconciliation).
The property and class maps in ``data/wikidata/`` are loaded here too, so every export reads
the same data.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from . import __version__
from .errors import InputError
from .namespaces import GRAPH_INFERRED, GRAPH_LINKS, ID, IPA, PREFIXES, SSSOM, WD, entity_iri

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "wikidata"
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
QID_RE = re.compile(r"^Q[1-9][0-9]*$")

# How each kind of link is justified in SSSOM terms, and how sure we are of it by default.
# Lexicon QIDs were checked by hand against a named public source, but not against Wikidata itself
# (one reference row even notes a QID that belongs to a parent body), hence not 1.0.
JUSTIFICATION = {
    "lexicon": (SEMAPV.ManualMappingCuration, 0.95),
    "manual": (SEMAPV.ManualMappingCuration, 1.0),
    "reconciled": (SEMAPV.LexicalMatching, 0.8),
}
TOOL = f"ipakg {__version__} (kg.links)"


# ---- the property and class maps (data/wikidata/*.csv) ------------------------------------------

@dataclass(frozen=True)
class PropertyMapping:
    ours: str       # CURIE, e.g. "ipa:memberOf"
    pid: str        # "P463"
    label: str
    role: str       # statement | qualifier | reference
    datatype: str   # wikibase-item | time | url | monolingualtext | string
    status: str     # V-src | mem
    source: str


@dataclass(frozen=True)
class ClassMapping:
    ours: str       # "ipa:Treaty"
    qid: str
    label: str
    match: str      # exactMatch | closeMatch
    source: str


@lru_cache(maxsize=None)
def property_map(path: Path | None = None) -> tuple[PropertyMapping, ...]:
    rows = _read_csv(path or DATA_DIR / "properties.csv")
    return tuple(PropertyMapping(**{k: r[k].strip() for k in PropertyMapping.__dataclass_fields__}) for r in rows)


@lru_cache(maxsize=None)
def class_map(path: Path | None = None) -> tuple[ClassMapping, ...]:
    rows = _read_csv(path or DATA_DIR / "classes.csv")
    out = tuple(ClassMapping(**{k: r[k].strip() for k in ClassMapping.__dataclass_fields__}) for r in rows)
    for c in out:
        if not QID_RE.match(c.qid):
            raise InputError(f"classes.csv: {c.ours} has a malformed QID {c.qid!r}")
    return out


def pid(ours: str) -> str:
    """The Wikidata property our property ``ours`` (a CURIE) is exported as."""
    for p in property_map():
        if p.ours == ours:
            return p.pid
    raise KeyError(f"{ours} has no Wikidata property in data/wikidata/properties.csv")


def class_qids() -> dict[str, str]:
    """Our class IRI -> QID of its Wikidata class item."""
    return {expand(c.ours): c.qid for c in class_map()}


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES:
        raise InputError(f"unknown prefix in {curie!r}")
    return PREFIXES[prefix] + local


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---- reviewed links outside the lexicon -------------------------------------------------------

@dataclass(frozen=True)
class Link:
    entity_id: str          # lexicon id or LOCAL_… id
    qid: str
    method: str             # lexicon | manual | reconciled
    qid_source: str         # where the QID was verified
    confidence: float
    author: str
    date: str | None = None  # YYYY-MM-DD the link was reviewed (None: the day the graph is built)


def reviewed_links(path: Path | None = None) -> dict[str, Link]:
    """Links from ``mappings.sssom.tsv`` keyed by entity id (rows there override the lexicon)."""
    path = path or DATA_DIR / "mappings.sssom.tsv"
    if not path.exists():
        return {}
    out: dict[str, Link] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    for n, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
        qid = row["object_id"].strip().removeprefix("wikidata:").removeprefix(str(WD))
        method = row.get("curation_rule_text", "").strip() or "manual"
        if not QID_RE.match(qid) or row["predicate_id"].strip() != "skos:exactMatch" or method not in JUSTIFICATION:
            raise InputError(f"{path.name} line {n}: need skos:exactMatch to wikidata:Q… with method manual|reconciled")
        if not row.get("comment", "").strip():
            raise InputError(f"{path.name} line {n}: say where the QID was verified (comment column)")
        out[row["subject_id"].strip()] = Link(
            entity_id=row["subject_id"].strip(), qid=qid, method=method, qid_source=row["comment"].strip(),
            confidence=float(row.get("confidence") or JUSTIFICATION[method][1]),
            author=row.get("author_label", "").strip() or "unknown", date=row.get("mapping_date", "").strip() or None,
        )
    return out


def verified_link(entity: Any, lexicon=None, reviewed: dict[str, Link] | None = None) -> Link | None:
    """The verified link of one entity, or None.

    ``entity`` is an extraction-JSON entity dict, a lexicon ``Entry`` or an entity id. A QID the
    entity merely *claims* (``"wikidata"`` in extraction JSON) is used only when the lexicon or the
    reviewed mappings vouch for it, so no unverified QID can reach the graph.
    """
    entity_id = _entity_id(entity)
    reviewed = reviewed_links() if reviewed is None else reviewed
    if entity_id in reviewed:
        return reviewed[entity_id]
    entry = entity if hasattr(entity, "qid_source") else (lexicon.get(entity_id) if lexicon is not None else None)
    if entry is not None and entry.qid and entry.qid_source:
        claimed = entity.get("wikidata") if isinstance(entity, dict) else None
        if claimed and claimed != entry.qid:
            log.warning("%s: extraction claims %s but the lexicon verified %s; using the lexicon", entity_id, claimed, entry.qid)
        return Link(entity_id, entry.qid, "lexicon", entry.qid_source, JUSTIFICATION["lexicon"][1],
                    f"ipakg lexicon ({entry.source})")
    if isinstance(entity, dict) and entity.get("wikidata"):
        log.warning("%s: QID %s is not verified by the lexicon or mappings.sssom.tsv; not linked", entity_id, entity["wikidata"])
    return None


def _entity_id(entity: Any) -> str:
    if isinstance(entity, str):
        return entity
    if isinstance(entity, dict):
        return entity["id"]
    return entity.id


# ---- the links graph ---------------------------------------------------------------------------

def mapping_iri(subject: URIRef, predicate: URIRef, obj: URIRef) -> URIRef:
    key = "\x1f".join((str(subject), str(predicate), str(obj)))
    return ID[f"mapping/{hashlib.sha256(key.encode()).hexdigest()[:16]}"]


def links_graph(entities: Iterable[Any], *, lexicon=None, mapping_date: dt.date | str | None = None,
                reviewed: dict[str, Link] | None = None) -> Graph:
    """``skos:exactMatch`` to Wikidata plus one mapping record per link, for the verified entities.

    ``entities``: extraction-JSON entity dicts, lexicon entries or entity ids (duplicates are fine).
    ``lexicon`` defaults to :func:`kg.lexicon.load_lexicon`; ``mapping_date`` (for links whose row carries
    no review date) to the day given by ``SOURCE_DATE_EPOCH``, else today (UTC).
    """
    if lexicon is None:
        from .lexicon import load_lexicon

        lexicon = load_lexicon()
    reviewed = reviewed_links() if reviewed is None else reviewed
    default_date = _date(mapping_date)
    g = Graph()
    for prefix in ("skos", "xsd", "id", "wd", "dct"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("sssom", SSSOM)
    g.bind("semapv", SEMAPV)
    seen: set[str] = set()
    for entity in entities:
        entity_id = _entity_id(entity)
        if entity_id in seen:
            continue
        seen.add(entity_id)
        link = verified_link(entity, lexicon, reviewed)
        if link is None:
            continue
        subject, obj = entity_iri(entity_id), WD[link.qid]
        g.add((subject, SKOS.exactMatch, obj))
        m = mapping_iri(subject, SKOS.exactMatch, obj)
        g.add((m, RDF.type, SSSOM.Mapping))
        g.add((m, SSSOM.subject_id, subject))
        g.add((m, SSSOM.predicate_id, SKOS.exactMatch))
        g.add((m, SSSOM.object_id, obj))
        g.add((m, SSSOM.mapping_justification, JUSTIFICATION[link.method][0]))
        g.add((m, SSSOM.curation_rule_text, Literal(link.method)))
        g.add((m, DCTERMS.source, Literal(link.qid_source)))
        g.add((m, SSSOM.mapping_date, Literal(_date(link.date) if link.date else default_date, datatype=XSD.date)))
        g.add((m, SSSOM.confidence, Literal(round(link.confidence, 4), datatype=XSD.double)))
        g.add((m, SSSOM.author_label, Literal(link.author)))
        g.add((m, SSSOM.mapping_tool, Literal(TOOL)))
    return g


def _date(value: dt.date | str | None) -> str:
    if value is None:
        # SOURCE_DATE_EPOCH (the reproducible-builds convention) pins the date so two builds compare equal.
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        now = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
        return now.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)[:10]).isoformat()


# ---- coverage (for `kg stats`) ------------------------------------------------------------------

COVERAGE_QUERY = f"""
PREFIX skos: <{SKOS}>
SELECT ?class (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?linked) AS ?linkedCount) WHERE {{
  GRAPH ?g {{ ?e a ?class }}
  FILTER(?g != <{GRAPH_INFERRED}> && STRSTARTS(STR(?e), "{ID}entity/") && STRSTARTS(STR(?class), "{IPA}"))
  OPTIONAL {{ GRAPH <{GRAPH_LINKS}> {{ ?e skos:exactMatch ?q }} BIND(?e AS ?linked) }}
}} GROUP BY ?class ORDER BY ?class
"""


TOTAL_QUERY = f"""
SELECT (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?linked) AS ?linkedCount) WHERE {{
  GRAPH ?g {{ ?e a ?class }}
  FILTER(?g != <{GRAPH_INFERRED}> && STRSTARTS(STR(?e), "{ID}entity/"))
  OPTIONAL {{ GRAPH <{GRAPH_LINKS}> {{ ?e <{SKOS.exactMatch}> ?q }} BIND(?e AS ?linked) }}
}}
"""


def link_coverage(source) -> list[dict]:
    """Per asserted class of our entities: how many there are and how many link to Wikidata.

    ``source``: a :mod:`kg.sparql` engine or an open ``pyoxigraph.Store``. Rows: ``{"class": local
    name, "entities": n, "linked": k, "coverage": k/n}``, then a ``"*"`` row counting distinct entities
    (an entity typed with two classes counts once there).
    """
    rows = []
    for sol in select(source, COVERAGE_QUERY) + [dict(r, **{"class": None}) for r in select(source, TOTAL_QUERY)]:
        n, k = int(sol["entities"].value), int(sol["linkedCount"].value)
        name = sol["class"].value.removeprefix(str(IPA)) if sol["class"] is not None else "*"
        rows.append({"class": name, "entities": n, "linked": k, "coverage": round(k / n, 4) if n else 0.0})
    return rows


def select(source, query: str) -> list[dict]:
    """Rows of a SELECT as ``{variable: pyoxigraph term}`` over the union of the named graphs.

    Goes through the query engine (:mod:`kg.sparql`) when given one, so exports share its limits;
    a bare ``pyoxigraph.Store`` (a build in progress, tests) is queried directly.
    """
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        sols = source.query(query, use_default_graph_as_union=True)
        names = [v.value for v in sols.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in sols]
    return source.query(query, row_cap=None).bindings()
