"""``kg.remote.RemoteEngine`` and ``kg serve --backend``: our API on top of a real ``oxigraph serve``.

The remote store is an ``oxigraph serve --union-default-graph`` on a free 127.0.0.1 port, loaded with
``kg push`` from the small sample store; every answer is compared with the local engine on the same graph.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.errors import NotFound, QuerySyntaxError, StoreError
from kg.push import push
from kg.remote import RemoteEngine, bind_values
from kg.sparql import LocalEngine, ReadOnly
from tests.fixtures.served import free_port, start_server, stop_server

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
IPA = "https://w3id.org/ipakg/ontology#"
WHO = "https://w3id.org/ipakg/id/entity/who"


@dataclass
class OxigraphServer:
    base: str
    pid: int

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    @property
    def store(self) -> str:
        return self.base + "/store"


def start_oxigraph(location: Path, log: Path, *, union_default_graph: bool = True) -> OxigraphServer:
    """A real ``oxigraph serve`` on a free loopback port (stop it with ``stop_server(pid)``)."""
    port = free_port()
    cmd = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        cmd.append("--union-default-graph")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                return OxigraphServer(base=base, pid=proc.pid)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    stop_server(proc.pid)
    raise RuntimeError("oxigraph serve did not answer within 20 s")


@pytest.fixture(scope="module")
def remote(sample_store, tmp_path_factory):
    """``oxigraph serve`` holding the sample store's graphs (pushed once)."""
    base = tmp_path_factory.mktemp("remote-oxigraph")
    server = start_oxigraph(base / "db", base / "oxigraph.log")
    try:
        push(sample_store, server.update, graph_store=server.store)
        yield server
    finally:
        stop_server(server.pid)


@pytest.fixture(scope="module")
def engine(remote) -> RemoteEngine:
    return RemoteEngine(remote.query, timeout=10)


@pytest.fixture(scope="module")
def local(sample_store) -> LocalEngine:
    return LocalEngine(sample_store, timeout=10)


def _rows(result) -> set[tuple]:
    return {tuple(str(t) if t is not None else None for t in row) for row in result.rows}


def test_a_select_on_the_remote_endpoint_answers_the_same_rows_as_the_local_store(engine, local):
    q = f"SELECT ?f ?type ?actor WHERE {{ ?f a ?type ; <{IPA}actor> ?actor }}"
    remote_result, local_result = engine.query(q), local.query(q)
    assert remote_result.variables == local_result.variables == ["f", "type", "actor"]
    assert _rows(remote_result) == _rows(local_result) and remote_result.rows


def test_the_default_graph_is_the_union_of_the_pushed_named_graphs(engine, local):
    assert engine.triple_count() == local.triple_count()
    assert engine.graph_sizes() == local.graph_sizes()
    assert engine.named_graphs() == local.named_graphs()


def test_substitutions_bind_typed_terms_not_pasted_text(engine, local):
    q = "SELECT ?e ?label WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    subs = {"e": ox.NamedNode(WHO)}
    assert _rows(engine.query(q, substitutions=subs)) == _rows(local.query(q, substitutions=subs))
    hostile = ox.Literal('x" } ; DROP ALL ; #')
    text = bind_values("SELECT * WHERE { ?s ?p ?o }", {"o": hostile})
    assert "VALUES (?o)" in text and engine.query("SELECT * WHERE { ?s ?p ?o }", substitutions={"o": hostile}).rows == []


def test_a_construct_of_one_entity_returns_its_triples(engine, local):
    q = f"CONSTRUCT {{ <{WHO}> ?p ?o }} WHERE {{ <{WHO}> ?p ?o }}"
    got, want = engine.query(q), local.query(q)
    assert got.kind == "construct" and set(map(str, got.triples)) == set(map(str, want.triples)) and got.triples


def test_ask_and_dataset_parameters_are_passed_through(engine):
    graph = "https://w3id.org/ipakg/id/graph/links"
    assert engine.query("ASK { ?s ?p ?o }").boolean is True
    only_links = engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph])
    assert int(only_links.rows[0][0].value) == engine.graph_sizes()[graph]


def test_the_row_cap_truncates_and_says_so(remote):
    capped = RemoteEngine(remote.query, row_cap=3)
    result = capped.query("SELECT * WHERE { ?s ?p ?o }")
    assert len(result.rows) == 3 and result.truncated and result.row_cap == 3


def test_a_malformed_query_is_a_syntax_error_with_the_endpoint_message(engine):
    with pytest.raises(QuerySyntaxError) as e:
        engine.query("SELECT ?x WHERE { ?x ")
    assert e.value.detail["parser_message"] and e.value.http_status == 400


def test_an_unreachable_endpoint_is_a_store_error(tmp_path):
    dead = RemoteEngine(f"http://127.0.0.1:{free_port()}/query", timeout=2)
    with pytest.raises(StoreError) as e:
        dead.query("ASK {}")
    assert e.value.http_status == 503 and "cannot be reached" in e.value.message


def test_a_graph_can_be_read_back_as_turtle_and_a_missing_one_is_not_found(engine, local):
    graph = "https://w3id.org/ipakg/id/graph/links"
    data = engine.get_graph(graph, "text/turtle")
    assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) == local.graph_sizes()[graph]
    with pytest.raises(NotFound):
        engine.get_graph("https://example.org/no-such-graph", "text/turtle")


def test_the_served_backend_is_read_only_unless_write_endpoints_are_given(engine, remote):
    assert not engine.writable
    with pytest.raises(ReadOnly):
        engine.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    writer = RemoteEngine(remote.query, update_url=remote.update, graph_store_url=remote.store)
    g = "urn:ipakg:test:scratch"
    assert writer.put_graph(g, b"<urn:a> <urn:b> <urn:c> .", "application/n-triples") is True
    assert writer.graph_sizes()[g] == 1
    writer.delete_graph(g)
    assert g not in writer.named_graphs()


def test_the_generation_changes_after_a_write_and_with_time(remote):
    writer = RemoteEngine(remote.query, update_url=remote.update, cache_seconds=3600)
    before = writer.generation
    assert writer.generation == before
    writer.update("DROP SILENT GRAPH <urn:ipakg:test:none>")
    assert writer.generation != before
    uncached = RemoteEngine(remote.query, cache_seconds=0)
    assert uncached.generation != uncached.generation


@pytest.mark.served
def test_kg_serve_backend_serves_sparql_saved_queries_and_entity_pages_from_the_remote_store(remote, sample_store,
                                                                                           tmp_path, local):
    server = start_server(sample_store, tmp_path / "gunicorn.log", workers=1, extra_env={"KG_BACKEND": remote.query})
    try:
        health = requests.get(server.url + "/health", timeout=10).json()
        assert health["triples"] == local.triple_count() and health["generation"].startswith("remote-")
        r = requests.get(server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=10)
        assert r.status_code == 200
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == local.triple_count()
        page = requests.get(server.url + "/id/entity/who", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "World Health Organization" in page.text
        saved = requests.get(server.url + "/queries/cq2-facts-about-entity", params={"format": "json"}, timeout=10)
        assert saved.status_code == 200 and saved.json()["results"]["bindings"]
        bad = requests.get(server.url + "/sparql", params={"query": "SELECT ?x WHERE {"}, timeout=10)
        assert bad.status_code == 400 and bad.json()["error"]["kind"] == "malformed_query"
    finally:
        stop_server(server.pid)
