"""The ipakg ontology files: loading, checking and HTML documentation.

Files (in ``ontology/``):

- ``ipakg.ttl``: the core ontology (``ipa:``); ``plover.ttl``: the PLOVER concepts policy-action
  classes map to; ``ipakg-align.ttl``: alignments to PROV-O, ORG, SEM, schema.org and Wikidata.
  ``ontology_graph()`` is the three together: what the store's ontology graph holds and what the
  reasoner and SHACL see.
- ``shapes.ttl``: the SHACL data-quality gate (``validate_shapes``).
- ``context.jsonld``: the JSON-LD context of the dumps (``jsonld_context``).
- ``examples/who-withdrawal.ttl``: one complete fact in the build's RDF shape; ``check()`` validates
  and classifies it, and the documentation shows it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .errors import ValidationError
from .namespaces import IPA, ONTOLOGY_IRI, PREFIXES, SH

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
CORE_FILE = ONTOLOGY_DIR / "ipakg.ttl"
PLOVER_FILE = ONTOLOGY_DIR / "plover.ttl"
ALIGN_FILE = ONTOLOGY_DIR / "ipakg-align.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
EXAMPLE_FILE = ONTOLOGY_DIR / "examples" / "who-withdrawal.ttl"
DEFAULT_DOCS_FILE = ONTOLOGY_DIR / "docs" / "index.html"

ONTOLOGY_FILES = (CORE_FILE, PLOVER_FILE, ALIGN_FILE)

DCT = "http://purl.org/dc/terms/"
_LANGS = ("en", "zh-hant", "zh-hans")
_IPA = str(IPA)

# Classes the example must be inferred to belong to: the check that reasoning does something useful.
_EXAMPLE_ENTAILMENTS = (
    ("https://w3id.org/ipakg/id/entity/who", IPA.Organization),
    ("https://w3id.org/ipakg/id/entity/who", IPA.Agent),
    ("https://w3id.org/ipakg/id/entity/usa", IPA.Agent),
)


# --------------------------------------------------------------------------- loading


@functools.lru_cache(maxsize=None)
def _parsed(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as e:  # rdflib raises several unrelated types for syntax errors
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValidationError(f"{path.name} does not parse: {first}") from e


def _copy(*graphs: Graph) -> Graph:
    out = Graph()
    for prefix, iri in PREFIXES.items():
        out.bind(prefix, iri)
    out.bind("plover", "https://w3id.org/ipakg/plover/")
    for g in graphs:
        for triple in g:
            out.add(triple)
    return out


def ontology_graph() -> Graph:
    """Core + PLOVER concepts + alignments, as a fresh graph (the parse is cached)."""
    return _copy(*(_parsed(p) for p in ONTOLOGY_FILES))


def example_graph() -> Graph:
    return _copy(_parsed(EXAMPLE_FILE))


@functools.lru_cache(maxsize=None)
def _context_text() -> str:
    return CONTEXT_FILE.read_text(encoding="utf-8")


def jsonld_context() -> dict:
    """The ``@context`` object of ``context.jsonld`` (a fresh dict)."""
    try:
        return json.loads(_context_text())["@context"]
    except (ValueError, KeyError) as e:
        raise ValidationError(f"{CONTEXT_FILE.name} is not a JSON-LD context: {e}") from e


# --------------------------------------------------------------------------- SHACL


@dataclass
class ShapesReport:
    conforms: bool
    violations: list[str]  # one line each: "<focus node> <path> [<value>]: <message>"
    text: str  # pyshacl's full report
    seconds: float


def validate_shapes(data: Graph) -> ShapesReport:
    """Validate ``data`` against ``shapes.ttl``.

    The ontology is mixed into the data graph (pyshacl ``ont_graph``), so class targets reach
    subclass instances through ``rdfs:subClassOf*``; no RDFS inference is run (``inference="none"``),
    which keeps 20k triples to about two seconds. SHACL-SPARQL constraints (the evidence-span check)
    are evaluated by Oxigraph through :func:`kg.validate.sparql_constraints`, one query over all
    nodes, because pyshacl runs them once per focus node through rdflib (minutes for 1,000 spans).
    """
    import pyshacl  # deferred: heavy import, needed only when validating

    from .validate import sparql_constraints

    started = time.perf_counter()
    shapes = _parsed(SHAPES_FILE)
    core = _copy(shapes)
    core.remove((None, SH.sparql, None))
    ontology = ontology_graph()
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=core, ont_graph=ontology, inference="none", advanced=False
    )
    violations = []
    for result in results.objects(None, SH.result):  # top-level results; sh:detail ones are explained by these
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        shown = f" {_literal(value)}" if isinstance(value, Literal) else f" {_curie(value)}" if value is not None else ""
        violations.append(f"{_curie(focus)} {_path(results, path)}{shown}: {message}")
    for problem in sparql_constraints(_copy(data, ontology), shapes):
        if problem.severity == "Violation":
            focus = _curie(URIRef(problem.focus[1:-1])) if problem.focus.startswith("<") else problem.focus
            violations.append(f"{focus} -{f' {problem.value}' if problem.value else ''}: {problem.message}")
            text += f"\n{problem.line()}"
    return ShapesReport(not violations, sorted(violations), text, round(time.perf_counter() - started, 3))


# --------------------------------------------------------------------------- checking


@dataclass
class CheckReport:
    files: dict[str, int]  # file name -> triples
    counts: dict[str, int]  # classes, object/datatype/annotation properties, concepts
    consistent: bool
    unsatisfiable: list[str]
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable and not self.problems

    def summary(self) -> str:
        c = self.counts
        lines = [
            "files: " + ", ".join(
                f"{name} ({n} {'terms' if name.endswith('.jsonld') else 'triples'})" for name, n in self.files.items()
            ),
            f"terms: {c['classes']} classes, {c['object_properties']} object properties, "
            f"{c['datatype_properties']} datatype properties, {c['annotation_properties']} annotation properties, "
            f"{c['concepts']} concepts",
            "HermiT: " + ("consistent" if self.consistent else "INCONSISTENT")
            + (f"; unsatisfiable: {', '.join(self.unsatisfiable)}" if self.unsatisfiable else "; every class satisfiable")
            + f" ({self.timings.get('hermit_ontology', 0):.2f} s ontology, {self.timings.get('hermit_example', 0):.2f} s with example)",
        ]
        lines += [f"problem: {p}" for p in self.problems]
        return "\n".join(lines)


def term_counts(graph: Graph) -> dict[str, int]:
    def own(kind) -> int:
        return sum(1 for s in set(graph.subjects(RDF.type, kind)) if str(s).startswith(_IPA))

    return {
        "classes": own(OWL.Class),
        "object_properties": own(OWL.ObjectProperty),
        "datatype_properties": own(OWL.DatatypeProperty),
        "annotation_properties": own(OWL.AnnotationProperty),
        "concepts": len({s for s in graph.subjects(SKOS.inScheme, None)}),
    }


def own_terms(graph: Graph) -> list[URIRef]:
    """Every term the ipakg files define (rdfs:isDefinedBy the ontology), sorted."""
    return sorted(s for s in set(graph.subjects(RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI))) if isinstance(s, URIRef))


def lint(graph: Graph) -> list[str]:
    """Documentation rules for every ipakg term: labels in en, zh-hant and zh-hans; an English definition."""
    problems = []
    for term in own_terms(graph):
        labels = list(graph.objects(term, RDFS.label)) + list(graph.objects(term, SKOS.prefLabel))
        langs = {lit.language for lit in labels if isinstance(lit, Literal)}
        for lang in _LANGS:
            if lang not in langs:
                problems.append(f"{_curie(term)} has no {lang} label")
        if not any(d.language == "en" for d in graph.objects(term, SKOS.definition) if isinstance(d, Literal)):
            problems.append(f"{_curie(term)} has no English skos:definition")
    defined = set(own_terms(graph))
    for term in sorted(set(graph.subjects(RDF.type, None))):
        if str(term).startswith(_IPA) and term not in defined:
            problems.append(f"{_curie(term)} has no rdfs:isDefinedBy <{ONTOLOGY_IRI}>")
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language and o.language != o.language.lower():
            problems.append(f"{_curie(s)} {_curie(p)} has a language tag that is not lower case ({o.language})")
    return problems


def check() -> CheckReport:
    """Parse every file, lint the terms, check the shapes and the example with SHACL, and run HermiT.

    HermiT runs twice in its own owlready2 World: on the ontology alone (consistency, unsatisfiable
    classes) and with the example data (which must conform to the shapes and be classified as
    expected). Raises ``ReasonerUnavailable`` without Java and ``ValidationError`` when a file does
    not parse.
    """
    from .reasoning import reason

    files = {p.name: len(_parsed(p)) for p in (*ONTOLOGY_FILES, SHAPES_FILE, EXAMPLE_FILE)}
    context = jsonld_context()
    files[CONTEXT_FILE.name] = len(context)
    ontology = ontology_graph()
    problems = lint(ontology)
    problems += _context_problems(ontology, context)

    problems += _owl_load_problems(ontology)

    timings = {}
    problems += _shapes_problems()
    shapes = validate_shapes(example_graph())
    timings["shacl_example"] = shapes.seconds
    problems += [f"example does not conform to the shapes: {v}" for v in shapes.violations]

    t0 = time.perf_counter()
    alone = reason(ontology, Graph())
    timings["hermit_ontology"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with_example = reason(ontology, example_graph())
    timings["hermit_example"] = time.perf_counter() - t0
    if alone.consistent and not with_example.consistent:
        problems.append(f"the example is inconsistent with the ontology: {with_example.explanation}")
    elif with_example.consistent:
        for individual, cls in _EXAMPLE_ENTAILMENTS:
            if (URIRef(individual), RDF.type, cls) not in with_example.inferred:
                problems.append(f"HermiT did not infer that {_curie(URIRef(individual))} is an {_curie(cls)}")

    return CheckReport(
        files=files,
        counts=term_counts(ontology),
        consistent=alone.consistent,
        unsatisfiable=alone.unsatisfiable,
        problems=problems,
        timings=timings,
    )


def _shapes_problems() -> list[str]:
    """``shapes.ttl`` must itself be well-formed SHACL (validated against the SHACL-SHACL shapes)."""
    import pyshacl

    conforms, results, _ = pyshacl.validate(Graph(), shacl_graph=_parsed(SHAPES_FILE), meta_shacl=True)
    if conforms:
        return []
    return [f"shapes.ttl is not valid SHACL: {_curie(results.value(r, SH.focusNode))} {results.value(r, SH.resultMessage)}"
            for r in results.objects(None, SH.result)]


def _owl_load_problems(ontology: Graph) -> list[str]:
    """Load the complete files (annotations included) into owlready2 in a World of their own.

    The reasoner gets a filtered copy; this makes sure OWL tools can read the files as published.
    """
    import io

    import owlready2

    graph = _copy(ontology)
    graph.remove((None, OWL.imports, None))  # the align module imports the core, which is already here
    world = owlready2.World()
    try:
        world.get_ontology(ONTOLOGY_IRI).load(
            fileobj=io.BytesIO(graph.serialize(format="nt", encoding="utf-8")), format="ntriples"
        )
        loaded = {c.iri for c in world.classes() if c.iri.startswith(_IPA)}
    except Exception as e:  # owlready2 has no common base class for its parse errors
        return [f"owlready2 cannot load the ontology: {str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}"]
    finally:
        world.close()
    declared = {str(c) for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(_IPA)}
    return [f"owlready2 does not see {_curie(URIRef(c))} as a class" for c in sorted(declared - loaded)]


def _context_problems(ontology: Graph, context: dict) -> list[str]:
    """Every ipa class and property has a term in the JSON-LD context, mapped to its own IRI."""
    problems = []
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    for kind in kinds:
        for term in sorted(set(ontology.subjects(RDF.type, kind))):
            if not str(term).startswith(_IPA):
                continue
            name = str(term)[len(_IPA):]
            entry = context.get(name)
            iri = entry.get("@id") if isinstance(entry, dict) else entry
            if iri != f"ipa:{name}":
                problems.append(f"context.jsonld has no term {name!r} for ipa:{name}")
            elif kind == OWL.ObjectProperty and not (isinstance(entry, dict) and entry.get("@type") == "@id"):
                problems.append(f"context.jsonld term {name!r} should have \"@type\": \"@id\"")
    return problems


# --------------------------------------------------------------------------- documentation


@functools.lru_cache(maxsize=1)
def docs_html() -> str:
    """The HTML documentation, rendered once per process (the server shows it at /ontology)."""
    return render_docs()


def docs_content_security_policy() -> str:
    """The Content-Security-Policy the documentation page needs: its one inline stylesheet, by hash.

    A site-wide ``default-src 'self'`` blocks inline styles; serving the page with this policy keeps it
    styled without allowing any other inline code.
    """
    digest = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def render_docs() -> str:
    """A self-contained HTML page (inline CSS, no scripts, no external resources) documenting every term."""
    g = ontology_graph()
    return _DocRenderer(g, example_text=EXAMPLE_FILE.read_text(encoding="utf-8")).render()


def write_docs(path: Path = DEFAULT_DOCS_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_docs(), encoding="utf-8")
    return path


def _curie(term) -> str:
    if term is None:
        return "-"
    text = str(term)
    prefixes = dict(PREFIXES, plover="https://w3id.org/ipakg/plover/")
    for prefix, iri in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(iri) and re.fullmatch(r"[\w./-]*", text[len(iri):]):
            return f"{prefix}:{text[len(iri):]}"
    return f"<{text}>" if isinstance(term, URIRef) else text


def _path(graph: Graph, path) -> str:
    """A SHACL result path in SPARQL property-path syntax (sequence paths are RDF lists)."""
    if path is None:
        return "-"
    if isinstance(path, BNode) and graph.value(path, RDF.first) is not None:
        return "/".join(_curie(step) for step in graph.items(path))
    return _curie(path)


def _literal(value: Literal) -> str:
    text = json.dumps(str(value)[:60] + ("…" if len(value) > 60 else ""), ensure_ascii=False)
    if value.language:
        return f"{text}@{value.language}"
    return f"{text}^^{_curie(value.datatype)}" if value.datatype else text


_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK TC","PingFang TC",sans-serif;
 color:#1b1f24;max-width:72rem;margin:0 auto;padding:1.5rem;background:#fff}
h1{font-size:1.9rem;margin:.2rem 0}h2{margin-top:2.5rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem}
h3{margin:0;font-size:1.2rem}a{color:#0550ae}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:1rem;overflow:auto;white-space:pre-wrap}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .6rem;border-bottom:1px solid #eaeef2}
th{font-weight:600;color:#57606a}.term th,.meta th{width:12rem}.term{border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1rem 0}
.term:target{outline:3px solid #f2cc60}.iri{color:#57606a;font-size:.9em;word-break:break-all}.kind{font-size:.75em;
 text-transform:uppercase;letter-spacing:.05em;color:#fff;background:#57606a;border-radius:3px;padding:.1rem .4rem;margin-left:.5rem}
.c{background:#1a7f37}.op{background:#0550ae}.dp{background:#8250df}.ap{background:#9a6700}.ni{background:#bc4c00}
nav ul{columns:3 14rem}ul.tree{list-style:none;padding-left:1.2rem}ul.tree>li{margin:.1rem 0}
.zh{font-family:"Noto Sans CJK TC","PingFang TC","Microsoft JhengHei",sans-serif}.meta td{padding:.2rem .6rem}
"""


class _DocRenderer:
    def __init__(self, graph: Graph, example_text: str):
        self.g = graph
        self.example_text = example_text
        self.terms = set(own_terms(graph))

    # ---- small helpers
    def text(self, subject, predicate, lang="en") -> str | None:
        values = [o for o in self.g.objects(subject, predicate) if isinstance(o, Literal)]
        for o in sorted(values):
            if o.language == lang:
                return str(o)
        return None

    def label(self, term) -> str:
        return self.text(term, RDFS.label) or self.text(term, SKOS.prefLabel) or _curie(term)

    def link(self, term) -> str:
        if isinstance(term, BNode):
            members = list(self.g.items(self.g.value(term, OWL.unionOf))) if self.g.value(term, OWL.unionOf) else []
            if members:
                return " or ".join(self.link(m) for m in members)
            return "(anonymous class)"
        if term in self.terms:
            return f'<a href="#{self.anchor(term)}"><code>{html.escape(_curie(term))}</code></a>'
        return f'<a href="{html.escape(str(term))}"><code>{html.escape(_curie(term))}</code></a>'

    def anchor(self, term) -> str:
        curie = _curie(term)
        return curie.split(":", 1)[1] if curie.startswith("ipa:") else curie.replace(":", "-").replace("/", "-")

    def of_kind(self, kind) -> list:
        return sorted(t for t in self.terms if (t, RDF.type, kind) in self.g)

    # ---- sections
    def render(self) -> str:
        onto = URIRef(ONTOLOGY_IRI)
        title = self.text(onto, URIRef(DCT + "title")) or "ipakg ontology"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
            f"<header><h1>{html.escape(title)}</h1>",
            f'<p class="zh" lang="zh-Hant">{html.escape(self.text(onto, URIRef(DCT + "title"), "zh-hant") or "")}</p>',
            self.header_table(onto),
            "</header>",
            self.description(onto),
            self.toc(),
            self.class_tree(),
            self.section("Classes", "classes", self.of_kind(OWL.Class), "class", "c"),
            self.section("Object properties", "object-properties", self.of_kind(OWL.ObjectProperty), "object property", "op"),
            self.section("Datatype properties", "datatype-properties", self.of_kind(OWL.DatatypeProperty), "datatype property", "dp"),
            self.section("Annotation properties", "annotation-properties", self.of_kind(OWL.AnnotationProperty), "annotation property", "ap"),
            self.concepts(),
            self.alignments(),
            self.example(),
            self.namespaces(),
            "</body></html>",
        ]
        return "\n".join(p for p in parts if p)

    def header_table(self, onto) -> str:
        rows = [
            ("IRI", f"<code>{html.escape(ONTOLOGY_IRI)}</code>"),
            ("Version IRI", " ".join(f"<code>{html.escape(str(v))}</code>" for v in self.g.objects(onto, OWL.versionIRI))),
            ("Version", html.escape(str(self.g.value(onto, OWL.versionInfo) or ""))),
            ("Prefix", f"<code>ipa:</code> = <code>{html.escape(_IPA)}</code>"),
            ("License", " ".join(self.link(v) for v in sorted(self.g.objects(onto, URIRef(DCT + "license"))))),
            ("Created / modified", html.escape(" / ".join(str(self.g.value(onto, URIRef(DCT + k)) or "") for k in ("created", "modified")))),
            ("Creators", html.escape(", ".join(
                str(self.g.value(c, URIRef("https://schema.org/name")) or c) for c in self.g.objects(onto, URIRef(DCT + "creator"))))),
            ("Companion files", "ipakg.ttl (core), plover.ttl (PLOVER concepts), ipakg-align.ttl (alignments), "
             "shapes.ttl (SHACL), context.jsonld (JSON-LD context)"),
        ]
        body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        return f'<table class="meta">{body}</table>'

    def description(self, onto) -> str:
        out = ['<section id="overview"><h2>Overview</h2>']
        for para in (self.text(onto, URIRef(DCT + "description")) or "").split("\n\n"):
            out.append(f"<p>{html.escape(para)}</p>")
        zh = self.text(onto, URIRef(DCT + "description"), "zh-hant")
        if zh:
            out.append(f'<p class="zh" lang="zh-Hant">{html.escape(zh)}</p>')
        out.append("</section>")
        return "".join(out)

    def toc(self) -> str:
        items = [("hierarchy", "Class hierarchy"), ("classes", "Classes"), ("object-properties", "Object properties"),
                 ("datatype-properties", "Datatype properties"), ("annotation-properties", "Annotation properties"),
                 ("concepts", "Controlled vocabularies"), ("alignments", "Alignments"), ("example", "Example"),
                 ("namespaces", "Namespaces")]
        lis = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in items)
        return f"<nav><h2>Contents</h2><ul>{lis}</ul></nav>"

    def class_tree(self) -> str:
        classes = set(self.of_kind(OWL.Class))
        children = defaultdict(list)
        roots = []
        for c in classes:
            parents = [p for p in self.g.objects(c, RDFS.subClassOf) if p in classes]
            if parents:
                for p in parents:
                    children[p].append(c)
            else:
                roots.append(c)

        def branch(c) -> str:
            kids = "".join(branch(k) for k in sorted(children[c]))
            sub = f'<ul class="tree">{kids}</ul>' if kids else ""
            zh = self.text(c, RDFS.label, "zh-hant") or ""
            return f'<li>{self.link(c)} {html.escape(self.label(c))} <span class="zh" lang="zh-Hant">{html.escape(zh)}</span>{sub}</li>'

        return f'<section id="hierarchy"><h2>Class hierarchy</h2><ul class="tree">{"".join(branch(r) for r in sorted(roots))}</ul></section>'

    def section(self, title, anchor, terms, kind, css) -> str:
        blocks = "".join(self.term_block(t, kind, css) for t in terms)
        return f'<section id="{anchor}"><h2>{title}</h2>{blocks}</section>'

    def term_block(self, term, kind, css) -> str:
        g = self.g
        rows = []
        for lang, name in (("zh-hant", "zh-Hant"), ("zh-hans", "zh-Hans")):
            value = self.text(term, RDFS.label, lang) or self.text(term, SKOS.prefLabel, lang)
            if value:
                rows.append((f"Label ({name})", f'<span class="zh" lang="{name}">{html.escape(value)}</span>'))
        for pred, name in ((SKOS.definition, "Definition"), (SKOS.scopeNote, "Scope note"), (SKOS.example, "Example")):
            value = self.text(term, pred)
            if value:
                rows.append((name, html.escape(value)))

        def links(values) -> str:
            return ", ".join(self.link(v) for v in sorted(values, key=str))

        supers = list(g.objects(term, RDFS.subClassOf))
        if supers:
            rows.append(("Subclass of", links(supers)))
        subs = list(g.subjects(RDFS.subClassOf, term))
        if subs:
            rows.append(("Superclass of", links(subs)))
        disjoint = set(g.objects(term, OWL.disjointWith))
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
            members = list(g.items(g.value(axiom, OWL.members)))
            if term in members:
                disjoint |= {m for m in members if m != term}
        if disjoint:
            rows.append(("Disjoint with", links(disjoint)))
        if kind == "class":
            as_domain = [p for p in g.subjects(RDFS.domain, term)]
            as_domain += [p for p, d in g.subject_objects(RDFS.domain) if isinstance(d, BNode) and term in self.union(d)]
            if as_domain:
                rows.append(("In the domain of", links(set(as_domain))))
            as_range = list(g.subjects(RDFS.range, term))
            if as_range:
                rows.append(("In the range of", links(set(as_range))))
        superprops = list(g.objects(term, RDFS.subPropertyOf))
        if superprops:
            rows.append(("Subproperty of", links(superprops)))
        for pred, name in ((RDFS.domain, "Domain"), (RDFS.range, "Range")):
            values = list(g.objects(term, pred))
            if values:
                rows.append((name, ", ".join(self.link(v) for v in values)))
        if (term, RDF.type, OWL.FunctionalProperty) in g:
            rows.append(("Characteristics", "functional (at most one value)"))
        for pred, name in ((SKOS.exactMatch, "Exact match"), (SKOS.closeMatch, "Close match"),
                           (IPA.ploverCategory, "PLOVER")):
            values = list(g.objects(term, pred))
            if values:
                rows.append((name, links(values)))
        cameo = g.value(term, IPA.cameoCode)
        if cameo is not None:
            rows.append(("CAMEO code", f"<code>{html.escape(str(cameo))}</code>"))
        body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        return (
            f'<article class="term" id="{html.escape(self.anchor(term))}">'
            f'<h3>{html.escape(self.label(term))}<span class="kind {css}">{kind}</span></h3>'
            f'<div class="iri"><code>{html.escape(str(term))}</code></div><table>{body}</table></article>'
        )

    def union(self, node) -> list:
        members = self.g.value(node, OWL.unionOf)
        return list(self.g.items(members)) if members is not None else []

    def concepts(self) -> str:
        out = ['<section id="concepts"><h2>Controlled vocabularies</h2>']
        for scheme in sorted(self.g.subjects(RDF.type, SKOS.ConceptScheme)):
            if scheme not in self.terms:
                continue
            out.append(f'<h3 id="{html.escape(self.anchor(scheme))}">{html.escape(self.label(scheme))}</h3>')
            definition = self.text(scheme, SKOS.definition)
            if definition:
                out.append(f"<p>{html.escape(definition)}</p>")
            out.append("<table><tr><th>notation</th><th>label</th><th>中文</th><th>definition</th><th>broader · CAMEO</th></tr>")
            for m in sorted(self.g.subjects(SKOS.inScheme, scheme), key=lambda c: str(self.g.value(c, SKOS.notation))):
                zh = " / ".join(v for v in (self.text(m, SKOS.prefLabel, "zh-hant"), self.text(m, SKOS.prefLabel, "zh-hans")) if v)
                extra = ", ".join(self.link(b) for b in sorted(self.g.objects(m, SKOS.broader)))
                cameo = self.g.value(m, IPA.cameoCode)
                if cameo is not None:
                    extra += f"{' · ' if extra else ''}CAMEO <code>{html.escape(str(cameo))}</code>"
                out.append(
                    f'<tr id="{html.escape(self.anchor(m))}"><td><code>{html.escape(str(self.g.value(m, SKOS.notation)))}</code></td>'
                    f"<td>{html.escape(self.label(m))}<div class=\"iri\">{html.escape(str(m))}</div></td>"
                    f'<td class="zh" lang="zh-Hant">{html.escape(zh)}</td>'
                    f"<td>{html.escape(self.text(m, SKOS.definition) or '')}</td><td>{extra}</td></tr>"
                )
            out.append("</table>")
        out.append("</section>")
        return "".join(out)

    def alignments(self) -> str:
        rows = []
        for term in sorted(self.terms):
            for pred, name in ((RDFS.subClassOf, "subclass of"), (RDFS.subPropertyOf, "subproperty of"),
                               (SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match")):
                for value in sorted(self.g.objects(term, pred), key=str):
                    if isinstance(value, URIRef) and value not in self.terms:
                        rows.append(f"<tr><td>{self.link(term)}</td><td>{name}</td><td>{self.link(value)}</td></tr>")
        return (
            '<section id="alignments"><h2>Alignments</h2><p>Links from ipakg terms to PROV-O, W3C ORG, SEM, SKOS, '
            "schema.org and Wikidata (from <code>ipakg-align.ttl</code>). Wikidata items are matched with SKOS, never "
            "with <code>owl:equivalentClass</code>: they are not OWL classes.</p>"
            f"<table><tr><th>ipakg term</th><th>relation</th><th>external term</th></tr>{''.join(rows)}</table></section>"
        )

    def example(self) -> str:
        return (
            '<section id="example"><h2>Example</h2><p>One fact as <code>kg build</code> writes it: the planned '
            "withdrawal of the United States from the WHO, with its evidence span, and the membership it ends.</p>"
            f"<pre>{html.escape(self.example_text)}</pre></section>"
        )

    def namespaces(self) -> str:
        used = dict(PREFIXES, plover="https://w3id.org/ipakg/plover/")
        rows = "".join(f"<tr><td><code>{p}:</code></td><td><code>{html.escape(i)}</code></td></tr>" for p, i in sorted(used.items()))
        return f'<section id="namespaces"><h2>Namespaces</h2><table>{rows}</table></section>'
