"""Saved example queries over HTTP: ``/queries`` (HTML or JSON list) and ``/queries/<name>``.

``/queries/<name>`` runs one saved query with its parameters from the query string, bound by
``kg.queries`` (typed pyoxigraph terms, never pasted into the text), in any result format:
``format=json|xml|csv|tsv`` for SELECT/ASK, ``turtle|ntriples|jsonld|rdfxml|nquads|trig`` for
CONSTRUCT, ``html`` for a page with a parameter form, ``rq`` for the SPARQL text — or by
``Accept``. ``kg query NAME`` goes through the same ``kg.queries.run``.

The saved queries are loaded and checked when the app starts: a bad file stops the app with a
message naming it.
"""

from __future__ import annotations

from typing import Any, Iterable

from flask import Blueprint, Flask, Response, current_app, render_template, request

from kg import queries as saved
from kg.errors import InputError
from kg.namespaces import PREFIXES
from kg.sparql import (
    GRAPH_MEDIA_TYPES,
    JSON_RESULTS,
    RESULT_MEDIA_TYPES,
    media_type_for_format,
    normalize_media_type,
    open_engine,
)

bp = Blueprint("saved", __name__)

HTML = "text/html"
SPARQL_TEXT = "application/sparql-query"
TURTLE = "text/turtle"
RESERVED_ARGS = {"format", "timeout"}
ENGINE_KEY = "kg.engine"
QUERIES_KEY = "kg.queries"


def init_app(app: Flask) -> None:
    app.extensions[QUERIES_KEY] = saved.load_dir(app.config.get("KG_QUERIES_DIR") or None)


def registry() -> dict[str, saved.SavedQuery]:
    return current_app.extensions[QUERIES_KEY]


def engine():
    """The app's query engine, set up by ``server.sparql`` (opened here only if that module is absent)."""
    eng = current_app.extensions.get(ENGINE_KEY)
    if eng is None:
        cfg = current_app.config
        eng = current_app.extensions[ENGINE_KEY] = open_engine(
            cfg["KG_STORE"], backend=cfg.get("KG_BACKEND"), timeout=cfg.get("KG_QUERY_TIMEOUT"),
            row_cap=cfg.get("KG_ROW_CAP"), service_allowlist=cfg.get("KG_SERVICE_ALLOWLIST") or (),
        )
    return eng


def negotiate(offers: Iterable[str], *, aliases: dict[str, str] | None = None) -> str | None:
    """The ``format=`` parameter if given, else the best of ``offers`` for ``Accept`` (first offer if none)."""
    offers = list(offers)
    fmt = request.args.get("format")
    if fmt:
        wanted = {"html": HTML, "rq": SPARQL_TEXT, "sparql": SPARQL_TEXT}.get(fmt.lower()) or media_type_for_format(fmt)
        return wanted if wanted in offers else None
    if not request.accept_mimetypes:
        return offers[0]
    extra = {alias: target for alias, target in (aliases or {}).items() if target in offers}
    best = request.accept_mimetypes.best_match(offers + list(extra))
    return extra.get(best, best) if best else None


class NotAcceptable(InputError):
    """None of the formats a resource has matches the request's ``Accept`` (or ``format=``)."""

    http_status = 406
    kind = "not_acceptable"


def not_acceptable(offers: Iterable[str]) -> NotAcceptable:
    offers = list(offers)
    return NotAcceptable("none of the formats this resource has is acceptable: " + ", ".join(offers),
                         detail={"available": offers})


def _params() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in request.args if k not in RESERVED_ARGS}


def _timeout() -> float | None:
    raw = request.args.get("timeout")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"timeout must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise InputError("timeout must be positive")
    return value


@bp.get("/queries")
@bp.get("/queries.json")
@bp.get("/queries.ttl")
def list_queries() -> Response:
    """All saved queries with titles, descriptions, tags and parameters: HTML, JSON, or Turtle (sh:SPARQLExecutable)."""
    items = [q.to_json() | {"url": f"/queries/{q.name}"} for q in registry().values()]
    offers = [HTML, "application/json", TURTLE]
    if request.path.endswith(".json") or request.args.get("format") == "json":
        chosen = "application/json"
    elif request.path.endswith(".ttl") or request.args.get("format") in ("ttl", "turtle"):
        chosen = TURTLE
    else:
        chosen = negotiate(offers, aliases={JSON_RESULTS: "application/json"})
    resp: Response
    if chosen == TURTLE:
        root = request.url_root.rstrip("/")
        resp = Response(saved.to_turtle(registry(), base=root, endpoint=root + "/sparql"), mimetype=TURTLE)
    elif chosen == "application/json":
        resp = current_app.response_class(
            current_app.json.dumps({"queries": items}, ensure_ascii=False) + "\n", mimetype="application/json"
        )
    elif chosen == HTML:
        resp = Response(render_template("queries.html", queries=saved.ordered(registry())), mimetype=HTML)
    else:
        raise not_acceptable(offers)
    resp.vary.add("Accept")
    return resp


@bp.get("/queries/<name>")
def run_query(name: str) -> Response:
    """Run one saved query with parameters from the query string, in the negotiated format."""
    query = saved.get(registry(), name)
    data_types = list(GRAPH_MEDIA_TYPES) if query.form == "CONSTRUCT" else list(RESULT_MEDIA_TYPES)
    offers = data_types + [HTML, SPARQL_TEXT]
    chosen = negotiate(offers, aliases={"application/json": JSON_RESULTS, "text/plain": SPARQL_TEXT})
    if chosen is None:
        raise not_acceptable(offers)
    if chosen == SPARQL_TEXT:
        resp = Response(query.text, mimetype=SPARQL_TEXT)
    elif chosen == HTML:
        resp = Response(_page(query), mimetype=HTML)
    else:
        result = saved.run(engine(), query, _params(), timeout=_timeout())
        body = result.serialize(chosen, prefixes=PREFIXES)
        resp = Response(body, mimetype=normalize_media_type(chosen))
        if chosen.startswith("text/"):
            resp.charset = "utf-8"
        if result.truncated:
            resp.headers["X-KG-Truncated"] = f"row cap {result.row_cap}"
        ext = {"text/csv": "csv", "text/tab-separated-values": "tsv", "text/turtle": "ttl"}.get(chosen)
        if ext:
            resp.headers["Content-Disposition"] = f'inline; filename="{name}.{ext}"'
    resp.vary.add("Accept")
    return resp


def _page(query: saved.SavedQuery) -> str:
    values = _params()
    for key in values:
        query.param(key)  # unknown names are an error, as for the other formats
    error: dict[str, Any] | None = None
    result = None
    if not query.needs_internet:
        try:
            result = saved.run(engine(), query, values, timeout=_timeout())
        except InputError as e:  # a bad parameter: show the form again with the message
            error = {"message": e.message}
    return render_template("query.html", query=query, values=values, result=result, error=error)
