"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol.

* Indirect identification: ``/store?graph=<IRI>`` or ``/store?default`` (the store's own default
  graph, which the build leaves empty: SPARQL's union default graph is a view, not a graph).
* Direct identification: ``/store/<path>`` names the graph whose IRI is the request URL.
* ``GET``/``HEAD`` read a graph (Turtle by default; any RDF format by ``Accept`` or ``format=``);
  ``GET /store`` with no graph gives the whole dataset as TriG or N-Quads. Reads need no token.
* ``PUT`` replaces a graph (201 when new, 204 otherwise), ``POST`` merges into it (also
  ``multipart/form-data`` with one RDF document per part), ``POST /store`` creates a new graph and
  answers 201 with its IRI in ``Location``, ``DELETE`` drops a graph (204, or 404).
* Writes are off (403) unless ``KG_UPDATE_TOKEN`` is configured, and need ``Authorization: Bearer``.
"""

from __future__ import annotations

import io
import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kg.sparql import GRAPH_MEDIA_TYPES, normalize_media_type, rdf_format

from .errors import APIError
from .sparql import authorize_write, choose_media_type, content_type, get_engine, request_iri

bp = Blueprint("gsp", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
DATASET_TYPES = ("application/trig", "application/n-quads")
_MISSING = object()


def _target(subpath: str | None):
    """The graph a request names: an IRI, ``None`` for the default graph, or ``_MISSING``."""
    if subpath is not None:
        if "graph" in request.args or "default" in request.args:
            raise APIError(400, "bad_request", "a graph named by its URL takes no 'graph' or 'default' parameter")
        return request_iri()
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if len(graphs) > 1:
        raise APIError(400, "bad_request", "give one 'graph' parameter")
    if graphs and default:
        raise APIError(400, "bad_request", "give either 'graph' or 'default', not both")
    if default:
        return None
    if graphs:
        iri = graphs[0]
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise APIError(400, "bad_request", f"graph {iri!r} is not an absolute IRI") from None
        return iri
    return _MISSING


@bp.route("/store", methods=METHODS, strict_slashes=False)
@bp.route("/store/<path:subpath>", methods=METHODS)
def store(subpath: str | None = None):
    graph = _target(subpath)
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    authorize_write()
    engine = get_engine()
    if not engine.writable:
        raise APIError(403, "read_only", "this server opened its store read-only; graph store writes are not possible")
    if request.method == "PUT":
        if graph is _MISSING:
            raise APIError(400, "bad_request", "PUT needs a graph: /store?graph=<IRI>, /store?default or /store/<path>")
        data, mt = _single_body()
        created = engine.put_graph(graph, data, mt, base_iri=graph or request_iri())
        return Response(status=201 if created else 204)
    if request.method == "POST":
        new = graph is _MISSING
        if new:
            graph = request_iri(request.host_url.rstrip("/") + "/store/" + uuid.uuid4().hex)
        documents = _documents()
        for data, mt in documents:
            _check_parses(data, mt, graph)
        created = False
        for data, mt in documents:
            created = engine.post_graph(graph, data, mt, base_iri=graph or request_iri()) or created
        resp = Response(status=201 if (new or created) else 204)
        if new or created:
            resp.headers["Location"] = graph
        return resp
    # DELETE
    if graph is _MISSING:
        raise APIError(400, "bad_request", "DELETE needs a graph: /store?graph=<IRI>, /store?default or /store/<path>")
    engine.delete_graph(graph)
    return Response(status=204)


def _read(graph) -> Response:
    engine = get_engine()
    if graph is _MISSING:
        mt = choose_media_type(DATASET_TYPES, "whole dataset")
        buf = io.BytesIO()
        engine.dump(buf, mt)
        return Response(buf.getvalue(), content_type=content_type(mt))
    mt = choose_media_type(tuple(GRAPH_MEDIA_TYPES), "graph")
    body = engine.get_graph(graph, mt)
    resp = Response(body, content_type=content_type(mt))
    resp.headers.add("Vary", "Accept")
    return resp


def _single_body() -> tuple[bytes, str]:
    mt = request.mimetype
    if not mt:
        raise APIError(415, "unsupported_media_type", "the body needs a Content-Type naming an RDF format",
                       detail={"accepted": list(GRAPH_MEDIA_TYPES)})
    if mt == "multipart/form-data":
        raise APIError(415, "unsupported_media_type", "PUT takes one RDF document, not multipart/form-data")
    _check_charset(request.mimetype_params.get("charset"))
    rdf_format(mt)  # 415 for a format we cannot read
    return request.get_data(cache=True), mt


def _documents() -> list[tuple[bytes, str]]:
    if request.mimetype != "multipart/form-data":
        return [_single_body()]
    docs = []
    for part in request.files.values():
        mt = part.mimetype
        if not mt or mt == "application/octet-stream":
            ext = (part.filename or "").rsplit(".", 1)[-1] if "." in (part.filename or "") else ""
            fmt = ox.RdfFormat.from_extension(ext) if ext else None
            if fmt is None:
                raise APIError(415, "unsupported_media_type", f"part {part.name!r} has no RDF Content-Type")
            mt = fmt.media_type
        _check_charset(part.mimetype_params.get("charset"))
        docs.append((part.read(), normalize_media_type(mt)))
    if not docs:
        raise APIError(400, "bad_request", "the multipart body has no file parts")
    return docs


def _check_charset(charset: str | None) -> None:
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise APIError(415, "unsupported_media_type", f"RDF bodies must be UTF-8, not {charset}")


def _check_parses(data: bytes, mt: str, graph) -> None:
    fmt = rdf_format(mt)  # 415 for a format we cannot read
    try:
        for _ in ox.parse(data, format=fmt, base_iri=graph or request_iri(), without_named_graphs=True):
            pass
    except (SyntaxError, ValueError) as e:
        raise APIError(400, "bad_rdf", f"the {mt} body does not parse: {e}") from None
