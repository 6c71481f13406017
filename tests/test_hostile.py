"""Hostile queries against the real gunicorn: each is stopped at the time limit with a 503 in the JSON error shape,
while the server keeps answering everyone else. Behaviour, not timing: the limit is short (``timeout=1``) and the
assertions are about what comes back, not how fast. (``bench/hostile.py`` measures other clients' latency.)"""

from __future__ import annotations

import concurrent.futures as cf
import socket
import urllib.parse

import pytest
import requests

from tests.fixtures.served import start_server, stop_server

ASK = "ASK { ?s ?p ?o }"

HOSTILE = {
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "cartesian construct": "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "unbounded property path": "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:x:none>|^!<urn:x:none>)* ?o . "
                               "?o (!<urn:x:none>)* ?z }",
    "catastrophic regex": 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?t . ?c ?d ?e . '
                          'FILTER(REGEX(CONCAT(STR(?t), STR(?e)), "^(([a-z])+.)+[A-Z]([a-z])+$")) }',
    "huge group_concat": 'SELECT (STRLEN(GROUP_CONCAT(STR(?t); separator=",")) AS ?n) WHERE { ?a ?b ?t . ?c ?d ?e }',
    "huge sort": "SELECT ?a ?e WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(STR(?c)) STR(?f)",
}


@pytest.fixture(scope="module")
def server(served_store, tmp_path_factory):
    """Its own server (read-only stores can be opened by many processes): killed workers disturb no other test."""
    s = start_server(served_store, tmp_path_factory.mktemp("hostile") / "gunicorn.log", workers=2, timeout=3.0)
    yield s
    stop_server(s.pid)


def light_query(url: str) -> int:
    r = requests.get(url + "/sparql", params={"query": ASK}, headers={"Accept": "application/json"}, timeout=60)
    assert r.json()["boolean"] is True
    return r.status_code


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_query_is_stopped_with_a_503_and_others_are_still_answered(server, name):
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        attack = pool.submit(requests.post, server.url + "/sparql",
                             data={"query": HOSTILE[name], "timeout": "1"},
                             headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"}, timeout=60)
        others = [light_query(server.url) for _ in range(3)]  # answered while the attack runs
        r = attack.result()
    assert others == [200, 200, 200]
    assert r.status_code == 503, (name, r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers.get("Retry-After")
    assert r.headers["X-Content-Type-Options"] == "nosniff"  # even the watchdog's raw answer carries them
    err = r.json()["error"]
    assert err["kind"] == "query_timeout" and err["status"] == 503 and err["detail"]["limit_seconds"] == 1
    assert light_query(server.url) == 200


def test_a_timeout_cannot_be_raised_above_the_server_limit(server):
    r = requests.post(server.url + "/sparql", data={"query": HOSTILE["cartesian product"], "timeout": "3600"})
    assert r.status_code == 503 and r.json()["error"]["detail"]["limit_seconds"] == 3


def test_a_volley_of_hostile_queries_leaves_the_server_answering(server):
    with cf.ThreadPoolExecutor(max_workers=4) as pool:
        volley = [pool.submit(requests.post, server.url + "/sparql",
                              data={"query": q, "timeout": "1"}, timeout=60) for q in HOSTILE.values()]
        statuses = [f.result().status_code for f in volley]
    assert set(statuses) == {503}, statuses
    assert requests.get(server.url + "/health", timeout=60).status_code == 200
    assert light_query(server.url) == 200


def test_a_regex_too_big_to_compile_is_an_answer_not_a_crash(server):
    q = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "((((a{100}){100}){100}){100})")) }'
    r = requests.post(server.url + "/sparql", data={"query": q, "timeout": "1"})
    assert r.status_code in (200, 400, 503), r.status_code
    assert r.headers["Content-Type"].startswith("application/")
    assert light_query(server.url) == 200


def test_clients_that_never_finish_their_request_do_not_stall_the_server(server):
    u = urllib.parse.urlsplit(server.url)
    stalled = [socket.create_connection((u.hostname, u.port)) for _ in range(3)]  # more than the workers
    try:
        for s in stalled:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line that ends the header
        r = requests.get(server.url + "/health", timeout=3)
        assert r.status_code == 200
    finally:
        for s in stalled:
            s.close()
