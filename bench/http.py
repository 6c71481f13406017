"""HTTP: our server (``kg serve``, gunicorn) vs ``oxigraph serve-read-only`` vs rdflib-endpoint, same store, same queries.

Servers, all on 127.0.0.1 with free ports, all answering from the same data:

* ``kg`` — ``kg --store S serve --workers 2`` (gunicorn with uvicorn workers = cores; the production setting).
* ``native`` — ``oxigraph serve-read-only --location <current generation> --union-default-graph`` (the Rust
  server on the very RocksDB directory ``kg`` reads; union default graph as in ``kg``).
* ``rdflib`` — ``rdflib-endpoint serve dump.nq`` (the Python peer: rdflib in memory, FastAPI/uvicorn).

Queries (the graph shape of docs/architecture.md, so the same texts run on the built corpus and on the
synthetic graph of :mod:`bench.graphgen`); parameters come from the store itself:

* ``lookup`` (point) — an entity by its exact English label, with its types;
* ``join`` (point, 2 hops) — the facts an entity is the actor of, with their targets' English labels;
* ``construct`` (point) — ``CONSTRUCT`` of one entity's own triples;
* ``groupby`` (scan) — facts with evidence counted per actor, top k;
* ``regex`` (scan) — evidence quotes (``oa:exact``) matching a case-insensitive regex, counted.

Modes: ``distinct`` — every request text differs (the parameter cycles over the pool, and a trailing comment
numbers the request, so no result cache can answer it); ``repeated`` — one request text sent N times.
Each cell = (query, mode, concurrency 1|8, server) runs a fixed N requests (N calibrated once per query on the
native server to ~``target_seconds`` of sequential work, 20 ≤ N ≤ 4000, then used for every server); rdflib
cells stop at a time cap (flagged). Repeats are interleaved across servers (rep 1 of every server, then rep 2…)
so a change in background load hits all alike; the median repeat by throughput is reported.

Before timing, every query is sent once to every server and the answers compared (row/triple counts).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import loadgen
from .procs import REPO, free_port, tree_rss_kb

BIN = Path(sys.executable).parent

PREFIXES = (
    "PREFIX ipa: <https://w3id.org/ipakg/ontology#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
)

QUERIES: dict[str, dict] = {
    "lookup": {"kind": "point", "pool": "labels",
               "text": 'SELECT ?e ?type WHERE {{ ?e skos:prefLabel "{p}"@en ; a ?type }}'},
    "join": {"kind": "point", "pool": "actors",
             "text": "SELECT ?f ?type ?target ?label WHERE {{ ?f ipa:actor <{p}> ; a ?type ; ipa:target ?target . "
                     '?target skos:prefLabel ?label FILTER(lang(?label) = "en") }} LIMIT 500'},
    "construct": {"kind": "point", "pool": "entities",
                  "text": "CONSTRUCT {{ <{p}> ?p ?o }} WHERE {{ <{p}> ?p ?o }}"},
    "groupby": {"kind": "scan", "pool": "limits",
                "text": "SELECT ?actor (COUNT(?f) AS ?n) WHERE {{ ?f ipa:actor ?actor ; ipa:evidence ?ev }} "
                        "GROUP BY ?actor ORDER BY DESC(?n) ?actor LIMIT {p}"},
    "regex": {"kind": "scan", "pool": "fragments",
              "text": 'SELECT (COUNT(?q) AS ?n) WHERE {{ ?q oa:exact ?x FILTER(regex(?x, "{p}", "i")) }}'},
}

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"


def _sparql_string(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def parameter_pools(store: ox.Store, size: int = 4000) -> dict[str, list[str]]:
    """Query parameters taken from the data (deterministic order)."""
    def col(q: str) -> list[str]:
        return [sol[0].value for sol in store.query(PREFIXES + q, use_default_graph_as_union=True)]

    labels = col(f'SELECT DISTINCT ?l WHERE {{ ?e skos:prefLabel ?l FILTER(lang(?l) = "en") }} ORDER BY ?l LIMIT {size}')
    actors = col(f"SELECT DISTINCT ?a WHERE {{ ?f ipa:actor ?a }} ORDER BY ?a LIMIT {size}")
    entities = col(f"SELECT DISTINCT ?e WHERE {{ ?e skos:prefLabel ?l }} ORDER BY ?e LIMIT {size}")
    quotes = col(f"SELECT DISTINCT ?x WHERE {{ ?q oa:exact ?x }} ORDER BY ?x LIMIT {size}")
    fragments: list[str] = []
    for x in quotes:  # short literal fragments; letters/digits only so that regex syntax never matters
        m = re.search(r"[^\W_]{3}", x)
        if m and m.group() not in fragments:
            fragments.append(m.group())
    return {"labels": [_sparql_string(x) for x in labels], "actors": actors, "entities": entities,
            "fragments": fragments or ["the"], "limits": [str(5 + i) for i in range(200)]}


def query_text(name: str, param: str, serial: int | None = None) -> str:
    text = PREFIXES + QUERIES[name]["text"].format(p=param)
    return text if serial is None else f"{text}\n# request {serial}\n"


# ---- servers -----------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    path: str  # the SPARQL query path
    port: int
    proc: subprocess.Popen
    log: Path

    def rss_mb(self) -> float:
        """Resident memory of the server and its children (gunicorn workers)."""
        return round(tree_rss_kb(self.proc.pid) / 1024, 1)


def _fetch(port: int, path: str, query: str, accept: str, timeout: float = 120) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode({'query': query})}"
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start(name: str, store_root: Path, generation_dir: Path, dump: Path | None, logdir: Path,
          *, workers: int = 2, ready_timeout: float = 600) -> Server:
    port = free_port()
    log = logdir / f"server-{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    if name == "kg":
        cmd = [str(BIN / "kg"), "--store", str(store_root), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
        path = "/sparql"
    elif name == "native":
        cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(generation_dir), "--bind",
               f"127.0.0.1:{port}", "--union-default-graph"]
        path = "/query"
    elif name == "rdflib":
        cmd = [str(BIN / "rdflib-endpoint"), "serve", str(dump), "--host", "127.0.0.1", "--port", str(port)]
        path = "/"
    else:
        raise ValueError(name)
    fh = open(log, "wb")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    fh.close()
    server = Server(name, path, port, proc, log)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            status, _ = _fetch(port, path, "ASK { ?s ?p ?o }", SELECT_ACCEPT, timeout=5)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{name} server did not answer within {ready_timeout} s")


def stop(server: Server) -> None:
    """SIGTERM the process we started (gunicorn's master takes its workers down), SIGKILL if it lingers."""
    try:
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
    except ProcessLookupError:
        pass


# ---- checks and cells --------------------------------------------------------------------------------------


def _answer_size(body: bytes, graph: bool) -> int | str:
    if graph:
        return sum(1 for line in body.splitlines() if line.strip())
    doc = json.loads(body)
    if "boolean" in doc:
        return str(doc["boolean"])
    rows = doc["results"]["bindings"]
    if len(rows) == 1 and len(rows[0]) == 1:  # a COUNT: compare the value itself
        return next(iter(rows[0].values()))["value"]
    return len(rows)


def check_answers(servers: list[Server], pools: dict[str, list[str]], samples: int = 3) -> dict:
    """Every server gives the same answer size for a few parameters of every query."""
    out: dict[str, dict] = {}
    for name, spec in QUERIES.items():
        graph = name == "construct"
        accept = GRAPH_ACCEPT if graph else SELECT_ACCEPT
        pool = pools[spec["pool"]]
        checks = []
        for p in pool[:: max(1, len(pool) // samples)][:samples]:
            text = query_text(name, p)
            answers = {}
            for s in servers:
                status, body = _fetch(s.port, s.path, text, accept)
                answers[s.name] = _answer_size(body, graph) if status == 200 else f"HTTP {status}"
            checks.append(answers)
        agree = all(len({str(v) for v in a.values()}) == 1 for a in checks)
        out[name] = {"agree": agree, "samples": checks}
    return out


_serials = itertools.count(1)


def requests_for(server: Server, name: str, pool: list[str], mode: str, n: int) -> list[bytes]:
    """``n`` distinct requests (texts never sent before in this process), or the one repeated request."""
    accept = GRAPH_ACCEPT if name == "construct" else SELECT_ACCEPT
    if mode == "repeated":
        return [loadgen.get(server.path, {"query": query_text(name, pool[0])}, accept=accept)]
    first = next(_serials)
    for _ in range(n - 1):
        next(_serials)
    return [loadgen.get(server.path, {"query": query_text(name, pool[i % len(pool)], serial=first + i)}, accept=accept)
            for i in range(n)]


def calibrate(native: Server, name: str, pool: list[str], target_seconds: float, lo: int = 64,
              hi: int = 4000) -> int:
    """Requests per cell: ~``target_seconds`` of sequential work on the native server, at least ``lo``.

    The floor keeps a scan cell at c=8 at eight rounds or more: with fewer, the drain at the end of a
    closed-loop run (fewer than 8 requests left in flight) weighs on the result more than the servers do."""
    probe = loadgen.run("127.0.0.1", native.port, requests_for(native, name, pool, "distinct", 20), 20, 1)
    per_request = probe.seconds / max(1, probe.completed)
    return max(lo, min(hi, int(target_seconds / per_request)))


def run_graph(label: str, store_root: Path, logdir: Path, *, repeats: int = 3, target_seconds: float = 1.5,
              rdflib_cap: float = 6.0, with_rdflib: bool = True, log=print) -> dict:
    """All cells for one graph. ``store_root`` is a kg store root with a current generation."""
    from kg.store import StoreRoot

    root = StoreRoot(store_root)
    gen_dir = root.current_path()
    logdir.mkdir(parents=True, exist_ok=True)
    store = ox.Store.read_only(str(gen_dir))
    triples = len(store)
    pools = parameter_pools(store)
    dump = None
    if with_rdflib:
        dump = logdir / f"{label}.nq"
        store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del store
    servers: list[Server] = []
    result: dict = {"graph": label, "triples": triples, "pool_sizes": {k: len(v) for k, v in pools.items()}}
    try:
        t = time.perf_counter()
        servers.append(start("native", store_root, gen_dir, dump, logdir))
        servers.append(start("kg", store_root, gen_dir, dump, logdir))
        if with_rdflib:
            t_rdf = time.perf_counter()
            servers.append(start("rdflib", store_root, gen_dir, dump, logdir))
            result["rdflib_startup_seconds"] = round(time.perf_counter() - t_rdf, 1)
        log(f"http[{label}] {triples:,} triples; servers up in {time.perf_counter() - t:.1f}s")
        result["answers"] = check_answers(servers, pools)
        bad = [q for q, c in result["answers"].items() if not c["agree"]]
        if bad:
            log(f"http[{label}] WARNING: servers disagree on {bad}: see report.json")
        native = servers[0]
        cells = []
        for name, spec in QUERIES.items():
            pool = pools[spec["pool"]]
            n = calibrate(native, name, pool, target_seconds)
            for mode in ("distinct", "repeated"):
                for conc in (1, 8):
                    for s in servers:  # warm-up: a few requests per cell (the repeated one gets cached here)
                        warm = requests_for(s, name, pool, mode, 3)
                        loadgen.run("127.0.0.1", s.port, warm, 3, 1, time_cap=rdflib_cap)
                    runs: dict[str, list[loadgen.CellResult]] = {s.name: [] for s in servers}
                    for rep in range(repeats):
                        for s in servers:
                            if s.name == "rdflib" and rep:
                                continue  # one run: an order of magnitude slower, and never the target
                            cap = rdflib_cap if s.name == "rdflib" else 120.0
                            # Fresh texts for every repeat: a distinct request must never be a cache hit.
                            reqs = requests_for(s, name, pool, mode, n)
                            runs[s.name].append(loadgen.run("127.0.0.1", s.port, reqs, n, conc, time_cap=cap))
                    for s in servers:
                        d = loadgen.describe(runs[s.name])
                        d.update(query=name, kind=spec["kind"], mode=mode, server=s.name, n=n)
                        cells.append(d)
                    summary = "  ".join(f"{s.name} {loadgen.median_of(runs[s.name]).rps:,.0f}/s" for s in servers)
                    log(f"http[{label}] {name:<9} {mode:<8} c={conc}: {summary}")
        result["cells"] = cells
        result["server_rss_mb"] = {s.name: s.rss_mb() for s in servers}
        result["ratios"] = ratios(cells)
    finally:
        for s in servers:
            stop(s)
        if dump is not None:
            dump.unlink(missing_ok=True)
    return result


def ratios(cells: list[dict]) -> list[dict]:
    """kg/native and kg/rdflib throughput ratios per (query, mode, concurrency)."""
    by = {(c["query"], c["mode"], c["concurrency"], c["server"]): c for c in cells}
    out = []
    for (q, mode, conc, server), c in by.items():
        if server != "kg":
            continue
        row = {"query": q, "kind": c["kind"], "mode": mode, "concurrency": conc, "kg_rps": c["rps"]}
        for other in ("native", "rdflib"):
            o = by.get((q, mode, conc, other))
            if o and o["rps"] > 0:
                row[f"{other}_rps"] = o["rps"]
                row[f"vs_{other}"] = round(c["rps"] / o["rps"], 3)
                row[f"{other}_capped"] = o["hit_time_cap"]
        out.append(row)
    return out


def targets(ratio_rows: list[dict]) -> list[dict]:
    """The issue's targets, checked on one graph's ratios."""
    checks = []

    def add(name: str, rows: list[dict], key: str, goal: float) -> None:
        vals = [r[key] for r in rows if key in r]
        if vals:
            worst = min(vals)
            checks.append({"target": name, "goal": goal, "worst": worst, "met": worst >= goal,
                           "cells": [f"{r['query']}/{r['mode']}/c{r['concurrency']}={r[key]}" for r in rows if key in r]})

    add("scan queries vs native (distinct)", [r for r in ratio_rows if r["kind"] == "scan" and r["mode"] == "distinct"],
        "vs_native", 0.95)
    add("point queries c=8 distinct vs native", [r for r in ratio_rows if r["kind"] == "point" and r["mode"] == "distinct"
                                                 and r["concurrency"] == 8], "vs_native", 0.35)
    add("point queries c=8 repeated vs native", [r for r in ratio_rows if r["kind"] == "point" and r["mode"] == "repeated"
                                                 and r["concurrency"] == 8], "vs_native", 1.0)
    add("every query vs rdflib-endpoint (distinct)", [r for r in ratio_rows if r["mode"] == "distinct"], "vs_rdflib", 3.0)
    return checks
