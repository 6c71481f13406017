"""Property-based fuzzing of the HTTP layer (hypothesis): random methods, paths, parameters, headers and bodies,
and random SPARQL-like token soup, never get a 500, and every error is the one JSON shape.

Runs on the real app and a real on-disk store through Flask's test client (no sockets, so hundreds of examples fit
in seconds); the wire itself is covered by the schemathesis run and the served tests."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import create_app

ROUTES = ["/", "/sparql", "/store", "/queries", "/queries.json", "/queries/timeline", "/queries/most-targeted",
          "/queries/cq2-facts-about-entity", "/id/entity/who", "/id/entity/", "/id/fact/0", "/id/graph/meta",
          "/doc/0", "/timeline", "/ontology", "/health", "/metrics", "/openapi.json", "/reconcile",
          "/reconcile/preview", "/reconcile/suggest/entity", "/reconcile/suggest/type",
          "/reconcile/suggest/property", "/reconcile/propose_properties", "/static/app.js", "/static/"]
PARAMS = ["query", "update", "format", "timeout", "default-graph-uri", "named-graph-uri", "using-graph-uri", "graph",
          "default", "id", "prefix", "queries", "extend", "callback", "from", "to", "min_actions", "entity", "type",
          "lang", "limit", "cursor", "q"]
MEDIA = ["application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
         "application/json", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
         "multipart/form-data; boundary=xyz", "text/plain; charset=latin-1", "*/*", "text/html", "image/png",
         "application/sparql-results+json;q=0.5, text/csv", "text/*;q=nonsense", ""]
SPARQL_WORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s", "?p", "?o", "*", ".",
                ";", ",", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "BIND", "AS", "VALUES",
                "LIMIT", "OFFSET", "ORDER", "BY", "GROUP", "COUNT", "REGEX", "STR", "<urn:x>", "<http://127.0.0.1:1/>",
                "ex:a", "ex:a\\'", "PREFIX", "ex:", "BASE", '"x"', "'y'", '"""z"""', "1", "-0.5e3", "true", "#", "\n",
                "a", "|", "/", "^", "+", "?", "!", "&&", "||", "=", "<", ">", "UNDEF", "INSERT", "DELETE", "DATA",
                "CLEAR", "ALL", "LOAD", "DROP", "\\u0053ERVICE", "%", "\x00", "é", "美國"]

header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@pytest.fixture(scope="module")
def client(served_store):
    app = create_app({"KG_STORE": str(served_store.path), "KG_QUERY_TIMEOUT": 2.0, "KG_MAX_BODY": 64 * 1024})
    return app.test_client()


def check(resp, what) -> None:
    assert resp.status_code != 500 and resp.status_code < 600, (what, resp.status_code, resp.get_data()[:300])
    if resp.status_code >= 500:  # only the deliberate ones: a query stopped at its limit, a store being switched
        assert resp.get_json()["error"]["kind"] in ("query_timeout", "store_unavailable"), what
    if resp.status_code >= 400 and resp.request.method != "HEAD":
        assert resp.mimetype == "application/json", (what, resp.status_code, resp.mimetype)
        body = resp.get_json()
        assert set(body["error"]) == {"status", "kind", "message", "detail"}, (what, body)
        assert body["error"]["status"] == resp.status_code
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", what


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]),
    route=st.sampled_from(ROUTES),
    suffix=st.one_of(st.just(""), st.text(max_size=20).map(lambda s: "/" + quote(s.lstrip("/"), safe="/%.~"))),
    params=st.lists(st.tuples(st.one_of(st.sampled_from(PARAMS), st.text(max_size=8)), st.text(max_size=40)),
                    max_size=4),
    accept=st.one_of(st.none(), st.sampled_from(MEDIA), header_text),
    content_type=st.one_of(st.none(), st.sampled_from(MEDIA), header_text),
    extra=st.dictionaries(st.sampled_from(["Authorization", "Origin", "If-None-Match", "Accept-Encoding",
                                           "Accept-Language", "Access-Control-Request-Method", "Range"]),
                          header_text, max_size=3),
    body=st.one_of(st.none(), st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
)
def test_random_requests_never_get_a_500(client, method, route, suffix, params, accept, content_type, extra, body):
    headers = dict(extra)
    if accept is not None:
        headers["Accept"] = accept
    if content_type is not None:
        headers["Content-Type"] = content_type
    path = route + (suffix if route.endswith("/") or route.startswith(("/id", "/doc", "/store", "/queries/")) else "")
    path = "/" + path.lstrip("/")  # "//x" would be a host name to the test client
    resp = client.open(path, method=method, query_string=params, headers=headers, data=body)
    check(resp, (method, path, params, headers, body))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(SPARQL_WORDS), min_size=1, max_size=25),
       as_form=st.booleans(), key=st.sampled_from(["query", "update"]))
def test_random_sparql_token_soup_never_gets_a_500(client, words, as_form, key):
    text = " ".join(words)
    if as_form:
        resp = client.post("/sparql", data={key: text})
    else:
        ct = "application/sparql-query" if key == "query" else "application/sparql-update"
        resp = client.post("/sparql", data=text.encode("utf-8"), content_type=ct)
    check(resp, text)
    if key == "update":
        assert resp.status_code in (400, 403, 415), (text, resp.status_code)  # read-only: never applied


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
                            lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                   st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                            max_leaves=12),
       field=st.sampled_from(["queries", "extend"]))
def test_random_reconciliation_payloads_never_get_a_500(client, payload, field):
    resp = client.post("/reconcile", data={field: json.dumps(payload)})
    check(resp, payload)
