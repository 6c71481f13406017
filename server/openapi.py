"""The OpenAPI 3.0 description of the HTTP API, served at ``/openapi.json``.

Only the routes this app actually has are listed (a feature blueprint may be absent).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kg import __version__
from kg.sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES

ERROR = {"$ref": "#/components/responses/Error"}
_STR = {"type": "string"}
_OBJECT = {"type": "object"}


def _param(name: str, where: str = "query", *, required: bool = False, description: str = "", schema=None,
           explode: bool | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "in": where, "required": required, "schema": schema or _STR}
    if description:
        p["description"] = description
    if explode is not None:
        p["explode"] = explode
    return p


def _content(types, schema=None) -> dict[str, Any]:
    def default(t: str) -> dict[str, Any]:
        if t == "application/ld+json":
            return {}  # expanded JSON-LD is an array, compacted an object
        return _OBJECT if t.endswith("json") else _STR

    return {t: {"schema": schema or default(t)} for t in types}


_IRI_LIST = {"type": "array", "items": {"type": "string", "format": "uri"}}
_DATASET = [
    _param("default-graph-uri", description="A graph of the default graph (repeatable).", schema=_IRI_LIST),
    _param("named-graph-uri", description="A named graph of the dataset (repeatable).", schema=_IRI_LIST),
]
_QUERY_OPTS = [
    _param("timeout", description="Seconds; may only lower the server's limit.", schema={"type": "number", "exclusiveMinimum": True, "minimum": 0}),
    _param("format", description="Result format overriding Accept: json, xml, csv, tsv, ttl, nt, nq, jsonld, rdfxml, trig."),
]
_RESULTS = {
    "description": "Query results. `X-KG-Truncated: true` (and `\"truncated\": true` in JSON) when the row cap cut them.",
    "headers": {
        "X-KG-Truncated": {"schema": {"type": "string", "enum": ["true", "false"]}},
        "X-KG-Generation": {"schema": _STR},
        "ETag": {"schema": _STR},
    },
    "content": _content([*RESULT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES]),
}
_GRAPH = {"description": "An RDF graph.", "content": _content(GRAPH_MEDIA_TYPES)}
_NO_CONTENT = {"description": "Done."}
_AUTH = [{"bearer": []}]


def _sparql() -> dict[str, Any]:
    return {
        "get": {
            "summary": "SPARQL query by GET, or the Service Description when there is no query",
            "operationId": "sparqlGet",
            "parameters": [_param("query", description="A SPARQL 1.1 query."), *_DATASET, *_QUERY_OPTS],
            "responses": {"200": _RESULTS, "304": {"description": "Not modified (ETag)."}, "default": ERROR},
        },
        "post": {
            "summary": "SPARQL query or update by POST (form, application/sparql-query, application/sparql-update)",
            "operationId": "sparqlPost",
            "parameters": [*_DATASET, *_QUERY_OPTS,
                           _param("using-graph-uri", schema=_IRI_LIST), _param("using-named-graph-uri", schema=_IRI_LIST)],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"query": _STR, "update": _STR, "default-graph-uri": _IRI_LIST,
                                           "named-graph-uri": _IRI_LIST, "timeout": _STR, "format": _STR},
                        }
                    },
                    "application/sparql-query": {"schema": _STR},
                    "application/sparql-update": {"schema": _STR},
                },
            },
            "responses": {"200": _RESULTS, "204": {"description": "Update done."}, "default": ERROR},
        },
    }


def _store(direct: bool) -> dict[str, Any]:
    params = [_param("path", "path", required=True)] if direct else [
        _param("graph", description="IRI of the graph.", schema={"type": "string", "format": "uri"}),
        _param("default", description="Present (no value) for the default graph.", schema={"type": "string", "enum": [""]},
               ),
    ]
    body = {"required": True, "content": {**_content(GRAPH_MEDIA_TYPES), "multipart/form-data": {"schema": {"type": "object"}}}}
    return {
        "parameters": params,
        "get": {"summary": "Read a graph (or, with no graph named, the whole dataset)", "operationId": f"storeGet{'Direct' if direct else ''}",
                "responses": {"200": _GRAPH, "404": ERROR, "default": ERROR}},
        "head": {"summary": "Headers of a graph", "operationId": f"storeHead{'Direct' if direct else ''}",
                 "responses": {"200": {"description": "The graph exists."}, "404": {"description": "No such graph."}, "default": ERROR}},
        "put": {"summary": "Replace a graph", "operationId": f"storePut{'Direct' if direct else ''}", "security": _AUTH, "requestBody": body,
                "responses": {"201": {"description": "Created."}, "204": _NO_CONTENT, "default": ERROR}},
        "post": {"summary": "Add to a graph (or create a new one)", "operationId": f"storePost{'Direct' if direct else ''}", "security": _AUTH,
                 "requestBody": body,
                 "responses": {"201": {"description": "Created; Location names the graph."}, "204": _NO_CONTENT, "default": ERROR}},
        "delete": {"summary": "Delete a graph", "operationId": f"storeDelete{'Direct' if direct else ''}", "security": _AUTH,
                   "responses": {"204": _NO_CONTENT, "404": ERROR, "default": ERROR}},
    }


def _simple(summary: str, op: str, types=("application/json",), params=()) -> dict[str, Any]:
    return {"get": {"summary": summary, "operationId": op, "parameters": list(params),
                    "responses": {"200": {"description": "OK", "content": _content(types)}, "default": ERROR}}}


def _paths() -> dict[str, tuple[str, dict[str, Any]]]:
    """OpenAPI path -> (Flask rule prefix that must exist, path item)."""
    negotiated = ("text/html", "text/turtle", "application/ld+json", "application/n-triples")
    return {
        "/sparql": ("/sparql", _sparql()),
        "/store": ("/store", _store(False)),
        "/store/{path}": ("/store/", _store(True)),
        "/health": ("/health", _simple("Liveness: store generation and triple count", "health")),
        "/metrics": ("/metrics", _simple("Prometheus metrics", "metrics", ("text/plain",))),
        "/openapi.json": ("/openapi.json", _simple("This description", "openapi")),
        "/queries": ("/queries", _simple("The saved example queries", "listQueries", ("application/json", "text/html"))),
        "/queries/{name}": ("/queries/", _simple(
            "Run a saved query; its parameters are query parameters", "runQuery",
            (*RESULT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES, "text/html"),
            [_param("name", "path", required=True), *_QUERY_OPTS])),
        "/id/{path}": ("/id/", _simple("An entity, fact or other resource of the graph (content negotiation)",
                                        "describeResource", negotiated, [_param("path", "path", required=True)])),
        "/doc/{id}": ("/doc/", _simple("A source document with its evidence spans highlighted", "document",
                                        ("text/html",), [_param("id", "path", required=True)])),
        "/reconcile": ("/reconcile", {
            "get": {"summary": "W3C Reconciliation API 0.2: service manifest, or queries with ?queries=", "operationId": "reconcileGet",
                    "parameters": [_param("queries", description="A JSON object of queries.", schema={"type": "string", "minLength": 2}),
                                   _param("callback", description="JSONP: wrap the answer in this function call.")],
                    "responses": {"200": {"description": "OK", "content": _content(("application/json", "application/javascript"))},
                                  "default": ERROR}},
            "post": {"summary": "W3C Reconciliation API 0.2 queries", "operationId": "reconcilePost",
                     "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"queries": _STR}}}}},
                     "responses": {"200": {"description": "OK", "content": _content(("application/json",))}, "default": ERROR}},
        }),
        "/queries.json": ("/queries.json", _simple("The saved example queries as JSON", "listQueriesJson")),
        "/reconcile/preview": ("/reconcile/preview", _simple(
            "Reconciliation preview of an entity (HTML fragment)", "reconcilePreview", ("text/html",),
            [_param("id", required=True, description="Entity id (local name under id:entity/).")])),
        "/reconcile/suggest/{kind}": ("/reconcile/suggest/", _simple(
            "Reconciliation suggest (entity, type or property)", "reconcileSuggest", ("application/json",),
            [_param("kind", "path", required=True, schema={"type": "string", "enum": ["entity", "type", "property"]}),
             _param("prefix"), _param("cursor", schema={"type": "integer", "minimum": 0}),
             _param("limit", schema={"type": "integer", "minimum": 1})])),
        "/reconcile/propose_properties": ("/reconcile/propose_properties", _simple(
            "Reconciliation: properties proposed for a type", "reconcileProposeProperties", ("application/json",),
            [_param("type"), _param("limit", schema={"type": "integer", "minimum": 1})])),
        "/": ("/", _simple("The web UI (query editor, examples, timeline)", "ui", ("text/html",),
                           [_param("query", description="A query to put in the editor.")])),
        "/timeline": ("/timeline", _simple("Timeline of the policy actions", "timeline", ("text/html",))),
        "/ontology": ("/ontology", _simple("The ontology documentation", "ontology", ("text/html",))),
    }


def spec(server_url: str, app: Flask) -> dict[str, Any]:
    rules = [r.rule for r in app.url_map.iter_rules()]

    def present(prefix: str) -> bool:
        if prefix.endswith("/") and prefix != "/":
            return any(r.startswith(prefix) and len(r) > len(prefix) for r in rules)
        return prefix in rules or (prefix + "/") in rules

    paths = {p: item for p, (prefix, item) in _paths().items() if present(prefix)}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ipakg: international policy actions knowledge graph",
            "version": __version__,
            "description": "SPARQL 1.1 Protocol and Graph Store endpoint, saved queries, linked-data pages and "
                           "reconciliation. Every error has the shape {\"error\": {status, kind, message, detail}}.",
        },
        "servers": [{"url": server_url or "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "KG_UPDATE_TOKEN"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "kind", "message", "detail"],
                            "properties": {
                                "status": {"type": "integer"},
                                "kind": {"type": "string"},
                                "message": {"type": "string"},
                                "detail": {"type": "object"},
                            },
                        }
                    },
                }
            },
            "responses": {
                "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
        },
    }
