"""HTTP manners: security headers, CORS, ETag/304, gzip, body cap, error shape, /health, /metrics,
/openapi.json, the row cap and the result cache. Flask's test client on a real store, and the real
gunicorn where the wire matters."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
import requests

from server import create_app
from tests.fixtures.served import build_sample_store

SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app({"KG_STORE": str(sample_store.path), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def test_security_headers_are_on_every_response(client):
    for path in ("/sparql?query=ASK%7B%7D", "/health", "/no-such-page", "/openapi.json"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"]


def test_no_debug_mode_and_no_stack_trace_in_a_500(sample_store):
    app = create_app({"KG_STORE": str(sample_store.path), "TESTING": True})

    def boom():
        raise RuntimeError("secret internal detail /etc/passwd")

    app.add_url_rule("/boom", view_func=boom)
    r = app.test_client().get("/boom")
    assert r.status_code == 500
    assert r.json["error"]["kind"] == "internal_error"
    assert "secret" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert app.debug is False


def test_an_oversized_body_is_a_413_in_the_json_error_shape(sample_store):
    app = create_app({"KG_STORE": str(sample_store.path), "KG_MAX_BODY": 1000})
    r = app.test_client().post("/sparql", data="ASK {}" + " " * 5000, content_type="application/sparql-query")
    assert r.status_code == 413
    assert r.json["error"]["kind"] == "body_too_large" and r.json["error"]["detail"]["limit_bytes"] == 1000


def test_the_row_cap_truncates_with_an_explicit_signal(sample_store):
    app = create_app({"KG_STORE": str(sample_store.path), "KG_ROW_CAP": 2})
    c = app.test_client()
    r = c.get("/sparql", query_string={"query": SELECT_ALL})
    assert r.status_code == 200
    assert r.headers["X-KG-Truncated"] == "true" and r.headers["X-KG-Row-Cap"] == "2"
    assert r.json["truncated"] is True and len(r.json["results"]["bindings"]) == 2
    r = c.get("/sparql", query_string={"query": SELECT_ALL + " LIMIT 2"})
    assert r.headers["X-KG-Truncated"] == "false" and "truncated" not in r.json
    r = c.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert r.headers["X-KG-Truncated"] == "true" and len(r.get_data(as_text=True).strip().split("\n")) == 2


def test_a_repeated_query_is_answered_from_the_result_cache(client):
    q = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    first = client.get("/sparql", query_string=q)
    second = client.get("/sparql", query_string=q)
    assert second.headers["X-KG-Cache"] == "hit"
    assert first.get_data() == second.get_data()
    other = client.get("/sparql", query_string=q, headers={"Accept": "text/csv"})
    assert other.headers["X-KG-Cache"] == "miss" and other.mimetype == "text/csv"


def test_a_repeated_get_is_revalidated_with_an_etag_and_a_304(sample_url):
    params = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"}
    r = requests.get(sample_url + "/sparql", params=params)
    etag = r.headers["ETag"]
    r2 = requests.get(sample_url + "/sparql", params=params, headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b"" and r2.headers["ETag"] == etag
    r3 = requests.get(sample_url + "/sparql", params=params, headers={"If-None-Match": etag, "Accept": "text/csv"})
    assert r3.status_code == 200  # another representation, another tag


def test_the_etag_changes_with_a_new_generation(tmp_path):
    root = build_sample_store(tmp_path / "store")
    app = create_app({"KG_STORE": str(root.path)})
    c = app.test_client()
    q = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    r1 = c.get("/sparql", query_string=q)
    with root.build_lock():
        gen = root.begin()
        gen.store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b"),
                              ox.Literal("c"), ox.NamedNode("http://example.org/g")))
        root.commit(gen)
    r2 = c.get("/sparql", query_string=q, headers={"If-None-Match": r1.headers["ETag"]})
    assert r2.status_code == 200 and r2.headers["ETag"] != r1.headers["ETag"]
    assert r2.json["results"]["bindings"][0]["n"]["value"] == "1"
    assert r2.headers["X-KG-Generation"] == root.current_id()


def test_responses_are_gzipped_when_the_client_accepts_it(sample_url):
    r = requests.get(sample_url + "/sparql", headers={"Accept": "text/turtle", "Accept-Encoding": "gzip"}, stream=True)
    raw = r.raw.read(decode_content=False)
    assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
    assert gzip.decompress(raw).startswith(b"@prefix")
    r = requests.get(sample_url + "/sparql", headers={"Accept": "text/turtle", "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in r.headers


def test_cors_allows_reads_from_any_origin_by_default(sample_url):
    r = requests.get(sample_url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-KG-Truncated" in r.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_a_cors_preflight_is_answered(sample_url):
    r = requests.options(sample_url + "/sparql", headers={
        "Origin": "https://yasgui.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept",
    })
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"]


def test_cors_origins_can_be_restricted_or_turned_off(sample_store):
    app = create_app({"KG_STORE": str(sample_store.path), "KG_CORS_ORIGINS": "https://ok.example"})
    c = app.test_client()
    ok = c.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://ok.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://ok.example" and "Origin" in ok.headers["Vary"]
    other = c.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    off = create_app({"KG_STORE": str(sample_store.path), "KG_CORS_ORIGINS": ""}).test_client()
    assert "Access-Control-Allow-Origin" not in off.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://ok.example"}).headers


def test_health_reports_the_generation_and_the_triples(sample_url, sample_store):
    body = requests.get(sample_url + "/health").json()
    assert body["status"] == "ok" and body["generation"] == sample_store.current_id()
    assert body["triples"] > 0 and body["writable"] is False


def test_health_is_a_503_when_nothing_has_been_built(tmp_path):
    app = create_app({"KG_STORE": str(tmp_path / "empty")})
    r = app.test_client().get("/health")
    assert r.status_code == 503 and "kg build" in r.json["error"]["message"]
    r = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert r.status_code == 503 and r.json["error"]["kind"] == "store_unavailable"


def test_metrics_count_requests_by_route_and_status(sample_store):
    from server import ops

    app = create_app({"KG_STORE": str(sample_store.path)})
    c = app.test_client()
    before = ops.METRICS.snapshot()
    c.get("/sparql", query_string={"query": "ASK {}"})
    c.get("/sparql", query_string={"query": "ASK {"})
    text = c.get("/metrics").get_data(as_text=True)
    assert "# TYPE kg_http_requests_total counter" in text
    assert 'kg_http_requests_total{route="/sparql",method="GET",status="400"}' in text
    assert 'kg_http_request_duration_seconds_bucket{route="/sparql",le="+Inf"}' in text
    assert "kg_query_timeouts_total" in text
    after = ops.METRICS.snapshot()
    count = lambda s, st: sum(n for r, m, status, n in s["requests"] if r == "/sparql" and status == st)  # noqa: E731
    assert count(after, "200") == count(before, "200") + 1 and count(after, "400") == count(before, "400") + 1


def test_openapi_json_is_a_valid_openapi_3_document(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ("/sparql", "/store", "/health", "/metrics"):
        assert path in spec["paths"]
