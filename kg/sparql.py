"""The query engine: the one place that runs SPARQL for the server, ``kg query``, dumps and exports.

It adds what a public endpoint needs on top of pyoxigraph: a per-query **time limit**, a **row cap**
with an explicit truncation flag, a **SERVICE allow-list**, typed errors, the protocol's dataset
parameters, and serialisation of every result to every SPARQL/RDF media type.

The ``Engine`` protocol
-----------------------
Both :class:`LocalEngine` (an on-disk store generation) and ``kg.remote.RemoteEngine`` (a SPARQL 1.1
endpoint over HTTP) implement it, so callers never care where the graph lives:

``generation -> str | None``
    Identifies the data being answered from; changes whenever the data changes (a new store
    generation, or a write through :meth:`update`/the graph-store methods). Used for caches and ETags.
``writable -> bool``
    Whether :meth:`update` and the graph-store writes are possible.
``query(sparql, *, default_graph=None, named_graphs=None, substitutions=None, timeout=None, base_iri=None, row_cap=...) -> Result``
    Runs a query. The default graph is the **union of all named graphs** unless ``default_graph`` or
    ``named_graphs`` is given (SPARQL Protocol ``default-graph-uri``/``named-graph-uri``); then the
    dataset is exactly those graphs (either list may be empty) and any ``FROM``/``FROM NAMED`` in the
    query is overridden. ``substitutions`` maps variable names (or ``pyoxigraph.Variable``) to pyoxigraph terms,
    bound safely, never pasted into the text. ``timeout`` (seconds) may only lower the engine's limit.
``update(sparql, *, using_graph=None, using_named_graph=None, base_iri=None, timeout=None) -> None``
    Runs a SPARQL Update (``using-graph-uri``/``using-named-graph-uri`` of the protocol). The ``WHERE``
    of an update without ``USING``/``WITH`` matches the store's own default graph, not the union.
``named_graphs() -> list[str]``, ``graph_sizes() -> dict[str, int]`` (named graph IRI -> triples), ``triple_count() -> int``
``has_graph(graph) / get_graph(graph, media_type) -> bytes / put_graph(graph, data, media_type, base_iri=) -> bool (created)``
``post_graph(graph, data, media_type, base_iri=) -> bool (created) / delete_graph(graph)``
    Graph Store operations; ``graph`` is a named graph IRI, or ``None`` for the store's default graph.
``dump(output, media_type, *, graph=...) -> None``
    Streams the whole dataset (or one graph) to a binary file object; no row cap, no time limit.

Errors are typed (:mod:`kg.errors` and the subclasses below): a query that does not parse raises
:class:`~kg.errors.QuerySyntaxError` whose ``detail`` has the parser's ``parser_message``, ``line``
and ``column``; a query past its limit raises :class:`~kg.errors.QueryTimeout` (``detail.limit_seconds``);
``SERVICE`` to an endpoint that is not allow-listed (or to a variable) raises :class:`ServiceNotAllowed`.

Stopping queries
----------------
pyoxigraph cannot cancel a running query, and its result iterators may only be used by the thread
that made them; it releases the GIL while it evaluates, so other threads keep running. A
:class:`TimeLimit` decides how a limit is enforced: :class:`ThreadTimeLimit` evaluates the query in a
helper thread and gives up waiting at the deadline; the abandoned evaluation runs on until it ends or
the process exits, and an ``on_abandon`` hook lets a server recycle the process. Callers that run the
evaluation on their own thread (the ASGI front of the server) use :meth:`LocalEngine.prepare`: every
check happens at once, and :meth:`PreparedQuery.answer` is the work to time.

Results are fully materialised (at most ``row_cap`` rows) before anything is serialised, so a
caller can always answer with an error instead of a cut body. :meth:`PreparedQuery.answer` goes
straight to bytes with pyoxigraph's own writers (SPARQL JSON, N-Triples, N-Quads) when the body
is too small to hold more than ``row_cap`` rows, and falls back to the materialised path otherwise.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Protocol, Sequence, TypeVar
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from . import priority
from .errors import (  # noqa: F401  (re-exported: callers import these from kg.sparql too)
    InputError,
    KGError,
    NotFound,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooComplex,
    ReadOnly,
    ServiceNotAllowed,
    StoreError,
    UnsupportedMediaType,
)
from .namespaces import PREFIXES
from .store import StoreRoot

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
DEFAULT_ROW_CAP = 100_000
_UNSET: Any = object()

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

# ---- media types ------------------------------------------------------------------------------

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"

#: SELECT/ASK result media types, preferred first.
RESULT_MEDIA_TYPES: tuple[str, ...] = (JSON_RESULTS, XML_RESULTS, CSV, TSV)

#: CONSTRUCT/DESCRIBE (and Graph Store) media types, preferred first, with the pyoxigraph format.
GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}

#: Other names clients use for the same formats (accepted on input and in Accept headers).
MEDIA_TYPE_ALIASES: dict[str, str] = {
    "application/json": JSON_RESULTS,
    "application/xml": XML_RESULTS,
    "text/xml": XML_RESULTS,
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
    "application/json-ld": "application/ld+json",
}

#: Short names for the ``format=`` request parameter and ``kg query --format``.
FORMAT_NAMES: dict[str, str] = {
    "json": JSON_RESULTS,
    "srj": JSON_RESULTS,
    "xml": XML_RESULTS,
    "srx": XML_RESULTS,
    "csv": CSV,
    "tsv": TSV,
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "trig": "application/trig",
}


def normalize_media_type(media_type: str) -> str:
    """``'Text/Turtle; charset=utf-8'`` -> ``'text/turtle'``; aliases map to the canonical type."""
    mt = media_type.split(";", 1)[0].strip().lower()
    return MEDIA_TYPE_ALIASES.get(mt, mt)


def media_type_for_format(name: str) -> str | None:
    """A ``format=`` value (short name or media type) -> canonical media type, or ``None``."""
    key = name.strip().lower()
    if key in FORMAT_NAMES:
        return FORMAT_NAMES[key]
    mt = normalize_media_type(key)
    return mt if mt in RESULT_MEDIA_TYPES or mt in GRAPH_MEDIA_TYPES else None


def rdf_format(media_type: str) -> ox.RdfFormat:
    """The pyoxigraph RDF format for a media type, or :class:`UnsupportedMediaType`."""
    mt = normalize_media_type(media_type)
    fmt = GRAPH_MEDIA_TYPES.get(mt)
    if fmt is None:
        raise UnsupportedMediaType(
            f"unsupported RDF media type {mt!r}; use one of {', '.join(GRAPH_MEDIA_TYPES)}",
            detail={"media_type": mt, "supported": list(GRAPH_MEDIA_TYPES)},
        )
    return fmt


# ---- errors -------------------------------------------------------------------------------------


_POSITION = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(e: SyntaxError, what: str) -> QuerySyntaxError:
    msg = str(e)
    detail: dict[str, Any] = {"parser_message": msg}
    m = _POSITION.search(msg)
    if m:
        detail["line"], detail["column"] = int(m.group(1)), int(m.group(2))
    return QuerySyntaxError(f"the SPARQL {what} does not parse: {msg}", detail=detail)


# ---- a small SPARQL lexer ------------------------------------------------------------------------
# Enough of the grammar to find keywords outside strings, IRIs and comments: the SERVICE targets
# of a query and the top-level WHERE of update operations. It never decides validity; the real
# parser does that afterwards.

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:{local})
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


# The grammar's PN_LOCAL, with PLX (``%HH`` and ``\\`` escapes such as ``ex:a\\'``): a lexer that
# missed an escape could take ``'`` for the start of a string and hide a SERVICE keyword behind it.
_LOCALCHAR = r"(?:[\w\-\u00b7\u00c0-\uffff:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_TOKEN = re.compile(
    _TOKEN.pattern.replace("{local}", f"(?:{_LOCALCHAR}(?:(?:{_LOCALCHAR}|\\.)*{_LOCALCHAR})?)?"),
    re.VERBOSE | re.DOTALL,
)
# Text inside a string or comment that reads like a SERVICE call: if the lexer ever disagrees with
# the real parser about where a string or comment ends, the check fails closed.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SERVICE_GLUED = re.compile(r"(?i)SERVICE(?:SILENT)?(?:[?$]|[A-Za-z_][\w.\-]*:)")
_SERVICE_LIKE = re.compile(r"(?i)\bSERVICE\s+(?:SILENT\s+)?(?:<|\?|\$|[A-Za-z_\u00c0-\uffff][\w.\-]*:)")


@dataclass
class _Tok:
    kind: str
    text: str
    start: int
    depth: int


def _iter_tokens(text: str) -> Iterator[_Tok]:
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        yield _Tok(kind, m.group(), m.start(), depth)
        if kind == "open":
            depth += 1


def _tokens(text: str) -> list[_Tok]:
    return list(_iter_tokens(text))


def _prefix_map(toks: Sequence[_Tok]) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for i, t in enumerate(toks[:-2]):
        if t.kind == "word" and t.text.upper() == "PREFIX" and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
    return prefixes


_LOAD_LIKE = re.compile(r"(?i)\bLOAD\s+(?:SILENT\s+)?(?:<|[A-Za-z_\u00c0-\uffff][\w.\-]*:)")


def load_targets(text: str) -> list[str | None]:
    """The documents a SPARQL Update fetches with ``LOAD``; ``None`` for a name the lexer cannot resolve
    or for text that reads like a LOAD inside a string or comment (so the check fails closed)."""
    if "load" not in text.lower():
        return []
    toks = _tokens(text)
    prefixes = _prefix_map(toks)
    targets: list[str | None] = []
    for i, t in enumerate(toks):
        if t.kind in ("string", "comment") and _LOAD_LIKE.search(t.text):
            targets.append(None)
        if t.kind != "word" or t.text.upper() != "LOAD":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        nxt = toks[j] if j < len(toks) else None
        if nxt is not None and nxt.kind == "iri":
            targets.append(nxt.text[1:-1])
        elif nxt is not None and nxt.kind == "pname":
            prefix, _, local = nxt.text.partition(":")
            local = re.sub(r"\\(.)", r"\1", local)
            targets.append(prefixes[prefix] + local if prefix in prefixes else None)
        elif nxt is not None:
            targets.append(None)
    return targets


def service_hidden(text: str) -> bool:
    """Whether a string, a comment or a stray backslash could hide a ``SERVICE`` call from the lexer."""
    if "service" not in text.lower():
        return False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("string", "comment") and _SERVICE_LIKE.search(m.group()):
            return True
        if kind == "iri" and not _SCHEME.match(m.group(), 1) and _SERVICE_GLUED.search(m.group()):
            return True  # "<" read as an IRI start where the parser sees a comparison: ?a<?b)SERVICE?x

        if kind == "other" and m.group() == "\\":
            return True
    return False


def service_targets(text: str) -> list[str | None]:
    """The endpoints a query or update calls with ``SERVICE``; ``None`` stands for a variable or an unresolvable name."""
    if "service" not in text.lower():
        return []
    toks = _tokens(text)
    prefixes = _prefix_map(toks)
    targets: list[str | None] = []
    for i, t in enumerate(toks):
        if t.kind != "word" or t.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        nxt = toks[j] if j < len(toks) else None
        if nxt is None:
            continue  # the parser will reject it
        if nxt.kind == "iri":
            targets.append(nxt.text[1:-1])
        elif nxt.kind == "pname":
            prefix, _, local = nxt.text.partition(":")
            local = re.sub(r"\\(.)", r"\1", local)  # PN_LOCAL_ESC: ex:a\.b names ...a.b
            targets.append(prefixes[prefix] + local if prefix in prefixes else None)
        else:
            targets.append(None)
    return targets


#: The usual prologue (PREFIX/BASE declarations, comments) then the query form, matched in one go; anything
#: else is left to the lexer.
_PLAIN_PROLOGUE = re.compile(
    r"(?:\s+|\#[^\n]*|(?i:PREFIX)\s+[A-Za-z][\w.\-]*:\s*<[^<>\"{}|^`\\\x00-\x20]*>|(?i:PREFIX)\s+:\s*<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|(?i:BASE)\s*<[^<>\"{}|^`\\\x00-\x20]*>)*(?i:(SELECT|ASK|CONSTRUCT|DESCRIBE))\b"
)


def query_kind(text: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``: the first query-form keyword outside the prologue."""
    m = _PLAIN_PROLOGUE.match(text)
    if m:
        return m.group(1).lower()
    for t in _iter_tokens(text):  # stops at the query form, right after the prologue
        if t.kind == "word":
            word = t.text.upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return word.lower()
    return "select"


def add_using_clauses(update: str, using_graph: Sequence[str], using_named_graph: Sequence[str]) -> str:
    """Apply the protocol's ``using-graph-uri``/``using-named-graph-uri`` to every ``INSERT/DELETE … WHERE``.

    The protocol forbids combining them with ``USING``/``WITH`` in the request (a 400).
    """
    if not using_graph and not using_named_graph:
        return update
    toks = _tokens(update)
    for t in toks:
        if t.kind == "word" and t.depth == 0 and t.text.upper() in ("USING", "WITH"):
            raise InputError(
                "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH in the update",
                detail={"clause": t.text.upper()},
            )
    clause = "".join(f" USING <{g}>" for g in using_graph) + "".join(f" USING NAMED <{g}>" for g in using_named_graph) + " "
    cuts = []
    for i, t in enumerate(toks):
        if t.kind == "word" and t.depth == 0 and t.text.upper() == "WHERE":
            prev = toks[i - 1] if i else None
            if prev is not None and prev.kind == "word" and prev.text.upper() == "DELETE":
                continue  # DELETE WHERE has no USING
            cuts.append(t.start)
    for pos in reversed(cuts):
        update = update[:pos] + clause + update[pos:]
    return update


#: Limits measured on pyoxigraph 0.5.13 with an 8 MB stack: it crashes (SIGSEGV) near 1,000 nested
#: ``CONCAT(``, ~1,000 ``/`` steps of a path or ``OPTIONAL``s in a row, ~5,000 nested ``{``. We stop well before.
MAX_NESTING = 256
MAX_CHAIN = 500
#: No hand-written query comes near this; machine-made ones that do are better sent as data (Graph Store).
MAX_QUERY_CHARS = 256 * 1024
_CHAIN_WORDS = ("optional", "minus", "bind", "union")
_CHAIN_CHARS = "/|^!"


def check_complexity(text: str) -> None:
    """Refuse (400) a query or update that would crash the engine instead of failing politely.

    Raw character counts settle ordinary queries at C speed; only a text over a limit is lexed to
    count what lies outside strings, IRIs and comments.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooComplex(
            f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}",
            detail={"length": len(text), "limit": MAX_QUERY_CHARS},
        )
    raw_depth = text.count("{") + text.count("(")
    low = text.lower()
    raw_chain = sum(text.count(c) for c in _CHAIN_CHARS) + sum(low.count(w) for w in _CHAIN_WORDS)
    if raw_depth <= MAX_NESTING and raw_chain <= MAX_CHAIN:
        return
    depth = deepest = chain = 0
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "open" or tok == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close" or tok == ")":
            depth = max(0, depth - 1)
        elif (kind == "word" and tok.lower() in _CHAIN_WORDS) or (kind == "other" and tok in _CHAIN_CHARS):
            chain += 1
    if deepest > MAX_NESTING:
        raise QueryTooComplex(
            f"the query nests {deepest} levels of brackets deep; the limit is {MAX_NESTING}",
            detail={"depth": deepest, "limit": MAX_NESTING},
        )
    if chain > MAX_CHAIN:
        raise QueryTooComplex(
            f"the query chains {chain} OPTIONAL/MINUS/BIND/UNION/path operators; the limit is {MAX_CHAIN}",
            detail={"operators": chain, "limit": MAX_CHAIN},
        )


def _check_iris(iris: Iterable[str], what: str) -> None:
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as e:
            raise InputError(f"{what} {iri!r} is not an absolute IRI: {e}", detail={"parameter": what, "value": iri}) from e


# ---- results -------------------------------------------------------------------------------------


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if getattr(term, "direction", None) is not None:
                out["its:dir"] = str(term.direction.name).lower()
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {"subject": _term_json(term.subject), "predicate": _term_json(term.predicate), "object": _term_json(term.object)},
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _term_xml(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{xml_escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{xml_escape(term.value)}</literal>"
        return f"<literal>{xml_escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>{_term_xml(term.predicate)}</predicate>"
            f"<object>{_term_xml(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _term_csv(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_cell(term: Any) -> str:
    return "" if term is None else str(term)  # N-Triples syntax, which escapes tabs and newlines


def _namespaces(terms: Iterable[Any], out: set[str]) -> None:
    for t in terms:
        if isinstance(t, ox.NamedNode):
            v = t.value
            cut = max(v.rfind("#"), v.rfind("/"))
            out.add(v[: cut + 1])
        elif isinstance(t, ox.Literal):
            v = t.datatype.value
            out.add(v[: max(v.rfind("#"), v.rfind("/")) + 1])
        elif isinstance(t, ox.Triple):
            _namespaces((t.subject, t.predicate, t.object), out)


def serialize_triples(triples: Sequence[ox.Triple], fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Serialise triples; Turtle, TriG and RDF/XML declare only the prefixes they use."""
    if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt)
    seen: set[str] = set()
    for t in triples:
        _namespaces((t.subject, t.predicate, t.object), seen)
    pre = {p: iri for p, iri in (PREFIXES if prefixes is None else prefixes).items() if iri in seen}
    return ox.serialize(triples, format=fmt, prefixes=pre) if pre else ox.serialize(triples, format=fmt)


@dataclass
class Result:
    """A materialised query result.

    ``rows`` are sequences aligned with ``variables`` (``None`` = unbound); pyoxigraph's
    ``QuerySolution`` objects qualify. ``truncated`` is true when the row cap cut the result.
    """

    kind: str  # "select" | "ask" | "construct" | "describe"
    variables: list[str] = field(default_factory=list)
    rows: list[Sequence[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    row_cap: int | None = None
    generation: str | None = None
    elapsed: float = 0.0

    @property
    def is_graph(self) -> bool:
        return self.kind in ("construct", "describe")

    def __len__(self) -> int:
        if self.kind == "ask":
            return 1
        return len(self.triples) if self.is_graph else len(self.rows)

    def media_types(self) -> tuple[str, ...]:
        """The media types this result can be written as, preferred first."""
        return tuple(GRAPH_MEDIA_TYPES) if self.is_graph else RESULT_MEDIA_TYPES

    def bindings(self) -> list[dict[str, Any]]:
        """Rows as ``{variable: term}`` dicts without the unbound variables (for Python callers)."""
        return [{v: row[i] for i, v in enumerate(self.variables) if row[i] is not None} for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        """SPARQL 1.1 Query Results JSON; a truncated result carries ``"truncated": true`` and ``"rowCap"``."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.is_graph:
            raise InputError("a CONSTRUCT/DESCRIBE result has no SPARQL results JSON form")
        names = self.variables
        bindings = []
        for row in self.rows:
            b = {}
            for i, name in enumerate(names):
                term = row[i]
                if term is not None:
                    b[name] = _term_json(term)
            bindings.append(b)
        out: dict[str, Any] = {"head": {"vars": list(names)}, "results": {"bindings": bindings}}
        if self.truncated:
            out["truncated"] = True
            out["rowCap"] = self.row_cap
        return out

    def serialize(self, media_type: str = JSON_RESULTS, *, prefixes: Mapping[str, str] | None = None) -> bytes:
        mt = normalize_media_type(media_type)
        if self.is_graph:
            fmt = GRAPH_MEDIA_TYPES.get(mt)
            if fmt is None:
                raise UnsupportedMediaType(f"a {self.kind.upper()} result cannot be written as {mt}", detail={"media_type": mt})
            return serialize_triples(self.triples, fmt, prefixes)
        if mt == JSON_RESULTS:
            return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if mt == XML_RESULTS:
            return self._xml().encode("utf-8")
        if mt == CSV:
            return self._csv()
        if mt == TSV:
            return self._tsv()
        raise UnsupportedMediaType(f"a {self.kind.upper()} result cannot be written as {mt}", detail={"media_type": mt})

    def _xml(self) -> str:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        if self.kind == "ask":
            parts.append(f"<head/><boolean>{'true' if self.boolean else 'false'}</boolean></sparql>\n")
            return "".join(parts)
        parts.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables))
        if self.truncated:
            parts.append('<link href="urn:ipakg:truncated"/>')
        parts.append("</head><results>")
        for row in self.rows:
            parts.append("<result>")
            for i, name in enumerate(self.variables):
                term = row[i]
                if term is not None:
                    parts.append(f"<binding name={quoteattr(name)}>{_term_xml(term)}</binding>")
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts)

    def _csv(self) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        if self.kind == "ask":
            w.writerow(["_askResult"])
            w.writerow(["true" if self.boolean else "false"])
        else:
            w.writerow(self.variables)
            for row in self.rows:
                w.writerow([_term_csv(row[i]) for i in range(len(self.variables))])
        return buf.getvalue().encode("utf-8")

    def _tsv(self) -> bytes:
        if self.kind == "ask":
            return f"?_askResult\n{'true' if self.boolean else 'false'}\n".encode()
        lines = ["\t".join("?" + v for v in self.variables)]
        for row in self.rows:
            lines.append("\t".join(_tsv_cell(row[i]) for i in range(len(self.variables))))
        return ("\n".join(lines) + "\n").encode("utf-8")


# ---- time limits ---------------------------------------------------------------------------------


class TimeLimit(Protocol):
    def run(self, fn: Callable[[], T], seconds: float | None) -> T: ...


class ThreadTimeLimit:
    """Evaluate in a helper thread; stop waiting at the deadline (the evaluation itself runs on).

    ``on_abandon`` (if given) is called once per abandoned evaluation, just before the
    :class:`QueryTimeout` is raised: the server uses it to recycle the worker process, the only way
    to stop an evaluation pyoxigraph cannot cancel. ``demote_after`` (seconds, if given) nices the
    helper thread of an evaluation once it has used that much CPU (:mod:`kg.priority`); the thread ends
    with its evaluation, so the lowered priority never reaches another query.
    """

    def __init__(self, on_abandon: Callable[[], None] | None = None, demote_after: float | None = None):
        self.on_abandon = on_abandon
        self.demote_after = demote_after

    def run(self, fn: Callable[[], T], seconds: float | None) -> T:
        if seconds is None:
            return fn()
        box: dict[str, Any] = {}
        done = threading.Event()

        def target() -> None:
            if self.demote_after is not None:
                box["clock"] = priority.own_cpu_clock()
            try:
                box["value"] = fn()
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
                box["error"] = e
            finally:
                done.set()

        thread = threading.Thread(target=target, name="kg-query", daemon=True)
        deadline = time.monotonic() + seconds
        thread.start()
        check_in = self.demote_after
        # CPU time never runs ahead of wall time, so the thread cannot reach the threshold before `check_in`.
        while check_in is not None and check_in < deadline - time.monotonic() and not done.wait(check_in):
            used = priority.cpu_seconds(box.get("clock"))
            if used is None:  # no CPU clock to go by: never demote on wall time alone
                break
            check_in = self.demote_after - used
            if check_in <= 0.005:
                priority.demote(thread.native_id)
                break
        if not done.wait(max(0.0, deadline - time.monotonic())):
            priority.demote(thread.native_id)  # it runs on until the process ends: on spare cycles
            if self.on_abandon is not None:
                self.on_abandon()
            raise _timeout(seconds)
        if "error" in box:
            raise box["error"]
        return box["value"]


def _timeout(seconds: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran past its time limit of {seconds:g} s and was stopped",
        detail={"limit_seconds": seconds},
    )


# ---- the engine protocol -----------------------------------------------------------------------


class Engine(Protocol):
    """See the module docstring for the contract."""

    @property
    def generation(self) -> str | None: ...

    @property
    def writable(self) -> bool: ...

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
        row_cap: int | None = ...,
    ) -> Result: ...

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graph: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> None: ...

    def named_graphs(self) -> list[str]: ...

    def graph_sizes(self) -> dict[str, int]: ...

    def triple_count(self) -> int: ...

    def has_graph(self, graph: str | None) -> bool: ...

    def get_graph(self, graph: str | None, media_type: str) -> bytes: ...

    def put_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool: ...

    def post_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool: ...

    def delete_graph(self, graph: str | None) -> None: ...

    def dump(self, output: BinaryIO, media_type: str, *, graph: str | None = ...) -> None: ...


class _Limits:
    """Shared by the engines: resolve a request's limits against the configured ones."""

    def __init__(self, timeout: float | None, row_cap: int | None, service_allowlist: Iterable[str]):
        self.timeout = timeout
        self.row_cap = row_cap
        self.service_allowlist = {s.strip() for s in service_allowlist if s.strip()}

    def effective_timeout(self, requested: float | None) -> float | None:
        if requested is not None and requested <= 0:
            raise InputError("timeout must be a positive number of seconds", detail={"timeout": requested})
        if self.timeout is None:
            return requested
        return self.timeout if requested is None else min(requested, self.timeout)

    def check_loads(self, text: str) -> None:
        """``LOAD <url>`` makes the server fetch a URL: only from allow-listed places (no SSRF for token holders)."""
        for target in load_targets(text):
            if target is None or target not in self.service_allowlist:
                raise ServiceNotAllowed(
                    (f"LOAD <{target}> is not allowed on this server" if target else
                     "LOAD must name an allow-listed document plainly")
                    + "; put the data in the request body (Graph Store Protocol) instead",
                    detail={"document": target, "allowed": sorted(self.service_allowlist)},
                )

    def check_services(self, text: str) -> None:
        if service_hidden(text):
            raise ServiceNotAllowed(
                "the query has text that reads like a SERVICE call inside a string or comment; "
                "federated queries must name an allow-listed endpoint plainly",
                detail={"allowed": sorted(self.service_allowlist)},
            )
        for target in service_targets(text):
            if target is None:
                raise ServiceNotAllowed(
                    "SERVICE with a variable or an undeclared prefix is not allowed; name an allow-listed endpoint",
                    detail={"allowed": sorted(self.service_allowlist)},
                )
            if target not in self.service_allowlist:
                raise ServiceNotAllowed(
                    f"SERVICE <{target}> is not allowed on this server"
                    + ("" if self.service_allowlist else " (federated queries are disabled)"),
                    detail={"endpoint": target, "allowed": sorted(self.service_allowlist)},
                )


class LocalEngine(_Limits):
    """The engine over the current generation of a :class:`~kg.store.StoreRoot`.

    Read-only by default (any number of processes may do this at once). ``writable=True`` opens the
    generation read-write: only one process may, and its writes live in that generation until the
    next ``kg build`` makes a new one current.
    """

    def __init__(
        self,
        store_root: StoreRoot | str | os.PathLike,
        *,
        writable: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        row_cap: int | None = DEFAULT_ROW_CAP,
        service_allowlist: Iterable[str] = (),
        time_limit: TimeLimit | None = None,
    ):
        super().__init__(timeout, row_cap, service_allowlist)
        self.root = store_root if isinstance(store_root, StoreRoot) else StoreRoot(store_root)
        self._writable = writable
        self.time_limit: TimeLimit = time_limit or ThreadTimeLimit()
        self._lock = threading.RLock()
        self._store: ox.Store | None = None
        self._gen_id: str | None = None
        self._current_stat: tuple[int, int] | None = None
        self._looked_at = 0.0
        self._writes = 0
        self._open_token = ""
        self._sizes: tuple[str | None, dict[str, int]] | None = None
        self._count: tuple[str | None, int] | None = None

    # -- opening and re-opening -----------------------------------------------------------------
    @property
    def writable(self) -> bool:
        return self._writable

    @property
    def generation(self) -> str | None:
        self._refresh()
        return self._generation()

    def _generation(self) -> str | None:
        if self._gen_id is None:
            return None
        if self._writable:  # writes persist across re-opens, so each open gets its own token
            return f"{self._gen_id}+{self._open_token}.{self._writes}"
        return self._gen_id

    def generation_within(self, seconds: float) -> str | None:
        """:attr:`generation`, re-reading ``CURRENT`` only if the last look is older than ``seconds``.

        For a server's hot path: a ``stat`` gives up the GIL, and getting it back behind busy query
        threads costs more than the query. A new generation is seen at most ``seconds`` late.
        """
        if self._store is None or time.monotonic() - self._looked_at >= seconds:
            self._refresh()
        return self._generation()

    @property
    def generation_id(self) -> str | None:
        """The store generation (without the count of writes made through this engine)."""
        self._refresh()
        return self._gen_id

    def store(self) -> ox.Store:
        """The open pyoxigraph store of the current generation (opened or re-opened as needed)."""
        return self._snapshot()[0]

    def _snapshot(self, refresh: bool = True) -> tuple[ox.Store, str | None]:
        if refresh or self._store is None:
            self._refresh()
        store = self._store
        if store is None:
            self.root.current_path()  # raises NoGeneration / StoreError with a clear message
            raise StoreError(f"no store generation is open in {self.root.path}")
        return store, self._generation()

    def _refresh(self) -> None:
        """Re-open when ``CURRENT`` names another generation; a ``stat`` when nothing changed."""
        self._looked_at = time.monotonic()
        try:
            st = os.stat(self.root.current_file)
            key = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            key = None
        if key == self._current_stat and (self._store is not None or key is None):
            return
        with self._lock:
            gen = self.root.current_id()
            if gen != self._gen_id or self._store is None:
                if gen is None:
                    self._close()
                else:
                    self._open(gen)
            self._current_stat = key

    def _open(self, gen: str) -> None:
        self._close()
        self._store = self.root.open_current(read_only=not self._writable)
        self._gen_id = gen
        self._open_token = os.urandom(4).hex()
        self._writes = 0
        self._sizes = None

    def _close(self) -> None:
        if self._store is not None:
            self._store = None
            if self._writable:
                gc.collect()  # release the RocksDB lock before another process or generation needs it
        self._gen_id = None

    def close(self) -> None:
        with self._lock:
            self._close()
            self._current_stat = None

    # -- queries ----------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
        row_cap: int | None = _UNSET,
    ) -> Result:
        prepared = self.prepare(sparql, default_graph=default_graph, named_graphs=named_graphs,
                                substitutions=substitutions, timeout=timeout, base_iri=base_iri, row_cap=row_cap)
        return self.time_limit.run(prepared.run, prepared.seconds)

    def prepare(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
        row_cap: int | None = _UNSET,
        refresh: bool = True,
    ) -> "PreparedQuery":
        """Check a query (complexity, SERVICE allow-list, dataset, limits) without evaluating it.

        ``refresh=False`` skips the look at ``CURRENT`` for a caller that has just read :attr:`generation`.
        """
        check_complexity(sparql)
        self.check_services(sparql)
        seconds = self.effective_timeout(timeout)
        cap = self.row_cap if row_cap is _UNSET else row_cap
        store, generation = self._snapshot(refresh)
        kwargs: dict[str, Any] = {"base_iri": base_iri}
        if default_graph is not None or named_graphs is not None:
            _check_iris(default_graph or (), "default-graph-uri")
            _check_iris(named_graphs or (), "named-graph-uri")
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph or ()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        else:
            kwargs["use_default_graph_as_union"] = True
        if substitutions:
            kwargs["substitutions"] = {
                k if isinstance(k, ox.Variable) else ox.Variable(k.lstrip("?$")): v for k, v in substitutions.items()
            }
        return PreparedQuery(store, sparql, kwargs, cap, generation, seconds)

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graph: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> None:
        if not self._writable:
            raise ReadOnly("this store is open read-only; updates are disabled")
        check_complexity(sparql)
        self.check_services(sparql)
        self.check_loads(sparql)
        _check_iris(using_graph or (), "using-graph-uri")
        _check_iris(using_named_graph or (), "using-named-graph-uri")
        text = add_using_clauses(sparql, using_graph or (), using_named_graph or ())
        seconds = self.effective_timeout(timeout)
        store = self.store()

        def run() -> None:
            try:
                store.update(text, base_iri=base_iri)
            except SyntaxError as e:
                raise _syntax_error(e, "update") from None
            except (OSError, RuntimeError, ValueError, TypeError) as e:
                raise _evaluation_error(e) from None
            except BaseException as e:
                raise _panic(e) from None

        with self._lock:
            try:
                self.time_limit.run(run, seconds)
            finally:
                self._wrote()

    def _wrote(self) -> None:
        self._writes += 1
        self._sizes = None

    # -- dataset description ----------------------------------------------------------------------
    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store().named_graphs() if isinstance(g, ox.NamedNode))

    def graph_sizes(self) -> dict[str, int]:
        generation = self.generation
        if self._sizes is not None and self._sizes[0] == generation:
            return dict(self._sizes[1])
        store = self.store()
        sizes = {g: 0 for g in self.named_graphs()}
        for sol in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            g = sol["g"]
            if isinstance(g, ox.NamedNode):
                sizes[g.value] = int(sol["n"].value)
        self._sizes = (generation, sizes)
        return dict(sizes)

    def triple_count(self) -> int:
        generation = self.generation
        if self._count is None or self._count[0] != generation:
            self._count = (generation, len(self.store()))
        return self._count[1]

    # -- graph store ------------------------------------------------------------------------------
    @staticmethod
    def _graph_name(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
        if graph is None:
            return ox.DefaultGraph()
        _check_iris([graph], "graph")
        return ox.NamedNode(graph)

    def has_graph(self, graph: str | None) -> bool:
        if graph is None:
            return True
        return self.store().contains_named_graph(self._graph_name(graph))

    def get_graph(self, graph: str | None, media_type: str) -> bytes:
        fmt = rdf_format(media_type)
        if not self.has_graph(graph):
            raise NotFound(f"no graph named <{graph}>", detail={"graph": graph})
        store = self.store()
        quads = store.quads_for_pattern(None, None, None, self._graph_name(graph))
        return serialize_triples([q.triple for q in quads], fmt)

    def _parse(self, data: bytes, media_type: str, graph: str | None, base_iri: str | None) -> list[ox.Quad]:
        fmt = rdf_format(media_type)
        target = self._graph_name(graph)
        try:
            parsed = list(ox.parse(data, format=fmt, base_iri=base_iri, without_named_graphs=True))
        except SyntaxError as e:
            raise InputError(f"the {normalize_media_type(media_type)} body does not parse: {e}", detail={"parser_message": str(e)}) from None
        except ValueError as e:
            raise InputError(f"the body cannot be read as {normalize_media_type(media_type)}: {e}") from None
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]

    def _require_writable(self) -> None:
        if not self._writable:
            raise ReadOnly("this store is open read-only; graph store writes are disabled")

    def put_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool:
        self._require_writable()
        quads = self._parse(data, media_type, graph, base_iri)
        with self._lock:
            store = self.store()
            target = self._graph_name(graph)
            if graph is None:
                existed = next(iter(store.quads_for_pattern(None, None, None, target)), None) is not None
            else:
                existed = store.contains_named_graph(target)
            store.clear_graph(target) if existed else (graph is not None and store.add_graph(target))
            store.extend(quads)
            self._wrote()
        return not existed

    def post_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool:
        self._require_writable()
        quads = self._parse(data, media_type, graph, base_iri)
        with self._lock:
            store = self.store()
            created = graph is not None and not store.contains_named_graph(self._graph_name(graph))
            if created:
                store.add_graph(self._graph_name(graph))
            store.extend(quads)
            self._wrote()
        return created

    def delete_graph(self, graph: str | None) -> None:
        self._require_writable()
        with self._lock:
            store = self.store()
            if graph is None:
                store.clear_graph(ox.DefaultGraph())
            else:
                name = self._graph_name(graph)
                if not store.contains_named_graph(name):
                    raise NotFound(f"no graph named <{graph}>", detail={"graph": graph})
                store.remove_graph(name)
            self._wrote()

    def dump(self, output: BinaryIO, media_type: str, *, graph: str | None = _UNSET) -> None:
        fmt = rdf_format(media_type)
        store = self.store()
        if graph is _UNSET:
            if not fmt.supports_datasets:
                raise UnsupportedMediaType(
                    f"{normalize_media_type(media_type)} holds one graph; dump the dataset as TriG or N-Quads, or name a graph"
                )
            store.dump(output, format=fmt)
        else:
            store.dump(output, format=fmt, from_graph=self._graph_name(graph))


#: SPARQL JSON and N-Triples/N-Quads straight from pyoxigraph's writers: the same bytes as
#: :meth:`Result.serialize` for an untruncated result (pinned by the tests), without a Python object per term.
_NATIVE_WRITERS: dict[str, tuple[str, Any]] = {
    JSON_RESULTS: ("results", ox.QueryResultsFormat.JSON),
    "application/n-triples": ("graph", ox.RdfFormat.N_TRIPLES),
    "application/n-quads": ("graph", ox.RdfFormat.N_QUADS),
}
#: The fewest bytes one row (``{},``) or triple can take in those formats: a body shorter than
#: ``_MIN_ROW_BYTES * row_cap`` cannot hold more rows than the cap.
_MIN_ROW_BYTES = 3


@dataclass
class Answer:
    """A query's response body in one media type, with what the HTTP layer says about it."""

    body: bytes
    media_type: str
    kind: str
    truncated: bool
    row_cap: int | None
    generation: str | None


class _Overflow(Exception):
    pass


class _CappedBuffer:
    """A file object for pyoxigraph's writers that gives up past ``limit`` bytes."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise _Overflow()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class PreparedQuery:
    """A checked query bound to one store snapshot; :meth:`run` or :meth:`answer` evaluates it.

    ``seconds`` is the time limit the caller must enforce (``None``: none). Evaluation and
    serialisation happen in the calling thread (pyoxigraph's iterators are bound to it).
    """

    def __init__(self, store: ox.Store, text: str, kwargs: dict[str, Any], cap: int | None,
                 generation: str | None, seconds: float | None):
        self.store, self.text, self.kwargs = store, text, kwargs
        self.row_cap, self.generation, self.seconds = cap, generation, seconds

    def _evaluate(self, fn: Callable[[Any], T]) -> T:
        try:
            return fn(self.store.query(self.text, **self.kwargs))
        except SyntaxError as e:
            raise _syntax_error(e, "query") from None
        except (OSError, RuntimeError, ValueError, TypeError) as e:
            raise _evaluation_error(e) from None
        except BaseException as e:
            raise _panic(e) from None

    def run(self) -> Result:
        started = time.perf_counter()
        result = self._evaluate(lambda raw: _materialise(raw, self.text, self.row_cap))
        result.generation = self.generation
        result.elapsed = time.perf_counter() - started
        return result

    def answer(self, pick: Callable[[str], str]) -> Answer:
        """The serialised result; ``pick(kind)`` names the media type for the result's kind."""
        started = time.perf_counter()

        def materialised(raw: Any) -> Answer:
            result = _materialise(raw, self.text, self.row_cap)
            media_type = pick(result.kind)
            return Answer(result.serialize(media_type), media_type, result.kind, result.truncated, result.row_cap,
                          self.generation)

        def written(raw: Any) -> Answer | None:
            kind = "ask" if isinstance(raw, ox.QueryBoolean) else (
                "select" if isinstance(raw, ox.QuerySolutions) else query_kind(self.text))
            media_type = pick(kind)
            writer = _NATIVE_WRITERS.get(media_type)
            if writer is None or writer[0] != ("results" if kind in ("select", "ask") else "graph"):
                return materialised(raw)
            if kind == "ask":
                return Answer(raw.serialize(format=writer[1]), media_type, kind, False, self.row_cap, self.generation)
            out = _CappedBuffer(None if self.row_cap is None else _MIN_ROW_BYTES * self.row_cap)
            try:
                raw.serialize(out, format=writer[1])
            except _Overflow:
                return None  # perhaps more rows than the cap: the materialised path counts them
            return Answer(b"".join(out.parts), media_type, kind, False, self.row_cap, self.generation)

        found = self._evaluate(written)
        if found is None:
            found = self._evaluate(materialised)
        self.elapsed = time.perf_counter() - started
        return found


def _evaluation_error(e: Exception) -> KGError:
    if isinstance(e, OSError):  # the store itself failed: the server's problem, not the request's
        return KGError(f"the store failed while evaluating the request: {e}", detail={"cause": str(e)})
    return InputError(f"the request cannot be evaluated: {e}", detail={"cause": str(e)})


def _panic(e: BaseException) -> BaseException:
    """pyoxigraph turns a Rust panic into ``PanicException`` (a ``BaseException``): make it a typed error."""
    if type(e).__name__ != "PanicException":
        return e  # KeyboardInterrupt, SystemExit...: not ours to translate
    return KGError("the query engine failed on this request (an internal error in Oxigraph)", detail={"cause": str(e)[:200]})


def _materialise(raw: Any, text: str, cap: int | None) -> Result:
    """Read a pyoxigraph result into memory, at most ``cap`` rows (in the thread that made it)."""
    if isinstance(raw, ox.QueryBoolean):
        return Result(kind="ask", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows, truncated = _take(raw, cap)
        return Result(kind="select", variables=variables, rows=rows, truncated=truncated, row_cap=cap)
    triples, truncated = _take(raw, cap)
    return Result(kind=query_kind(text), triples=triples, truncated=truncated, row_cap=cap)


def _take(iterator: Iterable[Any], cap: int | None) -> tuple[list[Any], bool]:
    if cap is None:
        return list(iterator), False
    out = []
    for item in iterator:
        if len(out) >= cap:
            return out, True
        out.append(item)
    return out, False


# ---- caching -----------------------------------------------------------------------------------


class ResultCache:
    """A small LRU of serialised responses, bounded in bytes.

    Keys include the data generation, so a new generation (or a write) never serves stale
    entries; they simply stop being hit and age out.
    """

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_entry_bytes: int = 4 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        if size > self.max_entry_bytes or self.max_bytes <= 0:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._data:
                _, (_, n) = self._data.popitem(last=False)
                self._bytes -= n

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)


def open_engine(
    store: StoreRoot | str | os.PathLike | None = None,
    *,
    backend: str | None = None,
    **options: Any,
) -> Engine:
    """A :class:`LocalEngine` over ``store``, or a ``kg.remote.RemoteEngine`` when ``backend`` is a URL."""
    if backend:
        from .remote import RemoteEngine  # only when asked: it needs an HTTP client

        return RemoteEngine(backend, **{k: v for k, v in options.items() if k != "writable" and k != "time_limit"})
    if store is None:
        from .store import default_store_path

        store = default_store_path()
    return LocalEngine(store, **options)
