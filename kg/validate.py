"""Checks a build must pass before its generation becomes visible.

1. **Evidence spans**, from the graph alone: for every selector pair, ``text[start:end] == exact`` (and the
   prefix / suffix sit right before / after), where ``text`` is the ``ipa:text`` of the document the target
   points to, and that text hashes to the document's ``ipa:textSha256``.
2. **SHACL** (``ontology/shapes.ttl``, pyshacl) over the data plus the ontology (so ``sh:targetClass`` reaches
   subclass instances). Violations fail the build; warnings are reported.
3. **OWL consistency** with HermiT (:mod:`kg.reasoning`), run by the build itself.

The build runs 1 and 2 per document in its workers (:class:`ShapesChecker` for many small graphs) and once for
the graphs every document shares (:func:`shacl`); see docs/architecture.md, "Build pipeline".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from .errors import ValidationError
from .namespaces import GRAPH_INFERRED, GRAPH_LINKS, GRAPH_ONTOLOGY, IPA, OA, PREFIXES, SH

SHAPES = Path(__file__).resolve().parents[1] / "ontology" / "shapes.ttl"  # kg.build publishes it too
SHOWN = 20  # violations spelled out in the error message; all of them are in its detail

_NON_DATA_GRAPHS = {GRAPH_ONTOLOGY, GRAPH_INFERRED, GRAPH_LINKS}


@dataclass(frozen=True)
class Problem:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    message: str
    value: str | None = None
    shape: str | None = None

    def line(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        value = f" (value {self.value})" if self.value is not None else ""
        return f"{self.severity}: {where}: {self.message}{value}"


def data_graphs(ds: Dataset) -> list[Graph]:
    """The graphs holding instance data: documents and the build run (not ontology, inferred or links)."""
    return [g for g in ds.graphs() if isinstance(g.identifier, URIRef) and g.identifier not in _NON_DATA_GRAPHS
            and len(g)]


# ---------------------------------------------------------------------------------------------- spans
def check_spans(graph: Graph) -> list[Problem]:
    """Every text selector against the text of its document; also the text against its hash."""
    problems: list[Problem] = []
    texts: dict = {}
    for doc, text in graph.subject_objects(IPA.text):
        texts[doc] = str(text)
        sha = graph.value(doc, IPA.textSha256)
        if sha is not None and hashlib.sha256(str(text).encode("utf-8")).hexdigest() != str(sha):
            problems.append(Problem("Violation", str(doc), "ipa:textSha256", "the text does not hash to it"))
    for target, doc in graph.subject_objects(OA.hasSource):
        text = texts.get(doc)
        if text is None:
            problems.append(Problem("Violation", str(target), "oa:hasSource", "points to a document without text",
                                    str(doc)))
            continue
        start = end = exact = prefix = suffix = None
        for sel in graph.objects(target, OA.hasSelector):
            if (sel, RDF.type, OA.TextPositionSelector) in graph:
                start, end = graph.value(sel, OA.start), graph.value(sel, OA.end)
            if (sel, RDF.type, OA.TextQuoteSelector) in graph:
                exact, prefix, suffix = (graph.value(sel, p) for p in (OA.exact, OA.prefix, OA.suffix))
        if start is None or end is None or exact is None:
            problems.append(Problem("Violation", str(target), "oa:hasSelector",
                                    "needs a TextPositionSelector and a TextQuoteSelector"))
            continue
        s, e = int(start), int(end)
        if not (0 <= s < e <= len(text)) or text[s:e] != str(exact):
            got = text[s:e] if 0 <= s < e <= len(text) else "<outside the text>"
            problems.append(Problem("Violation", str(target), "oa:exact",
                                    f"text[{s}:{e}] is {got[:60]!r}, the quote is {str(exact)[:60]!r}"))
            continue
        if prefix is not None and not text[:s].endswith(str(prefix)):
            problems.append(Problem("Violation", str(target), "oa:prefix", "does not precede the span"))
        if suffix is not None and not text[e:].startswith(str(suffix)):
            problems.append(Problem("Violation", str(target), "oa:suffix", "does not follow the span"))
    return problems


# ---------------------------------------------------------------------------------------------- SHACL
def load_shapes(path: Path = SHAPES) -> Graph:
    if not path.is_file():
        raise ValidationError(f"{path} is missing: the build cannot be validated")
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as e:  # rdflib raises several parser error types
        raise ValidationError(f"{path}: does not parse as Turtle: {str(e).splitlines()[0]}") from e
    return g


def shacl(data: Graph, ontology: Graph, shapes: Graph | None = None) -> list[Problem]:
    """pyshacl over data + ontology (no extra inference: the ontology's subclass axioms are in the data graph).

    SPARQL-based constraints (``sh:sparql``) are evaluated by Oxigraph instead (:func:`sparql_constraints`):
    pyshacl runs them through rdflib's SPARQL engine once per focus node, which took minutes on the memorandum
    (a whole-text SUBSTR per evidence target); Oxigraph answers each one in milliseconds over all nodes."""
    from pyshacl import validate as run_shacl

    shapes = load_shapes() if shapes is None else shapes
    g = Graph()
    g += data
    g += ontology
    core = Graph()
    core += shapes
    for t in list(core.triples((None, SH.sparql, None))):
        core.remove(t)
    _conforms, report, _text = run_shacl(g, shacl_graph=core, inference="none", advanced=True, inplace=True,
                                         allow_warnings=True)
    return sorted(shacl_problems(report) + sparql_constraints(g, shapes), key=_order)


class ShapesChecker:
    """SHACL of many small data graphs against the same shapes, for the build's per-document checks.

    The shapes are parsed once (pyshacl's shapes graph is reused across runs, so its shapes are harvested
    once, not per document); each data graph gets the ontology's ``rdfs:subClassOf`` axioms mixed in, which
    is all that ``sh:targetClass`` and ``sh:class`` read of the ontology."""

    def __init__(self, ontology: Graph, shapes: Graph | None = None):
        from pyshacl.shapes_graph import ShapesGraph
        from rdflib.namespace import RDFS

        self.shapes = load_shapes() if shapes is None else shapes
        core = Graph()
        core += self.shapes
        for t in list(core.triples((None, SH.sparql, None))):
            core.remove(t)
        self._core = ShapesGraph(core)
        self._hierarchy = list(ontology.triples((None, RDFS.subClassOf, None)))

    def problems(self, data: Graph) -> list[Problem]:
        """Every SHACL result for ``data`` (which it extends with the class hierarchy)."""
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        data.addN((s, p, o, data) for s, p, o in self._hierarchy)
        v = Validator(DataGraph.from_rdflib(data), shacl_graph=Graph(), options={"inference": "none", "advanced": True, "inplace": True,
                                                           "allow_warnings": True})
        v.shacl_graph = self._core
        _conforms, report, _text = v.run()
        return sorted(shacl_problems(report) + sparql_constraints(data, self.shapes), key=_order)


def _order(p: Problem):
    return (p.severity != "Violation", p.focus, p.path or "", p.message)


def sparql_constraints(data: Graph, shapes: Graph) -> list[Problem]:
    """SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``) over ``data``, evaluated by Oxigraph.

    Each SELECT is run once with ``$this`` free, and its rows are kept for the shape's focus nodes (targets:
    ``sh:targetNode``, ``sh:targetClass`` with subclasses, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``)."""
    import pyoxigraph as ox
    from rdflib.namespace import RDFS

    constraints = [(shape, c) for shape, c in shapes.subject_objects(SH.sparql)
                   if shapes.value(c, SH.deactivated) != Literal(True)]
    if not constraints:
        return []
    store = ox.Store()
    store.bulk_load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    problems = []
    for shape, c in constraints:
        targets = _focus_nodes(data, shapes, shape, RDFS)
        query = _prefix_block(shapes, c) + str(shapes.value(c, SH.select)).replace("$this", "?this")
        message = str(shapes.value(c, SH.message) or f"fails the SPARQL constraint of {shape}")
        severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        rows = store.query(query)
        has_value = "value" in [v.value for v in rows.variables]
        for row in rows:
            this = row["this"]
            if this is None or str(this.value) not in targets:
                continue
            value = row["value"] if has_value else None
            problems.append(Problem(severity, short(URIRef(this.value)), None, message,
                                    short(Literal(value.value)) if value is not None else None, short(shape)))
    return problems


def _focus_nodes(data: Graph, shapes: Graph, shape, RDFS) -> set[str]:
    nodes = {str(n) for n in shapes.objects(shape, SH.targetNode)}
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            nodes |= {str(n) for n in data.subjects(RDF.type, sub)}
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= {str(n) for n in data.subjects(p, None)}
    for p in shapes.objects(shape, SH.targetObjectsOf):
        nodes |= {str(n) for n in data.objects(None, p)}
    return nodes


def _prefix_block(shapes: Graph, constraint) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            lines.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
    return "\n".join(lines) + "\n"


def short(term) -> str | None:
    """A term as a reader wants it in a message: a prefixed name, a clipped literal, [] for a blank node."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.startswith(ns):  # for reading, not parsing: id:fact/… is clearer than the full IRI
                return f"{p}:{term[len(ns):]}"
        return f"<{term}>"
    if isinstance(term, Literal):
        s = str(term)
        return repr(s if len(s) <= 60 else s[:57] + "...")
    return "[]"


def shacl_problems(report: Graph) -> list[Problem]:
    out = []
    # Only the report's own results: pyshacl also records the failed alternatives of sh:or / sh:node as
    # nested results, which are not violations of the data.
    results = [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]
    for r in results:
        sev = report.value(r, SH.resultSeverity)
        msgs = [str(m) for m in report.objects(r, SH.resultMessage)]
        out.append(Problem(
            severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
            focus=short(report.value(r, SH.focusNode)) or "?",
            path=short(report.value(r, SH.resultPath)),
            message="; ".join(sorted(msgs)) or "fails " + (short(report.value(r, SH.sourceConstraintComponent)) or "?"),
            value=short(report.value(r, SH.value)),
            shape=short(report.value(r, SH.sourceShape)),
        ))
    return out


# ---------------------------------------------------------------------------------------------- the gate
def fail(what: str, problems: list[Problem], where: dict[str, str] | None = None) -> ValidationError:
    where = where or {}
    lines = [p.line() + (f" [in {where[p.focus]}]" if p.focus in where else "") for p in problems]
    more = f"\n  … and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
    return ValidationError(f"{what}: {len(problems)} problem(s); nothing was switched\n  " +
                           "\n  ".join(lines[:SHOWN]) + more, detail={"problems": lines})


def document_problems(ds: Dataset, ontology: Graph) -> list[Problem]:
    """Span and SHACL violations of a dataset, without the reasoner (used to find which document breaks a build)."""
    data = Graph()
    for g in data_graphs(ds):
        data += g
    return check_spans(data) or [p for p in shacl(data, ontology) if p.severity == "Violation"]
