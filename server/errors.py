"""One JSON error shape for every error the server answers::

    {"error": {"status": 400, "kind": "malformed_query", "message": "one line for humans", "detail": {...}}}

Handlers cover Werkzeug's HTTP errors (404, 405, 413...), the library's typed errors
(:class:`kg.errors.KGError`) and, as a last resort, any other exception: that one is logged
with its traceback on the server and answered as a bare 500 that leaks nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Flask, Response, g
from werkzeug.exceptions import HTTPException

from kg.errors import KGError

bp = Blueprint("errors", __name__)
log = logging.getLogger("kg.server")

# Werkzeug status -> our ``kind`` vocabulary (the library's kinds cover the rest).
HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    411: "length_required",
    413: "body_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "unprocessable",
    429: "too_many_requests",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
}


class APIError(Exception):
    """An error raised by a view with an explicit status, kind and extra headers."""

    def __init__(self, status: int, kind: str, message: str, *, detail: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.detail = detail or {}
        self.headers = headers or {}


def error_body(status: int, kind: str, message: str, detail: dict | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "kind": kind, "message": message, "detail": detail or {}}}


def error_bytes(status: int, kind: str, message: str, detail: dict | None = None) -> bytes:
    """The error body, byte for byte the same from Flask and from the ASGI front (``server.asgi``)."""
    return (json.dumps(error_body(status, kind, message, detail), ensure_ascii=False, sort_keys=True) + "\n").encode()


def kg_error_fields(e: KGError) -> tuple[int, str, str, Any, dict[str, str]]:
    """status, kind, message, detail and extra headers for a library error."""
    status = e.http_status
    headers = {"Retry-After": "5"} if status == 503 else {}
    if status >= 500 and e.kind == "error":  # an untyped library failure: say little
        log.error("library error: %s", e.message)
    return status, e.kind, _one_line(e.message), _jsonable(e.detail), headers


def error_response(
    status: int, kind: str, message: str, *, detail: dict | None = None, headers: dict | None = None
) -> Response:
    resp = Response(error_bytes(status, kind, message, detail), status=status, mimetype="application/json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _from_http(e: HTTPException) -> Response:
    status = e.code or 500
    message = e.description or e.name
    if status == 413:
        from flask import current_app

        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = f"the request body is larger than the {limit} bytes this server accepts"
        detail = {"limit_bytes": limit}
    else:
        detail = {}
    headers = {}
    if status == 405 and getattr(e, "valid_methods", None):
        headers["Allow"] = ", ".join(e.valid_methods)
        detail["allowed_methods"] = list(e.valid_methods)
    return error_response(status, HTTP_KINDS.get(status, "http_error"), _one_line(message), detail=detail, headers=headers)


def _from_kg(e: KGError) -> Response:
    g.kg_error_kind = e.kind
    status, kind, message, detail, headers = kg_error_fields(e)
    return error_response(status, kind, message, detail=detail, headers=headers)


def _from_api(e: APIError) -> Response:
    return error_response(e.status, e.kind, _one_line(e.message), detail=_jsonable(e.detail), headers=e.headers)


def _last_resort(e: Exception) -> Response:
    if isinstance(e, HTTPException):
        return _from_http(e)
    log.exception("unhandled error")
    return error_response(500, "internal_error", "the server failed to answer this request; the error has been logged")


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _jsonable(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _jsonable(v) for k, v in detail.items()}
    if isinstance(detail, (list, tuple, set)):
        return [_jsonable(v) for v in detail]
    if detail is None or isinstance(detail, (str, int, float, bool)):
        return detail
    return str(detail)


def init_app(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # never a debugger page or a traceback, even under TESTING
    app.debug = False
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(KGError, _from_kg)
    app.register_error_handler(APIError, _from_api)
    app.register_error_handler(Exception, _last_resort)
