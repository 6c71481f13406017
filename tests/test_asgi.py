"""The ASGI front of ``kg serve`` (server/asgi.py): plain queries answered without Flask give exactly what the
Flask route gives; a query past its limit is a 503 while the same worker keeps answering, then the worker
recycles and the endpoint keeps answering; connections are kept alive; slow or long requests stall no one."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import http.client
import os
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import priority
from server.asgi import QueryThreads, _on_thread, create_asgi_app, form_value
from tests.fixtures.served import start_server, stop_server

SELECT_ALL = "SELECT ?s ?p ?o ?unbound WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
IGNORED = {"date", "server", "x-kg-cache"}


@pytest.fixture(scope="module")
def front(sample_store):
    return create_asgi_app({"KG_STORE": str(sample_store.path), "KG_CORS_ORIGINS": "https://a.example"})


def call_asgi(app, method: str, target: str, headers: dict, body: bytes = b""):
    path, _, qs = target.partition("?")
    if body:
        headers = {**headers, "Content-Length": str(len(body))}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": qs.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {"Host": "localhost", **headers}.items()],
             "client": ("127.0.0.1", 9), "server": ("localhost", 80)}
    sent, out = [False], []

    async def receive():
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        out.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in out if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in out if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, payload


def through_flask(front, method: str, target: str, headers: dict, body: bytes = b""):
    r = front.flask.test_client().open(target, method=method, headers=headers, data=body)
    return r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.get_data()


def fast_only(front):
    """Fail if the request falls through to Flask."""
    calls = []
    original = front.wsgi

    async def counting(scope, receive, send):
        calls.append(scope["path"])
        return await original(scope, receive, send)

    front.wsgi = counting
    return calls, lambda: setattr(front, "wsgi", original)


def same(a, b):
    (sa, ha, ba), (sb, hb, bb) = a, b
    assert sa == sb
    assert {k: v for k, v in ha.items() if k not in IGNORED} == {k: v for k, v in hb.items() if k not in IGNORED}
    assert ba == bb


FORMATS = [
    (SELECT_ALL, "application/sparql-results+json"), (SELECT_ALL, "application/sparql-results+xml"),
    (SELECT_ALL, "text/csv"), (SELECT_ALL, "text/tab-separated-values"), ("ASK { ?s ?p ?o }", "application/json"),
    (SELECT_ALL, "*/*"), (CONSTRUCT, "application/n-triples"), (CONSTRUCT, "text/turtle"),
    (CONSTRUCT, "application/ld+json"), (CONSTRUCT, "application/rdf+xml"), (CONSTRUCT, "application/n-quads"),
    (CONSTRUCT, "application/trig"), ("DESCRIBE <https://w3id.org/ipakg/id/entity/who>", "text/turtle"),
]


@pytest.mark.parametrize("query, accept", FORMATS)
@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_the_fast_path_answers_exactly_what_the_flask_route_answers(front, query, accept, how):
    headers = {"Accept": accept, "Origin": "https://a.example", "Accept-Encoding": "gzip"}
    if how == "get":
        request = ("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers, b"")
    elif how == "form":
        request = ("POST", "/sparql", {**headers, "Content-Type": "application/x-www-form-urlencoded"},
                   urllib.parse.urlencode({"query": query, "timeout": "5"}).encode())
    else:
        request = ("POST", "/sparql", {**headers, "Content-Type": "application/sparql-query"}, query.encode())
    calls, restore = fast_only(front)
    try:
        fast = call_asgi(front, *request)
    finally:
        restore()
    assert calls == [] and fast[0] == 200
    same(fast, through_flask(front, *request))


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p }",
                                   "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
                                   "SELECT * WHERE {" + "{" * 300 + "}" * 300 + "}"])
def test_a_refused_query_gets_the_same_json_error_from_both_paths(front, query):
    request = ("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), {"Origin": "https://a.example"}, b"")
    calls, restore = fast_only(front)
    try:
        fast = call_asgi(front, *request)
    finally:
        restore()
    assert calls == [] and fast[0] in (400, 403)
    same(fast, through_flask(front, *request))


def test_a_repeated_query_is_served_from_the_front_cache(front):
    target = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s a ?t }"})
    first = call_asgi(front, "GET", target, {})
    second = call_asgi(front, "GET", target, {})
    assert (first[1]["x-kg-cache"], second[1]["x-kg-cache"]) == ("miss", "hit")
    assert first[2] == second[2] and first[1]["etag"] == second[1]["etag"]


@pytest.mark.parametrize("target, headers", [
    ("/sparql?" + urllib.parse.urlencode({"query": "ASK {}", "default-graph-uri": "urn:x:g"}), {}),
    ("/sparql?" + urllib.parse.urlencode({"query": "ASK {}", "format": "xml"}), {}),
    ("/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), {"If-None-Match": '"x"'}),
    ("/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), {"Accept": "image/png"}),
    ("/sparql?" + urllib.parse.urlencode({"query": "ASK {}", "timeout": "soon"}), {}),
    ("/sparql", {}),
    ("/health", {}),
])
def test_anything_but_a_plain_query_is_answered_by_flask(front, target, headers):
    calls, restore = fast_only(front)
    try:
        status, _, _ = call_asgi(front, "GET", target, headers)
    finally:
        restore()
    assert calls == [target.partition("?")[0]] and status != 500


def _nice_after(cpu: float, wait: float = 0.0) -> tuple[int, int]:
    time.sleep(wait)
    spin_until = time.thread_time() + cpu
    while time.thread_time() < spin_until:
        pass
    me = threading.get_native_id()
    return me, priority.niceness(me)


@pytest.mark.skipif(not priority.SUPPORTED, reason="per-thread nice values are a Linux feature")
def test_a_query_thread_that_works_long_is_niced_then_retired_and_replaced_at_normal_priority():
    base = os.getpriority(os.PRIO_PROCESS, 0)

    async def scenario():
        pool = QueryThreads(2, demote_after=0.05)
        quick = [await _on_thread(pool, 5.0, _nice_after, 0.0) for _ in range(3)]
        waiting = await _on_thread(pool, 5.0, _nice_after, 0.0, 0.3)
        slow = await _on_thread(pool, 5.0, _nice_after, 0.3)
        after = [await _on_thread(pool, 5.0, _nice_after, 0.0) for _ in range(6)]
        await asyncio.sleep(0.05)
        return pool, quick, waiting, slow, after

    pool, quick, waiting, slow, after = asyncio.run(scenario())
    assert {nice for _, nice in quick} == {base} and waiting[1] == base  # waiting is not working
    assert slow[1] == min(19, base + priority.DEMOTE_STEP)
    assert {nice for _, nice in after} == {base}  # later queries never run on the niced thread
    assert slow[0] not in {tid for tid, _ in after}
    assert len(pool._threads) == 2 and all(t.is_alive() for t in pool._threads)


# ---- the real server ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_worker(sample_store, tmp_path_factory):
    """One worker, so "the same worker" is certain."""
    s = start_server(sample_store, tmp_path_factory.mktemp("asgi") / "gunicorn.log", workers=1, timeout=3.0)
    yield s
    stop_server(s.pid)


def test_a_timeout_is_a_503_while_the_same_worker_answers_others_then_it_recycles(one_worker):
    url = one_worker.url
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        attack = pool.submit(requests.post, url + "/sparql", data={"query": HEAVY, "timeout": "1"}, timeout=60)
        with requests.Session() as keep_alive:
            answered = [keep_alive.get(url + "/sparql", params={"query": f"ASK {{ ?s ?p {i} }}"}, timeout=30)
                        for i in range(5)]  # evaluated, not cached, while the attack runs on the only worker
            still_running = not attack.done()
            r = attack.result()
            # the recycling worker still answers on open connections, and closes them after the answer, so
            # clients move to a live worker instead of sending into a connection as it is shut
            last = keep_alive.get(url + "/sparql", params={"query": "ASK { ?s ?p 'last' }"}, timeout=30)
    assert still_running and [a.status_code for a in answered] == [200] * 5
    assert all(a.headers.get("Connection", "").lower() != "close" for a in answered)
    assert last.status_code == 200 and last.headers.get("Connection", "").lower() == "close"
    assert r.status_code == 503 and r.json()["error"]["kind"] == "query_timeout"
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Retry-After"]
    for i in range(10):  # the recycled worker's replacement answers
        assert requests.get(url + "/sparql", params={"query": f"ASK {{ ?s ?p {i + 100} }}"}, timeout=30).ok
    deadline = time.monotonic() + 15
    while "recycles" not in one_worker.log.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "recycles" in one_worker.log.read_text(errors="replace")
    assert "kg_query_timeouts_total 0" not in requests.get(url + "/metrics", timeout=30).text


def _worker_thread_nices(master: int) -> list[int]:
    """The nice value of every thread of the worker processes under ``master`` (Python 3.11 does not name
    threads for the kernel, so they are told apart by their nice value alone)."""
    nices = []
    for master_task in Path(f"/proc/{master}/task").iterdir():
        for pid in (master_task / "children").read_text().split():
            for task in Path(f"/proc/{pid}/task").iterdir():
                try:
                    stat = (task / "stat").read_text()
                except OSError:
                    continue
                nices.append(int(stat[stat.rindex(")") + 2:].split()[16]))
    return nices


@pytest.mark.skipif(not priority.SUPPORTED, reason="per-thread nice values are a Linux feature")
@pytest.mark.parametrize("path", ["fast", "flask"])
def test_a_long_query_yields_the_cpu_to_the_others_on_its_worker(one_worker, path):
    form = {"query": HEAVY, "timeout": "2", **({"format": "json"} if path == "flask" else {})}
    assert requests.get(one_worker.url + "/health", timeout=30).ok  # a worker is up (an earlier test recycled one)
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        attack = pool.submit(requests.post, one_worker.url + "/sparql", data=form, timeout=60)
        time.sleep(1.0)  # well past KG_DEMOTE_AFTER (0.25 s), well before the limit
        during = _worker_thread_nices(one_worker.pid)
        answered = requests.get(one_worker.url + "/sparql", params={"query": "ASK { ?s ?p 'yield' }"}, timeout=30)
        r = attack.result()
    base = os.getpriority(os.PRIO_PROCESS, one_worker.pid)
    assert r.status_code == 503 and answered.status_code == 200
    niced = min(19, base + priority.DEMOTE_STEP)
    assert during.count(niced) == 1 and set(during) == {base, niced}, during  # that query's thread, no other


def test_connections_are_kept_alive(one_worker):
    u = urllib.parse.urlsplit(one_worker.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    try:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))
        first = conn.getresponse()
        first.read()
        sock = conn.sock
        conn.request("GET", "/health")
        second = conn.getresponse()
        second.read()
        assert first.status == second.status == 200
        assert conn.sock is sock and first.getheader("Connection", "").lower() != "close"
    finally:
        conn.close()


def test_a_get_query_longer_than_8_kb_is_answered(one_worker):
    padding = "#" + "x" * 20000 + "\n"
    r = requests.get(one_worker.url + "/sparql", params={"query": padding + "ASK {}"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_a_timeout_on_the_flask_path_also_answers_503_and_recycles(one_worker):
    url = one_worker.url
    r = requests.post(url + "/sparql", data={"query": HEAVY, "timeout": "1", "format": "json"},
                      timeout=60)  # format= : the Flask route answers it
    assert r.status_code == 503 and r.json()["error"]["kind"] == "query_timeout"
    for i in range(5):
        assert requests.get(url + "/sparql", params={"query": f"ASK {{ ?s ?p {i + 200} }}"}, timeout=30).ok


def test_a_post_that_flask_must_answer_gets_its_body_replayed(front):
    body = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                   "named-graph-uri": "urn:x:none"}).encode()
    calls, restore = fast_only(front)
    try:
        status, headers, payload = call_asgi(front, "POST", "/sparql",
                                             {"Content-Type": "application/x-www-form-urlencoded",
                                              "Accept": "application/sparql-results+json"}, body)
    finally:
        restore()
    assert calls == ["/sparql"] and status == 200
    assert b'"value":"0"' in payload  # the dataset parameter was read from the replayed body


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_the_fast_form_decoder_reads_what_urllib_writes(text):
    assert form_value(urllib.parse.quote_plus(text).encode()) == text
    raw = urllib.parse.quote(text, safe="\\+").encode()  # literal backslashes and pluses too
    assert form_value(raw) == urllib.parse.unquote_plus(raw.decode())


@pytest.mark.parametrize("raw", [b"%", b"%4", b"%zz", b"a%e9", b"\xff", b"x%C3"])
def test_a_malformed_form_value_is_left_to_flask(raw):
    assert form_value(raw) is None
