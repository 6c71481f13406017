"""Security, on the real gunicorn: who may write, what a query may reach, what an error may say, which headers
every response carries, and that hostile text from an article or a label is rendered inert everywhere."""

from __future__ import annotations

import base64
import http.server
import re
import shutil
import threading
import urllib.parse

import pyoxigraph as ox
import pytest
import requests

from kg.build import build
from kg.store import StoreRoot
from tests.fixtures.served import start_server, stop_server

ID = "https://w3id.org/ipakg/id/"
IPA = "https://w3id.org/ipakg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
INSERT = f"INSERT DATA {{ GRAPH <{ID}graph/pwned> {{ <{ID}x> <{ID}y> \"pwned\" }} }}"
TURTLE = f"<{ID}x> <{ID}y> \"pwned\" .".encode()


def state(url: str) -> tuple:
    h = requests.get(url + "/health", timeout=10).json()
    return h["generation"], h["triples"]


# ---- writes need the token; reads never do ----------------------------------------------------------

def _bad_auth(token: str) -> list[dict]:
    return [
        {},                                                        # missing
        {"Authorization": "Bearer wrong-token"},                   # wrong
        {"Authorization": f"Bearer {token}x"},                     # a longer token that starts right
        {"Authorization": f"Bearer {token[:-1]}"},                 # a prefix of the token
        {"Authorization": "Bearer "},                              # empty
        {"Authorization": f"Basic {base64.b64encode(f'admin:{token}'.encode()).decode()}"},  # other scheme
        {"Authorization": f"Token {token}"},                       # other scheme, right token
        {"Authorization": token},                                  # no scheme
        {"X-Auth-Token": token},                                   # another header
        {"Cookie": f"token={token}"},                              # cookies are never credentials
    ]


def test_updates_are_refused_without_the_right_token_and_change_nothing(writable_server):
    url, before = writable_server.url, state(writable_server.url)
    for headers in _bad_auth(writable_server.token):
        r = requests.post(url + "/sparql", data={"update": INSERT}, headers=headers)
        assert r.status_code == 401, (headers, r.status_code)
        assert r.json()["error"]["kind"] == "unauthorized" and "WWW-Authenticate" in r.headers
        r = requests.post(url + "/sparql", data=INSERT.encode(),
                          headers={**headers, "Content-Type": "application/sparql-update"})
        assert r.status_code == 401
    r = requests.post(url + "/sparql", params={"access_token": writable_server.token}, data={"update": INSERT})
    assert r.status_code == 401  # the token is never taken from the URL (it would end up in logs)
    assert state(url) == before


def test_graph_store_writes_are_refused_without_the_right_token_and_change_nothing(writable_server):
    url, before = writable_server.url, state(writable_server.url)
    target = {"graph": ID + "graph/pwned"}
    for headers in _bad_auth(writable_server.token):
        h = {**headers, "Content-Type": "text/turtle"}
        for method in ("PUT", "POST"):
            assert requests.request(method, url + "/store", params=target, data=TURTLE, headers=h).status_code == 401
        assert requests.delete(url + "/store", params={"graph": ID + "graph/meta"}, headers=headers).status_code == 401
        assert requests.put(url + "/store", params={"default": ""}, data=TURTLE, headers=h).status_code == 401
    assert state(url) == before


def test_reads_need_no_token_even_where_writes_are_enabled(writable_server):
    url = writable_server.url
    assert requests.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    assert requests.post(url + "/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    graph = requests.get(url + "/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"},
                         headers={"Accept": "application/json"}).json()["results"]["bindings"][0]["g"]["value"]
    assert requests.get(url + "/store", params={"graph": graph}, headers={"Accept": "text/turtle"}).status_code == 200
    assert requests.get(url + "/id/entity/who", headers={"Accept": "text/turtle"}).status_code == 200


def test_the_right_token_writes_and_only_then(writable_server):
    url, auth = writable_server.url, writable_server.auth
    graph = ID + "graph/security-test"
    r = requests.put(url + "/store", params={"graph": graph}, data=TURTLE, headers={**auth, "Content-Type": "text/turtle"})
    assert r.status_code in (200, 201, 204)
    assert requests.get(url + "/sparql", params={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"}).json()["boolean"]
    assert requests.delete(url + "/store", params={"graph": graph}, headers=auth).status_code in (200, 204)


def test_a_read_only_server_refuses_writes_even_with_a_token_shaped_header(served_url):
    before = state(served_url)
    for headers in ({}, {"Authorization": "Bearer anything"}):
        r = requests.post(served_url + "/sparql", data={"update": INSERT}, headers=headers)
        assert r.status_code == 403 and r.json()["error"]["kind"] in ("updates_disabled", "read_only")
        r = requests.put(served_url + "/store", params={"graph": ID + "graph/pwned"}, data=TURTLE,
                         headers={**headers, "Content-Type": "text/turtle"})
        assert r.status_code in (403, 405)
    assert state(served_url) == before


# ---- SERVICE: no server-side request forgery --------------------------------------------------------

@pytest.fixture(scope="module")
def canary():
    """A local HTTP server that records every request: SERVICE must never reach it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _hit(self):
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_GET = do_POST = _hit

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/sparql", hits
    srv.shutdown()
    srv.server_close()


def _service_queries(endpoint: str) -> list[str]:
    base = endpoint.rsplit("/", 1)[0] + "/"
    return [
        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{endpoint}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{base}> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{base}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ #{{\n SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b \"}}\" OPTIONAL {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE<{endpoint}>{{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?x {{ ex:a\\.b }} SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ \"\"\"a\"\"\" }} SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
    ]


def test_service_is_refused_and_never_reaches_the_network(served_url, canary):
    endpoint, hits = canary
    for q in _service_queries(endpoint):
        r = requests.post(served_url + "/sparql", data={"query": q})
        assert r.status_code in (400, 403), (q, r.status_code, r.text[:200])
        assert r.json()["error"]["kind"] in ("service_not_allowed", "malformed_query")
    assert hits == []


def test_service_hidden_behind_a_prefixed_name_escape_is_still_refused(served_url, canary):
    endpoint, hits = canary
    q = ("PREFIX ex: <http://example.org/> SELECT * WHERE { VALUES ?x { ex:a\\' } "
         f"SERVICE <{endpoint}> {{ ?s ?p ?o }} FILTER(?x != 'x') }}")
    hits.clear()
    r = requests.post(served_url + "/sparql", data={"query": q})
    assert hits == [], "the server fetched a SERVICE endpoint that is not allow-listed"
    assert r.status_code in (400, 403)


def test_load_with_the_token_cannot_make_the_server_fetch_a_url(writable_server, canary):
    endpoint, hits = canary
    hits.clear()
    for update in (f"LOAD <{endpoint}>", f"LOAD SILENT <{endpoint}> INTO GRAPH <{ID}graph/loaded>"):
        r = requests.post(writable_server.url + "/sparql", data={"update": update}, headers=writable_server.auth)
        assert r.status_code in (400, 403), (update, r.status_code)
    assert hits == [], "LOAD fetched a URL that is not allow-listed"


# ---- no debug mode, no stack traces -------------------------------------------------------------------

def test_a_broken_store_is_a_503_that_leaks_no_trace(built_store, tmp_path):
    root = StoreRoot(tmp_path / "store")
    shutil.copytree(built_store.path, root.path, ignore=shutil.ignore_patterns("build.lock"))
    server = start_server(root, tmp_path / "gunicorn.log")
    try:
        assert requests.get(server.url + "/health").status_code == 200
        root._point_current_at("19700101T000000-000000000")  # CURRENT names a generation that is not there
        for path in ("/health", "/sparql?query=ASK%7B%7D", "/id/entity/who", "/queries/documents"):
            r = requests.get(server.url + path, headers={"Accept": "application/json"})
            assert 500 <= r.status_code < 600 or r.status_code == 404, (path, r.status_code)
            if r.status_code >= 500:
                assert r.status_code == 503, (path, r.status_code, r.text[:300])
                assert r.json()["error"]["kind"] == "store_unavailable"
            assert "Traceback" not in r.text and 'File "' not in r.text and "werkzeug" not in r.text.lower()
    finally:
        stop_server(server.pid)


def test_the_server_says_nothing_about_its_software_beyond_the_version_it_publishes(served_url):
    r = requests.get(served_url + "/no-such-page")
    assert "Werkzeug" not in r.headers.get("Server", "") and "Python" not in r.headers.get("Server", "")
    assert "X-Powered-By" not in r.headers


# ---- security headers -----------------------------------------------------------------------------------

def _script_src(csp: str) -> str:
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    return directives.get("script-src", directives.get("default-src", ""))


@pytest.mark.parametrize("path, headers", [
    ("/", {"Accept": "text/html"}),
    ("/timeline", {"Accept": "text/html"}),
    ("/queries", {"Accept": "text/html"}),
    ("/id/entity/who", {"Accept": "text/html"}),
    ("/id/entity/who", {"Accept": "text/turtle"}),
    ("/sparql?query=ASK%7B%7D", {}),
    ("/sparql?query=ASK%7B", {}),
    ("/no-such-page", {}),
    ("/health", {}),
    ("/reconcile", {}),
    ("/reconcile/preview?id=who", {}),
])
def test_every_response_carries_the_security_headers(served_url, path, headers):
    r = requests.get(served_url + path, headers=headers)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]
    csp = r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in _script_src(csp) and "'unsafe-eval'" not in _script_src(csp), csp
    assert "*" not in _script_src(csp).split()


# ---- HTML escaping: hostile text from an article and from a label ------------------------------------------

HOSTILE_ARTICLE = (
    f"On 7 January 2026 the United States announced {SCRIPT} that it would withdraw from the World Health "
    f"Organization {IMG}.\n"
)
HOSTILE_META = f"title: '{SCRIPT} exit'\npublisher: '{IMG} Wire'\npublished: 2026-01-08\nlanguage: en\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A store built by the real pipeline from an article whose text, title and publisher carry markup, plus an
    entity whose labels are markup; served by a real gunicorn."""
    base = tmp_path_factory.mktemp("hostile")
    article = base / "hostile.en.txt"
    article.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    (base / "hostile.en.txt.meta.yaml").write_text(HOSTILE_META, encoding="utf-8")
    root = StoreRoot(base / "store")
    report = build([article], root)
    doc_id = report.documents[0]["graph"].removeprefix(ID + "doc/").removesuffix("/graph")
    store = ox.Store(str(root.current_path()))  # the server is not running yet: add the hostile labels
    ent, g = ox.NamedNode(ID + "entity/local-hostile"), ox.NamedNode(ID + "graph/entities")
    store.extend([
        ox.Quad(ent, ox.NamedNode(RDF_TYPE), ox.NamedNode(IPA + "Organization"), g),
        ox.Quad(ent, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(SCRIPT + " & Partners", language="en"), g),
        ox.Quad(ent, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(IMG, language="zh-hant"), g),
        ox.Quad(ent, ox.NamedNode(SKOS + "altLabel"), ox.Literal('"><svg onload=alert(3)>', language="en"), g),
    ])
    store.flush()
    del store
    server = start_server(root, base / "gunicorn.log")
    yield server, doc_id
    stop_server(server.pid)


def assert_inert(html: str, where: str) -> None:
    assert SCRIPT not in html, where
    assert "<img src=x" not in html and "<svg onload" not in html, where
    assert not re.search(r"<[^>]+\son\w+\s*=", html.replace('"><svg', "")), where  # no injected handlers


def test_markup_in_article_text_title_and_publisher_is_inert_in_the_document_view(hostile):
    server, doc_id = hostile
    r = requests.get(f"{server.url}/doc/{doc_id}", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert_inert(r.text, "document view")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text  # shown as text, not dropped


def test_markup_in_evidence_is_inert_on_entity_fact_and_evidence_pages(hostile):
    server, _ = hostile
    page = requests.get(server.url + "/id/entity/who", headers={"Accept": "text/html"}).text
    assert_inert(page, "entity page")
    facts = set(re.findall(r'href="(/id/(?:fact|evidence)/[0-9a-f]+)"', page))
    assert facts, "the entity page links no facts or evidence"
    for path in sorted(facts)[:6]:
        assert_inert(requests.get(server.url + path, headers={"Accept": "text/html"}).text, path)


def test_markup_in_a_label_is_inert_on_its_page_the_ui_and_the_reconciliation_preview(hostile):
    server, _ = hostile
    page = requests.get(server.url + "/id/entity/local-hostile", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert_inert(page.text, "entity page")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    for path in ("/", "/timeline", "/queries", "/queries/entities-without-wikidata"):
        assert_inert(requests.get(server.url + path, headers={"Accept": "text/html"}).text, path)
    preview = requests.get(server.url + "/reconcile/preview", params={"id": "local-hostile"})
    assert preview.status_code == 200
    assert_inert(preview.text, "reconciliation preview")
    assert "script-src" not in preview.headers["Content-Security-Policy"] or \
        "'unsafe-inline'" not in _script_src(preview.headers["Content-Security-Policy"])


def test_markup_in_a_reconciliation_answer_is_json_not_html(hostile):
    server, _ = hostile
    r = requests.get(server.url + "/reconcile/suggest/entity", params={"prefix": "<script"})
    assert r.headers["Content-Type"].startswith("application/json")
    r = requests.post(server.url + "/reconcile", data={"queries": '{"q0": {"query": "<script>alert(1)</script>"}}'})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", [
    "/?query=" + urllib.parse.quote("</textarea><script>alert(1)</script>"),
    "/?query=" + urllib.parse.quote('"><img src=x onerror=alert(2)>'),
    "/timeline?from=" + urllib.parse.quote("<script>alert(1)</script>"),
    "/queries/timeline?from=" + urllib.parse.quote("<script>alert(1)</script>"),
    "/id/" + urllib.parse.quote("<script>alert(1)</script>"),
    "/doc/" + urllib.parse.quote("<script>alert(1)</script>"),
    "/reconcile/preview?id=" + urllib.parse.quote("<script>alert(1)</script>"),
    "/reconcile?callback=" + urllib.parse.quote("alert(1)//"),
])
def test_request_input_is_never_reflected_as_markup(hostile, path):
    server, _ = hostile
    r = requests.get(server.url + path, headers={"Accept": "text/html"})
    assert r.status_code < 500
    ctype = r.headers.get("Content-Type", "")
    if ctype.startswith("text/html"):
        assert_inert(r.text, path)
    if "callback=" in path:
        assert r.status_code == 400 or "alert(1)" not in r.text
