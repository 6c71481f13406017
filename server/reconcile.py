"""``/reconcile``: the W3C Entity Reconciliation API 0.2 for OpenRefine and other clients.

Routes (all answer CORS requests from anywhere, as the API requires):

* ``GET /reconcile`` — the service manifest (JSONP with ``?callback=``, which OpenRefine uses);
* ``GET|POST /reconcile`` with ``queries=<JSON batch>`` (form field, as OpenRefine sends it, or query string),
  or a POST whose JSON body is the batch — reconciliation results;
* ``GET|POST /reconcile`` with ``extend=<JSON>`` — data extension;
* ``GET /reconcile/preview?id=`` — an HTML card for the preview iframe;
* ``GET /reconcile/suggest/{entity,type,property}?prefix=&cursor=&limit=`` — auto-complete;
* ``GET /reconcile/propose_properties?type=&limit=`` — properties worth fetching for a type.

The work happens in :mod:`kg.reconcile`; this module only parses requests and shapes responses.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, request

from kg.errors import InputError, NotFound
from kg.reconcile import IndexCache, Service

from .sparql import get_engine

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")
JSONP_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


def init_app(app) -> None:
    app.extensions["kg.reconcile_index"] = IndexCache()


def _service() -> Service:
    index = current_app.extensions["kg.reconcile_index"].get(get_engine())
    return Service(index, request.host_url)


@bp.after_request
def _cors(response: Response) -> Response:
    for k, v in CORS.items():
        response.headers.setdefault(k, v)
    return response


def _json(data, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback and request.method == "GET":
        if not JSONP_CALLBACK.match(callback) or len(callback) > 128:
            raise InputError("callback must be a JavaScript identifier")
        # The leading comment keeps a browser from reading the response as something else (Rosetta Flash).
        return Response(f"/**/{callback}({body});", status=status, mimetype="application/javascript")
    return Response(body, status=status, mimetype="application/json")


def _json_param(name: str):
    raw = request.values.get(name)
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as e:
        raise InputError(f"{name} is not valid JSON: {e}") from None


@bp.route("", methods=["GET", "POST", "OPTIONS"], strict_slashes=False)
def endpoint():
    if request.method == "OPTIONS":
        return Response(status=204)
    service = _service()
    if "queries" in request.values:
        return _json(service.reconcile_batch(_json_param("queries")))
    if "extend" in request.values:
        return _json(service.extend(_json_param("extend")))
    if request.method == "POST" and request.is_json:
        body = request.get_json(silent=True)
        if body is None:
            raise InputError("the request body is not valid JSON")
        if isinstance(body, dict) and "ids" in body and "properties" in body:
            return _json(service.extend(body))
        if isinstance(body, dict) and isinstance(body.get("queries"), dict):
            body = body["queries"]
        return _json(service.reconcile_batch(body))
    if request.method == "POST":
        raise InputError("POST a form field queries=<JSON> or extend=<JSON>, or a JSON body")
    return _json(service.manifest())


@bp.get("/preview")
def preview():
    entity_id = request.args.get("id")
    if not entity_id:
        raise InputError("preview needs ?id=")
    html = _service().preview_html(entity_id)
    resp = Response(html, mimetype="text/html")
    # The card is shown in an iframe of OpenRefine (another origin): framing is allowed from anywhere (CSP
    # frame-ancestors overrides the server-wide X-Frame-Options), and the card may load nothing but its inline style.
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
    return resp


@bp.get("/suggest/<kind>")
def suggest(kind: str):
    service = _service()
    args = (request.args.get("prefix", ""), request.args.get("cursor", 0), request.args.get("limit"))
    if kind == "entity":
        return _json(service.suggest_entities(*args))
    if kind == "type":
        return _json(service.suggest_types(*args))
    if kind == "property":
        return _json(service.suggest_properties(*args))
    raise NotFound("suggest is /suggest/entity, /suggest/type or /suggest/property")


@bp.get("/propose_properties")
def propose_properties():
    return _json(_service().propose_properties(request.args.get("type"), request.args.get("limit")))
