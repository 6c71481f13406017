"""HTTP manners shared by every route, and the operations endpoints.

* Security headers on every response (a view may set its own ``Content-Security-Policy``).
* CORS: ``KG_CORS_ORIGINS`` is ``*`` (default), a comma-separated list of origins, or empty (off).
  Reads (GET, HEAD, POST queries) are allowed cross-origin; preflights (``OPTIONS``) are answered
  here. Credentials are never allowed: writes use a bearer token, not cookies.
* ``ETag``/``304`` for GET on the data routes, keyed on the store generation and the request
  (path, query string, ``Accept``, ``Accept-Language``, gzip), so a revalidation costs no query.
* gzip when the client accepts it and the body is worth compressing.
* A request-body cap (``KG_MAX_BODY``) answered with a JSON 413 before the body is read.
* ``/health`` (generation, triples), ``/metrics`` (Prometheus text, summed over gunicorn workers
  through ``KG_METRICS_DIR``), ``/openapi.json``.
"""

from __future__ import annotations

import atexit
import gzip
import hashlib
import json
import os
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from kg import __version__
from kg.errors import StoreError

bp = Blueprint("ops", __name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
CORS_METHODS = "GET, HEAD, POST, OPTIONS"
CORS_HEADERS = ("accept", "accept-language", "content-type", "authorization", "if-none-match", "cache-control")
CORS_EXPOSE = "ETag, Location, X-KG-Truncated, X-KG-Row-Cap, X-KG-Generation, X-KG-Cache, Content-Disposition, Retry-After"
ETAG_PREFIXES = ("/sparql", "/store", "/queries", "/id/", "/doc/", "/ontology")
GZIP_MIN = 1024
_COMPRESSIBLE = ("text/", "application/json", "application/ld+json", "application/sparql-results", "application/n-",
                 "application/trig", "application/rdf+xml", "application/xml", "application/javascript",
                 "image/svg+xml")
_BOOT_ID = os.environ.get("KG_BOOT_ID") or ""
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


# ---- metrics ---------------------------------------------------------------------------------------


class Metrics:
    """Counters of one process; with ``KG_METRICS_DIR`` every worker writes its own file and a
    scrape sums them (counters of workers that ended stay counted)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency: dict[str, list[float]] = {}
        self.timeouts: dict[str, int] = defaultdict(int)
        self.cache: dict[str, int] = defaultdict(int)
        self.directory: Path | None = None
        self.pid = os.getpid()
        self._last_flush = 0.0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self.lock:
            self.requests[(route, method, str(status))] += 1
            h = self.latency.get(route)
            if h is None:
                h = self.latency[route] = [0.0] * (len(BUCKETS) + 2)  # buckets..., sum, count
            for i, edge in enumerate(BUCKETS):
                if seconds <= edge:
                    h[i] += 1
                    break
            h[-2] += seconds
            h[-1] += 1
        if self.directory is not None and time.monotonic() - self._last_flush > 1.0:
            self.flush()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": [[*k, v] for k, v in self.requests.items()],
                "latency": {k: list(v) for k, v in self.latency.items()},
                "timeouts": dict(self.timeouts),
                "cache": dict(self.cache),
            }

    def flush(self) -> None:
        if self.directory is None:
            return
        self._last_flush = time.monotonic()
        if self.pid != os.getpid():  # forked: start our own file
            self.pid = os.getpid()
        path = self.directory / f"{self.pid}.json"
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(self.snapshot()), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # metrics must never break serving

    def merged(self) -> dict[str, Any]:
        snaps = [self.snapshot()]
        if self.directory is not None and self.directory.is_dir():
            for f in self.directory.glob("*.json"):
                if f.stem == str(os.getpid()):
                    continue
                try:
                    snaps.append(json.loads(f.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
        requests: dict[tuple, int] = defaultdict(int)
        latency: dict[str, list[float]] = {}
        timeouts: dict[str, int] = defaultdict(int)
        cache: dict[str, int] = defaultdict(int)
        for s in snaps:
            for route, method, status, n in s["requests"]:
                requests[(route, method, status)] += n
            for route, h in s["latency"].items():
                acc = latency.setdefault(route, [0.0] * len(h))
                for i, v in enumerate(h):
                    acc[i] += v
            for route, n in s["timeouts"].items():
                timeouts[route] += n
            for k, n in s.get("cache", {}).items():
                cache[k] += n
        return {"requests": requests, "latency": latency, "timeouts": timeouts, "cache": cache}


METRICS = Metrics()


def _render_metrics(engine: Any) -> str:
    m = METRICS.merged()
    lines = [
        "# HELP kg_http_requests_total HTTP requests answered, by route, method and status.",
        "# TYPE kg_http_requests_total counter",
    ]
    for (route, method, status), n in sorted(m["requests"].items()):
        lines.append(f'kg_http_requests_total{{route="{_esc(route)}",method="{method}",status="{status}"}} {n}')
    lines += [
        "# HELP kg_http_request_duration_seconds Time to answer a request, by route.",
        "# TYPE kg_http_request_duration_seconds histogram",
    ]
    for route, h in sorted(m["latency"].items()):
        cumulative = 0.0
        for i, edge in enumerate(BUCKETS):
            cumulative += h[i]
            lines.append(f'kg_http_request_duration_seconds_bucket{{route="{_esc(route)}",le="{edge:g}"}} {cumulative:g}')
        lines.append(f'kg_http_request_duration_seconds_bucket{{route="{_esc(route)}",le="+Inf"}} {h[-1]:g}')
        lines.append(f'kg_http_request_duration_seconds_sum{{route="{_esc(route)}"}} {h[-2]:.6f}')
        lines.append(f'kg_http_request_duration_seconds_count{{route="{_esc(route)}"}} {h[-1]:g}')
    lines += [
        "# HELP kg_query_timeouts_total Queries stopped at their time limit.",
        "# TYPE kg_query_timeouts_total counter",
    ]
    total_timeouts = sum(m["timeouts"].values())
    lines.append(f"kg_query_timeouts_total {total_timeouts}")
    lines += [
        "# HELP kg_result_cache_total Result cache lookups on /sparql, by outcome.",
        "# TYPE kg_result_cache_total counter",
    ]
    for outcome in ("hit", "miss"):
        lines.append(f'kg_result_cache_total{{outcome="{outcome}"}} {m["cache"].get(outcome, 0)}')
    try:
        gen = engine.generation
    except StoreError:
        gen = None
    lines += [
        "# HELP kg_store_generation_info The store generation this worker answers from.",
        "# TYPE kg_store_generation_info gauge",
        f'kg_store_generation_info{{generation="{_esc(gen or "")}"}} 1',
        "# HELP kg_build_info Software version.",
        "# TYPE kg_build_info gauge",
        f'kg_build_info{{version="{_esc(__version__)}"}} 1',
    ]
    return "\n".join(lines) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# ---- headers ---------------------------------------------------------------------------------------


def _cors_setting() -> str | frozenset[str] | None:
    return current_app.extensions.get("kg.cors")


def _parse_cors(raw: Any) -> str | frozenset[str] | None:
    if raw is None:
        return None
    if isinstance(raw, (list, tuple, set)):
        items = [str(x).strip() for x in raw]
    else:
        items = [x.strip() for x in str(raw).split(",")]
    items = [x.rstrip("/") for x in items if x and x.lower() not in ("none", "off", "false")]
    if not items:
        return None
    if "*" in items:
        return "*"
    return frozenset(items)


def cors_headers(origin: str | None, setting: str | frozenset[str] | None) -> dict[str, str]:
    if setting is None or not origin:
        return {}
    if setting == "*":
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": CORS_EXPOSE}
    if origin.rstrip("/") in setting:
        return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": CORS_EXPOSE, "Vary": "Origin"}
    return {}


def _etag_for_request() -> str | None:
    if request.method not in ("GET", "HEAD") or not request.path.startswith(ETAG_PREFIXES):
        return None
    engine = current_app.extensions.get("kg.engine")
    if engine is None:
        return None
    try:
        generation = request.environ.get("kg.generation") or engine.generation
    except StoreError:
        return None
    if not generation:
        return None
    env = request.environ
    return etag_for(generation, env.get("PATH_INFO", ""), env.get("QUERY_STRING", ""), env.get("HTTP_ACCEPT", ""),
                    env.get("HTTP_ACCEPT_LANGUAGE", ""), _accepts_gzip(), bool(env.get("HTTP_AUTHORIZATION")))


def etag_for(generation: str, path: str, query_string: str, accept: str, accept_language: str, gz: bool,
             auth: bool) -> str:
    """The ``ETag`` of a GET on a data route (also computed by the ASGI front, ``server.asgi``)."""
    h = hashlib.blake2b(digest_size=12)
    for part in (generation, _BOOT_ID, __version__, path, query_string, accept, accept_language,
                 "gz" if gz else "", "auth" if auth else ""):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return f'"{h.hexdigest()}"'


def _accepts_gzip() -> bool:
    return accepts_gzip(request.environ.get("HTTP_ACCEPT_ENCODING", ""))


def accepts_gzip(header: str) -> bool:
    if "gzip" not in header and "*" not in header:
        return False
    for part in header.split(","):
        fields = [f.strip().lower() for f in part.split(";")]
        if fields[0] in ("gzip", "*"):
            for f in fields[1:]:
                if f.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
                    return False
            return True
    return False


def _if_none_match(etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    return etag in tags or f"W/{etag}" in tags


def _before() -> Response | None:
    g.kg_started = time.perf_counter()
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        from .errors import error_response

        return error_response(
            413,
            "body_too_large",
            f"the request body is larger than the {limit} bytes this server accepts",
            detail={"limit_bytes": limit, "content_length": request.content_length},
        )
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        return _preflight()
    etag = _etag_for_request()
    if etag is not None:
        g.kg_etag = etag
        if _if_none_match(etag):
            resp = Response(status=304)
            resp.headers["ETag"] = etag
            resp.headers["Vary"] = "Accept, Accept-Encoding, Accept-Language"
            return resp
    return None


def _preflight() -> Response:
    if request.url_rule is None:
        from .errors import error_response

        return error_response(404, "not_found", "no such resource")
    resp = Response(status=204)
    setting = _cors_setting()
    base = cors_headers(request.headers.get("Origin"), setting)
    if base:
        for k, v in base.items():
            resp.headers[k] = v
        resp.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        asked = [h.strip().lower() for h in request.headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
        allowed = [h for h in asked if h in CORS_HEADERS]
        resp.headers["Access-Control-Allow-Headers"] = ", ".join(allowed or CORS_HEADERS[:3])
        resp.headers["Access-Control-Max-Age"] = "86400"
    return resp


_STATIC_HEADERS = tuple(SECURITY_HEADERS.items()) + (("Content-Security-Policy", DEFAULT_CSP),)


def _after(resp: Response) -> Response:
    h = resp.headers
    present = {k.lower() for k in h.keys()}
    for k, v in _STATIC_HEADERS:
        if k.lower() not in present:
            h.add(k, v)
    for k, v in cors_headers(request.environ.get("HTTP_ORIGIN"), _cors_setting()).items():
        if k == "Vary":
            h.add("Vary", v)
        else:
            h[k] = v
    etag = g.get("kg_etag")
    if etag and resp.status_code == 200 and "no-store" not in h.get("Cache-Control", ""):
        h["ETag"] = etag
        if "cache-control" not in present:
            h["Cache-Control"] = f"public, max-age={int(current_app.config.get('KG_CACHE_MAX_AGE') or 0)}, must-revalidate"
    _maybe_gzip(resp)
    _vary_once(resp)
    _observe(resp.status_code)
    return resp


def _vary_once(resp: Response) -> None:
    values = resp.headers.get_all("Vary")
    if len(values) > 1:
        seen: list[str] = []
        for v in values:
            for item in v.split(","):
                item = item.strip()
                if item and item.lower() not in [s.lower() for s in seen]:
                    seen.append(item)
        resp.headers["Vary"] = ", ".join(seen)


def _maybe_gzip(resp: Response) -> None:
    if (
        resp.direct_passthrough
        or resp.is_streamed
        or resp.status_code != 200
        or request.method == "HEAD"
        or "Content-Encoding" in resp.headers
    ):
        return
    ct = resp.headers.get("Content-Type", "")
    if not ct.startswith(_COMPRESSIBLE):
        return
    resp.headers.add("Vary", "Accept-Encoding")
    if not _accepts_gzip():
        return
    data = resp.get_data()
    if len(data) < GZIP_MIN:
        return
    resp.set_data(gzip.compress(data, compresslevel=5, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"


def observe_fast(route: str, method: str, status: int, seconds: float, *, cache: str | None = None,
                 timed_out: bool = False) -> None:
    """Count a request answered outside Flask (the ASGI front, ``server.asgi``)."""
    if cache or timed_out:
        with METRICS.lock:
            if cache:
                METRICS.cache[cache] += 1
            if timed_out:
                METRICS.timeouts[route] += 1
    METRICS.observe(route, method, status, seconds)


def _observe(status: int) -> None:
    started = g.get("kg_started")
    if started is None:
        return
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    elapsed = time.perf_counter() - started
    if g.get("kg_error_kind") == "query_timeout":
        with METRICS.lock:
            METRICS.timeouts[route] += 1
    cache_state = g.get("kg_cache")
    if cache_state:
        with METRICS.lock:
            METRICS.cache[cache_state] += 1
    METRICS.observe(route, request.method, status, elapsed)


# ---- routes ----------------------------------------------------------------------------------------


@bp.route("/health")
def health():
    engine = current_app.extensions["kg.engine"]
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    try:
        body["generation"] = engine.generation
        if body["generation"] is None:
            raise StoreError("no graph has been built yet; run `kg build`")
        body["triples"] = engine.triple_count()
        body["writable"] = bool(engine.writable)
    except StoreError as e:
        from .errors import error_response

        return error_response(503, "store_unavailable", e.message)
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/metrics")
def metrics():
    METRICS.flush()
    text = _render_metrics(current_app.extensions["kg.engine"])
    resp = Response(text, content_type="text/plain; version=0.0.4; charset=utf-8")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/openapi.json")
def openapi():
    from .openapi import spec

    resp = jsonify(spec(request.host_url.rstrip("/"), current_app))
    return resp


def init_app(app: Flask) -> None:
    cors = _parse_cors(app.config.get("KG_CORS_ORIGINS", "*"))
    app.extensions["kg.cors"] = cors
    directory = app.config.get("KG_METRICS_DIR") or os.environ.get("KG_METRICS_DIR")
    if directory:
        METRICS.directory = Path(directory)
        atexit.register(METRICS.flush)
    app.before_request(_before)
    app.after_request(_after)
