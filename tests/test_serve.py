"""``kg serve``: refuses to start without a graph, and picks up a new generation without a restart."""

from __future__ import annotations

import os
import subprocess

import pyoxigraph as ox
import pytest
import requests

from kg.cli.serve import JEMALLOC
from tests.fixtures.served import KG, build_sample_store, start_server, stop_server


def test_serve_without_a_built_graph_exits_2_and_says_to_build(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    r = subprocess.run([str(KG), "--store", str(tmp_path / "nothing"), "serve", "--port", "0"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert "kg build" in r.stderr and "Traceback" not in r.stderr


def test_serve_refuses_a_write_token_with_a_remote_backend(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["KG_UPDATE_TOKEN"] = "t"
    r = subprocess.run([str(KG), "--store", str(tmp_path), "serve", "--backend", "http://127.0.0.1:9/sparql"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "--backend" in r.stderr


@pytest.mark.served
def test_a_new_generation_is_served_without_a_restart(tmp_path):
    root = build_sample_store(tmp_path / "store")
    server = start_server(root, tmp_path / "gunicorn.log", workers=1)
    try:
        first = requests.get(server.url + "/health").json()
        assert first["generation"] == root.current_id()
        with root.build_lock():
            gen = root.begin()
            gen.store.add(ox.Quad(ox.NamedNode("http://example.org/only"), ox.NamedNode("http://example.org/p"),
                                  ox.Literal("x"), ox.NamedNode("http://example.org/g")))
            root.commit(gen)
        second = requests.get(server.url + "/health").json()
        assert second["generation"] == root.current_id() != first["generation"]
        assert second["triples"] == 1
        r = requests.get(server.url + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
        assert [b["s"]["value"] for b in r.json()["results"]["bindings"]] == ["http://example.org/only"]
    finally:
        stop_server(server.pid)


def _worker_maps(master: int) -> list[str]:
    with open(f"/proc/{master}/task/{master}/children") as fh:
        workers = fh.read().split()
    maps = []
    for pid in workers:
        with open(f"/proc/{pid}/maps") as fh:
            maps.append(fh.read())
    return maps


@pytest.mark.served
@pytest.mark.skipif(not any(os.path.exists(p) for p in JEMALLOC),
                    reason="jemalloc (Debian libjemalloc2) is not installed; scripts/setup.sh installs it")
@pytest.mark.parametrize("allocator, preloaded", [("jemalloc", True), ("system", False)])
def test_workers_run_on_jemalloc_unless_the_system_allocator_is_asked_for(tmp_path, sample_store, allocator, preloaded):
    server = start_server(sample_store, tmp_path / "gunicorn.log", workers=1, extra_env={"KG_ALLOCATOR": allocator})
    try:
        assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
        maps = _worker_maps(server.pid)
        assert maps and all(("libjemalloc" in m) is preloaded for m in maps)
    finally:
        stop_server(server.pid)
