"""Build the graph: sources -> extraction JSON -> RDF named graphs -> validated store generation.

Each build is a **full rebuild from its sources**: every run reads and extracts all sources, writes a fresh store
generation and only then switches ``CURRENT`` to it (see :mod:`kg.store`). So rebuilding a document replaces its
graph and dropping a source from the list drops its graph; nothing is patched in place.

Graphs (IRIs in :mod:`kg.namespaces`, shape in docs/architecture.md):

* ``id:doc/<doc id>/graph``: everything one document says: the document node (metadata and full text), its
  mentions of entities, its facts with span-level evidence, the memberships its withdrawals end, and what it
  says about entities (group members, acronym conflicts);
* ``id:graph/entities``: one description per entity (class, labels, lexicon id), merged over documents by
  lexicon id, then QID (see :func:`entities_graph` for why it is not repeated in each document graph);
* ``id:graph/ontology``: ``ontology/*.ttl``; ``id:graph/inferred``: types the reasoner infers;
  ``id:graph/links``: Wikidata links (from :mod:`kg.links` when installed); ``id:graph/meta``: the build run.

No blank nodes are minted: every node has an IRI made from a hash of what it is, so the same inputs give the
same triples and two builds can be compared as sets.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import time
import warnings
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from . import __version__
from .errors import InputError, KGError, StoreError, ValidationError
from .namespaces import (
    DCT,
    GRAPH_ENTITIES,
    GRAPH_INFERRED,
    GRAPH_LINKS,
    GRAPH_META,
    GRAPH_ONTOLOGY,
    ID,
    IPA,
    OA,
    PREFIXES,
    SCHEMA,
    document_graph,
    document_iri,
    entity_iri,
    evidence_iri,
    fact_iri,
)
from .store import StoreRoot

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "data" / "corpus"
MEMORANDUM_DIR = REPO / "data" / "memorandum"
ONTOLOGY_DIR = REPO / "ontology"
SHAPES_FILE = "shapes.ttl"
# Entity descriptions (class, labels, lexicon id), one per entity; see entities_graph().
ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm")  # what kg.extract reads
SOURCE_SUFFIXES = ARTICLE_SUFFIXES + (".csv",)
CONTEXT_CHARS = 32  # prefix / suffix length of a TextQuoteSelector

MODALITIES = ("announced", "planned", "ordered", "effective", "threatened", "historical", "reversed", "negated",
              "ongoing")
# Withdrawals that end a membership: said to have happened or been decided (not threatened, negated, historical).
MEMBERSHIP_ENDING = {"announced", "effective", "planned"}
LANG_TAGS = {"en": "en", "zh-Hant": "zh-hant", "zh-Hans": "zh-hans"}

Progress = Callable[[str], None]


def _quiet(_msg: str) -> None:
    pass


def _h16(*parts) -> str:
    """16 hex digits of sha256 over the parts, unambiguous (unit separator between parts)."""
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------- sources
class Source:
    """One input document: its path, its decoded text and its extraction JSON.

    Between the build's processes and while the build waits for its other sources, the extraction is kept as
    compressed JSON (:meth:`packed`): a decoded extraction costs ~50 KB of Python objects, 10,000 of them
    half a gigabyte. ``extraction`` decodes it again on each use."""

    __slots__ = ("path", "text", "_extraction", "_packed", "_doc_id")

    def __init__(self, path: Path, text: str, extraction: dict | None = None, *, packed: bytes | None = None):
        self.path = path
        self.text = text
        self._extraction = extraction
        self._packed = packed
        self._doc_id = None

    @property
    def extraction(self) -> dict:
        if self._extraction is not None:
            return self._extraction
        return json.loads(zlib.decompress(self._packed))

    @property
    def doc_id(self) -> str:
        if self._doc_id is None:
            self._doc_id = self.extraction["document"]["id"]
        return self._doc_id

    def packed(self) -> "Source":
        """The same source with its extraction as compressed JSON."""
        if self._packed is not None:
            return self
        out = Source(self.path, self.text, packed=zlib.compress(
            json.dumps(self._extraction, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1))
        out._doc_id = self.doc_id
        return out

    def __repr__(self) -> str:
        return f"Source({self.path!s})"


def default_sources() -> list[Path]:
    """The bundled corpus: the articles in data/corpus and the memorandum list(s) in data/memorandum."""
    return sorted(CORPUS_DIR.glob("*.txt")) + sorted(MEMORANDUM_DIR.glob("*.csv"))


def expand_sources(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory stands for its article and memorandum files (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SOURCE_SUFFIXES)
            if not found:
                raise InputError(f"{p}: no sources in this directory ({', '.join(SOURCE_SUFFIXES)})")
            out.extend(found)
        else:
            out.append(p)
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def read_source(path: Path, *, lexicon=None) -> Source:
    """Read and extract one source. Every problem is an :class:`InputError` whose message names the file.

    Articles are read by the extractor's reader (it diagnoses encodings, binary files, sizes and sidecars) and
    the text it decoded is the text the offsets count into; a memorandum list is read by :mod:`kg.memorandum`."""
    from .memorandum import extract_memorandum, is_memorandum_csv

    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give its files, or the directory alone")
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise InputError(f"{path}: unsupported file type {path.suffix or '(no extension)'!r}: kg build reads "
                         f"articles ({', '.join(ARTICLE_SUFFIXES)}) and memorandum lists (.csv)")
    lexicon = lexicon if lexicon is not None else load_lexicon_or_none()
    try:
        if suffix == ".csv":
            if not is_memorandum_csv(path):
                _refuse_csv(path)
            extraction = extract_memorandum(path, lexicon=lexicon)
            text = path.read_bytes().decode("utf-8")  # extract_memorandum has checked it
        else:
            from .extract import extract_document
            from .extract.reader import read_document

            document = read_document(path)
            text = document.text
            extraction = extract_document(document, lexicon)
            if not extraction.get("entities") and not extraction.get("facts"):
                raise InputError(f"{path}: no entities or policy actions found; is this an article about "
                                 f"policy actions?")
    except KGError as e:
        msg = e.message if str(path) in e.message else f"{path}: {e.message}"
        raise InputError(msg, detail=e.detail) from e
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = extraction.get("document") or {}
    if doc.get("text_sha256") not in (None, sha):
        raise InputError(f"{path}: the extraction was made from a different text (sha256 mismatch)")
    doc.setdefault("text_sha256", sha)
    doc.setdefault("id", sha[:16])
    return Source(path=path, text=text, extraction=extraction)


def _refuse_csv(path: Path) -> None:
    """A CSV that is not a memorandum list: say why in one line (empty, not UTF-8, other header)."""
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (invalid byte at offset {e.start})") from None
    raise InputError(f"{path}: a CSV source must be a memorandum list (header {','.join(_memo_cols())})")


def _memo_cols():
    from .memorandum import COLUMNS

    return COLUMNS


def read_sources(paths: list[Path], *, keep_going: bool = False, lexicon=None,
                 progress: Progress = _quiet, jobs: int | None = None) -> tuple[list[Source], list[InputError]]:
    """Read and extract every source before anything touches the store (on ``jobs`` processes).

    A broken source stops the build (its :class:`InputError` is raised, naming the file) unless ``keep_going``,
    in which case it is skipped and reported. Two sources with the same text are one document. The sources
    come back in the order of ``paths``, their extractions packed (see :class:`Source`)."""
    from .buildjobs import Jobs, collecting_results

    sources: list[Source] = []
    failures: list[InputError] = []
    by_doc: dict[str, Path] = {}
    lexicon = lexicon if lexicon is not None else load_lexicon_or_none()
    with Jobs(jobs, len(paths), lexicon=lexicon, keep_going=keep_going) as pool, collecting_results():
        for i, (path, result) in enumerate(zip(paths, pool.map(_read_job, paths)), 1):
            progress(f"[{i}/{len(paths)}] extracting {path}")
            if not isinstance(result, Source):
                e = InputError(result[0], detail=result[1])
                if not keep_going:
                    if len(paths) > 1:
                        raise InputError(f"{e.message} (source {i} of {len(paths)}; nothing was built; "
                                         f"--keep-going builds the others)", detail=e.detail)
                    raise e
                failures.append(e)
                progress(f"skipped: {e.message}")
                continue
            if result.doc_id in by_doc:
                progress(f"{path}: same text as {by_doc[result.doc_id]}; read once")
                continue
            by_doc[result.doc_id] = path
            sources.append(result)
    return sources, failures


def _read_job(path: Path):
    """One source, extracted in a build worker: the packed source, or (message, detail) of its InputError."""
    from .buildjobs import context

    try:
        return read_source(path, lexicon=context["lexicon"]).packed()
    except InputError as e:
        return e.message, e.detail
    except Exception as e:  # noqa: BLE001 - a bug in the extractor: --keep-going skips the source and says so
        if not context["keep_going"]:
            raise
        return (f"{path}: the extractor failed ({type(e).__name__}: {e}); this is a bug in kg, please report it",
                {"crash": f"{type(e).__name__}: {e}"})


def load_lexicon_or_none():
    """The lexicon if its module is installed (it describes entities); without it, extraction labels only."""
    try:
        from .lexicon import load_lexicon
    except ModuleNotFoundError as e:
        if e.name == "kg.lexicon":
            return None
        raise
    return load_lexicon()


# ---------------------------------------------------------------------------------------------- ontology
@dataclass
class OntologyInfo:
    """The parts of the ontology the builder needs: the graph and the class hierarchy."""

    graph: Graph
    superclasses: dict[URIRef, set[URIRef]]
    files: list[Path]

    @classmethod
    def load(cls, directory: Path = ONTOLOGY_DIR) -> "OntologyInfo":
        """The OWL modules (``ontology/*.ttl`` except the SHACL shapes, which are not OWL axioms)."""
        g = Graph()
        files = [p for p in sorted(directory.glob("*.ttl")) if p.name != SHAPES_FILE]
        if not files:
            raise ValidationError(f"no ontology in {directory} (*.ttl): the build cannot type its nodes")
        for p in files:
            g += _parse_turtle(p)
        return cls(graph=g, superclasses=_superclass_closure(g), files=files)

    def published_graph(self) -> Graph:
        """What goes into ``id:graph/ontology``: every module plus the shapes, as published."""
        g = Graph()
        g += self.graph
        shapes = (self.files[0].parent if self.files else ONTOLOGY_DIR) / SHAPES_FILE
        if shapes.is_file():
            g += _parse_turtle(shapes)
        return g

    def is_a(self, cls_name: str, ancestor: str) -> bool:
        return IPA[ancestor] in self.superclasses.get(IPA[cls_name], {IPA[cls_name]})

    def knows_class(self, cls_name: str) -> bool:
        return IPA[cls_name] in self.superclasses


def _parse_turtle(path: Path) -> Graph:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as e:  # rdflib raises many error types; the ontology area's files must parse
        raise ValidationError(f"{path}: does not parse as Turtle: {str(e).splitlines()[0]}") from e
    return g


def _superclass_closure(g: Graph) -> dict[URIRef, set[URIRef]]:
    from rdflib.namespace import OWL, RDFS

    direct: dict[URIRef, set[URIRef]] = {}
    for c in set(g.subjects(RDF.type, OWL.Class)) | set(g.subjects(RDFS.subClassOf, None)):
        if isinstance(c, URIRef):
            direct.setdefault(c, set())
    for c, sup in g.subject_objects(RDFS.subClassOf):
        if isinstance(c, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(c, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}

    def up(c: URIRef, stack=()) -> set[URIRef]:
        if c in closure:
            return closure[c]
        out = {c}
        for s in direct.get(c, ()):
            if s not in stack:
                out |= up(s, stack + (c,))
        closure[c] = out
        return out

    for c in direct:
        up(c)
    return closure


# ---------------------------------------------------------------------------------------------- RDF
def date_literal(value: str) -> Literal:
    """A date typed by its precision: xsd:date, xsd:gYearMonth or xsd:gYear."""
    parts = value.split("-")
    dtype = {1: XSD.gYear, 2: XSD.gYearMonth, 3: XSD.date}.get(len(parts))
    if dtype is None or not all(p.isdigit() for p in parts):
        raise InputError(f"not a YYYY, YYYY-MM or YYYY-MM-DD date: {value!r}")
    return Literal(value, datatype=dtype)


def run_iri(sources: list[Source]) -> URIRef:
    """Stable for the same software version and the same input texts."""
    return ID[f"run/{_h16(__version__, *sorted(s.extraction['document']['text_sha256'] for s in sources))}"]


def canonical_entity_ids(sources: list[Source], lexicon=None) -> dict[str, str]:
    """Merge entities across documents: by lexicon id, then by QID (a local entity with the QID of a lexicon
    entry, or of another local entity, becomes that entity)."""
    by_qid: dict[str, str] = {}
    ids: dict[str, str] = {}
    local_with_qid: list[tuple[str, str]] = []
    for src in sources:
        for ent in src.extraction.get("entities", []):
            eid, qid = ent["id"], ent.get("wikidata")
            if lexicon is not None and lexicon.get(eid) is not None:
                ids[eid] = eid
                if lexicon.get(eid).qid:
                    by_qid.setdefault(lexicon.get(eid).qid, eid)
            elif qid:
                entry = lexicon.by_qid(qid) if lexicon is not None else None
                if entry is not None:
                    ids[eid] = entry.id
                else:
                    local_with_qid.append((eid, qid))
            else:
                ids.setdefault(eid, eid)
    for eid, qid in sorted(local_with_qid):
        ids[eid] = by_qid.setdefault(qid, eid)
    return ids


@dataclass
class EntityDescription:
    """What every document graph says about an entity: one class, one label per language (merged)."""

    cls: str
    labels: dict[str, str]
    alt_labels: list[tuple[str, str]]
    lexicon_id: str | None


def entity_descriptions(sources: list[Source], ids: dict[str, str], *, ontology: OntologyInfo,
                        lexicon=None) -> dict[str, EntityDescription]:
    """One description per (merged) entity: the lexicon's when it has the entity, else the extraction's, merged
    over documents in document-id order (first class wins; each language's label is the first one given).

    Every document graph that mentions the entity repeats this description, so the union of graphs never
    holds two classes or two labels in one language for the same entity."""
    out: dict[str, EntityDescription] = {}
    for src in sorted(sources, key=lambda s: s.doc_id):
        for ent in src.extraction.get("entities", []):
            eid = ids.get(ent["id"], ent["id"])
            entry = lexicon.get(eid) if lexicon is not None else None
            if eid not in out:
                cls = entry.cls if entry is not None else ent.get("class")
                if not cls or not ontology.knows_class(cls):
                    raise ValidationError(f"{src.path}: entity {ent['id']} has class {cls!r}, not an ontology class")
                labels = {k: v for k, v in (entry.labels if entry is not None else {}).items()
                          if v and k in LANG_TAGS}
                acronyms = list(entry.acronyms) if entry is not None else []
                out[eid] = EntityDescription(cls, labels, [], entry.id if entry is not None else None)
                out[eid].alt_labels = [(a, "en") for a in acronyms if labels.get("en") != a]
            desc = out[eid]
            for lang, value in (ent.get("label") or {}).items():
                if value and lang in LANG_TAGS and not desc.labels.get(lang):
                    desc.labels[lang] = value
    return out


def entities_graph(descriptions: dict[str, EntityDescription]) -> Graph:
    """``id:graph/entities``: each entity's class, labels and lexicon id, once.

    Kept out of the document graphs on purpose: with the default graph as the union of all graphs, a type
    triple repeated in every document that mentions the entity would make every join through it return one
    row per such document. Which documents mention an entity is in their mentions (``oa:hasBody``)."""
    g = Graph(identifier=GRAPH_ENTITIES)
    for eid in sorted(descriptions):
        desc, e = descriptions[eid], entity_iri(eid)
        g.add((e, RDF.type, IPA[desc.cls]))
        for lang, value in desc.labels.items():
            g.add((e, SKOS.prefLabel, Literal(value, lang=LANG_TAGS[lang])))
        for value, lang in desc.alt_labels:
            g.add((e, SKOS.altLabel, Literal(value, lang=lang)))
        if desc.lexicon_id:
            g.add((e, IPA.lexiconId, Literal(desc.lexicon_id)))
    return g


class DocumentGraphBuilder:
    """Turns one source's extraction JSON into the triples of its named graph."""

    def __init__(self, source: Source, run: URIRef, *, ontology: OntologyInfo,
                 descriptions: dict[str, EntityDescription], entity_ids: dict[str, str]):
        self.src = source
        self.doc = source.extraction["document"]
        self.doc_id = source.doc_id
        self.text = source.text
        self.run = run
        self.ontology = ontology
        self.descriptions = descriptions
        self.entity_ids = entity_ids
        self.graph = Graph(identifier=document_graph(self.doc_id))
        self.doc_iri = document_iri(self.doc_id)
        self.entity_class: dict[str, str] = {}
        self.fact_iris: dict[str, URIRef] = {}
        self.left_out: list[str] = []
        self.lang = LANG_TAGS.get(self.doc.get("language") or "", (self.doc.get("language") or "").lower() or None)

    # -- helpers
    def add(self, s, p, o) -> None:
        self.graph.add((s, p, o))

    def where(self, what: str) -> str:
        return f"{self.src.path}: {what}"

    def entity(self, eid: str | None) -> URIRef:
        return entity_iri(self.entity_ids.get(eid, eid))

    def span(self, base: URIRef, start: int, end: int, exact: str | None, *, context: bool) -> URIRef:
        """A SpecificResource on this document with a quote and a position selector; returns the target IRI."""
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(self.text)):
            raise ValidationError(self.where(f"span {start}-{end} is outside the text (length {len(self.text)})"))
        quote = self.text[start:end]
        if exact is not None and exact != quote:
            raise ValidationError(self.where(f"span {start}-{end} is {quote!r} in the text, the extraction says "
                                             f"{exact!r}"))
        target, q, pos = URIRef(f"{base}/target"), URIRef(f"{base}/quote"), URIRef(f"{base}/position")
        self.add(target, RDF.type, OA.SpecificResource)
        self.add(target, OA.hasSource, self.doc_iri)
        self.add(target, OA.hasSelector, q)
        self.add(target, OA.hasSelector, pos)
        self.add(q, RDF.type, OA.TextQuoteSelector)
        self.add(q, OA.exact, Literal(quote))
        if context:
            self.add(q, OA.prefix, Literal(self.text[max(0, start - CONTEXT_CHARS):start]))
            self.add(q, OA.suffix, Literal(self.text[end:end + CONTEXT_CHARS]))
        self.add(pos, RDF.type, OA.TextPositionSelector)
        self.add(pos, OA.start, Literal(start))  # xsd:integer, as the Turtle `oa:start 1795` of the contract
        self.add(pos, OA.end, Literal(end))
        return target

    def evidence(self, span: dict) -> URIRef:
        ev = evidence_iri(_h16(self.doc_id, span["start"], span["end"]))
        if (ev, RDF.type, OA.Annotation) not in self.graph:
            self.add(ev, RDF.type, OA.Annotation)
            self.add(ev, OA.motivatedBy, OA.describing)
            self.add(ev, OA.hasTarget, self.span(ev, span["start"], span["end"], span.get("text"), context=True))
        return ev

    # -- the parts of a document graph
    def build(self) -> Graph:
        self.document_node()
        for ent in self.src.extraction.get("entities", []):
            self.entity_node(ent)
        facts = []
        for fact in self.src.extraction.get("facts", []):
            why = self.incomplete(fact)
            if why:
                self.left_out.append(f"{_display_path(self.src.path)}: fact {fact.get('id')} "
                                     f"({fact.get('type')}) left out: {why}")
            else:
                facts.append(fact)
        for fact in facts:  # IRIs first: facts refer to each other (subaction_of, reverses)
            self.fact_iris[fact["id"]] = fact_iri(self.fact_key(fact))
        for fact in facts:
            self.fact_node(fact)
        return self.graph

    def incomplete(self, fact: dict) -> str | None:
        """Why a fact the extraction contract allows cannot be a node of the graph, if it cannot.

        The contract lets the extractor give an action without actor (or without target) when the text does
        not name one; the ontology's shapes require both. Such a fact is left out and reported, not guessed."""
        if not fact.get("actor"):
            return "no actor named in the text"
        if fact.get("type") != "Statement" and not fact.get("targets"):
            return "no target named in the text"
        return None

    def document_node(self) -> None:
        d, doc = self.doc_iri, self.doc
        self.add(d, RDF.type, IPA.Document)
        kind = doc.get("kind")
        self.add(d, RDF.type, SCHEMA.Dataset if kind == "memorandum-list" else SCHEMA.NewsArticle)
        if doc.get("title"):
            self.add(d, DCT.title, Literal(doc["title"], lang=self.lang))
        if doc.get("publisher"):
            self.add(d, SCHEMA.publisher, Literal(doc["publisher"]))
        if doc.get("language"):
            self.add(d, DCT.language, Literal(doc["language"]))
        if doc.get("published"):
            self.add(d, SCHEMA.datePublished, date_literal(str(doc["published"])))
            self.add(d, IPA.publishedDateInferred, Literal(bool(doc.get("published_inferred", False))))
        if doc.get("url"):
            self.add(d, SCHEMA.url, URIRef(doc["url"]))
        if doc.get("source"):
            self.add(d, DCT.source, Literal(doc["source"], lang="en"))
        if doc.get("source_entity"):
            self.add(d, PROV.wasDerivedFrom, self.entity(doc["source_entity"]))
        self.add(d, IPA.textSha256, Literal(doc["text_sha256"]))
        self.add(d, IPA.text, Literal(self.text))
        self.add(d, IPA.sourcePath, Literal(_display_path(self.src.path)))

    def entity_node(self, ent: dict) -> None:
        eid = self.entity_ids.get(ent["id"], ent["id"])
        e = entity_iri(eid)
        self.entity_class[ent["id"]] = self.descriptions[eid].cls
        for member in ent.get("members") or ():
            self.add(e, IPA.hasMember, self.entity(member))
        if ent.get("acronym_conflict"):
            self.add(e, IPA.acronymConflict, Literal(ent["acronym_conflict"]))
        for m in ent.get("mentions") or ():
            mid = URIRef(ID[f"mention/{_h16(self.doc_id, m['start'], m['end'], eid)}"])
            self.add(mid, RDF.type, OA.Annotation)
            self.add(mid, OA.motivatedBy, OA.identifying)
            self.add(mid, OA.hasBody, e)
            self.add(mid, OA.hasTarget, self.span(mid, m["start"], m["end"], m.get("text"), context=False))

    def fact_key(self, fact: dict) -> str:
        ev = [(s["start"], s["end"]) for s in fact.get("evidence") or ()]
        targets = [self.entity_ids.get(t, t) for t in fact.get("targets") or ()]
        actor = self.entity_ids.get(fact.get("actor"), fact.get("actor"))
        return _h16(self.doc_id, fact.get("type"), actor, ",".join(targets), fact.get("date"), ev)

    def fact_node(self, fact: dict) -> None:
        f = self.fact_iris[fact["id"]]
        ftype = fact.get("type")
        if not ftype or not self.ontology.knows_class(ftype):
            raise ValidationError(self.where(f"fact {fact['id']} has type {ftype!r}, not an ontology class"))
        if not fact.get("evidence"):
            raise ValidationError(self.where(f"fact {fact['id']} has no evidence span"))
        modality = fact.get("modality")
        if modality not in MODALITIES:
            raise ValidationError(self.where(f"fact {fact['id']} has modality {modality!r}; expected one of "
                                             f"{', '.join(MODALITIES)}"))
        self.add(f, RDF.type, IPA[ftype])
        if fact.get("actor"):
            self.add(f, IPA.actor, self.entity(fact["actor"]))
        # Targets, dates and modality belong to policy actions (their OWL domain); a Statement has a speaker
        # and a quote only, and giving it those properties would make it a PolicyAction (disjoint classes).
        action = self.ontology.is_a(ftype, "PolicyAction")
        for t in (fact.get("targets") or ()) if action else ():
            self.add(f, IPA.target, self.entity(t))
        date_prop = None
        if fact.get("date") and action:
            role = fact.get("date_role") or ("effective" if modality in ("effective", "historical") else "announced")
            date_prop = IPA.effectiveDate if role == "effective" else IPA.announcedDate
            try:
                self.add(f, date_prop, date_literal(str(fact["date"])))
            except InputError as e:
                raise ValidationError(self.where(f"fact {fact['id']}: {e.message}")) from e
        if action:
            self.add(f, IPA.modality, Literal(modality))
        if fact.get("confidence") is not None:
            self.add(f, IPA.confidence, Literal(Decimal(str(round(float(fact["confidence"]), 3)))))
        if fact.get("date_resolution"):
            self.add(f, IPA.dateResolution, Literal(fact["date_resolution"]))
        self.provenance(f)
        evidence = [self.evidence(s) for s in fact["evidence"]]
        for ev in evidence:
            self.add(f, IPA.evidence, ev)
        for key, prop in (("trigger", IPA.trigger), ("date_evidence", IPA.dateEvidence)):
            span = fact.get(key)
            if span and span.get("start") != span.get("end"):  # optional; an empty span means "none"
                self.add(f, prop, self.evidence(span))
        for rel, prop in (("subaction_of", IPA.subActionOf), ("reverses", IPA.reverses)):
            if fact.get(rel):
                other = self.fact_iris.get(fact[rel])
                if other is None:
                    if any(f.get("id") == fact[rel] for f in self.src.extraction.get("facts", [])):
                        continue  # it names a fact that was left out (see incomplete())
                    raise ValidationError(self.where(f"fact {fact['id']}: {rel} names unknown fact {fact[rel]!r}"))
                self.add(f, prop, other)
        basis = fact.get("legal_basis")
        for b in [basis] if isinstance(basis, str) else basis or ():
            self.add(f, IPA.legalBasis, self.entity(b))
        if ftype == "Withdrawal" and modality in MEMBERSHIP_ENDING:
            self.memberships(fact, f, evidence, date_prop)

    def provenance(self, node: URIRef) -> None:
        self.add(node, PROV.wasDerivedFrom, self.doc_iri)
        self.add(node, PROV.wasGeneratedBy, self.run)

    def memberships(self, fact: dict, f: URIRef, evidence: list[URIRef], date_prop) -> None:
        """A State's withdrawal from an organisation ends its membership (same source, same evidence)."""
        actor = fact.get("actor")
        if not actor or self.entity_class.get(actor) != "State":
            return
        for t in fact.get("targets") or ():
            cls = self.entity_class.get(t)
            if not cls or not self.ontology.is_a(cls, "Organization"):
                continue
            m = ID[f"membership/{_h16(self.doc_id, str(f), self.entity_ids.get(t, t))}"]
            self.add(m, RDF.type, IPA.Membership)
            self.add(m, IPA.member, self.entity(actor))
            self.add(m, IPA.organization, self.entity(t))
            self.add(m, IPA.endedBy, f)
            if date_prop == IPA.effectiveDate:
                self.add(m, IPA.endDate, date_literal(str(fact["date"])))
            self.provenance(m)
            for ev in evidence:
                self.add(m, IPA.evidence, ev)


def _display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path.resolve())


def meta_graph(run: URIRef, sources: list[Source], started: float, ended: float) -> Graph:
    from datetime import datetime, timezone

    def ts(t: float) -> Literal:
        return Literal(datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)

    g = Graph(identifier=GRAPH_META)
    software = ID[f"software/ipakg/{__version__}"]
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, PROV.startedAtTime, ts(started)))
    g.add((run, PROV.endedAtTime, ts(ended)))
    g.add((run, PROV.wasAssociatedWith, software))
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, SCHEMA.softwareVersion, Literal(__version__)))
    g.add((software, SCHEMA.name, Literal("ipakg")))
    for s in sources:
        g.add((run, PROV.used, document_iri(s.doc_id)))
    return g


def links_graph(entities: list[dict], lexicon=None) -> Graph:
    """Wikidata links from :mod:`kg.links` when that module is installed, else an empty links graph.

    ``entities``: the extraction's entity dicts, ids already merged (one per entity)."""
    try:
        links = importlib.import_module("kg.links")
    except ModuleNotFoundError as e:
        if e.name == "kg.links":
            return Graph(identifier=GRAPH_LINKS)
        raise
    made = links.links_graph(entities, lexicon=lexicon)
    g = Graph(identifier=GRAPH_LINKS)
    for t in made:
        g.add(t)
    return g


# ---------------------------------------------------------------------------------------------- the build
@dataclass
class BuildReport:
    generation: str | None
    documents: list[dict]
    entities: int
    facts: dict[str, int]
    triples: dict[str, int]
    violations: int
    seconds: float
    skipped: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # facts the graph cannot hold (see incomplete())

    def summary_lines(self) -> list[str]:
        lines = [f"generation {self.generation}: {len(self.documents)} documents, {self.entities} entities, "
                 f"{sum(self.facts.values())} facts, {sum(self.triples.values())} triples, "
                 f"{self.violations} violations, {self.seconds:.1f} s"]
        for d in self.documents:
            lines.append(f"  {d['graph']}  {d['triples']:>7} triples  {d['facts']:>4} facts  {d['path']}")
        for g, n in self.triples.items():
            if not g.startswith(str(ID["doc/"])):
                lines.append(f"  {g}  {n:>7} triples")
        if self.facts:
            lines.append("  facts by type: " + ", ".join(f"{k} {v}" for k, v in sorted(self.facts.items())))
        for s in self.skipped:
            lines.append(f"  skipped: {s}")
        for s in self.left_out:
            lines.append(f"  {s}")
        return lines


def assemble(sources: list[Source], *, ontology: OntologyInfo, lexicon=None,
             started: float | None = None, left_out: list[str] | None = None) -> Dataset:
    """Every graph of a build, in memory (no store involved). Facts left out are appended to ``left_out``."""
    started = time.time() if started is None else started
    if lexicon is None:
        lexicon = load_lexicon_or_none()
    run = run_iri(sources)
    ids = canonical_entity_ids(sources, lexicon)
    descriptions = entity_descriptions(sources, ids, ontology=ontology, lexicon=lexicon)
    ds = Dataset()
    for p, ns in PREFIXES.items():
        ds.bind(p, ns)
    onto = ds.graph(GRAPH_ONTOLOGY)
    onto += ontology.published_graph()
    entities: dict[str, dict] = {}
    for src in sources:
        builder = DocumentGraphBuilder(src, run, ontology=ontology, descriptions=descriptions, entity_ids=ids)
        target = ds.graph(document_graph(src.doc_id))
        target += builder.build()
        if left_out is not None:
            left_out.extend(builder.left_out)
        for ent in src.extraction.get("entities", []):
            eid = ids.get(ent["id"], ent["id"])
            entities.setdefault(eid, {**ent, "id": eid})
    described = ds.graph(GRAPH_ENTITIES)
    described += entities_graph(descriptions)
    links = ds.graph(GRAPH_LINKS)
    links += links_graph([entities[k] for k in sorted(entities)], lexicon)
    meta = ds.graph(GRAPH_META)
    meta += meta_graph(run, sources, started, time.time())
    return ds


def build(paths: list[Path] | None, root: StoreRoot, *, keep_going: bool = False, lexicon=None,
          progress: Progress = _quiet, jobs: int | None = None) -> BuildReport:
    """Read and extract every source (default: the bundled corpus), then :func:`build_sources`.

    A broken source raises :class:`InputError` before the store is touched (unless ``keep_going``).
    ``jobs``: processes to use (default: one per CPU for 16 sources or more)."""
    t0 = time.time()
    paths = expand_sources(paths) if paths else default_sources()
    if not paths:
        raise InputError("no sources to build from")
    if lexicon is None:
        lexicon = load_lexicon_or_none()
    sources, failures = read_sources(paths, keep_going=keep_going, lexicon=lexicon, progress=progress, jobs=jobs)
    if not sources:
        raise InputError("no source could be read; nothing was built")
    extracted = time.time() - t0
    report = build_sources(sources, root, lexicon=lexicon, progress=progress, started=t0, keep_going=keep_going,
                           jobs=jobs)
    report.skipped = [e.message for e in failures] + report.skipped
    report.timings = {"extract": extracted, **report.timings}
    return report


class _DocumentsFailed(ValidationError):
    """Some documents failed their own checks; ``failed`` maps their doc ids to one line each."""

    def __init__(self, message: str, *, detail: dict | None = None, failed: dict[str, str]):
        super().__init__(message, detail=detail)
        self.failed = failed


def build_sources(sources: list[Source], root: StoreRoot, *, lexicon=None, progress: Progress = _quiet,
                  started: float | None = None, keep_going: bool = False, jobs: int | None = None) -> BuildReport:
    """Graphs, validation, then a new store generation made current. Nothing is visible until it all passed.

    With ``keep_going``, a failed validation is traced to the documents that cause it (each checked on its own:
    graph, spans, SHACL); they are left out and reported, and the rest is built and validated again."""
    t0 = time.time() if started is None else started
    if lexicon is None:
        lexicon = load_lexicon_or_none()
    ontology = OntologyInfo.load()
    attempt = _Attempt(root, ontology=ontology, lexicon=lexicon, progress=progress, started=t0, jobs=jobs)
    try:
        return attempt.run(sources)
    except ValidationError as e:
        if len(sources) < 2:
            raise
        if not keep_going:
            raise ValidationError(e.message + "\n  (--keep-going leaves out the documents that fail and builds the "
                                  "rest)", detail=e.detail) from e
        progress("validation failed; checking each document on its own (--keep-going)")
        bad = e.failed if isinstance(e, _DocumentsFailed) else _failing_documents(sources, ontology, lexicon)
        kept = [s for s in sources if s.doc_id not in bad]
        if not bad or not kept:
            raise
        skipped = list(bad.values())
        for message in skipped:
            progress(f"skipped: {message}")
        report = attempt.run(kept)
        report.skipped = skipped
        return report


def _failing_documents(sources: list[Source], ontology: OntologyInfo, lexicon) -> dict[str, str]:
    """Each document built and checked alone (spans, SHACL): doc id -> why it fails, for those that do."""
    from . import validate

    bad = {}
    for src in sources:
        try:
            problems = [p.line() for p in validate.document_problems(
                assemble([src], ontology=ontology, lexicon=lexicon), ontology.graph)]
        except ValidationError as e:
            problems = [e.message.splitlines()[0]]
        if problems:
            bad[src.doc_id] = _fails(src.path, problems)
    return bad


def _fails(path, problems: list[str]) -> str:
    return f"{path}: fails validation: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")


@dataclass
class DocumentResult:
    """What a build worker sends back for one document (its quads go straight to the new generation)."""

    doc_id: str
    path: str
    title: str | None
    nquads: bytes = b""
    triples: int = 0
    facts: dict = field(default_factory=dict)
    n_facts: int = 0
    left_out: list = field(default_factory=list)
    error: str | None = None  # the builder refused the extraction (ValidationError message)
    spans: list = field(default_factory=list)  # Problems
    shacl: list = field(default_factory=list)  # Problems
    where: dict = field(default_factory=dict)  # node (short) -> source path, for messages
    shared: dict = field(default_factory=dict)  # node -> reasoner signature features (entities, the document)
    shared_types: list = field(default_factory=list)  # (node, class) stated in this graph for shared nodes
    local: dict = field(default_factory=dict)  # signature -> this document's own nodes with it
    local_stated: dict = field(default_factory=dict)  # own node -> classes stated but not in its signature
    exact: list = field(default_factory=list)  # triples that need full reasoning (see Vocabulary.features)


# Documents whose SHACL runs together in one pySHACL call: its fixed cost per call is larger than the cost
# of a document's nodes, so a chunk halves the per-document time; results are per focus node, hence the
# same whatever the chunking.
CHUNK = 16


def _chunk_job(chunk: list[Source]) -> list[DocumentResult]:
    """Build documents' graphs and run their own checks (evidence spans, SHACL), in a build worker."""
    from .buildjobs import context as ctx
    from .validate import short

    built = [_document_graph(src) for src in chunk]
    data = Graph()
    described: dict[URIRef, list] = ctx["described"]
    nodes_of = []
    for res, g in built:
        nodes = set() if g is None else set(g.subjects()) | {o for o in g.objects() if isinstance(o, URIRef)}
        nodes_of.append({short(n) for n in nodes})
        if g is not None and not res.spans:
            data += g
            data.addN((s, p, o, data) for n in nodes for s, p, o in described.get(n, ()))
    problems = ctx["checker"].problems(data) if len(data) else []
    for problem in problems:
        owners = [res for (res, _), nodes in zip(built, nodes_of) if problem.focus in nodes] or [r for r, _ in built]
        for res in owners:
            res.shacl.append(problem)
    for (res, g), src in zip(built, chunk):
        if g is not None and (res.spans or any(p.severity == "Violation" for p in res.shacl)):
            res.where = {short(n): _display_path(src.path) for n in set(g.subjects())}
    return [res for res, _ in built]


def _document_graph(src: Source) -> tuple[DocumentResult, Graph | None]:
    """One document's graph, its N-Quads, counts, span check and what the reasoner needs of it."""
    from rdflib.plugins.serializers.nquads import _nq_row

    from .buildjobs import context as ctx
    from .reasoning import MATERIALISED_NAMESPACES as MATERIALISED
    from .validate import check_spans

    doc = src.extraction["document"]
    out = DocumentResult(src.doc_id, str(src.path), doc.get("title"))
    builder = DocumentGraphBuilder(src, ctx["run"], ontology=ctx["ontology"], descriptions=ctx["descriptions"],
                                   entity_ids=ctx["ids"])
    try:
        g = builder.build()
    except ValidationError as e:
        out.error = e.message
        return out, None
    out.left_out = builder.left_out
    gid = g.identifier
    out.triples = len(g)
    out.nquads = "".join(_nq_row(t, gid) for t in g).encode("utf-8")
    doc_iri = document_iri(src.doc_id)
    for node in g.subjects(PROV.wasDerivedFrom, doc_iri):
        for cls in g.objects(node, RDF.type):
            name = str(cls).removeprefix(str(IPA))
            out.facts[name] = out.facts.get(name, 0) + 1
            out.n_facts += 1
    out.spans = check_spans(g)

    features, out.exact = ctx["vocabulary"].features(g)
    own = set(g.subjects()) - set(ctx["described"]) - {doc_iri}
    stated: dict[str, set] = {}
    for s, o in g.subject_objects(RDF.type):
        if isinstance(o, URIRef) and str(o).startswith(MATERIALISED):
            stated.setdefault(str(s), set()).add(str(o))
    for node, feats in features.items():
        if URIRef(node) in own:
            sig = tuple(sorted(feats))
            out.local.setdefault(sig, []).append(node)
            extra = stated.get(node, set()) - {f[2:] for f in sig if f.startswith("a ")}
            if extra:
                out.local_stated[node] = sorted(extra)
        else:
            out.shared[node] = feats
    out.shared_types = [(n, c) for n, cs in stated.items() if URIRef(n) not in own for c in cs]
    return out, g


class _QuadWriter:
    """N-Quads into the new generation in large batches (Oxigraph's bulk loader is fastest on big inputs)."""

    BATCH = 32 << 20

    def __init__(self, store):
        self.store, self.parts, self.size = store, [], 0

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.BATCH:
            self.flush()

    def add_graph(self, graph: Graph, name: URIRef) -> None:
        from rdflib.plugins.serializers.nquads import _nq_row

        self.add("".join(_nq_row(t, name) for t in graph).encode("utf-8"))

    def flush(self) -> None:
        import pyoxigraph

        if self.parts:
            self.store.bulk_load(b"".join(self.parts), format=pyoxigraph.RdfFormat.N_QUADS)
            self.parts, self.size = [], 0


class _Attempt:
    """One try at a build of a list of sources, start to finish (see build_sources)."""

    def __init__(self, root: StoreRoot, *, ontology: OntologyInfo, lexicon, progress: Progress, started: float,
                 jobs: int | None):
        self.root, self.ontology, self.lexicon, self.progress = root, ontology, lexicon, progress
        self.started, self.jobs = started, jobs

    def run(self, sources: list[Source]) -> BuildReport:
        from . import validate
        from .buildjobs import Jobs
        from .reasoning import Vocabulary

        progress, ontology, timings = self.progress, self.ontology, {}
        t = time.time()
        run = run_iri(sources)
        ids = canonical_entity_ids(sources, self.lexicon)
        descriptions = entity_descriptions(sources, ids, ontology=ontology, lexicon=self.lexicon)
        described = entities_graph(descriptions)
        by_subject: dict[URIRef, list] = {}
        for triple in described:
            by_subject.setdefault(triple[0], []).append(triple)
        entities: dict[str, dict] = {}
        for src in sources:
            for ent in src.extraction.get("entities", []):
                eid = ids.get(ent["id"], ent["id"])
                entities.setdefault(eid, {**ent, "id": eid})
        vocabulary = Vocabulary.of(ontology.graph)
        jobs = Jobs(self.jobs, len(sources), run=run, ontology=ontology, descriptions=descriptions, ids=ids,
                    described=by_subject, checker=validate.ShapesChecker(ontology.graph), vocabulary=vocabulary)
        progress(f"building graphs for {len(sources)} documents on {jobs.jobs} process(es); each is checked "
                 f"(evidence spans, SHACL) as it is built")
        try:
            with self.root.build_lock():
                gen = self.root.begin()
                try:
                    report = self._fill(gen, sources, jobs, timings, t, run=run, described=described,
                                        entities=entities, vocabulary=vocabulary)
                except BaseException:
                    self.root.abort(gen)
                    raise
        finally:
            jobs.close()
        return report

    def _fill(self, gen, sources, jobs, timings, t, *, run, described, entities, vocabulary) -> BuildReport:
        from . import validate
        from .buildjobs import collecting_results
        from .reasoning import reason_by_signature

        progress, ontology = self.progress, self.ontology
        writer = _QuadWriter(gen.store)
        results: list[DocumentResult] = []
        failed: dict[str, str] = {}
        chunks = ([s.packed() for s in sources[i:i + CHUNK]] for i in range(0, len(sources), CHUNK))
        done = (res for chunk in jobs.map(_chunk_job, chunks, chunksize=1) for res in chunk)
        with collecting_results():
            self._collect(zip(sources, done), writer, results, failed)
        jobs.close()
        timings["graphs"] = time.time() - t

        if failed:
            refused = next((r for r in results if r.error), None)  # the builder's refusals come first, as
            if refused is not None:                                # they stop a build before any check
                raise _DocumentsFailed(refused.error, failed=failed)
            where = {k: v for r in results for k, v in r.where.items()}
            spans = [p for r in results for p in r.spans]
            if spans:
                raise _from(validate.fail("evidence spans do not match their documents", spans, where), failed)
            violations = sorted({p for r in results for p in r.shacl if p.severity == "Violation"},
                                key=validate._order)
            raise _from(validate.fail("SHACL validation failed", violations, where), failed)

        t = time.time()
        progress("validating: evidence spans, SHACL shapes, OWL consistency")
        warned = set()
        for r in results:
            for p in r.shacl:
                if p not in warned:
                    warned.add(p)
                    progress(p.line())
        meta = meta_graph(run, sources, self.started, time.time())
        shared_data = Graph()
        shared_data += described
        shared_data += meta
        problems = validate.shacl(shared_data, ontology.graph)
        for p in problems:
            if p.severity != "Violation" and p not in warned:
                progress(p.line())
        violations = [p for p in problems if p.severity == "Violation"]
        if violations:
            raise validate.fail("SHACL validation failed", violations)
        progress("SHACL: conforms; running the reasoner (HermiT) on the node signatures")

        features, exact = vocabulary.features(shared_data)
        shared: dict[str, set] = {k: set(v) for k, v in features.items()}
        exact = list(exact)
        for r in results:
            for node, feats in r.shared.items():
                shared.setdefault(node, set()).update(feats)
            exact.extend(r.exact)
        signatures: dict[tuple, str] = {}
        for r in results:
            for sig, nodes in r.local.items():
                signatures.setdefault(sig, nodes[0])
        shared_sigs = {node: tuple(sorted(f)) for node, f in shared.items()}
        for node, sig in shared_sigs.items():
            signatures.setdefault(sig, node)
        result = reason_by_signature(ontology.graph, signatures, exact)
        if not result.consistent:
            raise ValidationError(f"the OWL reasoner found the graph inconsistent; nothing was switched: "
                                  f"{result.explanation}", detail={"reasoner": result.stats})
        if result.unsatisfiable:
            raise ValidationError(f"the ontology has unsatisfiable classes; nothing was switched: "
                                  f"{', '.join(result.unsatisfiable)}", detail={"reasoner": result.stats})
        inferred = self._inferred(results, result, shared_sigs, shared_data)
        progress(f"reasoner: consistent, {len(inferred)} inferred types "
                 f"({result.stats.get('signatures', 0)} signatures, {result.stats.get('seconds', 0):.1f} s)")
        timings["validate"] = time.time() - t

        t = time.time()
        onto = ontology.published_graph()
        links = links_graph([entities[k] for k in sorted(entities)], self.lexicon)
        meta = meta_graph(run, sources, self.started, time.time())
        expected = sum(r.triples for r in results) + len(onto) + len(described) + len(links) + len(meta) + len(inferred)
        progress(f"writing generation {gen.id} ({expected} quads)")
        for graph, name in ((onto, GRAPH_ONTOLOGY), (described, GRAPH_ENTITIES), (links, GRAPH_LINKS),
                            (meta, GRAPH_META)):
            writer.add_graph(graph, name)
        writer.add("".join(f"<{s}> <{RDF.type}> <{c}> <{GRAPH_INFERRED}> .\n" for s, c in inferred).encode("utf-8"))
        writer.flush()
        gen.store.flush()
        got = len(gen.store)
        if got != expected:
            raise StoreError(f"the new generation holds {got} quads, expected {expected}; not switched")
        gen_id = self.root.commit(gen)
        timings["store"] = time.time() - t

        triples = {str(document_graph(r.doc_id)): r.triples for r in results}
        for name, n in ((GRAPH_ONTOLOGY, len(onto)), (GRAPH_ENTITIES, len(described)), (GRAPH_INFERRED, len(inferred)),
                        (GRAPH_LINKS, len(links)), (GRAPH_META, len(meta))):
            triples[str(name)] = n
        facts: dict[str, int] = {}
        for r in results:
            for k, v in r.facts.items():
                facts[k] = facts.get(k, 0) + v
        documents = [{"graph": str(document_graph(r.doc_id)), "path": _display_path(Path(r.path)),
                      "triples": r.triples, "facts": r.n_facts, "title": r.title} for r in results]
        report = BuildReport(generation=gen_id, documents=documents,
                             entities=len(set(described.subjects(RDF.type, None))), facts=facts, triples=triples,
                             violations=0, seconds=time.time() - self.started, skipped=[], timings=timings)
        report.left_out = [m for r in results for m in r.left_out]
        return report

    def _collect(self, done, writer: _QuadWriter, results: list, failed: dict) -> None:
        """Each document's result, in source order: its quads into the generation (while none failed)."""
        for src, res in done:
            for message in res.left_out:
                self.progress(message)
            if res.error or res.spans or any(p.severity == "Violation" for p in res.shacl):
                lines = [res.error.splitlines()[0]] if res.error else [p.line() for p in res.spans] or [
                    p.line() for p in res.shacl if p.severity == "Violation"]
                failed[res.doc_id] = _fails(src.path, lines)
            elif not failed:
                writer.add(res.nquads)
            res.nquads = b""
            results.append(res)

    @staticmethod
    def _inferred(results, result, shared_sigs, shared_data) -> list[tuple[str, str]]:
        """(node, class) the reasoner entails and no graph states, sorted."""
        out: set[tuple[str, str]] = set()
        stated_shared: set[tuple[str, str]] = {(str(s), str(o)) for s, o in shared_data.subject_objects(RDF.type)}
        for r in results:
            stated_shared.update(r.shared_types)
            for sig, nodes in r.local.items():
                told = {f[2:] for f in sig if f.startswith("a ")}
                for node in nodes:
                    extra = r.local_stated.get(node, ())
                    out.update((node, c) for c in result.types[sig] if c not in told and c not in extra)
        for node, sig in shared_sigs.items():
            out.update((node, c) for c in result.types[sig])
        for node, classes in result.exact.items():
            out.update((node, c) for c in classes)
        return sorted(t for t in out if t not in stated_shared)


def _from(e: ValidationError, failed: dict[str, str]) -> _DocumentsFailed:
    return _DocumentsFailed(e.message, detail=e.detail, failed=failed)


def _bulk_load(store, ds: Dataset) -> None:
    """Write the whole dataset with one bulk load (N-Quads made by rdflib, parsed by Oxigraph)."""
    import pyoxigraph

    with warnings.catch_warnings():  # rdflib 7.6's own N-Quads writer calls its deprecated Dataset.contexts()
        warnings.simplefilter("ignore", DeprecationWarning)
        data = ds.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
