"""Crash safety: ``kill -9`` of ``kg build`` at every stage, and a server worker ended in the middle of an update. Whatever the moment, the current generation still opens
and answers the competency queries exactly as before, no partial generation ever becomes current, the build lock
is free again, and the next build cleans the leftovers.

The kill points are the build's own progress lines on stderr, plus the moment its ``.partial`` store directory
appears (a race with the bulk load: the assertions hold whichever side wins)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kg import queries as saved
from kg.sparql import LocalEngine
from kg.store import StoreRoot
from tests.fixtures.paths import REPO
from tests.fixtures.served import start_server, stop_server

KG = Path(sys.executable).with_name("kg")
ARTICLE = ("On 7 January 2026 the United States announced that it would withdraw from the World Health "
           "Organization and from UNESCO.\n")
# (what the build is doing, the stderr line that says it has started it)
KILL_POINTS = [
    ("extracting", "extracting"),
    ("building graphs", "building graphs"),
    ("validating", "validating"),
    ("writing the store", "writing generation"),
    ("bulk loading into .partial", None),  # killed as soon as the .partial directory exists
]


@pytest.fixture(scope="module")
def root(built_store, tmp_path_factory) -> StoreRoot:
    r = StoreRoot(tmp_path_factory.mktemp("crash") / "store")
    shutil.copytree(built_store.path, r.path, ignore=shutil.ignore_patterns("build.lock"))
    return r


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("crash-src") / "who.en.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    (p.parent / (p.name + ".meta.yaml")).write_text("published: 2026-01-08\nlanguage: en\n", encoding="utf-8")
    return p


def competency_answers(root: StoreRoot) -> dict[str, str]:
    engine = LocalEngine(root, timeout=60)
    try:
        found = saved.load_dir()
        return {name: saved.run(engine, q).serialize("text/csv").decode()
                for name, q in sorted(found.items()) if name.startswith("cq")}
    finally:
        engine.close()


def partials(root: StoreRoot) -> list[str]:
    return sorted(p.name for p in root.generations_dir.iterdir() if p.name.endswith(".partial"))


def kill_build_at(root: StoreRoot, article: Path, marker: str | None) -> bool:
    """Start ``kg build`` and SIGKILL it when ``marker`` shows on stderr (or a .partial appears); True if killed."""
    proc = subprocess.Popen([str(KG), "--store", str(root.path), "build", str(article)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
    try:
        if marker is not None:
            for line in proc.stderr:
                if marker in line:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
        else:
            before = set(partials(root))
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if set(partials(root)) - before:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
                time.sleep(0.002)
    finally:
        rc = proc.wait(timeout=120)
        proc.stderr.close()
    return rc == -signal.SIGKILL


def test_kill_9_at_any_point_of_a_build_leaves_the_current_generation_serving(root, article):
    expected = competency_answers(root)
    assert expected and any(len(v.splitlines()) > 1 for v in expected.values()), "competency queries answer nothing"
    original = root.current_id()
    killed = []
    for what, marker in KILL_POINTS:
        was_killed = kill_build_at(root, article, marker)
        killed.append((what, was_killed))
        current = root.current_id()
        assert current is not None and not current.endswith(".partial"), what
        assert (root.generations_dir / current).is_dir(), what
        if current == original:
            assert competency_answers(root) == expected, f"killed while {what}: the answers changed"
        else:  # the build won the race and finished: its generation is whole and consistent
            assert not was_killed or marker is None, f"killed while {what}, yet CURRENT moved to {current}"
            original, expected = current, competency_answers(root)
    assert sum(k for _, k in killed) >= len(KILL_POINTS) - 1, killed  # the .partial race may be lost once


def test_the_next_build_cleans_the_leftovers_and_the_lock_is_free(root, article):
    if not partials(root):  # the previous test's last kill normally leaves one
        kill_build_at(root, article, None)
    assert partials(root)
    before = root.current_id()
    r = subprocess.run([str(KG), "--store", str(root.path), "build", "-q", str(article)], cwd=REPO,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr  # the lock of the killed build died with it
    assert root.current_id() != before
    assert partials(root) == []
    assert not list(root.path.glob("CURRENT.tmp*"))


def test_an_update_stopped_at_its_time_limit_writes_nothing_and_earlier_writes_survive(built_store, tmp_path):
    copy = StoreRoot(tmp_path / "store")
    shutil.copytree(built_store.path, copy.path, ignore=shutil.ignore_patterns("build.lock"))
    server = start_server(copy, tmp_path / "gunicorn.log", token="crash-test-token", workers=1)
    try:
        url, auth = server.url, server.auth
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:crash:%s> { ?s ?p ?o } }"

        def n(graph: str) -> int:
            r = requests.get(url + "/sparql", params={"query": count % graph}, headers={"Accept": "application/json"})
            return int(r.json()["results"]["bindings"][0]["n"]["value"])

        r = requests.post(url + "/sparql", headers=auth,
                          data={"update": "INSERT DATA { GRAPH <urn:crash:kept> { <urn:a> <urn:b> 1 } }"})
        assert r.status_code == 204
        runaway = ("INSERT { GRAPH <urn:crash:runaway> { ?a <urn:p> ?d } } "
                   "WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } }")
        r = requests.post(url + "/sparql", headers=auth, data={"update": runaway, "timeout": "1"}, timeout=60)
        assert r.status_code == 503 and r.json()["error"]["kind"] == "query_timeout"
        assert n("runaway") == 0  # the stopped update's transaction never committed
        assert n("kept") == 1  # the worker that ended took no committed write with it
    finally:
        stop_server(server.pid)
