"""``kg push``: the built graphs land in a real ``oxigraph serve``, graph by graph, via GSP or SPARQL Update."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from kg.errors import StoreError
from kg.push import PushError, push
from kg.remote import RemoteEngine
from kg.sparql import LocalEngine
from tests.fixtures.served import KG, free_port, stop_server
from tests.test_remote import start_oxigraph


@pytest.fixture
def target(tmp_path):
    server = start_oxigraph(tmp_path / "db", tmp_path / "oxigraph.log")
    yield server
    stop_server(server.pid)


def _remote_sizes(server) -> dict[str, int]:
    return RemoteEngine(server.query, cache_seconds=0).graph_sizes()


def test_push_through_the_graph_store_protocol_copies_every_named_graph(sample_store, target):
    report = push(sample_store, target.update, graph_store=target.store)
    local = LocalEngine(sample_store).graph_sizes()
    assert report.method == "graph-store"
    assert report.graphs == local and report.triples == sum(local.values())
    assert report.requests == len(local)  # one PUT per graph
    assert _remote_sizes(target) == local


def test_push_falls_back_to_batched_sparql_update_without_a_graph_store(sample_store, target):
    report = push(sample_store, target.update, batch=10)
    local = LocalEngine(sample_store).graph_sizes()
    assert report.method == "sparql-update"
    assert report.requests > 2 * len(local)  # the first PUT, a DROP per graph and several INSERT DATA batches
    assert _remote_sizes(target) == local


def test_pushing_twice_replaces_each_graph_instead_of_adding_to_it(sample_store, target):
    push(sample_store, target.update, graph_store=target.store)
    RemoteEngine(target.query, update_url=target.update).update(
        "INSERT DATA { GRAPH <https://w3id.org/ipakg/id/graph/links> { <urn:stale> <urn:p> <urn:o> } }")
    push(sample_store, target.update, batch=7)  # second push via SPARQL Update
    assert _remote_sizes(target) == LocalEngine(sample_store).graph_sizes()


def test_the_pushed_triples_are_the_same_terms_not_just_the_same_counts(sample_store, target):
    push(sample_store, target.update, graph_store=target.store)
    graph = "https://w3id.org/ipakg/id/graph/ontology"
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    remote = set(map(str, RemoteEngine(target.query).query(q).triples))
    local = set(map(str, LocalEngine(sample_store).query(q).triples))
    assert remote == local and remote


def test_an_unreachable_target_is_a_store_error(sample_store):
    with pytest.raises(StoreError):
        push(sample_store, f"http://127.0.0.1:{free_port()}/update", timeout=2)


def test_an_endpoint_that_rejects_updates_is_a_push_error_naming_the_status(sample_store, target):
    with pytest.raises(PushError) as e:
        push(sample_store, target.query)  # the query endpoint refuses both PUT and updates
    assert e.value.detail["status"] >= 400


def test_kg_push_cli_prints_the_report_as_json(sample_store, target):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    r = subprocess.run([str(KG), "--store", str(sample_store.path), "push", "--to", target.update,
                        "--graph-store", target.store, "--json", "-q"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["method"] == "graph-store" and report["triples"] == sum(report["graphs"].values()) > 0


def test_kg_push_cli_rejects_a_malformed_header(sample_store, target):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    r = subprocess.run([str(KG), "--store", str(sample_store.path), "push", "--to", target.update,
                        "--header", "no-colon"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "--header" in r.stderr and "Traceback" not in r.stderr
