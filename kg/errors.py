"""Typed errors of the library.

Every error the library raises on purpose derives from :class:`KGError`, carries a
one-line message fit for a terminal or a JSON error body, and maps to a CLI exit
code (0 ok, 1 validation failure, 2 usage or input error) and an HTTP status.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class. ``exit_code`` is what ``kg`` exits with; ``http_status`` what the server answers."""

    exit_code = 2
    http_status = 500
    kind = "error"

    def __init__(self, message: str, *, detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class InputError(KGError):
    """A file, argument or request the user gave us cannot be used (bad encoding, empty, unknown format...)."""

    exit_code = 2
    http_status = 400
    kind = "bad_input"


class ValidationError(KGError):
    """Data was read but fails a check (SHACL, reasoner consistency, evidence spans, gold thresholds)."""

    exit_code = 1
    http_status = 422
    kind = "validation_failed"


class ReasonerUnavailable(KGError):
    """The OWL reasoner cannot run here (no Java)."""

    exit_code = 2
    http_status = 503
    kind = "reasoner_unavailable"


class StoreError(KGError):
    """The store is missing, locked, or a generation cannot be opened or switched."""

    exit_code = 2
    http_status = 503
    kind = "store_unavailable"


class NoGeneration(StoreError):
    """No generation has been built yet (run ``kg build``)."""


class QuerySyntaxError(KGError):
    """A SPARQL query or update does not parse; ``detail`` carries the parser's message and position."""

    exit_code = 2
    http_status = 400
    kind = "malformed_query"


class QueryTimeout(KGError):
    """A query ran past its time limit and was stopped."""

    exit_code = 2
    http_status = 503
    kind = "query_timeout"


class NotFound(KGError):
    """An entity, saved query or graph that does not exist."""

    exit_code = 2
    http_status = 404
    kind = "not_found"


class ServiceNotAllowed(InputError):
    """A query calls ``SERVICE`` on an endpoint that is not allow-listed (or on a variable)."""

    http_status = 403
    kind = "service_not_allowed"


class ReadOnly(KGError):
    """A write was attempted on an engine that was opened read-only."""

    http_status = 403
    kind = "read_only"


class UnsupportedMediaType(InputError):
    http_status = 415
    kind = "unsupported_media_type"


class QueryTooComplex(QuerySyntaxError):
    """A query nested or chained so deeply that Oxigraph's recursive parser or planner would overflow its stack."""

    kind = "query_too_complex"
