"""Linked-data pages: every IRI under ``https://w3id.org/ipakg/id/`` is served at ``/id/…``.

Content negotiation (``Accept`` or ``format=``) gives HTML, Turtle, JSON-LD, N-Triples or
RDF/XML, with ``Vary: Accept``. The RDF is the resource's description: its own triples, the
triples of the annotation nodes it owns (an evidence's target and selectors) and the triples
that point at it. Named graphs (``…/doc/<id>/graph``, ``…/graph/…``) answer with the graph.

The HTML shows labels in every language, asserted and inferred types, the Wikidata link, every
fact where the entity takes part with its evidence sentence (the span highlighted, linked to
the document view), and all other triples. ``/doc/<doc id>`` shows a source text with every
evidence span highlighted and anchored (``#ev-<key>``) and entity mentions linked.

Paths are matched against the shape of the IRIs we mint (no ``..``, no odd characters), so
they can be written into a query as ``<…>`` safely and never reach the file system.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from flask import Blueprint, Response, redirect, render_template

from kg.errors import NotFound
from kg.namespaces import GRAPH_INFERRED, ID, PREFIXES

from .saved import engine, negotiate, not_acceptable

bp = Blueprint("pages", __name__)

ID_NS = str(ID)
WD_NS = "http://www.wikidata.org/entity/"
HTML = "text/html"
RDF_OFFERS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
OFFERS = [HTML] + RDF_OFFERS
ALIASES = {"application/json": "application/ld+json", "text/plain": "application/n-triples"}
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*(?:/[A-Za-z0-9][A-Za-z0-9._~-]*)*$")
_DOC_ID = re.compile(r"^[0-9a-f]{16}$")
_SAFE_IRI = re.compile(r'^[^\x00-\x20<>"{}|^`\\]+$')
_STOPS = "。！？!?；;\n"
CONTEXT_CHARS = 160
MAX_INCOMING = 500

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
# types asserted by a source (any graph but the reasoner's)
ASSERTED_FILTER = f"FILTER(?g != <{GRAPH_INFERRED}>)"
ROLES = '(ipa:actor "actor") (ipa:target "target") (ipa:member "member") (ipa:organization "organization") (ipa:legalBasis "legal basis") (ipa:endedBy "ended by")'
DATE_ROLES = '(ipa:announcedDate "announced") (ipa:effectiveDate "effective") (ipa:endDate "ended") (ipa:startDate "started")'


def _iri(value: str) -> str:
    """``<value>`` for a query; only IRIs that came from the store or matched ``_PATH`` get here."""
    if not _SAFE_IRI.match(value):
        raise NotFound(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def _select(sparql: str) -> list[dict[str, Any]]:
    result = engine().query(PROLOGUE + sparql)
    return [{v: row[i] for i, v in enumerate(result.variables) if row[i] is not None} for row in result.rows]


def _val(term: Any) -> Any:
    return None if term is None else term.value


def _values(iris: Iterable[str]) -> str:
    return " ".join(_iri(i) for i in sorted(set(iris)))


# ---- routes --------------------------------------------------------------------------------------

@bp.route("/id/<path:path>", methods=["GET", "HEAD"])
def resource(path: str) -> Response:
    """One IRI under ``https://w3id.org/ipakg/id/``, as HTML or RDF by content negotiation."""
    if not _PATH.match(path):
        raise NotFound(f"no resource /id/{path}")
    iri = ID_NS + path
    chosen = negotiate(OFFERS, aliases=ALIASES)
    if chosen is None:
        raise not_acceptable(OFFERS)
    eng = engine()
    is_graph = (path.startswith("doc/") and path.endswith("/graph")) or path.startswith("graph/")
    if is_graph and eng.has_graph(iri):
        if chosen == HTML:
            resp = Response(render_template("graph.html", iri=iri, size=eng.graph_sizes().get(iri, 0), offers=RDF_OFFERS))
        elif chosen == "application/ld+json":
            resp = Response(compact_jsonld(eng.get_graph(iri, "application/n-triples")), mimetype=chosen)
        else:
            resp = Response(eng.get_graph(iri, chosen), mimetype=chosen)
    elif not _exists(iri):
        raise NotFound(f"nothing is known about {iri}")
    elif chosen == HTML:
        m = re.fullmatch(r"doc/([0-9a-f]{16})", path)
        if m:
            return _vary(redirect(f"/doc/{m.group(1)}", code=303))
        resp = Response(_html(iri, path))
    else:
        result = eng.query(PROLOGUE + _describe(iri))
        if chosen == "application/ld+json":
            body = compact_jsonld(result.serialize("application/n-triples"))
        else:
            body = result.serialize(chosen, prefixes=PREFIXES)
        resp = Response(body, mimetype=chosen)
    if chosen != HTML:
        resp.headers["Link"] = f'<{iri}>; rel="describes"'
    return _vary(resp)


@bp.route("/doc/<doc_id>", methods=["GET", "HEAD"])
def document(doc_id: str) -> Response:
    """A source document with every evidence span highlighted and every entity mention linked."""
    if not _DOC_ID.match(doc_id):
        raise NotFound(f"no document {doc_id!r} (a document id is 16 hexadecimal digits)")
    iri = f"{ID_NS}doc/{doc_id}"
    view = _document_view(iri)
    if view is None:
        raise NotFound(f"no document {doc_id}")
    return Response(render_template("document.html", **view))


def compact_jsonld(ntriples: bytes) -> bytes:
    """JSON-LD compacted with the published context (``ontology/context.jsonld``, embedded), as ``kg dump`` writes it."""
    from rdflib import Graph

    from kg.dump import dump_context, lexical_numbers, verbatim_literals

    g = Graph()
    with verbatim_literals():
        g.parse(data=ntriples, format="nt")
    with lexical_numbers():
        text = g.serialize(format="json-ld", context=dump_context(), indent=1, ensure_ascii=False)
    return text.encode("utf-8") if isinstance(text, str) else text


def _vary(resp: Response) -> Response:
    resp.vary.add("Accept")
    return resp


def _exists(iri: str) -> bool:
    return bool(_select(f"SELECT ?p WHERE {{ {{ {_iri(iri)} ?p ?o }} UNION {{ ?s ?p {_iri(iri)} }} }} LIMIT 1"))


def _describe(iri: str) -> str:
    x = _iri(iri)
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{
  {{ {x} ?p ?o BIND({x} AS ?s) }}
  UNION {{ {x} oa:hasTarget ?s . ?s ?p ?o }}
  UNION {{ {x} oa:hasTarget/oa:hasSelector ?s . ?s ?p ?o }}
  UNION {{ ?s ?p {x} BIND({x} AS ?o) }}
}} }}"""


# ---- what a page shows ---------------------------------------------------------------------------

@dataclass
class Snippet:
    """An evidence span in its sentence: ``before`` + ``exact`` (highlighted) + ``after``."""

    evidence: str
    doc: str | None
    exact: str
    before: str = ""
    after: str = ""
    start: int | None = None
    end: int | None = None

    @property
    def anchor(self) -> str:
        return "ev-" + self.evidence.rsplit("/", 1)[-1]

    @property
    def doc_href(self) -> str | None:
        if self.doc and self.doc.startswith(ID_NS + "doc/"):
            return f"/doc/{self.doc[len(ID_NS) + 4:]}#{self.anchor}"
        return None


@dataclass
class Fact:
    iri: str
    type: str
    roles: set[str] = field(default_factory=set)
    parties: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    dates: list[tuple[str, str]] = field(default_factory=list)
    modality: str | None = None
    source: str | None = None
    evidence: list[Snippet] = field(default_factory=list)


def sentence_around(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The text before and after a span, up to the sentence ends (at most ``limit`` characters each way)."""
    lo = max(0, start - limit)
    before = text[lo:start]
    cut = max(before.rfind(ch) for ch in _STOPS)
    before = before[cut + 1:] if cut >= 0 else ("…" + before if lo > 0 else before)
    if end > start and text[end - 1] in _STOPS:  # the span already ends its sentence
        return before.lstrip(), ""
    after = text[end:end + limit]
    stops = [i for i in (after.find(ch) for ch in _STOPS) if i >= 0]
    if stops:
        after = after[: min(stops) + 1].rstrip("\n")
    elif end + limit < len(text):
        after += "…"
    return before.lstrip(), after


def labels_of(iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{iri: {language tag: label}}`` from skos:prefLabel, else rdfs:label or dct:title."""
    iris = [i for i in set(iris) if i]
    out: dict[str, dict[str, str]] = defaultdict(dict)
    if not iris:
        return out
    rows = _select(f"""SELECT DISTINCT ?x ?p ?label WHERE {{
  VALUES ?x {{ {_values(iris)} }} VALUES ?p {{ skos:prefLabel rdfs:label dct:title }} ?x ?p ?label }}""")
    for r in sorted(rows, key=lambda r: (r["p"].value != str(PREFIXES["skos"]) + "prefLabel", r["label"].value)):
        out[r["x"].value].setdefault((r["label"].language or "").lower(), r["label"].value)
    return out


def display(iri: str, labels: dict[str, dict[str, str]]) -> str:
    """'English · 繁體' for an IRI with labels, else its prefixed name."""
    ls = labels.get(iri) or {}
    parts = [ls[k] for k in ("en", "zh-hant", "zh-hans", "zh", "") if ls.get(k)]
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    if seen:
        return " · ".join(seen[:2])
    from .ui import curie

    return curie(iri)


def snippets(evidence_rows: list[dict[str, Any]]) -> dict[str, Snippet]:
    """Evidence IRI -> its highlighted sentence, cut from the document text when the offsets check out."""
    docs = {r["doc"].value for r in evidence_rows if "doc" in r}
    texts = {r["doc"].value: r["text"].value for r in _select(
        f"SELECT ?doc ?text WHERE {{ VALUES ?doc {{ {_values(docs)} }} ?doc ipa:text ?text }}")} if docs else {}
    out: dict[str, Snippet] = {}
    for r in evidence_rows:
        ev = r["ev"].value
        if ev in out or "exact" not in r:
            continue
        doc = _val(r.get("doc"))
        s = Snippet(evidence=ev, doc=doc, exact=r["exact"].value, before=_val(r.get("prefix")) or "",
                    after=_val(r.get("suffix")) or "")
        if "start" in r and "end" in r:
            s.start, s.end = int(r["start"].value), int(r["end"].value)
            text = texts.get(doc or "")
            if text is not None and text[s.start:s.end] == s.exact:
                s.before, s.after = sentence_around(text, s.start, s.end)
        out[ev] = s
    return out


EVIDENCE_PATTERN = """
  ?ev oa:hasTarget ?t . ?t oa:hasSelector ?q . ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?t oa:hasSource ?doc }
  OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
  OPTIONAL { ?t oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }"""


def facts_about(iri: str) -> list[Fact]:
    """Facts in which ``iri`` takes part (as actor, target, member…), with parties, dates and evidence."""
    rows = _select(f"""SELECT DISTINCT ?fact ?role WHERE {{
  VALUES (?prop ?role) {{ {ROLES} }} ?fact ?prop {_iri(iri)} }}""")
    roles: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        roles[r["fact"].value].add(r["role"].value)
    return load_facts(roles, roles)


def load_facts(fact_iris: Iterable[str], roles: dict[str, set[str]] | None = None) -> list[Fact]:
    """The given facts with their type, source, modality, parties, dates and evidence sentences."""
    fact_iris = set(fact_iris)
    if not fact_iris:
        return []
    roles = roles or {}
    values = _values(fact_iris)
    facts: dict[str, Fact] = {}
    for r in _select(f"""SELECT DISTINCT ?fact ?type ?source ?modality WHERE {{
  VALUES ?fact {{ {values} }} GRAPH ?g {{ ?fact a ?type }} {ASSERTED_FILTER}
  OPTIONAL {{ ?fact prov:wasDerivedFrom ?source }} OPTIONAL {{ ?fact ipa:modality ?modality }} }}"""):
        f = facts.setdefault(r["fact"].value, Fact(iri=r["fact"].value, type=r["type"].value))
        f.source, f.modality = _val(r.get("source")), _val(r.get("modality"))
        f.roles = set(roles.get(f.iri, ()))
    for r in _select(f"""SELECT DISTINCT ?fact ?role ?who WHERE {{
  VALUES ?fact {{ {values} }} VALUES (?prop ?role) {{ {ROLES} }} ?fact ?prop ?who }}"""):
        if r["fact"].value in facts:
            facts[r["fact"].value].parties[r["role"].value].append(r["who"].value)
    for r in _select(f"""SELECT DISTINCT ?fact ?role ?date WHERE {{
  VALUES ?fact {{ {values} }} VALUES (?prop ?role) {{ {DATE_ROLES} }} ?fact ?prop ?date }}"""):
        if r["fact"].value in facts:
            facts[r["fact"].value].dates.append((r["role"].value, r["date"].value))
    ev_rows = _select(f"""SELECT DISTINCT ?fact ?ev ?doc ?exact ?prefix ?suffix ?start ?end WHERE {{
  VALUES ?fact {{ {values} }} ?fact ipa:evidence ?ev . {EVIDENCE_PATTERN} }}""")
    snips = snippets(ev_rows)
    for r in ev_rows:
        f = facts.get(r["fact"].value)
        s = snips.get(r["ev"].value)
        if f is not None and s is not None and s not in f.evidence:
            f.evidence.append(s)
    for f in facts.values():
        f.dates.sort(key=lambda d: (d[1], d[0]))
        f.evidence.sort(key=lambda s: (s.doc or "", s.start or 0))
        for who in f.parties.values():
            who.sort()
    return sorted(facts.values(), key=lambda f: (min((d for _, d in f.dates), default="9999"), f.type, f.iri))


def fact_title(f: Fact, labels: dict[str, dict[str, str]]) -> str:
    """'Withdrawal · 退出: United States → World Health Organization' (English names for the parties)."""
    def short(iri: str) -> str:
        ls = labels.get(iri) or {}
        return ls.get("en") or ls.get("zh-hant") or ls.get("zh-hans") or display(iri, labels)

    who = [short(w) for w in f.parties.get("actor", []) + f.parties.get("member", [])]
    whom = [short(w) for w in f.parties.get("target", []) + f.parties.get("organization", [])]
    parties = ", ".join(who) + (" → " + ", ".join(whom[:3]) + (f" +{len(whom) - 3}" if len(whom) > 3 else "") if whom else "")
    return f"{display(f.type, labels)}: {parties}" if parties else display(f.type, labels)


def _html(iri: str, path: str) -> str:
    kind = path.split("/", 1)[0]
    out_rows = _select(f"SELECT DISTINCT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }} ORDER BY ?p ?o")
    in_rows = _select(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {_iri(iri)} }} ORDER BY ?p ?s LIMIT {MAX_INCOMING + 1}")
    types = _select(f"SELECT DISTINCT ?type ?g WHERE {{ GRAPH ?g {{ {_iri(iri)} a ?type }} }}")
    asserted = sorted({r["type"].value for r in types if r["g"].value != str(GRAPH_INFERRED)})
    inferred = sorted({r["type"].value for r in types if r["g"].value == str(GRAPH_INFERRED)} - set(asserted))
    wikidata = sorted({r["o"].value for r in out_rows if r["o"].value.startswith(WD_NS)
                       and r["p"].value in (PREFIXES["skos"] + "exactMatch", PREFIXES["owl"] + "sameAs")})
    label_props = [PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "altLabel"]
    lang_order = ["en", "zh-hant", "zh-hans"]
    own_labels = sorted(
        (r for r in out_rows if r["p"].value in label_props),
        key=lambda r: (label_props.index(r["p"].value), lang_order.index(r["o"].language) if r["o"].language in lang_order
                       else len(lang_order), r["o"].value),
    )
    facts: list[Fact] = []
    evidence: Snippet | None = None
    if kind in ("fact", "membership"):
        facts = load_facts([iri])
    elif kind in ("evidence", "mention"):
        rows = _select(f"SELECT DISTINCT ?ev ?doc ?exact ?prefix ?suffix ?start ?end WHERE {{ BIND({_iri(iri)} AS ?ev) {EVIDENCE_PATTERN} }}")
        evidence = snippets(rows).get(iri)
        facts = load_facts(r["s"].value for r in in_rows if r["p"].value == PREFIXES["ipa"] + "evidence")
    else:
        facts = facts_about(iri)
    mentions = _select(f"""SELECT ?doc (COUNT(DISTINCT ?m) AS ?n) WHERE {{
  ?m oa:hasBody {_iri(iri)} ; oa:hasTarget/oa:hasSource ?doc }} GROUP BY ?doc ORDER BY ?doc""")
    related = {iri} | set(asserted) | set(inferred) | {r["p"].value for r in out_rows} | {r["p"].value for r in in_rows}
    related |= {r["o"].value for r in out_rows if type(r["o"]).__name__ == "NamedNode"} | {r["s"].value for r in in_rows}
    for f in facts:
        related |= {f.iri, f.type, f.source or ""} | {w for ws in f.parties.values() for w in ws}
    labels = labels_of(related)
    text_prop = PREFIXES["ipa"] + "text"
    title = display(iri, labels)
    if kind in ("fact", "membership") and facts:
        title = fact_title(facts[0], labels)
    elif kind == "mention":
        bodies = [r["o"].value for r in out_rows if r["p"].value == PREFIXES["oa"] + "hasBody"]
        if bodies:
            title = "Mention of " + display(bodies[0], labels)
    return render_template(
        "resource.html", iri=iri, kind=kind, title=title, labels=labels, display=display,
        own_labels=own_labels, asserted=asserted, inferred=inferred, wikidata=wikidata, facts=facts,
        evidence=evidence, mentions=mentions, out_rows=[r for r in out_rows if r["p"].value != text_prop],
        in_rows=in_rows[:MAX_INCOMING], more_incoming=len(in_rows) > MAX_INCOMING, offers=RDF_OFFERS,
    )


# ---- the document view ---------------------------------------------------------------------------

@dataclass
class Segment:
    text: str
    evidence: list[str]
    entity: str | None
    anchors: list[str]


def segment(text: str, spans: list[tuple[int, int, str]], mentions: list[tuple[int, int, str]]) -> list[Segment]:
    """Cut ``text`` at every span boundary; each piece knows the evidence spans and the mention covering it."""
    n = len(text)
    spans = [(s, e, k) for s, e, k in spans if 0 <= s < e <= n]
    mentions = [(s, e, k) for s, e, k in mentions if 0 <= s < e <= n]
    cuts = sorted({0, n} | {s for s, _, _ in spans} | {e for _, e, _ in spans}
                  | {s for s, _, _ in mentions} | {e for _, e, _ in mentions})
    starts: dict[int, list[str]] = defaultdict(list)
    for s, _, k in sorted(spans):
        if k not in starts[s]:
            starts[s].append(k)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = sorted({k for s, e, k in spans if s <= a and b <= e})
        inner = sorted((e - s, k) for s, e, k in mentions if s <= a and b <= e)
        out.append(Segment(text=text[a:b], evidence=covering, entity=inner[0][1] if inner else None, anchors=starts.get(a, [])))
    return out


def _document_view(iri: str) -> dict[str, Any] | None:
    meta = _select(f"SELECT DISTINCT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }} ORDER BY ?p ?o")
    text = next((r["o"].value for r in meta if r["p"].value == PREFIXES["ipa"] + "text"), None)
    if text is None:
        return None
    ev_rows = _select(f"""SELECT DISTINCT ?ev ?fact ?start ?end WHERE {{
  ?fact ipa:evidence ?ev . ?ev oa:hasTarget ?t . ?t oa:hasSource {_iri(iri)} ; oa:hasSelector ?pos .
  ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }}""")
    mention_rows = _select(f"""SELECT DISTINCT ?entity ?start ?end WHERE {{
  ?m oa:motivatedBy oa:identifying ; oa:hasBody ?entity ; oa:hasTarget ?t . ?t oa:hasSource {_iri(iri)} ; oa:hasSelector ?pos .
  ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }}""")
    spans = sorted({(int(r["start"].value), int(r["end"].value), r["ev"].value.rsplit("/", 1)[-1]) for r in ev_rows})
    mentions = [(int(r["start"].value), int(r["end"].value), r["entity"].value) for r in mention_rows]
    facts = {f.iri: f for f in load_facts(r["fact"].value for r in ev_rows)}
    by_ev: dict[str, list[Fact]] = defaultdict(list)
    for r in ev_rows:
        f = facts.get(r["fact"].value)
        key = r["ev"].value.rsplit("/", 1)[-1]
        if f is not None and f not in by_ev[key]:
            by_ev[key].append(f)
    related = {f.type for f in facts.values()} | {w for f in facts.values() for ws in f.parties.values() for w in ws}
    related |= {r["p"].value for r in meta} | {e for _, _, e in mentions}
    labels = labels_of(related | {iri})
    title = next((r["o"].value for r in meta if r["p"].value == PREFIXES["dct"] + "title"), None)
    notes = [(s, e, k, text[s:e]) for s, e, k in spans]
    return {
        "iri": iri, "title": title or display(iri, labels), "meta": [r for r in meta if r["p"].value != PREFIXES["ipa"] + "text"],
        "segments": segment(text, spans, mentions), "notes": notes, "by_ev": by_ev, "labels": labels, "display": display,
        "span_count": len(spans), "mention_count": len(mentions), "offers": RDF_OFFERS,
    }
