"""OWL 2 reasoning with HermiT: consistency, unsatisfiable classes and materialised types.

``reason(ontology, data)`` hands HermiT (bundled with owlready2, run by Java) only what OWL
reasoning needs, in a fresh owlready2 ``World`` so nothing leaks between runs or into the
ontology files:

- from the ontology, the logical axioms (declarations, subclass/subproperty, domain, range,
  disjointness, characteristics and the class expressions they use), not the annotations;
- from the data, ``rdf:type`` triples naming declared classes and assertions of declared object
  properties between IRIs. Literals are dropped: HermiT rejects ``xsd:date``, ``xsd:gYear`` and
  ``xsd:gYearMonth`` (not in the OWL 2 datatype map), the ontology gives data properties no
  ranges, and documents carry their whole text, which would only slow the reasoner down.

The inferred graph holds every class membership the data entails and does not state, restricted
to the vocabularies plain SPARQL users query (ipa:, org:, prov:, sem:), so that
``?x a ipa:Organization`` finds a UN specialised agency without a reasoner.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .errors import ReasonerUnavailable
from .namespaces import IPA, ORG, PREFIXES, PROV, SEM

# Namespaces whose classes are materialised as rdf:type triples in the inferred graph.
MATERIALISED_NAMESPACES = (str(IPA), str(ORG), str(PROV), str(SEM))

# Predicates that carry OWL semantics; everything else in the ontology is annotation.
_LOGICAL_PREDICATES = frozenset(
    [RDF.type, RDF.first, RDF.rest, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range]
    + [
        OWL[name]
        for name in (
            "equivalentClass equivalentProperty disjointWith propertyDisjointWith inverseOf unionOf "
            "intersectionOf complementOf oneOf members distinctMembers disjointUnionOf onProperty "
            "onProperties someValuesFrom allValuesFrom hasValue hasSelf cardinality minCardinality "
            "maxCardinality qualifiedCardinality minQualifiedCardinality maxQualifiedCardinality onClass "
            "onDataRange propertyChainAxiom hasKey sameAs differentFrom"
        ).split()
    ]
)
_OWL_NS = str(OWL)
# Characters an IRI cannot contain in N-Triples; an IRI with them is left out rather than break the load.
_NOT_IN_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_INDIVIDUAL_LINKS = (OWL.sameAs, OWL.differentFrom)


@dataclass
class ReasoningResult:
    consistent: bool
    inferred: Graph
    unsatisfiable: list[str]
    explanation: str
    stats: dict = field(default_factory=dict)


def java_executable() -> str:
    """The ``java`` that runs HermiT: ``$JAVA_HOME/bin/java`` if set, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    if not found:
        raise ReasonerUnavailable("the HermiT reasoner needs Java (17 or later) on PATH; install openjdk-17-jre-headless")
    return found


# HermiT runs for about a second, mostly JVM start-up and JIT warm-up; the C1 compiler alone and the
# serial collector cut that by about a third for graphs of this size.
_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def _tune_jvm() -> None:
    """Pass JVM options to the HermiT process only (owlready2 hands these kwargs to subprocess)."""
    from owlready2 import reasoning as owl_reasoning

    kwargs = getattr(owl_reasoning, "_subprocess_kargs", None)
    if isinstance(kwargs, dict):
        env = dict(os.environ)
        env["JAVA_TOOL_OPTIONS"] = (env.get("JAVA_TOOL_OPTIONS", "") + " " + _JVM_OPTIONS).strip()
        kwargs["env"] = env  # refreshed on every run, so later changes to os.environ are seen


def tbox_for_reasoner(ontology: Graph) -> Graph:
    """The logical axioms of ``ontology``: what HermiT needs, without annotations or imports."""
    out = Graph()
    for s, p, o in ontology:
        if p not in _LOGICAL_PREDICATES:
            continue
        if p == RDF.type and isinstance(s, BNode) and not str(o).startswith(_OWL_NS):
            continue  # e.g. the anonymous creator of the ontology header
        out.add((s, p, o))
    return out


def abox_for_reasoner(tbox: Graph, data: Graph) -> set[tuple]:
    """The triples of ``data`` that OWL reasoning over ``tbox`` can use: types and object-property links."""
    classes = set(tbox.subjects(RDF.type, OWL.Class))
    object_properties = set(tbox.subjects(RDF.type, OWL.ObjectProperty))
    return {
        (s, p, o)
        for s, p, o in data
        if isinstance(s, URIRef)
        and isinstance(o, URIRef)
        and _writable(s)
        and _writable(o)
        and ((p == RDF.type and o in classes) or p in object_properties or p in _INDIVIDUAL_LINKS)
    }


def _writable(iri: URIRef) -> bool:
    return not _NOT_IN_IRI.search(iri)


def reason(ontology: Graph, data: Graph) -> ReasoningResult:
    """Run HermiT on ``ontology`` + ``data``; return consistency, unsatisfiable classes and new types.

    Raises ``ReasonerUnavailable`` when Java is missing. An inconsistent input is a result, not an
    error: ``consistent`` is False and ``explanation`` names the clashes it can find.
    """
    started = time.perf_counter()
    tbox = tbox_for_reasoner(ontology)
    abox = abox_for_reasoner(tbox, data)
    run = _hermit(tbox, abox)
    if not run.consistent:
        return ReasoningResult(False, Graph(), [], run.explanation, run.stats)
    inferred = _inferred_graph(
        (ind, cls) for ind in sorted(run.entailed) for cls in sorted(run.entailed[ind])
        if (ind, RDF.type, cls) not in data
    )
    run.stats["inferred_triples"] = len(inferred)
    run.stats["seconds"] = round(time.perf_counter() - started, 3)
    return ReasoningResult(True, inferred, run.unsatisfiable, run.explanation, run.stats)


@dataclass
class _HermitRun:
    consistent: bool
    unsatisfiable: list[str]
    entailed: dict  # individual -> every named class it belongs to (materialised namespaces only)
    explanation: str
    stats: dict


# HermiT's JVM heap: the default of owlready2 (2 GB) is far more than the ontology and the probes of
# reason_by_signature need; the bound keeps the build's whole process tree small.
JVM_HEAP_MB = 768


def _hermit(tbox: Graph, abox: set[tuple]) -> _HermitRun:
    """One HermiT run over ``tbox`` + ``abox`` (IRI triples) in a fresh owlready2 World."""
    import owlready2  # deferred: loading it costs ~0.3 s that commands without reasoning should not pay
    from owlready2 import reasoning as owl_reasoning

    owlready2.JAVA_EXE = java_executable()
    owl_reasoning.JAVA_MEMORY = JVM_HEAP_MB
    _tune_jvm()
    started = time.perf_counter()
    stats = {"tbox_triples": len(tbox), "abox_triples": len(abox)}
    world = owlready2.World()
    try:
        # The ABox holds only IRIs, so it is written as N-Triples directly: building an rdflib graph
        # of it would cost more than the reasoning.
        payload = tbox.serialize(format="nt", encoding="utf-8") + "".join(
            f"<{s}> <{p}> <{o}> .\n" for s, p, o in sorted(abox)
        ).encode("utf-8")
        world.get_ontology("urn:ipakg:reasoning").load(fileobj=io.BytesIO(payload), format="ntriples")
        individuals = {URIRef(s) for s, _, _ in abox} | {URIRef(o) for _, p, o in abox if p != RDF.type}
        stats["individuals"] = len(individuals)
        hermit_started = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            stats["hermit_seconds"] = round(time.perf_counter() - hermit_started, 3)
            stats["seconds"] = round(time.perf_counter() - started, 3)
            return _HermitRun(False, [], {}, explain_inconsistency(tbox, abox), stats)
        except owlready2.OwlReadyJavaError as e:
            lines = [line.strip() for line in str(e).splitlines() if line.strip()]
            cause = next((line for line in lines if "Exception" in line or "Error:" in line), lines[-1] if lines else "")
            raise ReasonerUnavailable(f"HermiT failed to run: {cause}") from e
        stats["hermit_seconds"] = round(time.perf_counter() - hermit_started, 3)
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing))
        entailed = {ind: {c for c in classes if str(c).startswith(MATERIALISED_NAMESPACES)}
                    for ind, classes in _entailed_types(world.as_rdflib_graph(), individuals).items()}
    finally:
        world.close()
    stats["seconds"] = round(time.perf_counter() - started, 3)
    explanation = (
        "unsatisfiable classes: " + ", ".join(unsatisfiable) if unsatisfiable else "consistent; every class is satisfiable"
    )
    return _HermitRun(True, unsatisfiable, entailed, explanation, stats)


def _inferred_graph(pairs) -> Graph:
    inferred = Graph()
    for prefix in ("ipa", "org", "prov", "sem", "id"):
        inferred.bind(prefix, PREFIXES[prefix])
    for ind, cls in pairs:
        inferred.add((ind, RDF.type, cls))
    return inferred


# ---------------------------------------------------------------------------------------------- at scale
# A node's *signature*: what the ABox tells HermiT about it, as strings: "a <class>" for each asserted
# declared class, "d <property>" for each object property it is the subject of, "r <property>" for each
# it is the object of. With the axioms this ontology uses (subclass and subproperty, domain and range,
# unions, disjointness, functional properties; no restrictions, inverses or chains), what HermiT entails
# about a node depends on its signature only, as long as no functional property has two values on it and
# no owl:sameAs / owl:differentFrom links it: then it gets the node's full triples (see Vocabulary.features).
# So the build runs HermiT once on one probe per distinct signature (a few hundred for any corpus), not on
# millions of triples, and every node inherits its signature's types.


@dataclass(frozen=True)
class Vocabulary:
    """The declared classes and object properties of the ontology: what a signature can mention."""

    classes: frozenset
    object_properties: frozenset
    functional: frozenset
    # Axioms (OWL predicates) the ontology uses that make a node's types depend on more than its signature;
    # when there are any, every triple goes to full reasoning.
    unsupported: tuple

    @classmethod
    def of(cls, ontology: Graph) -> "Vocabulary":
        tbox = tbox_for_reasoner(ontology)
        unsupported = sorted({str(p) for p in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.hasSelf,
                                                   OWL.inverseOf, OWL.propertyChainAxiom, OWL.hasKey,
                                                   OWL.cardinality, OWL.minCardinality, OWL.maxCardinality,
                                                   OWL.qualifiedCardinality, OWL.minQualifiedCardinality,
                                                   OWL.maxQualifiedCardinality, OWL.oneOf)
                              if (None, p, None) in tbox})
        return cls(frozenset(str(c) for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)),
                   frozenset(str(p) for p in tbox.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)),
                   frozenset(str(p) for p in tbox.subjects(RDF.type, OWL.FunctionalProperty) if isinstance(p, URIRef)),
                   tuple(unsupported))

    def features(self, triples) -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
        """``node -> signature features`` of the reasoner's part of ``triples`` (as abox_for_reasoner keeps it),
        and the triples that need full reasoning (nodes linked by owl:sameAs / owl:differentFrom or with two
        values of a functional property; all triples when the ontology uses axioms signatures cannot carry)."""
        feats: dict[str, set[str]] = defaultdict(set)
        kept: list[tuple[str, str, str]] = []
        for s, p, o in triples:
            if not (isinstance(s, URIRef) and isinstance(o, URIRef) and _writable(s) and _writable(o)):
                continue
            s, p, o = str(s), str(p), str(o)
            if p == _TYPE:
                if o in self.classes:
                    feats[s].add("a " + o)
                    kept.append((s, p, o))
            elif p in self.object_properties or p in _LINKS:
                feats[s].add("d " + p)
                feats[o].add("r " + p)
                kept.append((s, p, o))
        if self.unsupported or any(p in _LINKS for _, p, _ in kept):
            return {}, kept
        values: dict = defaultdict(set)
        for s, p, o in kept:
            if p in self.functional:
                values[s, p].add(o)
        if any(len(v) > 1 for v in values.values()):
            return {}, kept
        return dict(feats), []


_TYPE = str(RDF.type)
_LINKS = frozenset(str(p) for p in _INDIVIDUAL_LINKS)
_DUMMY = "urn:ipakg:reasoning:neighbour/"


@dataclass
class SignatureResult:
    consistent: bool
    unsatisfiable: list[str]
    explanation: str
    types: dict  # signature (sorted tuple of features) -> named classes (materialised namespaces) it entails
    exact: dict  # node of the fallback triples -> named classes it is entailed to have
    stats: dict = field(default_factory=dict)


def reason_by_signature(ontology: Graph, signatures: dict[tuple, str],
                        exact_triples: Iterable[tuple[str, str, str]] = ()) -> SignatureResult:
    """One HermiT run: each signature (-> a representative node, named in explanations) is probed by that
    node with its asserted types and one fresh neighbour per property edge; ``exact_triples`` go in as they
    are. Returns what each signature entails, and the types of the nodes of ``exact_triples``."""
    started = time.perf_counter()
    tbox = tbox_for_reasoner(ontology)
    exact_triples = set(exact_triples)
    abox: set[tuple] = set(exact_triples)
    exact_nodes = {s for s, _, _ in abox} | {o for _, p, o in abox if p != _TYPE}
    reps: dict[str, tuple] = {}
    n = 0
    for sig, node in sorted(signatures.items()):
        rep = node if node not in exact_nodes and node not in reps else f"{_DUMMY}probe/{len(reps)}"
        reps[rep] = sig
        for feature in sig:
            kind, term = feature.split(" ", 1)
            if kind == "a":
                abox.add((rep, _TYPE, term))
            else:
                n += 1
                abox.add((rep, term, f"{_DUMMY}{n}") if kind == "d" else (f"{_DUMMY}{n}", term, rep))
    run = _hermit(tbox, {(URIRef(s), URIRef(p), URIRef(o)) for s, p, o in abox})
    run.stats.update(signatures=len(signatures), exact_triples=len(exact_triples))
    run.stats["seconds"] = round(time.perf_counter() - started, 3)
    if not run.consistent:
        return SignatureResult(False, [], run.explanation, {}, {}, run.stats)
    types = {sig: {str(c) for c in run.entailed.get(URIRef(rep), ())} for rep, sig in reps.items()}
    exact = {node: {str(c) for c in run.entailed.get(URIRef(node), ())} for node in exact_nodes}
    return SignatureResult(True, run.unsatisfiable, run.explanation, types, exact, run.stats)


def _entailed_types(graph, individuals: set) -> dict:
    """Every named class of each individual: its (asserted or inferred) types and all their superclasses."""
    parents: dict = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            parents[sub].add(sup)
    for a, b in graph.subject_objects(OWL.equivalentClass):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            parents[a].add(b)
            parents[b].add(a)

    closure: dict = {}

    def ancestors(cls) -> set:
        if cls not in closure:
            seen, stack = {cls}, [cls]  # `seen` also stops the cycles equivalent classes make
            while stack:
                for sup in parents.get(stack.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        stack.append(sup)
            closure[cls] = seen
        return closure[cls]

    out: dict = {ind: set() for ind in individuals}
    for ind, cls in graph.subject_objects(RDF.type):  # one scan of the quadstore, not one query per individual
        if ind in out and isinstance(cls, URIRef) and not str(cls).startswith(_OWL_NS):
            out[ind] |= ancestors(cls)
    return out


def explain_inconsistency(tbox: Graph, abox: set, limit: int = 10) -> str:
    """Name the usual culprits of an inconsistency, since HermiT only says "inconsistent".

    Looks for individuals whose told types (asserted, or implied by domains and ranges) are disjoint,
    and for functional properties with several values (HermiT merges the values, which clashes when
    they are, say, a person and a state). Deeper contradictions are not traced.
    """
    parents: dict = defaultdict(set)
    for sub, sup in tbox.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            parents[sub].add(sup)
    prop_parents: dict = defaultdict(set)
    for sub, sup in tbox.subject_objects(RDFS.subPropertyOf):
        prop_parents[sub].add(sup)

    memo: dict = {}

    def closure(start, up) -> set:
        if (start, id(up)) not in memo:
            seen, stack = {start}, [start]
            while stack:
                for sup in up.get(stack.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        stack.append(sup)
            memo[start, id(up)] = seen
        return memo[start, id(up)]

    def named(cls) -> list:
        # A union domain (owl:unionOf) implies no single named class; only named classes count here.
        return [cls] if isinstance(cls, URIRef) else []

    disjoint = set()
    for a, b in tbox.subject_objects(OWL.disjointWith):
        disjoint |= {(a, b), (b, a)}
    for axiom in tbox.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(tbox.items(tbox.value(axiom, OWL.members)))
        disjoint |= {(a, b) for a in members for b in members if a != b}

    reasons: dict = defaultdict(dict)  # individual -> class -> why

    def told(ind, cls, why):
        for c in closure(cls, parents):
            reasons[ind].setdefault(c, why)

    for s, p, o in sorted(abox):
        if p == RDF.type:
            told(s, o, f"typed {_short(o)}")
            continue
        for q in closure(p, prop_parents):
            for d in tbox.objects(q, RDFS.domain):
                for cls in named(d):
                    told(s, cls, f"subject of {_short(p)}")
            for r in tbox.objects(q, RDFS.range):
                for cls in named(r):
                    told(o, cls, f"object of {_short(p)} from {_short(s)}")

    clashes = []
    for ind in sorted(reasons):
        classes = sorted(reasons[ind])
        for i, a in enumerate(classes):
            for b in classes[i + 1 :]:
                if (a, b) in disjoint:
                    clashes.append(
                        f"{_short(ind)} is both {_short(a)} ({reasons[ind][a]}) and {_short(b)} ({reasons[ind][b]}),"
                        " which are disjoint"
                    )
    functional = set(tbox.subjects(RDF.type, OWL.FunctionalProperty))
    for prop in sorted(functional):
        values: dict = defaultdict(set)
        for s, p, o in abox:
            if p == prop:
                values[s].add(o)
        for s in sorted(values):
            if len(values[s]) > 1:
                listed = ", ".join(_short(v) for v in sorted(values[s]))
                clashes.append(f"{_short(s)} has several values of the functional {_short(prop)} ({listed}), "
                               "so they must be one individual")
    if not clashes:
        return "inconsistent: HermiT found a contradiction that is not a simple disjointness or functional-property clash"
    more = f"; and {len(clashes) - limit} more" if len(clashes) > limit else ""
    return "inconsistent: " + "; ".join(clashes[:limit]) + more


def _short(term) -> str:
    text = str(term)
    for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(iri):
            return f"{prefix}:{text[len(iri):]}"
    return f"<{text}>"
