"""The SPARQL 1.1 Protocol at /sparql, against a real gunicorn (``kg serve``) on 127.0.0.1.

Read-only requirements use the shared read-only server; writes use the token server on a copy.
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph

pytestmark = pytest.mark.served

ASK_ANY = "ASK { ?s ?p ?o }"
SELECT_3 = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3"
CONSTRUCT_3 = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
}
V100 = " ".join(str(i) for i in range(1, 101))
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{j} {{ {V100} }}" for j in range(4)) + " }"


def media(resp) -> str:
    return resp.headers.get("Content-Type", "").split(";")[0].strip()


def sparql(url, query, *, method="GET", accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        return requests.get(url + "/sparql", params={"query": query, **params}, headers=headers, timeout=30)
    return requests.post(url + "/sparql", data={"query": query, **params}, headers=headers, timeout=30)


# ---- the three ways to send a query -------------------------------------------------------------


def test_a_query_can_be_sent_by_get(sample_url):
    r = sparql(sample_url, ASK_ANY)
    assert r.status_code == 200 and media(r) == SRJ
    assert r.json() == {"head": {}, "boolean": True}


def test_a_query_can_be_sent_as_a_urlencoded_form(sample_url):
    r = sparql(sample_url, SELECT_3, method="POST")
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 3


def test_a_query_can_be_posted_directly(sample_url):
    r = requests.post(sample_url + "/sparql", data=SELECT_3.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert r.json()["head"]["vars"] == ["s", "p", "o"]


def test_the_default_graph_is_the_union_of_the_named_graphs(sample_url):
    union = sparql(sample_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    per_graph = sparql(sample_url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").json()
    n = int(union["results"]["bindings"][0]["n"]["value"])
    assert n > 0
    assert n <= int(per_graph["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_and_named_graph_uri_choose_the_dataset(sample_url):
    graphs = sparql(sample_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g LIMIT 2").json()
    g1 = graphs["results"]["bindings"][0]["g"]["value"]
    count_g1 = sparql(sample_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g1}> {{ ?s ?p ?o }} }}").json()
    only_g1 = sparql(sample_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": g1}).json()
    assert only_g1["results"]["bindings"][0]["n"] == count_g1["results"]["bindings"][0]["n"]
    # naming graphs replaces the whole dataset: an empty default graph when only named graphs are given
    named = sparql(sample_url, "ASK { ?s ?p ?o }", **{"named-graph-uri": g1}).json()
    assert named["boolean"] is False
    in_named = sparql(sample_url, "ASK { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": g1}).json()
    assert in_named["boolean"] is True


# ---- content negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [SRJ, SRX, "text/csv", "text/tab-separated-values"])
def test_select_results_come_in_every_results_format(sample_url, accept):
    r = sparql(sample_url, SELECT_3, accept=accept)
    assert r.status_code == 200 and media(r) == accept
    if accept == SRJ:
        assert len(r.json()["results"]["bindings"]) == 3
    elif accept == SRX:
        root = ET.fromstring(r.content)
        assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 3
    elif accept == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["s", "p", "o"] and len(rows) == 4
    else:
        lines = r.text.rstrip("\n").split("\n")
        assert lines[0] == "?s\t?p\t?o" and len(lines) == 4


@pytest.mark.parametrize("accept", list(RDF_PARSERS))
def test_construct_results_come_in_every_rdf_format(sample_url, accept):
    r = sparql(sample_url, CONSTRUCT_3, accept=accept)
    assert r.status_code == 200 and media(r) == accept
    g = Graph().parse(data=r.content, format=RDF_PARSERS[accept])
    assert len(g) == 3


def test_describe_is_rdf(sample_url):
    s = sparql(sample_url, SELECT_3).json()["results"]["bindings"][0]["s"]["value"]
    r = sparql(sample_url, f"DESCRIBE <{s}>", accept="text/turtle")
    assert r.status_code == 200 and media(r) == "text/turtle"
    assert len(Graph().parse(data=r.content, format="turtle")) > 0


def test_q_values_decide_between_acceptable_formats(sample_url):
    r = sparql(sample_url, SELECT_3, accept="application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1")
    assert media(r) == "text/csv"
    r = sparql(sample_url, CONSTRUCT_3, accept="application/rdf+xml;q=0.2, application/n-triples")
    assert media(r) == "application/n-triples"


def test_the_format_parameter_overrides_accept_for_browsers(sample_url):
    r = sparql(sample_url, SELECT_3, accept="text/html", format="csv")
    assert r.status_code == 200 and media(r) == "text/csv"
    r = sparql(sample_url, CONSTRUCT_3, format="jsonld")
    assert media(r) == "application/ld+json"


def test_nothing_acceptable_is_a_406(sample_url):
    r = sparql(sample_url, SELECT_3, accept="image/png")
    assert r.status_code == 406
    err = r.json()["error"]
    assert err["kind"] == "not_acceptable" and SRJ in err["detail"]["acceptable"]
    assert sparql(sample_url, SELECT_3, format="ttl").status_code == 406


# ---- bad requests --------------------------------------------------------------------------------------


def test_a_malformed_query_is_a_400_with_the_parser_message(sample_url):
    r = sparql(sample_url, "SELECT * WHERE { ?s ?p }")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["kind"] == "malformed_query"
    assert err["detail"]["line"] == 1 and err["detail"]["column"] > 0
    assert err["detail"]["parser_message"] in err["message"]


def test_a_post_with_the_wrong_media_type_is_a_415(sample_url):
    r = requests.post(sample_url + "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["error"]["kind"] == "unsupported_media_type"
    r = requests.post(sample_url + "/sparql", data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""})
    assert r.status_code == 415


def test_both_query_and_update_is_a_400(sample_url):
    r = requests.post(sample_url + "/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert r.status_code == 400


def test_neither_query_nor_update_in_a_post_is_a_400(sample_url):
    r = requests.post(sample_url + "/sparql", data={"format": "json"})
    assert r.status_code == 400


def test_two_queries_are_a_400(sample_url):
    r = requests.get(sample_url + "/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert r.status_code == 400


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("ASK {}".encode("utf-16"), "application/sparql-query"),
        (b"ASK { \xff }", "application/sparql-query"),
        (b"query=ASK%20%7B%20%FF%20%7D", "application/x-www-form-urlencoded"),
        (b"ASK {}", "application/sparql-query; charset=UTF-16"),
    ],
)
def test_a_non_utf8_body_is_a_400_never_a_500(sample_url, body, content_type):
    r = requests.post(sample_url + "/sparql", data=body, headers={"Content-Type": content_type})
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["status"] == r.status_code


def test_a_non_utf8_query_string_is_a_400(sample_url):
    r = requests.get(sample_url + "/sparql?query=ASK%20%7B%20%FF%20%7D")
    assert r.status_code == 400 and r.json()["error"]["kind"] == "bad_encoding"


def test_an_update_by_get_is_refused(sample_url):
    r = requests.get(sample_url + "/sparql", params={"update": "CLEAR ALL"})
    assert r.status_code == 400


# ---- limits ----------------------------------------------------------------------------------------


def test_a_query_past_its_time_limit_is_a_503_and_the_server_keeps_answering(sample_url):
    started = time.monotonic()
    r = sparql(sample_url, HEAVY, method="POST", timeout="1")
    assert time.monotonic() - started < 10
    assert r.status_code == 503
    err = r.json()["error"]
    assert err["kind"] == "query_timeout" and err["detail"]["limit_seconds"] == 1.0
    assert "1 s" in err["message"]
    for _ in range(5):  # the other worker answers at once; a fresh one replaces the stopped one
        assert sparql(sample_url, ASK_ANY).status_code == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        metrics = requests.get(sample_url + "/metrics").text
        if "kg_query_timeouts_total 0" not in metrics:
            break
        time.sleep(0.2)
    assert "kg_query_timeouts_total 0" not in metrics


def test_a_timeout_parameter_cannot_raise_the_server_limit(sample_url):
    r = sparql(sample_url, ASK_ANY, timeout="99999")
    assert r.status_code == 200
    assert sparql(sample_url, ASK_ANY, timeout="soon").status_code == 400
    assert sparql(sample_url, ASK_ANY, timeout="-1").status_code == 400


def test_service_is_refused_unless_allow_listed(sample_url):
    for q in (
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "PREFIX x: <http://169.254.169.254/> SELECT * WHERE { SERVICE SILENT x:latest { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    ):
        r = sparql(sample_url, q)
        assert r.status_code == 403, q
        assert r.json()["error"]["kind"] == "service_not_allowed"
    # a prefixed name with an escape must not fool the check into seeing a string (fail closed)
    q = ("PREFIX ex: <http://example.org/> SELECT * WHERE { VALUES ?x { ex:a\\' } "
         "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } FILTER(?x != 'x') }")
    assert sparql(sample_url, q).status_code == 403
    # text that reads like a SERVICE call inside a string is refused too, plain prose is not
    assert sparql(sample_url, "SELECT * WHERE { BIND('SERVICE <http://x/>' AS ?x) }").status_code == 403
    assert sparql(sample_url, "SELECT * WHERE { BIND('the service desk' AS ?x) }").status_code == 200


# ---- service description ----------------------------------------------------------------------------


def test_without_a_query_the_endpoint_describes_itself(sample_url):
    r = requests.get(sample_url + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and media(r) == "text/turtle"
    g = Graph().parse(data=r.text, format="turtle")
    q = """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
           PREFIX void: <http://rdfs.org/ns/void#>
           SELECT ?ep ?name ?n WHERE { ?svc sd:endpoint ?ep ; sd:supportedLanguage sd:SPARQL11Query ;
               sd:feature sd:UnionDefaultGraph ; sd:defaultDataset/sd:namedGraph ?ng .
               ?ng sd:name ?name ; sd:graph/void:triples ?n }"""
    rows = list(g.query(q))
    assert rows and all(str(ep) == sample_url + "/sparql" for ep, _, _ in rows)
    counts = {str(name): int(n) for _, name, n in rows}
    per_graph = sparql(sample_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").json()
    expected = {b["g"]["value"]: int(b["n"]["value"]) for b in per_graph["results"]["bindings"]}
    assert counts == expected


def test_the_service_description_lists_the_saved_queries(sample_url):
    r = requests.get(sample_url + "/sparql", headers={"Accept": "application/n-triples"})
    g = Graph().parse(data=r.text, format="nt")
    executables = set(g.subjects(predicate=None, object=None))
    listed = [s for s in executables if "/queries/" in str(s)]
    from kg import queries

    assert len(listed) == len(queries.load_dir())


# ---- writes ----------------------------------------------------------------------------------------


def test_updates_are_forbidden_without_the_token(sample_url, writable_server):
    r = requests.post(sample_url + "/sparql", data={"update": "CLEAR ALL"})
    assert r.status_code == 403 and r.json()["error"]["kind"] == "updates_disabled"
    r = requests.post(writable_server.url + "/sparql", data={"update": "CLEAR ALL"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.post(writable_server.url + "/sparql", data={"update": "CLEAR ALL"},
                      headers={"Authorization": "Bearer wrong-token"})
    assert r.status_code == 401
    assert sparql(writable_server.url, ASK_ANY).json()["boolean"] is True  # nothing was cleared


def test_graph_store_writes_are_forbidden_without_the_token(sample_url, writable_server):
    body = b"<http://example.org/s> <http://example.org/p> 1 ."
    r = requests.put(sample_url + "/store?graph=http://example.org/g", data=body, headers={"Content-Type": "text/turtle"})
    assert r.status_code == 403
    r = requests.put(writable_server.url + "/store?graph=http://example.org/g", data=body,
                     headers={"Content-Type": "text/turtle"})
    assert r.status_code == 401
    r = requests.delete(sample_url + "/store?default")
    assert r.status_code == 403


def test_with_the_token_an_update_is_applied_and_seen_at_once(writable_server):
    auth = writable_server.auth
    g = "http://example.org/protocol-test"
    r = requests.post(writable_server.url + "/sparql", headers={**auth, "Content-Type": "application/sparql-update"},
                      data=f"INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/a> <http://example.org/b> <rel> }} }}".encode())
    assert r.status_code == 204
    r = sparql(writable_server.url, f"SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    # relative IRIs resolve against the endpoint (the service-defined base IRI)
    assert r.json()["results"]["bindings"][0]["o"]["value"] == writable_server.url + "/rel"


def test_a_malformed_update_is_a_400(writable_server):
    r = requests.post(writable_server.url + "/sparql", data={"update": "CLEAR XYZ"}, headers=writable_server.auth)
    assert r.status_code == 400 and r.json()["error"]["kind"] == "malformed_query"


def test_using_graph_uri_cannot_be_combined_with_with(writable_server):
    r = requests.post(
        writable_server.url + "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
        data=b"WITH <http://example/a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        headers={**writable_server.auth, "Content-Type": "application/sparql-update"},
    )
    assert r.status_code == 400


def test_the_graph_store_protocol_round_trips_a_graph(writable_server):
    url, auth = writable_server.url, writable_server.auth
    graph = "http://example.org/gsp-test"
    ttl = b"@prefix ex: <http://example.org/> . ex:a ex:b ex:c ."
    r = requests.put(url + "/store", params={"graph": graph}, data=ttl, headers={**auth, "Content-Type": "text/turtle"})
    assert r.status_code == 201
    r = requests.put(url + "/store", params={"graph": graph}, data=ttl, headers={**auth, "Content-Type": "text/turtle"})
    assert r.status_code == 204
    r = requests.head(url + "/store", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and media(r) == "text/turtle"
    r = requests.post(url + "/store", params={"graph": graph}, headers=auth,
                      files={"one": ("more.nt", b"<http://example.org/d> <http://example.org/e> \"f\" .", "application/n-triples")})
    assert r.status_code == 204
    r = requests.get(url + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert len(Graph().parse(data=r.text, format="nt")) == 2
    r = requests.post(url + "/store", data=ttl, headers={**auth, "Content-Type": "text/turtle"})
    assert r.status_code == 201
    created = r.headers["Location"]
    assert requests.get(url + "/store", params={"graph": created}).status_code == 200
    assert requests.get(created).status_code == 200  # direct identification: the graph IRI is its URL
    assert requests.delete(url + "/store", params={"graph": graph}, headers=auth).status_code == 204
    r = requests.get(url + "/store", params={"graph": graph})
    assert r.status_code == 404 and r.json()["error"]["kind"] == "not_found"
    assert requests.head(url + "/store", params={"graph": graph}).status_code == 404


def test_a_graph_store_body_that_does_not_parse_is_a_400_and_changes_nothing(writable_server):
    url, auth = writable_server.url, writable_server.auth
    r = requests.put(url + "/store", params={"graph": "http://example.org/broken"}, data=b"this is not turtle",
                     headers={**auth, "Content-Type": "text/turtle"})
    assert r.status_code == 400
    assert requests.get(url + "/store", params={"graph": "http://example.org/broken"}).status_code == 404
    r = requests.put(url + "/store", params={"graph": "http://example.org/broken"}, data=b"x",
                     headers={**auth, "Content-Type": "application/pdf"})
    assert r.status_code == 415


def test_graph_store_reads_need_no_token(sample_url):
    graphs = sparql(sample_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1").json()
    g = graphs["results"]["bindings"][0]["g"]["value"]
    r = requests.get(sample_url + "/store", params={"graph": g}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and len(Graph().parse(data=r.text, format="turtle")) > 0


def test_the_json_error_shape_is_the_same_everywhere(sample_url):
    for r in (
        requests.get(sample_url + "/no-such-route"),
        requests.delete(sample_url + "/sparql"),
        sparql(sample_url, "SELECT"),
        requests.post(sample_url + "/sparql", data={"update": "CLEAR ALL"}),
    ):
        body = r.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"status", "kind", "message", "detail"}
        assert body["error"]["status"] == r.status_code
        assert "Traceback" not in json.dumps(body)
