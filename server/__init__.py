"""The HTTP face of ipakg: a Flask application factory.

``create_app(config)`` builds the app from defaults, then ``KG_*`` environment
variables, then the ``config`` mapping (tests pass a dict). Each feature is a
blueprint in its own module; the library (``kg``) does all graph work.

Run it with ``kg serve`` (gunicorn) or ``gunicorn 'server:create_app()'``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask

# Blueprint modules, each exposing ``bp`` (and optionally ``init_app(app)``).
BLUEPRINT_MODULES = [
    "server.errors",     # one JSON error shape for every error
    "server.ops",        # /health, /metrics, /openapi.json, security headers, CORS, ETag, gzip
    "server.sparql",     # /sparql: SPARQL 1.1 Protocol (query, update), service description
    "server.gsp",        # /store: Graph Store HTTP Protocol
    "server.saved",      # /queries, /queries/<name>
    "server.pages",      # /id/... entity pages, /doc/... document view
    "server.ui",         # /, /ontology, static assets
    "server.reconcile",  # /reconcile: W3C Reconciliation API 0.2
]

DEFAULTS: dict[str, Any] = {
    "KG_STORE": "var/store",
    "KG_QUERY_TIMEOUT": 30.0,        # seconds; a request may ask for less with timeout=
    "KG_DEMOTE_AFTER": 0.25,         # seconds of evaluation before a query yields the CPU (kg.priority); 0 = never
    "KG_ROW_CAP": 100_000,
    "KG_MAX_BODY": 2 * 1024 * 1024,  # bytes of request body
    "KG_UPDATE_TOKEN": None,         # updates and Graph Store writes are off unless set
    "KG_SERVICE_ALLOWLIST": [],      # SERVICE endpoints a query may call; empty = SERVICE refused
    "KG_CORS_ORIGINS": "*",
    "KG_BACKEND": None,              # URL of a remote SPARQL endpoint instead of the embedded store
}


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        raw = os.environ.get(key)
        if raw is None:
            continue
        if isinstance(default, bool):
            out[key] = raw.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            out[key] = int(raw)
        elif isinstance(default, float):
            out[key] = float(raw)
        elif isinstance(default, list):
            out[key] = [x.strip() for x in raw.split(",") if x.strip()]
        else:
            out[key] = raw
    return out


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.update(_from_env())
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["KG_MAX_BODY"]
    for module_name in BLUEPRINT_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name == module_name:  # feature not present in this tree
                continue
            raise
        if hasattr(module, "init_app"):
            module.init_app(app)
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
    return app
