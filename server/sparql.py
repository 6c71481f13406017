"""``/sparql``: the SPARQL 1.1 Protocol (query and update) and the Service Description.

* Query by ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) or ``POST``
  ``application/sparql-query``; ``default-graph-uri``/``named-graph-uri`` pick the dataset (the
  default graph is otherwise the union of all named graphs); ``timeout=`` (seconds) may lower the
  server's limit; ``format=`` overrides the ``Accept`` header (for browsers and download links).
* Results: SPARQL JSON (default), XML, CSV, TSV for SELECT/ASK; Turtle (default), N-Triples,
  JSON-LD, RDF/XML, N-Quads, TriG for CONSTRUCT/DESCRIBE. ``406`` when nothing acceptable.
* A result cut by the row cap says so: ``X-KG-Truncated: true`` and, in JSON, ``"truncated": true``.
* Updates (``update=`` or ``application/sparql-update``) need ``KG_UPDATE_TOKEN`` to be configured
  and ``Authorization: Bearer <token>``; otherwise ``403``.
* ``GET /sparql`` without a query answers the Service Description (Turtle by default).

Other blueprints reuse :func:`get_engine`, :func:`negotiate` and :func:`result_response`.
"""

from __future__ import annotations

import functools
import hmac
import os
import urllib.parse
from typing import Sequence

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, g, redirect, request

from kg import __version__, priority
from kg.errors import StoreError
from kg.namespaces import SD, VOID
from kg.sparql import (
    Answer,
    GRAPH_MEDIA_TYPES,
    MEDIA_TYPE_ALIASES,
    RESULT_MEDIA_TYPES,
    LocalEngine,
    Result,
    ResultCache,
    ThreadTimeLimit,
    media_type_for_format,
    open_engine,
    query_kind,
    serialize_triples,
)

from .errors import APIError

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
TEXT_HTML = "text/html"

FORMATS_NS = "http://www.w3.org/ns/formats/"
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
}
_TEXTUAL = ("text/", "application/sparql-results+xml", "application/rdf+xml")


# ---- the engine ---------------------------------------------------------------------------------


def get_engine():
    """The app's query engine (``kg.sparql.Engine``)."""
    return current_app.extensions["kg.engine"]


def updates_enabled() -> bool:
    return bool(current_app.config.get("KG_UPDATE_TOKEN"))


def authorize_write() -> None:
    """Allow a write only with the configured token, compared in constant time."""
    token = current_app.config.get("KG_UPDATE_TOKEN")
    if not token:
        raise APIError(
            403,
            "updates_disabled",
            "this endpoint is read-only: updates and graph store writes are disabled (the operator can enable them with KG_UPDATE_TOKEN)",
        )
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"), str(token).encode("utf-8"))
    if not ok:
        raise APIError(
            401,
            "unauthorized",
            "a write needs the header 'Authorization: Bearer <token>' with the server's update token",
            headers={"WWW-Authenticate": 'Bearer realm="ipakg"' + (', error="invalid_token"' if header else "")},
        )


# ---- content negotiation ------------------------------------------------------------------------


def _parse_accept(header: str) -> list[tuple[str, float]]:
    out = []
    for part in header.split(","):
        part = part.strip()
        if not part:
            continue
        fields = [f.strip() for f in part.split(";")]
        mt = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((mt, q))
    return out


def negotiate(offers: Sequence[str], accept: str | None) -> str | None:
    """The offer the ``Accept`` header prefers (q-values, most specific range wins, then our order).

    ``None`` when nothing is acceptable. Aliases (``application/json``, ``text/plain``...) count as
    the canonical type they stand for.
    """
    return _negotiate(tuple(offers), accept)


@functools.lru_cache(maxsize=512)
def _negotiate(offers: tuple[str, ...], accept: str | None) -> str | None:
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse_accept(accept)
    best, best_q = None, 0.0
    for offer in offers:
        main = offer.split("/", 1)[0]
        q, spec = None, -1
        for mt, rq in ranges:
            canon = MEDIA_TYPE_ALIASES.get(mt, mt)
            if canon == offer or mt == offer:
                s = 3 if mt == offer else 2
            elif mt == f"{main}/*":
                s = 1
            elif mt == "*/*":
                s = 0
            else:
                continue
            if s > spec:
                q, spec = rq, s
        if q is not None and q > best_q:
            best, best_q = offer, q
    return best


def choose_media_type(offers: Sequence[str], what: str, fmt: str | None = None) -> str:
    """``format=`` if given, else the ``Accept`` header; raises a 406/400 :class:`APIError`."""
    fmt = fmt if fmt is not None else request.args.get("format")
    return pick_media_type(offers, what, fmt, request.headers.get("Accept"))


def pick_media_type(offers: Sequence[str], what: str, fmt: str | None, accept: str | None) -> str:
    """:func:`choose_media_type` without the request (safe in any thread)."""
    if fmt:
        mt = media_type_for_format(fmt) or (fmt.lower() if fmt.lower() in offers else None)
        if mt is None:
            raise APIError(400, "bad_request", f"unknown format {fmt!r}", detail={"formats": list(offers)})
        if mt not in offers:
            raise APIError(
                406, "not_acceptable", f"a {what} cannot be given as {mt}", detail={"acceptable": list(offers)}
            )
        return mt
    mt = negotiate(offers, accept)
    if mt is None:
        raise APIError(
            406,
            "not_acceptable",
            f"none of the media types in the Accept header can represent a {what}",
            detail={"accept": accept, "acceptable": list(offers)},
        )
    return mt


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXTUAL) else media_type


def result_response(result: Result, media_type: str, *, status: int = 200) -> Response:
    body = result.serialize(media_type)
    resp = Response(body, status=status, content_type=content_type(media_type))
    _result_headers(resp.headers, result.truncated, result.row_cap, result.generation)
    return resp


def _result_headers(headers, truncated: bool, row_cap: int | None, generation: str | None) -> None:
    headers["X-KG-Truncated"] = "true" if truncated else "false"
    if truncated and row_cap is not None:
        headers["X-KG-Row-Cap"] = str(row_cap)
    if generation:
        headers["X-KG-Generation"] = generation
    headers.add("Vary", "Accept")


def request_iri(url: str | None = None) -> str:
    """``request.base_url`` (or ``url``) checked to be an IRI: a hostile ``Host`` header is a 400, not a 500."""
    iri = url if url is not None else request.base_url
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise APIError(400, "bad_request", "the request's Host header does not make a valid IRI") from None
    return iri


# ---- reading a protocol request --------------------------------------------------------------------


def _parse_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("ascii") if raw.isascii() else raw.decode("utf-8")
        return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise APIError(400, "bad_encoding", f"the {where} is not valid UTF-8 ({e.reason} at byte {e.start})") from None


def _utf8_body(where: str) -> str:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise APIError(
            415, "unsupported_media_type", f"the {where} must be UTF-8, not {charset}", detail={"charset": charset}
        )
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as e:
        raise APIError(400, "bad_encoding", f"the {where} is not valid UTF-8 ({e.reason} at byte {e.start})") from None


class ProtocolRequest:
    def __init__(self) -> None:
        self.params: dict[str, list[str]] = {}
        for k, v in _parse_pairs(request.query_string, "query string"):
            self.params.setdefault(k, []).append(v)
        if request.method == "POST":
            mt = request.mimetype
            if mt == FORM:
                for k, v in _parse_pairs(request.get_data(cache=True), "form body"):
                    self.params.setdefault(k, []).append(v)
            elif mt == SPARQL_QUERY:
                self.params.setdefault("query", []).append(_utf8_body("query body"))
            elif mt == SPARQL_UPDATE:
                self.params.setdefault("update", []).append(_utf8_body("update body"))
            else:
                raise APIError(
                    415,
                    "unsupported_media_type",
                    f"POST to /sparql needs Content-Type {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}"
                    + (f", not {mt}" if mt else " (none was given)"),
                    detail={"content_type": mt or None, "accepted": [FORM, SPARQL_QUERY, SPARQL_UPDATE]},
                )

    def one(self, name: str) -> str | None:
        values = self.params.get(name, [])
        if len(values) > 1:
            raise APIError(400, "bad_request", f"the request has {len(values)} '{name}' parameters; give one")
        return values[0] if values else None

    def many(self, name: str) -> list[str] | None:
        values = self.params.get(name)
        return list(values) if values is not None else None

    def timeout(self) -> float | None:
        raw = self.one("timeout")
        if raw is None or raw == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            raise APIError(400, "bad_request", f"timeout must be a number of seconds, not {raw!r}") from None
        if not value > 0 or value != value:
            raise APIError(400, "bad_request", "timeout must be a positive number of seconds")
        return value


# ---- the endpoint -----------------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def sparql():
    req = ProtocolRequest()
    query = req.one("query")
    update = req.one("update")
    if query is not None and update is not None:
        raise APIError(400, "bad_request", "a request carries either a query or an update, not both")
    if update is not None:
        if request.method != "POST":
            raise APIError(
                400, "bad_request", "updates must be sent with POST (form-encoded or application/sparql-update)"
            )
        return _update(req, update)
    if query is None:
        if request.method == "POST":
            raise APIError(400, "bad_request", "the request has neither a 'query' nor an 'update'")
        return service_description()
    return _query(req, query)


def _query(req: ProtocolRequest, text: str) -> Response:
    if not text.strip():
        raise APIError(400, "malformed_query", "the query is empty")
    engine = get_engine()
    dg, ng = req.many("default-graph-uri"), req.many("named-graph-uri")
    timeout = req.timeout()
    base = request_iri()
    generation = request.environ.get("kg.generation") or engine.generation
    cache: ResultCache = current_app.extensions["kg.result_cache"]
    key = (
        generation,
        text,
        tuple(dg) if dg is not None else None,
        tuple(ng) if ng is not None else None,
        request.headers.get("Accept"),
        req.one("format"),
        base,
    )
    hit = cache.get(key) if generation is not None else None
    if hit is not None:
        body, media_type, truncated, cap = hit
        resp = Response(body, content_type=content_type(media_type))
        _result_headers(resp.headers, truncated, cap, generation)
        resp.headers["X-KG-Cache"] = g.kg_cache = "hit"
        return resp
    fmt = req.one("format")
    fmt = fmt if fmt is not None else request.args.get("format")
    accept = request.headers.get("Accept")
    answer = run_query(engine, text, lambda kind: pick_media_type(offers_for(kind), f"{kind.upper()} result", fmt, accept),
                       default_graph=dg, named_graphs=ng, timeout=timeout, base_iri=base)
    g.kg_query_kind = answer.kind
    resp = Response(answer.body, content_type=content_type(answer.media_type))
    _result_headers(resp.headers, answer.truncated, answer.row_cap, answer.generation)
    if generation is not None and answer.generation == generation:
        cache.put(key, (answer.body, answer.media_type, answer.truncated, answer.row_cap), len(answer.body) + len(text))
    resp.headers["X-KG-Cache"] = g.kg_cache = "miss"
    return resp


def offers_for(kind: str) -> tuple[str, ...]:
    return tuple(GRAPH_MEDIA_TYPES) if kind in ("construct", "describe") else RESULT_MEDIA_TYPES


def run_query(engine, text: str, pick, *, timeout: float | None = None, base_iri: str | None = None,
              default_graph=None, named_graphs=None) -> Answer:
    """Evaluate and serialise under the engine's time limit; ``pick(kind)`` chooses the media type.

    ``pick`` is first asked for the kind the query text announces, so an unacceptable ``Accept``
    is a 406 before any evaluation.
    """
    pick(query_kind(text))
    if hasattr(engine, "prepare"):
        prepared = engine.prepare(text, default_graph=default_graph, named_graphs=named_graphs, timeout=timeout,
                                  base_iri=base_iri)
        return engine.time_limit.run(lambda: prepared.answer(pick), prepared.seconds)
    result = engine.query(text, default_graph=default_graph, named_graphs=named_graphs, timeout=timeout,
                          base_iri=base_iri)
    media_type = pick(result.kind)
    return Answer(result.serialize(media_type), media_type, result.kind, result.truncated, result.row_cap,
                  result.generation)


def _update(req: ProtocolRequest, text: str) -> Response:
    authorize_write()
    engine = get_engine()
    if not engine.writable:
        raise APIError(403, "read_only", "this server opened its store read-only; updates are not possible here")
    engine.update(
        text,
        using_graph=req.many("using-graph-uri"),
        using_named_graph=req.many("using-named-graph-uri"),
        base_iri=request_iri(),
        timeout=req.timeout(),
    )
    resp = Response(status=204)
    resp.headers["X-KG-Generation"] = engine.generation or ""
    return resp


# ---- service description -----------------------------------------------------------------------------


def service_description() -> Response:
    offers = list(GRAPH_MEDIA_TYPES)
    if any(r.rule == "/" for r in current_app.url_map.iter_rules()):
        offers.append(TEXT_HTML)  # a browser that opens /sparql gets the query editor
    media_type = choose_media_type(offers, "service description")
    if media_type == TEXT_HTML:
        return redirect("/", code=303)
    engine = get_engine()
    endpoint = request_iri(request.base_url.rstrip("/"))
    cache: ResultCache = current_app.extensions["kg.result_cache"]
    key = ("sd", engine.generation, endpoint, request.host_url, media_type)
    body = cache.get(key)
    if body is None:
        body = serialize_triples(_sd_triples(engine, endpoint), GRAPH_MEDIA_TYPES[media_type], _SD_PREFIXES)
        cache.put(key, body, len(body))
    resp = Response(body, content_type=content_type(media_type))
    resp.headers.add("Vary", "Accept")
    return resp


_SD_PREFIXES = {
    "sd": str(SD),
    "void": str(VOID),
    "formats": FORMATS_NS,
    "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
}


def _sd_triples(engine, endpoint: str) -> list[ox.Triple]:
    N, L, B = ox.NamedNode, ox.Literal, ox.BlankNode
    sd = lambda local: N(str(SD) + local)  # noqa: E731
    void = lambda local: N(str(VOID) + local)  # noqa: E731
    rdf_type = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = N("http://www.w3.org/2000/01/rdf-schema#label")
    comment = N("http://www.w3.org/2000/01/rdf-schema#comment")
    xsd_int = N("http://www.w3.org/2001/XMLSchema#integer")
    svc = N(endpoint)
    out = [
        ox.Triple(svc, rdf_type, sd("Service")),
        ox.Triple(svc, sd("endpoint"), svc),
        ox.Triple(svc, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(svc, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(svc, sd("feature"), sd("EmptyGraphs")),
        ox.Triple(svc, sd("defaultEntailmentRegime"), N("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(svc, label, L("ipakg SPARQL endpoint", language="en")),
        ox.Triple(
            svc,
            comment,
            L(
                "International policy actions knowledge graph. The default graph is the union of all named graphs "
                "unless the request names graphs. ipakg " + __version__,
                language="en",
            ),
        ),
    ]
    if engine.writable and updates_enabled():
        out.append(ox.Triple(svc, sd("supportedLanguage"), sd("SPARQL11Update")))
    if getattr(engine, "service_allowlist", None):
        out.append(ox.Triple(svc, sd("feature"), sd("BasicFederatedQuery")))
    for mt in (*RESULT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES):
        out.append(ox.Triple(svc, sd("resultFormat"), N(FORMATS_NS + FORMAT_IRIS[mt])))
    for mt in GRAPH_MEDIA_TYPES:
        if engine.writable and updates_enabled():
            out.append(ox.Triple(svc, sd("inputFormat"), N(FORMATS_NS + FORMAT_IRIS[mt])))

    dataset, default = B(), B()
    out += [
        ox.Triple(svc, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, rdf_type, void("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
    ]
    try:
        sizes = engine.graph_sizes()
        total = engine.triple_count()
    except StoreError:
        sizes, total = {}, 0
    out.append(ox.Triple(default, void("triples"), L(str(total), datatype=xsd_int)))
    out.append(ox.Triple(dataset, void("triples"), L(str(total), datatype=xsd_int)))
    if getattr(engine, "generation", None):
        out.append(ox.Triple(dataset, N("http://purl.org/dc/terms/identifier"), L(str(engine.generation))))
    for name, n in sorted(sizes.items()):
        ng, graph = B(), B()
        out += [
            ox.Triple(dataset, sd("namedGraph"), ng),
            ox.Triple(ng, rdf_type, sd("NamedGraph")),
            ox.Triple(ng, sd("name"), N(name)),
            ox.Triple(ng, sd("graph"), graph),
            ox.Triple(graph, rdf_type, sd("Graph")),
            ox.Triple(graph, void("triples"), L(str(n), datatype=xsd_int)),
        ]
    out += _saved_query_triples(svc)
    return out


def _saved_query_triples(svc: ox.NamedNode) -> list[ox.Triple]:
    """The saved example queries, described as SHACL ``SPARQLExecutable``s (the SIB sparql-examples way)."""
    try:
        from kg import queries as saved
    except ImportError:
        return []
    try:
        found = saved.load_dir()
    except Exception:  # noqa: BLE001 - the saved-queries blueprint reports a broken folder loudly
        return []
    N, L = ox.NamedNode, ox.Literal
    rdf_type = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    sh = "http://www.w3.org/ns/shacl#"
    forms = {"SELECT": "SPARQLSelectExecutable", "ASK": "SPARQLAskExecutable", "CONSTRUCT": "SPARQLConstructExecutable"}
    out = []
    for q in found.values():
        node = N(request.host_url.rstrip("/") + "/queries/" + q.name)
        out.append(ox.Triple(node, rdf_type, N(sh + "SPARQLExecutable")))
        out.append(ox.Triple(node, rdf_type, N(sh + forms.get(q.form, "SPARQLSelectExecutable"))))
        out.append(ox.Triple(node, N("https://schema.org/target"), svc))
        for lang, text in q.title.items():
            if text:
                out.append(ox.Triple(node, N("http://www.w3.org/2000/01/rdf-schema#label"), L(text, language=_lang(lang))))
        for lang, text in q.description.items():
            if text:
                out.append(ox.Triple(node, N("http://www.w3.org/2000/01/rdf-schema#comment"), L(text, language=_lang(lang))))
        for tag in q.tags:
            out.append(ox.Triple(node, N("https://schema.org/keywords"), L(tag)))
        pred = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct"}.get(q.form, "select")
        out.append(ox.Triple(node, N(sh + pred), L(q.body)))
    return out


def _lang(code: str) -> str:
    return {"zh": "zh-Hant"}.get(code, code)


def init_app(app: Flask) -> None:
    cfg = app.config
    # KG_ON_QUERY_ABANDONED: called when a query is left running past its limit (server.asgi recycles the worker).
    time_limit = ThreadTimeLimit(on_abandon=cfg.get("KG_ON_QUERY_ABANDONED"),
                                 demote_after=priority.demote_after(cfg.get("KG_DEMOTE_AFTER")))
    writable = bool(cfg.get("KG_UPDATE_TOKEN")) and not cfg.get("KG_BACKEND")
    engine = cfg.get("KG_ENGINE") or open_engine(
        cfg["KG_STORE"],
        backend=cfg.get("KG_BACKEND"),
        writable=writable,
        timeout=float(cfg["KG_QUERY_TIMEOUT"]) if cfg.get("KG_QUERY_TIMEOUT") else None,
        row_cap=int(cfg["KG_ROW_CAP"]) if cfg.get("KG_ROW_CAP") else None,
        service_allowlist=cfg.get("KG_SERVICE_ALLOWLIST") or (),
        time_limit=time_limit,
    )
    app.extensions["kg.engine"] = engine
    cache_bytes = int(cfg.get("KG_RESULT_CACHE_BYTES") or os.environ.get("KG_RESULT_CACHE_BYTES") or 64 * 1024 * 1024)
    app.extensions["kg.result_cache"] = ResultCache(max_bytes=cache_bytes)


__all__ = [
    "bp",
    "init_app",
    "get_engine",
    "negotiate",
    "choose_media_type",
    "content_type",
    "result_response",
    "authorize_write",
    "updates_enabled",
    "LocalEngine",
]
