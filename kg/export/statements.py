"""Which facts may become Wikidata statements, and in what shape.

A withdrawal ``actor -> target`` (or a membership with an end date) becomes ``member P463 organisation``
with ``P582 end time`` when all of this holds (ontology research note §1.4, §6.7):

* both sides have a verified QID in the links graph (``--create`` proposes items for the missing side);
* the member is a state or an organisation (a person or a government agency is not the member) and the
  target is an organisation (treaty withdrawal is not P463, and Wikidata's practice for it is unverified);
* the fact is not threatened, negated or reversed;
* it has an effective date and that whole period (day, month or year) has passed by the export date:
  a planned exit is not uploaded as P582 until it is effective.

Facts of one statement from several documents give one statement with one reference per document. Two
different end times for the same membership are not exported; they are reported for review instead.
Every left-out fact is returned with the reason, so an editor sees what was not pushed and why.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib.namespace import PROV, RDFS, SKOS, XSD

from ..links import class_qids, pid, select
from ..namespaces import DCT, GRAPH_LINKS, IPA, OA, SCHEMA, WD

# Wikidata monolingual text may hold at most 1500 characters.
MAX_TEXT = 1500
BLOCKED_MODALITIES = {"threatened": "only threatened", "negated": "negated", "reversed": "reversed"}
NOT_A_MEMBER = {"Person", "GovernmentBody", "Group", "Treaty", "ExecutiveOrder", "PresidentialMemorandum", "Event",
                "Place", "Document"}
NOT_AN_ORGANISATION = {"Person", "State", "SovereignState", "GovernmentBody", "Group", "ExecutiveOrder",
                       "PresidentialMemorandum", "Event", "Place", "Document"}
TREATY = "Treaty"
CALENDAR_GREGORIAN = "Q1985727"  # proleptic Gregorian calendar item, ontology note §1.5 [V-src]


@dataclass(frozen=True, order=True)
class Time:
    """A date with Wikibase precision, from an ``xsd:date`` (11), ``xsd:gYearMonth`` (10) or ``xsd:gYear`` (9)."""

    lexical: str
    precision: int

    @classmethod
    def from_term(cls, term) -> "Time | None":
        value, datatype = term.value, getattr(term.datatype, "value", None)
        m = re.match(r"^(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?", value)
        if not m:
            return None
        year, month, day = m.groups()
        if datatype == str(XSD.gYear) or month is None:
            return cls(year, 9)
        if datatype == str(XSD.gYearMonth) or day is None:
            return cls(f"{year}-{month}", 10)
        return cls(f"{year}-{month}-{day}", 11)

    @property
    def parts(self) -> tuple[int, int, int]:
        bits = [int(x) for x in self.lexical.lstrip("-").split("-")] + [1, 1]
        return bits[0], bits[1], bits[2]

    @property
    def xsd_datetime(self) -> str:
        """The simple value of Wikibase RDF (lower precisions use the first day, as Wikibase does)."""
        y, m, d = self.parts
        return f"{'-' if self.lexical.startswith('-') else ''}{y:04d}-{m:02d}-{d:02d}T00:00:00Z"

    @property
    def wikibase(self) -> str:
        """The Wikibase time string, always signed: ``+2026-01-22T00:00:00Z``."""
        t = self.xsd_datetime
        return t if t.startswith("-") else "+" + t

    def qs(self) -> str:
        """QuickStatements time with the precision suffix (omitting it would silently mean a year)."""
        return f"{self.wikibase}/{self.precision}"

    def last_day(self) -> dt.date:
        y, m, d = self.parts
        if self.precision == 9:
            return dt.date(y, 12, 31)
        if self.precision == 10:
            return dt.date(y, m, calendar.monthrange(y, m)[1])
        return dt.date(y, m, d)

    def covers(self, other: "Time") -> bool:
        """True when ``other`` is this date or a more precise date inside it."""
        return other.precision >= self.precision and other.lexical.startswith(self.lexical)


@dataclass(frozen=True)
class Reference:
    """One reference: where the statement was read, quoted, and when we read it."""

    document: str
    quote: str
    quote_lang: str
    retrieved: Time
    url: str | None = None
    stated_in: str | None = None      # QID of the publication, when verified
    title: str | None = None
    title_lang: str | None = None
    published: Time | None = None     # only when the publication date was not inferred

    def snaks(self, with_quote: bool = True) -> list[tuple[str, str, object]]:
        """``(pid, kind, value)`` in the order they are written; kind is item/url/text/time."""
        out: list[tuple[str, str, object]] = []
        if self.url:
            out.append((pid("schema:url"), "url", self.url))
        elif self.stated_in:
            out.append((pid("schema:publisher"), "item", self.stated_in))
        elif self.title:
            out.append((pid("dct:title"), "text", (self.title_lang, self.title)))
        if self.published and not self.url:
            out.append((pid("schema:datePublished"), "time", self.published))
        if with_quote:
            out.append((pid("oa:exact"), "text", (self.quote_lang, self.quote)))
        out.append((pid("prov:startedAtTime"), "time", self.retrieved))
        return out


@dataclass
class Statement:
    subject: str                      # QID
    property: str                     # P-id
    value: str                        # QID
    qualifiers: list[tuple[str, Time]] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)   # our fact IRIs
    subject_iri: str = ""
    value_iri: str = ""
    label: str = ""                   # "United States member of World Health Organization"


@dataclass
class NewItem:
    """An entity to create on Wikidata (``--create``): labels, aliases and its class."""

    iri: str
    labels: dict[str, str]
    aliases: list[tuple[str, str]]
    class_qid: str | None
    reference: Reference | None


@dataclass
class Skipped:
    fact: str
    reason: str


@dataclass
class Selection:
    statements: list[Statement]
    skipped: list[Skipped]
    new_items: list[NewItem]
    as_of: dt.date


# ---- reading the store --------------------------------------------------------------------------

P = f"""PREFIX ipa: <{IPA}> PREFIX prov: <{PROV}> PREFIX oa: <{OA}> PREFIX schema: <{SCHEMA}>
PREFIX dct: <{DCT}> PREFIX skos: <{SKOS}> PREFIX rdfs: <{RDFS}>
"""

FACTS = P + """
SELECT DISTINCT ?fact ?kind ?actor ?target ?modality ?eff ?start ?doc ?reversedBy ?retrieved WHERE {
  { ?fact a ipa:Withdrawal ; ipa:actor ?actor ; ipa:target ?target . BIND("withdrawal" AS ?kind)
    OPTIONAL { ?fact ipa:effectiveDate ?eff } OPTIONAL { ?fact ipa:modality ?modality }
    OPTIONAL { ?reversedBy ipa:reverses ?fact } }
  UNION
  { ?fact a ipa:Membership ; ipa:member ?actor ; ipa:organization ?target ; ipa:endDate ?eff .
    FILTER NOT EXISTS { ?fact ipa:endedBy ?w }   # a membership ended by a withdrawal is exported from it
    OPTIONAL { ?fact ipa:startDate ?start } BIND("membership" AS ?kind) }
  OPTIONAL { ?fact prov:wasDerivedFrom ?doc }
  OPTIONAL { ?fact prov:wasGeneratedBy/prov:startedAtTime ?retrieved }
}
"""

QUOTES = P + """
SELECT DISTINCT ?fact ?doc ?exact ?start WHERE {
  { ?fact a ipa:Withdrawal } UNION { ?fact a ipa:Membership }
  ?fact ipa:evidence/oa:hasTarget ?t . ?t oa:hasSource ?doc ; oa:hasSelector ?q . ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?t oa:hasSelector ?p . ?p a oa:TextPositionSelector ; oa:start ?start }
}
"""

DOCS = P + """
SELECT DISTINCT ?doc ?url ?title ?lang ?published ?inferred ?publisherQid WHERE {
  ?doc a ipa:Document .
  OPTIONAL { ?doc schema:url ?url } OPTIONAL { ?doc dct:title ?title } OPTIONAL { ?doc dct:language ?lang }
  OPTIONAL { ?doc schema:datePublished ?published } OPTIONAL { ?doc ipa:publishedDateInferred ?inferred }
  OPTIONAL { ?doc schema:publisher ?pub . FILTER(isIRI(?pub)) GRAPH <%s> { ?pub skos:exactMatch ?publisherQid } }
}
""" % GRAPH_LINKS

ENTITIES = P + """
SELECT DISTINCT ?e ?type ?qid WHERE {
  { ?f ipa:actor|ipa:target|ipa:member|ipa:organization ?e }
  OPTIONAL { ?e a ?type FILTER(STRSTARTS(STR(?type), STR(ipa:))) }
  OPTIONAL { GRAPH <%s> { ?e skos:exactMatch ?qid } }
}
""" % GRAPH_LINKS

LABELS = P + """
SELECT DISTINCT ?e ?pref ?alt WHERE {
  { ?f ipa:actor|ipa:target|ipa:member|ipa:organization ?e }
  { ?e skos:prefLabel ?pref } UNION { ?e skos:altLabel ?alt }
}
"""

# The mapped classes an entity belongs to (through its types' superclasses), with their depth in the hierarchy.
CLASS_DEPTH = P + """
SELECT ?c (COUNT(DISTINCT ?sup) AS ?depth) WHERE { VALUES ?c { %s } <%s> a ?t . ?t rdfs:subClassOf* ?c .
  OPTIONAL { ?c rdfs:subClassOf+ ?sup } } GROUP BY ?c
"""


def wikidata_language(tag: str | None) -> str:
    """Our BCP 47 tags to Wikidata's lower-case language codes (zh-Hant -> zh-hant)."""
    return (tag or "und").lower()


def clean_url(url: str) -> str:
    """A URL fit for an IRI and for Wikidata's URL datatype: spaces and other unsafe characters percent-encoded."""
    return quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~")


def clean_text(text: str) -> str:
    """One line, no TAB (QuickStatements separators), at most the length Wikidata accepts."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def select_statements(source, *, as_of: dt.date | None = None, create: bool = False) -> Selection:
    """The statements to export from the graph behind ``source`` (query engine or pyoxigraph store)."""
    as_of = as_of or dt.datetime.now(dt.timezone.utc).date()
    ents: dict[str, dict] = {}
    for r in select(source, ENTITIES):
        e = ents.setdefault(r["e"].value, {"types": set(), "qid": None, "labels": {}, "aliases": []})
        if "type" in r:
            e["types"].add(r["type"].value.removeprefix(str(IPA)))
        if "qid" in r:
            e["qid"] = r["qid"].value.removeprefix(str(WD))
    for r in select(source, LABELS):
        e = ents.get(r["e"].value)
        if e is None:
            continue
        if "pref" in r:
            e["labels"].setdefault(wikidata_language(r["pref"].language), r["pref"].value)
        if "alt" in r:
            e["aliases"].append((wikidata_language(r["alt"].language), r["alt"].value))
    docs = {r["doc"].value: r for r in select(source, DOCS)}
    quotes: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for r in select(source, QUOTES):
        start = int(r["start"].value) if "start" in r else 0
        quotes.setdefault((r["fact"].value, r["doc"].value), []).append((start, r["exact"].value))

    def label(iri: str) -> str:
        labels = ents.get(iri, {}).get("labels", {})
        return labels.get("en") or next(iter(labels.values()), iri.rsplit("/", 1)[-1])

    skipped: list[Skipped] = []
    candidates: dict[tuple[str, str], list[dict]] = {}
    new_items: dict[str, NewItem] = {}
    facts: dict[str, dict] = {}
    for r in select(source, FACTS):
        f = facts.setdefault(r["fact"].value, {"row": r, "docs": set(), "retrieved": None})
        if "doc" in r:
            f["docs"].add(r["doc"].value)
        if "retrieved" in r:
            f["retrieved"] = r["retrieved"].value[:10]
    for fact, f in sorted(facts.items()):
        r = f["row"]
        actor, target = r["actor"].value, r["target"].value
        what = f"{label(actor)} -> {label(target)}"
        modality = r["modality"].value if "modality" in r else None
        if "reversedBy" in r or modality in BLOCKED_MODALITIES:
            skipped.append(Skipped(fact, f"{what}: {BLOCKED_MODALITIES.get(modality, 'reversed')}; never exported"))
            continue
        a_types, t_types = ents.get(actor, {}).get("types", set()), ents.get(target, {}).get("types", set())
        if a_types & NOT_A_MEMBER:
            skipped.append(Skipped(fact, f"{what}: the actor is a {'/'.join(sorted(a_types & NOT_A_MEMBER))}, "
                                         "not a member (P463 belongs on the state or organisation)"))
            continue
        if TREATY in t_types:
            skipped.append(Skipped(fact, f"{what}: leaving a treaty is not P463, and Wikidata's practice for it "
                                         "(P582 on P6193?) is unverified"))
            continue
        if t_types & NOT_AN_ORGANISATION:
            skipped.append(Skipped(fact, f"{what}: the target is a {'/'.join(sorted(t_types & NOT_AN_ORGANISATION))}, "
                                         "not an organisation"))
            continue
        end = Time.from_term(r["eff"]) if "eff" in r else None
        if end is None:
            skipped.append(Skipped(fact, f"{what}: no effective date ({modality or 'no modality'}); "
                                         "the end time is unknown"))
            continue
        if end.last_day() > as_of:
            skipped.append(Skipped(fact, f"{what}: planned, takes effect {end.lexical}, after {as_of}; "
                                         "not exported as P582 until it is effective"))
            continue
        missing = [iri for iri in (actor, target) if not ents.get(iri, {}).get("qid")]
        refs = [_reference(fact, d, docs.get(d), quotes, f["retrieved"] or as_of.isoformat()) for d in sorted(f["docs"])]
        refs = [x for x in refs if x is not None]
        if missing:
            names = ", ".join(label(m) for m in missing)
            if create:
                for m in missing:
                    new_items.setdefault(m, _new_item(source, m, ents[m], refs[0] if refs else None))
                skipped.append(Skipped(fact, f"{what}: {names} has no Wikidata QID yet; create it (CREATE block), add "
                                             "its QID to data/wikidata/mappings.sssom.tsv, rebuild and export again"))
            else:
                skipped.append(Skipped(fact, f"{what}: {names} has no verified Wikidata QID "
                                             "(use --create to propose new items)"))
            continue
        if not refs:
            skipped.append(Skipped(fact, f"{what}: no source document with a quote to cite"))
            continue
        start = Time.from_term(r["start"]) if "start" in r else None
        candidates.setdefault((actor, target), []).append(
            {"fact": fact, "end": end, "start": start, "refs": refs})

    statements = []
    for (actor, target), items in sorted(candidates.items()):
        ends = sorted({i["end"] for i in items}, key=lambda t: -t.precision)
        finest = ends[0]
        if not all(e.covers(finest) for e in ends):
            for i in items:
                skipped.append(Skipped(i["fact"], f"{label(actor)} -> {label(target)}: sources disagree on the end "
                                                  f"time ({', '.join(sorted(e.lexical for e in ends))}); review by hand"))
            continue
        st = Statement(subject=ents[actor]["qid"], property=pid("ipa:memberOf"), value=ents[target]["qid"],
                       subject_iri=actor, value_iri=target,
                       label=f"{label(actor)} member of {label(target)}")
        starts = sorted({i["start"] for i in items if i["start"]}, key=lambda t: -t.precision)
        if starts:
            st.qualifiers.append((pid("ipa:startDate"), starts[0]))
        st.qualifiers.append((pid("ipa:endDate"), finest))
        seen = set()
        for i in items:
            st.facts.append(i["fact"])
            for ref in i["refs"]:
                if ref not in seen:
                    seen.add(ref)
                    st.references.append(ref)
        statements.append(st)
    return Selection(statements, skipped, list(new_items.values()), as_of)


def _reference(fact: str, doc: str, meta: dict | None, quotes, retrieved: str) -> Reference | None:
    spans = [(start, clean_text(text)) for start, text in sorted(quotes.get((fact, doc), []))]
    spans = [span for span in spans if span[1]]
    if not spans or meta is None:
        return None
    lang = wikidata_language(meta["lang"].value if "lang" in meta else None)
    inferred = "inferred" in meta and meta["inferred"].value in ("true", "1")
    published = Time.from_term(meta["published"]) if "published" in meta and not inferred else None
    return Reference(
        document=doc, quote=spans[0][1], quote_lang=lang,
        retrieved=Time(retrieved[:10], 11),
        url=clean_url(meta["url"].value) if "url" in meta else None,
        stated_in=meta["publisherQid"].value.removeprefix(str(WD)) if "publisherQid" in meta else None,
        title=(clean_text(meta["title"].value) or None) if "title" in meta else None,
        title_lang=wikidata_language(meta["title"].language or (meta["lang"].value if "lang" in meta else None))
        if "title" in meta else None,
        published=published,
    )


def _new_item(source, iri: str, ent: dict, ref: Reference | None) -> NewItem:
    mapped = class_qids()
    depth = {r["c"].value: int(r["depth"].value)
             for r in select(source, CLASS_DEPTH % (" ".join(f"<{c}>" for c in mapped), iri))}
    # The most specific mapped class; none when the entity's classes have no verified Wikidata class.
    class_qid = mapped[max(depth, key=lambda c: (depth[c], c))] if depth else None
    labels = {lang: clean_text(text)[:250] for lang, text in ent["labels"].items() if lang != "und"}
    aliases = sorted({(lang, clean_text(text)[:250]) for lang, text in ent["aliases"]
                      if lang != "und" and labels.get(lang) != text})
    return NewItem(iri, labels, aliases, class_qid, ref)
