"""Entity reconciliation over the built graph (W3C Entity Reconciliation API 0.2, the version OpenRefine speaks).

The HTTP layer (``server/reconcile.py``) only parses requests; everything else is here: the service
manifest, reconciliation queries (names in English, traditional and simplified Chinese, aliases and
acronyms; type filters; property constraints), scoring, suggest for entities, types and properties,
preview data and data extension.

Entity ids are the slugs of our entity IRIs (``who`` for ``https://w3id.org/ipakg/id/entity/who``), so
``identifierSpace`` + id is the IRI. Type ids are local names of our classes (``schemaSpace`` + id).

Scores are 0–100. A name that equals a label or alias after normalisation (script, width, case) or an
acronym that equals one exactly (case kept: ``WHO`` yes, ``who`` no) scores 100; anything else is a fuzzy
score below 90. ``match: true`` is given only when certain: an exact match to exactly one entity (after
the type filter) whose property constraints, if any, all hold.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rdflib.namespace import PROV, RDFS, SKOS

from . import __version__
from .errors import InputError, KGError, NotFound
from .links import select
from .namespaces import GRAPH_INFERRED, GRAPH_LINKS, ID, IPA, OA, WD

log = logging.getLogger(__name__)

IDENTIFIER_SPACE = f"{ID}entity/"
SCHEMA_SPACE = str(IPA)
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_BATCH = 100           # OpenRefine sends 10 per request by default
MAX_FUZZY_CHARS = 200     # a long cell is compared by its beginning (exact matching uses all of it)
FUZZY_CAP = 89.0          # fuzzy scores stay below an exact match
MIN_SCORE = 30.0          # below this a candidate is noise
DEFAULT_TYPES = ("InternationalOrganization", "Organization", "State", "Person", "Treaty")
NON_EFFECTIVE = ("threatened", "negated", "reversed")
ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9&./\-]*[A-Z0-9]$|^[A-Z]$")
LANGS = {"en": "English", "zh-hant": "traditional Chinese", "zh-hans": "simplified Chinese"}


def fold(text: str) -> str:
    """The form names are compared in: NFKC, traditional -> simplified, case-folded, punctuation and spaces squeezed."""
    from .lexicon import normalize

    text = normalize(unicodedata.normalize("NFKC", text)).casefold()
    text = re.sub(r"[\s\u3000·・,，、.。:：;；'\"“”‘’()（）《》〈〉「」『』\[\]\-–—/]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


# ---- the index -----------------------------------------------------------------------------------

@dataclass
class Entity:
    id: str
    iri: str
    labels: dict[str, str] = field(default_factory=dict)     # lower-case lang -> preferred label
    aliases: set[str] = field(default_factory=set)
    acronyms: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)             # asserted classes (local names)
    all_types: set[str] = field(default_factory=set)         # with inferred types and superclasses
    qid: str | None = None
    lexicon_id: str | None = None
    documents: set[str] = field(default_factory=set)
    folded: dict[str, str] = field(default_factory=dict)     # folded name -> the name as written

    @property
    def name(self) -> str:
        return self.labels.get("en") or self.labels.get("zh-hant") or self.labels.get("zh-hans") or self.id

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.labels.values(), *sorted(self.aliases)]))


@dataclass(frozen=True)
class PropertyDef:
    id: str
    name: str
    description: str
    wikidata: str | None = None   # the Wikidata property it corresponds to, also accepted as its id


PROPERTIES = (
    PropertyDef("memberOf", "member of", "organisations it is (still) a member of", "P463"),
    PropertyDef("withdrewFrom", "withdrew from",
                "organisations and treaties it withdrew or announced withdrawing from (not threatened, negated or reversed)"),
    PropertyDef("withdrawnBy", "withdrawn from by", "states and bodies that withdrew from it"),
    PropertyDef("withdrawalDate", "withdrawal date",
                "effective (else announced) dates of those withdrawals, first day of the month/year when less precise"),
    PropertyDef("withdrawalModality", "withdrawal modality", "announced, planned, effective, ... of each withdrawal"),
    PropertyDef("wikidata", "Wikidata QID", "the verified Wikidata item (skos:exactMatch)"),
    PropertyDef("acronym", "acronym", "Latin acronyms"),
    PropertyDef("label_en", "English name", "preferred English label"),
    PropertyDef("label_zh-hant", "traditional Chinese name", "preferred zh-Hant label"),
    PropertyDef("label_zh-hans", "simplified Chinese name", "preferred zh-Hans label"),
    PropertyDef("type", "type", "classes of the ontology it belongs to"),
    PropertyDef("documents", "number of source documents", "documents that mention it"),
)
PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}
PROPERTY_BY_ID.update({p.wikidata: p for p in PROPERTIES if p.wikidata})
# Which properties make sense for which kind of entity (propose_properties).
AS_MEMBER = ("memberOf", "withdrewFrom", "withdrawalDate", "withdrawalModality")
AS_ORGANISATION = ("withdrawnBy", "withdrawalDate", "withdrawalModality")
COMMON = ("wikidata", "acronym", "label_en", "label_zh-hant", "label_zh-hans", "type", "documents")


@dataclass
class Withdrawal:
    fact: str
    actor: str
    target: str
    date: str | None          # lexical form of the effective (else announced) date
    modality: str | None


P = f"PREFIX ipa: <{IPA}> PREFIX skos: <{SKOS}> PREFIX rdfs: <{RDFS}> PREFIX prov: <{PROV}> PREFIX oa: <{OA}>\n"
Q_TYPES = P + f"""SELECT DISTINCT ?e ?t ?g WHERE {{ GRAPH ?g {{ ?e a ?t }}
  FILTER(STRSTARTS(STR(?e), "{IDENTIFIER_SPACE}") && STRSTARTS(STR(?t), STR(ipa:))) }}"""
Q_SUPER = P + "SELECT DISTINCT ?c ?sup WHERE { ?c rdfs:subClassOf+ ?sup FILTER(isIRI(?sup) && STRSTARTS(STR(?sup), STR(ipa:))) }"
Q_CLASS_LABELS = P + """SELECT ?c ?label WHERE { ?c rdfs:label ?label FILTER(STRSTARTS(STR(?c), STR(ipa:)) && LANGMATCHES(LANG(?label), "en")) }"""
Q_LABELS = P + f"""SELECT DISTINCT ?e ?p ?l WHERE {{ VALUES ?p {{ skos:prefLabel skos:altLabel ipa:lexiconId }} ?e ?p ?l
  FILTER(STRSTARTS(STR(?e), "{IDENTIFIER_SPACE}")) }}"""
Q_LINKS = P + f"SELECT ?e ?q WHERE {{ GRAPH <{GRAPH_LINKS}> {{ ?e skos:exactMatch ?q }} }}"
# A document "mentions" an entity when its graph annotates a mention of it or states a fact about it
# (entity descriptions themselves live once in id:graph/entities).
Q_DOCS = P + f"""SELECT DISTINCT ?e ?g WHERE {{ GRAPH ?g {{ {{ ?m oa:hasBody ?e }} UNION {{ ?f ipa:actor|ipa:target ?e }} }}
  FILTER(STRSTARTS(STR(?g), "{ID}doc/")
  && STRSTARTS(STR(?e), "{IDENTIFIER_SPACE}")) }}"""
Q_WITHDRAWALS = P + """SELECT DISTINCT ?f ?a ?t ?eff ?ann ?m ?rev WHERE { ?f a ipa:Withdrawal ; ipa:actor ?a ; ipa:target ?t .
  OPTIONAL { ?f ipa:effectiveDate ?eff } OPTIONAL { ?f ipa:announcedDate ?ann } OPTIONAL { ?f ipa:modality ?m }
  OPTIONAL { ?rev ipa:reverses ?f } }"""
Q_MEMBERS = P + """SELECT DISTINCT ?a ?o WHERE { { ?a ipa:memberOf ?o }
  UNION { ?m a ipa:Membership ; ipa:member ?a ; ipa:organization ?o FILTER NOT EXISTS { ?m ipa:endDate ?end } } }"""


class Index:
    """Everything reconciliation needs, read once per store generation."""

    def __init__(self, source, lexicon=None):
        self.entities: dict[str, Entity] = {}
        self.class_labels: dict[str, str] = {}
        self.withdrawals: list[Withdrawal] = []
        self.members: dict[str, set[str]] = {}
        self.supers: dict[str, set[str]] = {}     # class -> all its superclasses (local names)
        self._load(source)
        self._enrich(lexicon)
        self.by_folded: dict[str, set[str]] = {}
        self.by_acronym: dict[str, set[str]] = {}
        for e in self.entities.values():
            for name in e.names():
                f = fold(name)
                if f:
                    e.folded.setdefault(f, name)
                    self.by_folded.setdefault(f, set()).add(e.id)
            for a in e.acronyms:
                self.by_acronym.setdefault(_acronym_key(a), set()).add(e.id)

    def _load(self, source) -> None:
        def ent(iri: str) -> Entity:
            key = iri.removeprefix(IDENTIFIER_SPACE)
            if key not in self.entities:
                self.entities[key] = Entity(id=key, iri=iri)
            return self.entities[key]

        supers = self.supers
        for r in select(source, Q_SUPER):
            supers.setdefault(_local(r["c"].value), set()).add(_local(r["sup"].value))
        for r in select(source, Q_TYPES):
            e, t = ent(r["e"].value), _local(r["t"].value)
            e.all_types.add(t)
            if r["g"].value != str(GRAPH_INFERRED):
                e.types.add(t)
        for e in self.entities.values():
            for t in list(e.all_types):
                e.all_types |= supers.get(t, set())
        for r in select(source, Q_CLASS_LABELS):
            self.class_labels[_local(r["c"].value)] = r["label"].value
        for r in select(source, Q_LABELS):
            e = ent(r["e"].value)
            prop, value = r["p"].value, r["l"].value
            if prop == str(IPA.lexiconId):
                e.lexicon_id = value
            elif prop == str(SKOS.prefLabel):
                e.labels.setdefault((r["l"].language or "und").lower(), value)
            elif ACRONYM_RE.match(value):
                e.acronyms.add(value)
            else:
                e.aliases.add(value)
        for r in select(source, Q_LINKS):
            key = r["e"].value.removeprefix(IDENTIFIER_SPACE)
            if key in self.entities and r["q"].value.startswith(str(WD)):
                self.entities[key].qid = r["q"].value.removeprefix(str(WD))
        for r in select(source, Q_DOCS):
            ent(r["e"].value).documents.add(r["g"].value)
        for r in select(source, Q_WITHDRAWALS):
            modality = "reversed" if "rev" in r else (r["m"].value if "m" in r else None)
            date = r["eff"].value if "eff" in r else (r["ann"].value if "ann" in r else None)
            self.withdrawals.append(Withdrawal(r["f"].value, r["a"].value.removeprefix(IDENTIFIER_SPACE),
                                               r["t"].value.removeprefix(IDENTIFIER_SPACE), date, modality))
        for r in select(source, Q_MEMBERS):
            self.members.setdefault(r["a"].value.removeprefix(IDENTIFIER_SPACE), set()).add(
                r["o"].value.removeprefix(IDENTIFIER_SPACE))
        # Entities that are only referenced (a fact's target with no type in any graph) are not reconcilable.
        self.entities = {k: v for k, v in self.entities.items() if v.all_types}

    def _enrich(self, lexicon) -> None:
        """Add the lexicon's aliases and acronyms (the graph keeps only a few) to entities that come from it."""
        if lexicon is None:
            try:
                from .lexicon import load_lexicon

                lexicon = load_lexicon()
            except KGError as e:  # the graph's own labels still answer; say why the aliases are missing
                log.warning("reconciliation without lexicon aliases: %s", e.message)
                return
        for e in self.entities.values():
            entry = lexicon.get(e.lexicon_id) if e.lexicon_id else None
            if entry is None:
                continue
            for lang, text in (entry.labels or {}).items():
                if text:
                    e.labels.setdefault(lang.lower(), text)
            e.aliases.update(a for a in entry.aliases if not ACRONYM_RE.match(a))
            e.acronyms.update(entry.acronyms)
            e.acronyms.update(a for a in entry.aliases if ACRONYM_RE.match(a))

    # ---- lookups -------------------------------------------------------------------------------
    def get(self, entity_id: str) -> Entity:
        e = self.entities.get(entity_id.removeprefix(IDENTIFIER_SPACE))
        if e is None:
            raise NotFound(f"no entity {entity_id!r}")
        return e

    def type_ref(self, t: str) -> dict[str, str]:
        return {"id": t, "name": self.class_labels.get(t) or _decamel(t)}

    def all_classes(self) -> list[str]:
        used = set().union(*(e.all_types for e in self.entities.values())) if self.entities else set()
        return sorted(used | set(self.class_labels))

    def description(self, e: Entity) -> str:
        bits = [" / ".join(self.type_ref(t)["name"] for t in sorted(e.types or e.all_types))]
        others = [e.labels[k] for k in LANGS if k in e.labels and e.labels[k] != e.name]
        if others:
            bits.append(" · ".join(others))
        if e.qid:
            bits.append(f"Wikidata {e.qid}")
        return " — ".join(b for b in bits if b)

    def withdrawals_of(self, e: Entity) -> list[Withdrawal]:
        return [w for w in self.withdrawals if e.id in (w.actor, w.target)]


def _acronym_key(text: str) -> str:
    from .lexicon import normalize

    return normalize(unicodedata.normalize("NFKC", text)).strip()


def _local(iri: str) -> str:
    """A class id from its local name, CURIE (``ipa:State``) or IRI."""
    return iri.removeprefix(SCHEMA_SPACE).removeprefix("ipa:")


def _decamel(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).lower()


class IndexCache:
    """One index per store generation (the engine's ``generation`` changes with every build)."""

    def __init__(self, ttl: float = 60.0):
        self._lock = threading.Lock()
        self._key: Any = None
        self._index: Index | None = None
        self._built = 0.0
        self.ttl = ttl

    def get(self, engine) -> Index:
        key = getattr(engine, "generation", None)
        with self._lock:
            # A remote store has no generation to watch: rebuild after ``ttl`` seconds instead.
            stale = key != self._key or (key is None and time.monotonic() - self._built > self.ttl)
            if self._index is None or stale:
                self._index = Index(engine)
                self._key = key
                self._built = time.monotonic()
            return self._index


# ---- the service -----------------------------------------------------------------------------------

class Service:
    """Reconciliation API 0.2 operations over one :class:`Index`. ``base_url`` is where the server runs."""

    def __init__(self, index: Index, base_url: str):
        self.index = index
        self.base = base_url.rstrip("/") + "/"

    # -- manifest --
    def manifest(self) -> dict:
        service = self.base + "reconcile"
        classes = set(self.index.all_classes())
        return {
            "versions": ["0.2"],
            "name": "ipakg: international policy actions knowledge graph",
            "identifierSpace": IDENTIFIER_SPACE,
            "schemaSpace": SCHEMA_SPACE,
            "serviceVersion": __version__,
            "defaultTypes": [self.index.type_ref(t) for t in DEFAULT_TYPES if t in classes],
            "view": {"url": self.base + "id/entity/{{id}}"},
            "preview": {"url": service + "/preview?id={{id}}", "width": 420, "height": 240},
            "suggest": {
                "entity": {"service_url": service, "service_path": "/suggest/entity"},
                "type": {"service_url": service, "service_path": "/suggest/type"},
                "property": {"service_url": service, "service_path": "/suggest/property"},
            },
            "extend": {
                "propose_properties": {"service_url": service, "service_path": "/propose_properties"},
                "property_settings": [{
                    "name": "limit", "label": "Limit", "type": "number", "default": 0,
                    "help_text": "The maximum number of values per entity (0 for all)",
                }],
            },
        }

    # -- queries --
    def reconcile_batch(self, batch: Any) -> dict:
        if not isinstance(batch, dict) or not batch:
            raise InputError("queries must be a non-empty JSON object like {\"q0\": {\"query\": \"WHO\"}}")
        if len(batch) > MAX_BATCH:
            raise InputError(f"at most {MAX_BATCH} queries per batch, got {len(batch)}")
        return {key: {"result": self.reconcile(q)} for key, q in batch.items()}

    def reconcile(self, q: Any) -> list[dict]:
        if isinstance(q, str):
            q = {"query": q}
        if not isinstance(q, dict):
            raise InputError("each query must be a JSON object")
        text = q.get("query")
        props = q.get("properties") or []
        if (text is None or not str(text).strip()) and not props:
            raise InputError("a query needs a non-empty 'query' or 'properties'")
        if not isinstance(props, list) or not all(isinstance(p, dict) and "pid" in p and "v" in p for p in props):
            raise InputError("'properties' must be a list of {\"pid\": …, \"v\": …}")
        limit = _limit(q.get("limit"), DEFAULT_LIMIT)
        types = q.get("type")
        types = [types] if isinstance(types, str) else types or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise InputError("'type' must be a type id or a list of type ids")
        types = [_local(t) for t in types]
        strict = q.get("type_strict") or "any"
        if strict not in ("any", "all", "should"):
            raise InputError("type_strict must be any, all or should")

        has_text = text is not None and bool(str(text).strip())
        folded, acronym = (fold(str(text)), _acronym_key(str(text))) if has_text else ("", "")
        exact = self.index.by_folded.get(folded, set()) | self.index.by_acronym.get(acronym, set()) if has_text else set()
        matcher = difflib.SequenceMatcher(None, "", folded[:MAX_FUZZY_CHARS], autojunk=False)
        scored = []
        for e in self.index.entities.values():
            if types and strict != "should":
                ok = all(t in e.all_types for t in types) if strict == "all" else any(t in e.all_types for t in types)
                if not ok:
                    continue
            is_exact = e.id in exact
            name_score = (100.0 if is_exact else self._fuzzy_score(matcher, e)) if has_text else None
            prop_frac = self._property_fraction(e, props) if props else None
            if name_score is None:
                score = 100.0 * prop_frac
            elif prop_frac is None:
                score = name_score
            else:
                score = 0.7 * name_score + 30.0 * prop_frac
            if types and strict == "should" and not any(t in e.all_types for t in types):
                score *= 0.8
            if score < MIN_SCORE:
                continue
            scored.append((score, is_exact, prop_frac, name_score, e))
        scored.sort(key=lambda x: (-x[0], x[4].name))
        certain = [s for s in scored if (s[1] or s[3] is None) and (s[2] is None or s[2] == 1.0) and s[0] >= 100.0 - 1e-9]
        out = []
        for score, _, prop_frac, name_score, e in scored[:limit]:
            features = []
            if name_score is not None:
                features.append({"id": "name", "value": round(name_score, 1)})
            if prop_frac is not None:
                features.append({"id": "properties", "value": round(prop_frac, 3)})
            out.append({
                "id": e.id, "name": e.name, "score": round(score, 1),
                "match": len(certain) == 1 and certain[0][4] is e,
                "type": [self.index.type_ref(t) for t in sorted(e.types or e.all_types)],
                "description": self.index.description(e),
                "features": features,
            })
        return out

    @staticmethod
    def _fuzzy_score(matcher: difflib.SequenceMatcher, e: Entity) -> float:
        """Similarity to the closest name, capped below an exact match; a name containing the query helps.

        ``matcher`` holds the folded query as its second sequence, so its index is built once per query.
        """
        folded = matcher.b
        if not folded:
            return 0.0
        floor = best = MIN_SCORE / FUZZY_CAP  # a name below this is noise either way
        for name in e.folded:
            short, long_ = sorted((folded, name), key=len)
            if len(short) >= 2 and short in long_:
                best = max(best, 0.5 + 0.5 * len(short) / len(long_))
            matcher.set_seq1(name)
            # quick_ratio() bounds ratio() from above and costs far less: skip names that cannot win.
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
        return round(FUZZY_CAP * best, 1) if best > floor else 0.0

    def _property_fraction(self, e: Entity, props: list[dict]) -> float:
        hits = 0
        for p in props:
            definition = PROPERTY_BY_ID.get(str(p["pid"]))
            if definition is None:
                raise InputError(f"unknown property {p['pid']!r}; see /reconcile/suggest/property")
            wanted = p["v"] if isinstance(p["v"], list) else [p["v"]]
            values = self.values(e, definition)
            if any(_value_matches(w, v, self.index) for w in wanted for v in values):
                hits += 1
        return hits / len(props)

    # -- data extension --
    def values(self, e: Entity, p: PropertyDef) -> list[dict]:
        idx = self.index
        if p.id == "memberOf":
            return [_entity_ref(idx, o) for o in sorted(idx.members.get(e.id, ()))]
        if p.id == "withdrewFrom":
            return _unique(_entity_ref(idx, w.target) for w in idx.withdrawals_of(e)
                           if w.actor == e.id and w.modality not in NON_EFFECTIVE)
        if p.id == "withdrawnBy":
            return _unique(_entity_ref(idx, w.actor) for w in idx.withdrawals_of(e)
                           if w.target == e.id and w.modality not in NON_EFFECTIVE)
        if p.id == "withdrawalDate":
            return _unique({"date": _iso(w.date)} for w in idx.withdrawals_of(e)
                           if w.date and w.modality not in NON_EFFECTIVE and _iso(w.date))
        if p.id == "withdrawalModality":
            return _unique({"str": w.modality} for w in idx.withdrawals_of(e) if w.modality)
        if p.id == "wikidata":
            return [{"str": e.qid}] if e.qid else []
        if p.id == "acronym":
            return [{"str": a} for a in sorted(e.acronyms)]
        if p.id.startswith("label_"):
            lang = p.id.removeprefix("label_")
            return [{"str": e.labels[lang]}] if lang in e.labels else []
        if p.id == "type":
            return [{"str": t} for t in sorted(e.types or e.all_types)]
        if p.id == "documents":
            return [{"int": len(e.documents)}]
        raise AssertionError(p.id)

    def extend(self, request: Any) -> dict:
        if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
                or not isinstance(request.get("properties"), list):
            raise InputError("extend must be {\"ids\": [...], \"properties\": [{\"id\": ...}]}")
        if len(request["ids"]) > MAX_BATCH:
            raise InputError(f"at most {MAX_BATCH} ids per request")
        props = []
        for p in request["properties"]:
            pid = p.get("id") if isinstance(p, dict) else None
            if pid not in PROPERTY_BY_ID:
                raise InputError(f"unknown property {pid!r}; see /reconcile/propose_properties")
            settings = p.get("settings") or {}
            props.append((pid, PROPERTY_BY_ID[pid], _limit(settings.get("limit"), 0, allow_zero=True)))
        rows = {}
        for raw_id in request["ids"]:
            key = str(raw_id)
            e = self.index.entities.get(key.removeprefix(IDENTIFIER_SPACE))
            row = {}
            for pid, definition, limit in props:
                vals = self.values(e, definition) if e is not None else []
                row[pid] = vals[:limit] if limit else vals
            rows[key] = row
        meta = []
        for pid, definition, _ in props:
            m = {"id": pid, "name": definition.name}
            meta.append(m)
        return {"meta": meta, "rows": rows}

    def propose_properties(self, type_id: str | None, limit: Any = None) -> dict:
        """Properties worth fetching for entities of a type: membership and withdrawal properties for states and
        organisations (as members), withdrawal properties for organisations and treaties (as targets), then names
        and identifiers for everything."""
        t = _local(type_id) if type_id else None
        ids: tuple[str, ...] = AS_MEMBER + AS_ORGANISATION + COMMON
        if t:
            kinds = {t} | self.index.supers.get(t, set())
            ids = (AS_MEMBER if kinds & {"State", "Organization"} else ()) \
                + (AS_ORGANISATION if kinds & {"Organization", "Treaty"} else ()) + COMMON
        ids = tuple(dict.fromkeys(ids))
        n = _limit(limit, len(ids))
        out: dict = {"properties": [{"id": i, "name": PROPERTY_BY_ID[i].name, "description": PROPERTY_BY_ID[i].description}
                                    for i in ids[:n]]}
        if t:
            out["type"] = t
        if limit is not None:
            out["limit"] = n
        return out

    # -- suggest --
    def suggest_entities(self, prefix: str, cursor: Any = 0, limit: Any = None) -> dict:
        f = fold(prefix or "")
        ranked = []
        for e in self.index.entities.values():
            best = None
            for name in list(e.folded) + [fold(a) for a in e.acronyms]:
                if f and name.startswith(f):
                    rank = 0 if name == f else 1
                elif f and f in name:
                    rank = 2
                else:
                    continue
                best = rank if best is None else min(best, rank)
            if best is not None or not f:
                ranked.append((best or 0, e.name.casefold(), e))
        ranked.sort(key=lambda x: (x[0], x[1]))
        start, n = _cursor(cursor), _limit(limit, DEFAULT_LIMIT)
        return {"result": [{"id": e.id, "name": e.name, "description": self.index.description(e),
                            "notable": [self.index.type_ref(t) for t in sorted(e.types or e.all_types)]}
                           for _, _, e in ranked[start:start + n]]}

    def suggest_types(self, prefix: str, cursor: Any = 0, limit: Any = None) -> dict:
        f = fold(prefix or "")
        refs = [self.index.type_ref(t) for t in self.index.all_classes()]
        hits = [r for r in refs if not f or fold(r["name"]).startswith(f) or fold(r["id"]).startswith(f)
                or f in fold(r["name"])]
        start, n = _cursor(cursor), _limit(limit, DEFAULT_LIMIT)
        return {"result": hits[start:start + n]}

    def suggest_properties(self, prefix: str, cursor: Any = 0, limit: Any = None) -> dict:
        f = fold(prefix or "")
        hits = [{"id": p.id, "name": p.name, "description": p.description} for p in PROPERTIES
                if not f or fold(p.name).startswith(f) or fold(p.id).startswith(f) or f in fold(p.name)
                or (p.wikidata and fold(p.wikidata) == f)]
        start, n = _cursor(cursor), _limit(limit, DEFAULT_LIMIT)
        return {"result": hits[start:start + n]}

    # -- preview --
    def preview_html(self, entity_id: str) -> str:
        e = self.index.get(entity_id)
        esc = html.escape
        rows = [f"<h1>{esc(e.name)}</h1>",
                f"<p class=types>{esc(' / '.join(self.index.type_ref(t)['name'] for t in sorted(e.types or e.all_types)))}</p>"]
        names = [f"<span lang=\"{esc(lang)}\">{esc(text)}</span>" for lang, text in sorted(e.labels.items())
                 if text != e.name]
        if names or e.acronyms:
            rows.append(f"<p>{' · '.join(names + [esc(a) for a in sorted(e.acronyms)])}</p>")
        if e.qid:
            rows.append(f"<p>Wikidata: <a href=\"https://www.wikidata.org/wiki/{esc(e.qid)}\" target=_blank>{esc(e.qid)}</a></p>")
        ws = self.index.withdrawals_of(e)
        if ws:
            items = []
            for w in ws[:5]:
                other = self.index.entities.get(w.target if w.actor == e.id else w.actor)
                verb = "withdrew from" if w.actor == e.id else "withdrawn from by"
                items.append(f"<li>{esc(verb)} {esc(other.name if other else '?')}"
                             f"{esc(' · ' + w.date) if w.date else ''}{esc(' (' + w.modality + ')') if w.modality else ''}</li>")
            more = f"<li>… {len(ws) - 5} more</li>" if len(ws) > 5 else ""
            rows.append(f"<ul>{''.join(items)}{more}</ul>")
        rows.append(f"<p class=src>{len(e.documents)} source document(s) · <a href=\"{esc(self.base)}id/entity/{esc(e.id)}\" "
                    "target=_blank>open</a></p>")
        style = ("body{font:13px/1.4 system-ui,sans-serif;margin:8px;overflow:hidden}h1{font-size:16px;margin:0 0 4px}"
                 "p,ul{margin:2px 0}ul{padding-left:18px}.types,.src{color:#555}")
        return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{esc(e.name)}</title>"
                f"<style>{style}</style></head><body>{''.join(rows)}</body></html>")


def _value_matches(wanted: Any, value: dict, index: Index) -> bool:
    if isinstance(wanted, dict):
        if "id" in value and str(wanted.get("id", "")).removeprefix(IDENTIFIER_SPACE) == value["id"]:
            return True
        wanted = wanted.get("name", "")
    if isinstance(wanted, bool):
        wanted = str(wanted).lower()
    w = str(wanted)
    if "id" in value:
        other = index.entities.get(value["id"])
        return other is not None and (fold(w) in other.folded or w in other.acronyms or w == other.id)
    if "date" in value:
        return bool(w) and value["date"].startswith(w.strip())
    if "int" in value:
        return w.strip() == str(value["int"])
    return fold(w) == fold(value["str"])


def _entity_ref(index: Index, entity_id: str) -> dict:
    e = index.entities.get(entity_id)
    return {"id": entity_id, "name": e.name if e else entity_id}


def _unique(values) -> list[dict]:
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _iso(date: str) -> str | None:
    m = re.match(r"^(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?", date)
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{mo or '01'}-{d or '01'}T00:00:00Z"


def _limit(value: Any, default: int, allow_zero: bool = False) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(float(value))
    except (TypeError, ValueError):
        raise InputError(f"limit must be a number, not {value!r}") from None
    if n < 0 or (n == 0 and not allow_zero):
        raise InputError("limit must be positive")
    return min(n, MAX_LIMIT) if n else 0


def _cursor(value: Any) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        raise InputError(f"cursor must be an integer, not {value!r}") from None
    if n < 0:
        raise InputError("cursor must not be negative")
    return n
