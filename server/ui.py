"""The web UI: the query editor at ``/``, the timeline at ``/timeline``, the ontology at ``/ontology``.

Everything the pages need is served by the app itself from ``server/static/`` (no CDN: many users
are offline or behind firewalls). The template filters here turn RDF terms into safe HTML: IRIs
under ``https://w3id.org/ipakg/id/`` link to their local pages, Wikidata items to Wikidata, and
every label or literal is escaped (Jinja autoescape, and ``Markup.format`` for the filters).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from markupsafe import Markup

from kg import queries as saved
from kg.errors import KGError
from kg.namespaces import ID, IPA, PREFIXES

from .saved import engine, registry

bp = Blueprint("ui", __name__)

ID_NS = str(ID)
IPA_NS = str(IPA)
WD_NS = "http://www.wikidata.org/entity/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
TIMELINE_QUERY = "timeline"
# datatypes the value already shows (numbers, booleans): no badge
NUMERIC_OR_DATE = {"integer", "decimal", "double", "float", "date", "gYear", "gYearMonth"}  # kept on one line
QUIET_TYPES = {_XSD + t for t in ("string", "integer", "decimal", "double", "boolean")}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(term=term_html, href=local_href, curie=curie, lang_name=lang_name)
    app.jinja_env.globals.update(site_name="ipakg")


# ---- RDF terms as HTML --------------------------------------------------------------------------

def local_href(iri: str) -> str | None:
    """Where a browser should go for an IRI: our own page, Wikidata's page, or the IRI itself."""
    if iri.startswith(ID_NS):
        return "/id/" + iri[len(ID_NS):]
    if iri.startswith(IPA_NS):
        return "/ontology#" + iri[len(IPA_NS):]
    if iri.startswith(WD_NS):
        return "https://www.wikidata.org/wiki/" + iri[len(WD_NS):]
    if re.match(r"^https?://", iri):
        return iri
    return None


def curie(iri: str) -> str:
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


LANG_NAMES = {"en": "English", "zh-hant": "繁體中文", "zh-hans": "简体中文", "zh": "中文"}


def lang_name(tag: str | None) -> str:
    return LANG_NAMES.get((tag or "").lower(), tag or "")


def term_html(term: Any, label: str | None = None) -> Markup:
    """One RDF term (pyoxigraph term, SPARQL-JSON dict or ``None``) as escaped HTML."""
    if term is None:
        return Markup("")
    if isinstance(term, dict):  # SPARQL JSON results
        kind, value = term.get("type"), term.get("value", "")
        lang, datatype = term.get("xml:lang"), term.get("datatype")
    else:
        kind = {"NamedNode": "uri", "BlankNode": "bnode", "Literal": "literal"}.get(type(term).__name__, "literal")
        value = getattr(term, "value", str(term))
        lang = getattr(term, "language", None) if kind == "literal" else None
        datatype = term.datatype.value if kind == "literal" and not lang else None
    if kind == "uri":
        href = local_href(value)
        text = label or curie(value)
        cls = "res" if label else ("iri wd" if value.startswith(WD_NS) else "iri")
        if href is None:
            return Markup('<span class="{}" title="{}">{}</span>').format(cls, value, text)
        return Markup('<a class="{}" href="{}" title="{}">{}</a>').format(cls, href, value, text)
    if kind == "bnode":
        return Markup('<span class="bnode">_:{}</span>').format(value)
    numeric = bool(datatype) and datatype.rsplit("#", 1)[-1] in NUMERIC_OR_DATE
    out = Markup('<span class="{}">{}</span>').format("lit num" if numeric else "lit", value)
    if lang:
        out += Markup(' <span class="lang" title="{}">{}</span>').format(lang_name(lang), lang)
    elif datatype and datatype not in QUIET_TYPES:
        out += Markup(' <span class="dt">{}</span>').format(curie(datatype))
    return out


# ---- pages -------------------------------------------------------------------------------------

@bp.get("/")
def index() -> str:
    """The query editor, pre-filled from the saved examples; ``?query=`` restores a shared query."""
    queries = [q.to_json() for q in saved.ordered(registry())]
    return render_template("index.html", queries=queries, initial_query=request.args.get("query", ""))


@bp.get("/timeline")
def timeline() -> str:
    """The policy actions in date order (the ``timeline`` saved query), with evidence links."""
    query = saved.get(registry(), TIMELINE_QUERY)
    values = {k: v for k, v in request.args.items() if k in {p.name for p in query.params}}
    result = saved.run(engine(), query, values)
    groups: list[tuple[str, list[dict]]] = []
    events: dict[tuple[str, str], dict] = {}
    for row in result.rows:
        r = {v: row[i] for i, v in enumerate(result.variables)}
        day = r["date"].value
        key = (r["action"].value, r["date_role"].value)
        if key in events:  # one action with several targets is one event
            event = events[key]
        else:
            event = events[key] = r | {"targets": []}
            if not groups or groups[-1][0] != day:
                groups.append((day, []))
            groups[-1][1].append(event)
        if r.get("target") is not None and all(t["target"].value != r["target"].value for t in event["targets"]):
            event["targets"].append({"target": r["target"], "en": r.get("target_en"), "zh": r.get("target_zh")})
    count = len(events)
    return render_template("timeline.html", groups=groups, query=query, values=values, count=count)


@bp.get("/ontology")
def ontology() -> Response:
    """The ontology's documentation, written by ``kg.ontology.docs_html()``."""
    try:
        from kg.ontology import docs_html
    except ImportError as e:
        raise KGError("the ontology documentation is not available in this installation") from e
    html = docs_html()
    return Response(html, mimetype="text/html")
