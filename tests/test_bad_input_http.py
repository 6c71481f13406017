"""The HTTP bad-input catalogue, on the real gunicorn: each bad request is a 4xx in the one JSON error shape (never
a 5xx, never a stack trace), and changes nothing (the generation and triple count in /health stay the same).

Paths go over a raw ``http.client`` connection where a client library would "fix" them (dot segments)."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest
import requests

SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def url(served_url) -> str:
    return served_url


@pytest.fixture(scope="module", autouse=True)
def nothing_changes(served_url):
    before = requests.get(served_url + "/health", timeout=10).json()
    yield
    after = requests.get(served_url + "/health", timeout=10).json()
    assert (after["generation"], after["triples"]) == (before["generation"], before["triples"])


def assert_error(r, status: int, kind: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/json"), r.headers["Content-Type"]
    err = r.json()["error"]
    assert set(err) == {"status", "kind", "message", "detail"} and err["status"] == status
    assert err["message"] and "\n" not in err["message"] and "Traceback" not in r.text
    if kind:
        assert err["kind"] == kind, err
    return err


def raw(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """Send ``path`` exactly as written (no dot-segment removal, no re-encoding)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, requests.structures.CaseInsensitiveDict(resp.getheaders()), resp.read()
    finally:
        conn.close()


# ---- /sparql ----------------------------------------------------------------------------------------

def test_a_malformed_query_is_a_400_that_says_where(url):
    err = assert_error(requests.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400,
                       "malformed_query")
    assert err["detail"].get("parser_message")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", "multipart/form-data; boundary=x"])
def test_a_post_without_or_with_the_wrong_content_type_is_a_415(url, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    status, hdrs, body = raw(url, "POST", "/sparql", SELECT.encode(), headers)
    assert status == 415 and hdrs["Content-Type"].startswith("application/json"), body[:200]


@pytest.mark.parametrize("body, content_type", [
    (b"SELECT * WHERE { ?s ?p \"\xff\xfe\" }", "application/sparql-query"),
    (b"query=SELECT+%2A+WHERE+%7B+%3Fs+%3Fp+%22%FF%22+%7D", FORM),
    (b"query=SELECT \xff", FORM),
    (b"ASK {}", "application/sparql-query; charset=latin-1"),
])
def test_a_body_that_is_not_utf8_is_a_4xx(url, body, content_type):
    r = requests.post(url + "/sparql", data=body, headers={"Content-Type": content_type})
    assert r.status_code in (400, 415)
    assert_error(r, r.status_code)


def test_a_query_string_that_is_not_utf8_is_a_400(url):
    status, _, body = raw(url, "GET", "/sparql?query=ASK%20%7B%20FILTER(%22%FF%22)%20%7D")
    assert status == 400, body[:200]


def test_both_query_and_update_is_a_400(url):
    r = requests.post(url + "/sparql", data={"query": SELECT, "update": "CLEAR ALL"})
    assert_error(r, 400)


def test_an_oversized_body_is_a_413_before_it_is_read(url):
    body = b"ASK {} #" + b"x" * (3 * 1024 * 1024)  # over the 2 MB default cap
    try:
        r = requests.post(url + "/sparql", data=body, headers={"Content-Type": "application/sparql-query"})
    except requests.ConnectionError:  # the server answered and closed while we were still sending: also a refusal
        return
    assert_error(r, 413, "body_too_large")


def test_a_lying_content_length_is_refused_without_waiting_for_the_body(url):
    status, _, _ = raw(url, "POST", "/sparql", None,
                       {"Content-Type": "application/sparql-query", "Content-Length": str(10 ** 12)})
    assert status == 413


def test_an_unsatisfiable_accept_is_a_406_everywhere(url):
    for path in ("/sparql?query=" + urllib.parse.quote(SELECT), "/id/entity/who", "/queries/documents"):
        assert_error(requests.get(url + path, headers={"Accept": "image/png"}), 406)


@pytest.mark.parametrize("params", [{"timeout": "soon"}, {"timeout": "-1"}, {"timeout": "nan"},
                                    {"format": "docx"}, {"default-graph-uri": "not an iri"}])
def test_a_sparql_parameter_of_the_wrong_type_is_a_400(url, params):
    r = requests.get(url + "/sparql", params={"query": SELECT, **params})
    assert_error(r, 400)


def test_a_huge_limit_is_answered_within_the_row_cap_or_refused_never_a_5xx(url):
    for limit in ("999999999999", "18446744073709551616", "1" + "0" * 60):
        r = requests.get(url + "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {limit}"},
                         headers={"Accept": "application/sparql-results+json"})
        assert r.status_code in (200, 400), (limit, r.status_code, r.text[:200])
        if r.status_code == 200:
            assert r.headers["X-KG-Truncated"] in ("true", "false")
        else:
            assert_error(r, 400)


def test_a_very_long_query_is_answered_or_refused_never_a_5xx(url):
    long_union = " UNION ".join(f"{{ BIND({i} AS ?x) }}" for i in range(3000))
    r = requests.post(url + "/sparql", data=f"SELECT ?x WHERE {{ {long_union} }}",
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert r.status_code in (200, 400, 503), r.status_code
    if r.status_code == 200:
        assert len(r.json()["results"]["bindings"]) == 3000


def test_a_get_query_longer_than_8_kb_reaches_the_endpoint(url):
    # The async workers have no request-line limit: a long GET is parsed and answered by the endpoint
    # (here a parse error in the JSON shape; tests/test_asgi.py has a long valid one answered 200).
    status, headers, body = raw(url, "GET", "/sparql?query=" + "A" * 20000)
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert b"malformed_query" in body and b"Traceback" not in body


@pytest.mark.parametrize("opener, closer", [("{", "}"), ("(", ")")])
def test_a_deeply_nested_query_is_a_400_and_the_worker_survives(url, opener, closer):
    depth = 20000
    text = ("SELECT * WHERE " + "{" * depth + "}" * depth if opener == "{"
            else "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }")
    try:
        r = requests.post(url + "/sparql", data=text, headers={"Content-Type": "application/sparql-query"},
                          timeout=30)
    finally:
        assert requests.get(url + "/health", timeout=30).status_code == 200
    assert_error(r, 400)


N = 20000  # every text below is well under the 2 MB body cap
STACK_EATERS = {
    "nested blank nodes": "SELECT * WHERE { ?s ?p " + "[ ?p " * N + "?o" + " ]" * N + " }",
    "a chain of +": "SELECT * WHERE { BIND(" + "+".join(["1"] * N) + " AS ?x) }",
    "a chain of -": "SELECT * WHERE { BIND(" + "-".join(["1"] * N) + " AS ?x) }",
    "a chain of *": "SELECT * WHERE { FILTER(" + "*".join(["1"] * N) + " = 1) }",
    "a chain of &&": "SELECT * WHERE { FILTER(" + " && ".join(["true"] * N) + ") }",
    "a join of many patterns": "SELECT * WHERE { " + " . ".join(f"?s{i} ?p ?o{i}" for i in range(N)) + " }",
    "a long predicate list": "SELECT * WHERE { ?s " + " ; ".join(f"<urn:p{i}> ?o{i}" for i in range(N)) + " }",
    "many projections": "SELECT " + " ".join(f"(1 AS ?v{i})" for i in range(N)) + " WHERE {}",
}


def test_no_text_under_the_body_cap_can_crash_a_worker(url):
    crashed = []
    for name, text in STACK_EATERS.items():
        try:
            r = requests.post(url + "/sparql", data=text, headers={"Content-Type": "application/sparql-query"},
                              timeout=60)
            assert r.status_code in (200, 400, 503), (name, r.status_code)
        except requests.ConnectionError:
            crashed.append(name)
            requests.get(url + "/health", timeout=60)  # let gunicorn bring the worker back before the next one
    assert crashed == []


# ---- saved queries ----------------------------------------------------------------------------------

def test_an_unknown_saved_query_is_a_404(url):
    assert_error(requests.get(url + "/queries/no-such-query", headers={"Accept": "application/json"}), 404)
    assert_error(requests.get(url + "/queries/..%2f..%2fetc%2fpasswd", headers={"Accept": "application/json"}), 404)


@pytest.mark.parametrize("path", [
    "/queries/most-targeted?min_actions=many",
    "/queries/most-targeted?min_actions=" + "9" * 5000,
    "/queries/timeline?from=yesterday",
    "/queries/timeline?from=2026-02-30",
    "/queries/most-targeted?timeout=never",
])
def test_a_saved_query_parameter_of_the_wrong_type_is_a_400(url, path):
    assert_error(requests.get(url + path, headers={"Accept": "application/sparql-results+json"}), 400)


@pytest.mark.parametrize("value", [
    "https://w3id.org/ipakg/id/entity/who> } UNION { ?s ?p ?o",
    "<https://w3id.org/ipakg/id/entity/who>",
    "who withdrew",
    "",
])
def test_an_iri_parameter_cannot_inject_sparql(url, value):
    r = requests.get(url + "/queries/cq2-facts-about-entity", params={"entity": value},
                     headers={"Accept": "application/sparql-results+json"})
    if r.status_code == 200:  # accepted only as one IRI: the answer is about that entity or nothing
        rows = r.json()["results"]["bindings"]
        assert len(rows) < 1000  # an injected UNION { ?s ?p ?o } would return every triple
    else:
        assert_error(r, 400)


def test_a_literal_parameter_is_bound_as_text_not_as_query(url):
    r = requests.get(url + "/queries/search-evidence", params={"text": '" ) } } SELECT * WHERE { ?s ?p ?o } #'},
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []


# ---- paths --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/id/../../etc/passwd",
    "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/..%2f..%2f..%2fetc%2fpasswd",
    "/id/%252e%252e/%252e%252e/etc/passwd",
    "/id/entity/..%5c..%5cetc%5cpasswd",
    "/doc/..%2f..%2fetc%2fpasswd",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fpyproject.toml",
    "/store/..%2f..%2fetc%2fpasswd",
    "/queries/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/id/entity/who%00.html",
])
def test_traversal_paths_never_reach_a_file(url, path):
    status, headers, body = raw(url, "GET", path)
    assert status in (400, 404), (path, status, body[:200])
    assert b"root:" not in body and b"[project]" not in body
    assert headers.get("Content-Type", "").startswith("application/json"), (path, headers.get("Content-Type"))


def test_an_unknown_path_and_a_wrong_method_are_json_errors(url):
    assert_error(requests.get(url + "/no/such/page"), 404)
    r = requests.delete(url + "/sparql")
    assert_error(r, 405)
    assert "GET" in r.headers["Allow"]
