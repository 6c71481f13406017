"""A build while the real gunicorn serves under load: every answer comes whole from either the old or the new
generation (never a mix, never a 5xx, never a dropped connection), and the server moves to the new one by itself."""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from kg.store import StoreRoot
from tests.fixtures.paths import REPO
from tests.fixtures.served import start_server, stop_server

KG = Path(sys.executable).with_name("kg")
# One answer that depends on the whole generation: the build run's start time (unique per build, in the meta graph)
# and counts over every graph. A mix of generations would pair one build's time with another's counts.
PROBE = """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?started ?n ?docs WHERE {
  { SELECT (MAX(?t) AS ?started) WHERE { ?run a prov:Activity ; prov:startedAtTime ?t } }
  { SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } }
  { SELECT (COUNT(DISTINCT ?d) AS ?docs) WHERE { ?d a <https://w3id.org/ipakg/ontology#Document> } }
} # %d"""
ARTICLE = "On 7 January 2026 the United States announced that it would withdraw from the World Health Organization.\n"


def probe(url: str, i: int, session: requests.Session) -> tuple:
    text = PROBE % (i % 7)  # a few distinct texts: some answers come from the caches, some from the store
    if i % 2:
        r = session.get(url + "/sparql", params={"query": text}, headers={"Accept": "application/json"}, timeout=60)
    else:
        r = session.post(url + "/sparql", data={"query": text}, headers={"Accept": "application/json"}, timeout=60)
    if r.status_code != 200:
        return ("status", r.status_code, r.text[:200])
    row = r.json()["results"]["bindings"][0]
    return ("ok", r.headers["X-KG-Generation"], row["started"]["value"], row["n"]["value"], row["docs"]["value"])


def test_a_build_under_load_switches_whole_generations_with_no_errors(built_store, tmp_path):
    root = StoreRoot(tmp_path / "store")
    shutil.copytree(built_store.path, root.path, ignore=shutil.ignore_patterns("build.lock"))
    old = root.current_id()
    article = tmp_path / "who.en.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "who.en.txt.meta.yaml").write_text("published: 2026-01-08\nlanguage: en\n", encoding="utf-8")
    server = start_server(root, tmp_path / "gunicorn.log", workers=2)
    answers: list[tuple] = []
    health: list[tuple] = []
    stop = threading.Event()
    counter = itertools.count()

    def client() -> None:
        with requests.Session() as s:
            while not stop.is_set():
                try:
                    answers.append(probe(server.url, next(counter), s))
                except requests.RequestException as e:  # a dropped connection is a failure too
                    answers.append(("exception", type(e).__name__, str(e)[:200]))

    def watch_health() -> None:
        while not stop.is_set():
            r = requests.get(server.url + "/health", timeout=60)
            health.append((r.status_code, r.json().get("generation")))
            time.sleep(0.05)

    try:
        with cf.ThreadPoolExecutor(max_workers=5) as pool:
            running = [pool.submit(client) for _ in range(4)] + [pool.submit(watch_health)]
            time.sleep(1.0)
            build = subprocess.run([str(KG), "--store", str(root.path), "build", "-q", str(article)], cwd=REPO,
                                   capture_output=True, text=True, timeout=240)
            new = root.current_id()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(a[0] == "ok" and a[1] == new for a in answers[-20:]):
                time.sleep(0.1)
            time.sleep(0.5)
            stop.set()
            for f in running:
                f.result()
    finally:
        stop.set()
        stop_server(server.pid)

    assert build.returncode == 0, build.stderr
    assert new != old
    failures = [a for a in answers if a[0] != "ok"]
    assert not failures, failures[:5]
    by_generation: dict[str, set] = {}
    for _, gen, started, n, docs in answers:
        by_generation.setdefault(gen, set()).add((started, n, docs))
    assert set(by_generation) == {old, new}, set(by_generation)
    assert all(len(v) == 1 for v in by_generation.values()), by_generation  # one whole answer per generation
    assert by_generation[old] != by_generation[new]
    assert answers[-1][1] == new  # the server moved on without a restart
    assert {status for status, _ in health} == {200}
    assert {gen for _, gen in health} <= {old, new} and health[-1][1] == new
    assert len(answers) > 50
