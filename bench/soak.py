"""Soak test: a mixed read load on a real ``kg serve`` for N minutes, with a full ``kg build`` in the middle.

    python -m bench.soak --minutes 30 [--clients 4] [--workers 2] [--store DIR] [--out bench/results/soak.md]

Load (closed loop, ``--clients`` threads, no think time): saved queries with their default parameters, entity
pages (HTML and Turtle), reconciliation (single and batched), ad hoc SPARQL (point lookups, joins, an aggregate)
and /health. Halfway through, ``kg build`` rebuilds the bundled corpus into the served store root, so a new
generation goes live under load.

Reported per window (default 60 s): requests, errors (5xx, refused connections, anything but the expected
status), p50/p99 latency, and the RSS of the gunicorn master and workers (from /proc). The summary says whether
any error happened, how p99 moved from the first to the last windows, and how much RSS grew.

Not part of the test suite: it takes minutes by design. Without ``--store`` it builds the bundled corpus into a
temporary store first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .procs import KG, REPO, process_tree_rss, serve_store

ID = "https://w3id.org/ipakg/id/"

AD_HOC = [
    "SELECT ?label WHERE { <%(entity)s> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
    "PREFIX ipa: <https://w3id.org/ipakg/ontology#> SELECT ?f ?t WHERE { ?f ipa:actor <%(entity)s> ; a ?t } LIMIT 50",
    "PREFIX ipa: <https://w3id.org/ipakg/ontology#> SELECT ?type (COUNT(?f) AS ?n) WHERE { ?f a ?type ; ipa:actor ?a } "
    "GROUP BY ?type ORDER BY DESC(?n)",
    "PREFIX ipa: <https://w3id.org/ipakg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
    "SELECT ?f ?exact WHERE { ?f ipa:target <%(entity)s> ; ipa:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?exact } LIMIT 20",
    "ASK { ?s ?p ?o }",
]


@dataclass
class Sample:
    t: float
    kind: str
    status: int
    seconds: float
    error: str | None = None


@dataclass
class Window:
    start: float
    samples: list[Sample] = field(default_factory=list)
    rss_kb: int = 0
    workers: int = 0
    generation: str | None = None


class Targets:
    """What the clients ask for, discovered from the served graph itself."""

    def __init__(self, url: str):
        self.url = url
        listing = requests.get(url + "/queries.json", timeout=60).json()["queries"]
        self.saved = [q["name"] for q in listing if not any(p.get("required") for p in q.get("params", []))
                      and "federated" not in q["name"]]
        rows = requests.get(url + "/sparql", params={"query": (
            "SELECT DISTINCT ?e ?label WHERE { GRAPH <%sgraph/entities> { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> "
            "?label } } LIMIT 400" % ID)}, headers={"Accept": "application/json"}, timeout=60).json()["results"]["bindings"]
        self.entities = sorted({r["e"]["value"] for r in rows})
        self.labels = sorted({r["label"]["value"] for r in rows})
        if not self.entities:
            raise SystemExit("soak: the served graph has no entities to ask about")

    def request(self, rnd: random.Random) -> tuple[str, str, str, dict]:
        """(kind, method, path, requests kwargs)."""
        roll = rnd.random()
        entity = rnd.choice(self.entities)
        if roll < 0.25:
            name = rnd.choice(self.saved)
            return "saved", "GET", f"/queries/{name}", {"headers": {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}}
        if roll < 0.45:
            accept = rnd.choice(["text/html", "text/turtle"])
            return "page", "GET", "/id/" + urllib.parse.quote(entity.removeprefix(ID)), {"headers": {"Accept": accept}}
        if roll < 0.65:
            if rnd.random() < 0.7:
                q = json.dumps({"q0": {"query": rnd.choice(self.labels)}})
            else:
                q = json.dumps({f"q{i}": {"query": rnd.choice(self.labels)} for i in range(10)})
            return "reconcile", "POST", "/reconcile", {"data": {"queries": q}}
        if roll < 0.95:
            q = rnd.choice(AD_HOC) % {"entity": entity}
            if rnd.random() < 0.5:
                return "sparql", "GET", "/sparql", {"params": {"query": q}, "headers": {"Accept": "application/json"}}
            return "sparql", "POST", "/sparql", {"data": {"query": q}, "headers": {"Accept": "application/json"}}
        return "health", "GET", "/health", {}


def p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="kg-soak-"))
    server, url, store = serve_store(tmp, args.store, workers=args.workers, timeout=args.timeout)
    targets = Targets(url)
    t0 = time.monotonic()
    duration = args.minutes * 60
    windows = [Window(start=0.0)]
    lock = threading.Lock()
    stop = threading.Event()
    build_info: dict = {}

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        with requests.Session() as s:
            while not stop.is_set():
                kind, method, path, kw = targets.request(rnd)
                started = time.monotonic()
                try:
                    r = s.request(method, url + path, timeout=120, **kw)
                    status, error = r.status_code, None
                    r.content  # noqa: B018 - read the whole body
                    if status >= 400:
                        error = f"{status} {r.text[:120]}"
                except requests.RequestException as e:
                    status, error = 0, f"{type(e).__name__}: {str(e)[:120]}"
                sample = Sample(started - t0, kind, status, time.monotonic() - started, error)
                with lock:
                    windows[-1].samples.append(sample)

    def builder() -> None:
        wait = duration * args.build_at
        if stop.wait(wait):
            return
        started = time.monotonic()
        before = requests.get(url + "/health", timeout=60).json().get("generation")
        r = subprocess.run([str(KG), "--store", str(store), "build", "-q"], cwd=REPO, capture_output=True, text=True)
        build_info.update(at=started - t0, seconds=time.monotonic() - started, returncode=r.returncode,
                          stderr=r.stderr[-500:], before=before,
                          after=StoreRootCurrent(store))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    threads.append(threading.Thread(target=builder, daemon=True))
    for t in threads:
        t.start()
    try:
        while time.monotonic() - t0 < duration:
            time.sleep(min(args.window, duration - (time.monotonic() - t0)))
            rss, n = process_tree_rss(server.pid)
            try:
                gen = requests.get(url + "/health", timeout=60).json().get("generation")
            except requests.RequestException:
                gen = None
            with lock:
                windows[-1].rss_kb, windows[-1].workers, windows[-1].generation = rss, n, gen
                windows.append(Window(start=time.monotonic() - t0))
            w = windows[-2]
            lat = [s.seconds for s in w.samples]
            print(f"soak: {w.start / 60:5.1f} min  {len(lat):6d} req  {sum(1 for s in w.samples if s.error):4d} err  "
                  f"p99 {p(lat, 0.99) * 1000:7.1f} ms  rss {rss / 1024:7.1f} MB  gen {gen}", file=sys.stderr)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=180)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    windows = [w for w in windows if w.samples]
    result = summarise(windows, build_info, args)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def StoreRootCurrent(store: Path) -> str | None:  # noqa: N802 - reads like the value it returns
    try:
        return (store / "CURRENT").read_text().strip()
    except OSError:
        return None


def summarise(windows: list[Window], build_info: dict, args) -> dict:
    rows = []
    for w in windows:
        lat = [s.seconds for s in w.samples]
        rows.append({
            "minute": round(w.start / 60, 1), "requests": len(lat), "errors": sum(1 for s in w.samples if s.error),
            "p50_ms": round(p(lat, 0.5) * 1000, 1), "p99_ms": round(p(lat, 0.99) * 1000, 1),
            "rss_mb": round(w.rss_kb / 1024, 1), "processes": w.workers, "generation": w.generation,
        })
    all_samples = [s for w in windows for s in w.samples]
    errors = [s for s in all_samples if s.error]
    by_kind: dict[str, list[float]] = {}
    for s in all_samples:
        by_kind.setdefault(s.kind, []).append(s.seconds)
    first = [r for r in rows if r["rss_mb"]][:2]
    last = [r for r in rows if r["rss_mb"]][-2:]
    return {
        "minutes": args.minutes, "clients": args.clients, "workers": args.workers,
        "requests": len(all_samples), "errors": len(errors),
        "error_examples": [f"{s.kind} {s.error}" for s in errors[:10]],
        "by_kind": {k: {"requests": len(v), "p50_ms": round(p(v, 0.5) * 1000, 1), "p99_ms": round(p(v, 0.99) * 1000, 1)}
                    for k, v in sorted(by_kind.items())},
        "p99_first_ms": statistics.mean(r["p99_ms"] for r in rows[:2]) if rows else 0,
        "p99_last_ms": statistics.mean(r["p99_ms"] for r in rows[-2:]) if rows else 0,
        "rss_first_mb": statistics.mean(r["rss_mb"] for r in first) if first else 0,
        "rss_last_mb": statistics.mean(r["rss_mb"] for r in last) if last else 0,
        "build": build_info, "windows": rows,
    }


def markdown(res: dict) -> str:
    b = res["build"]
    lines = [
        "# Soak test",
        "",
        f"`python -m bench.soak --minutes {res['minutes']} --clients {res['clients']} --workers {res['workers']}` "
        f"on {os.cpu_count()} CPU(s), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"- **{res['requests']} requests, {res['errors']} errors** "
        f"({res['requests'] / (res['minutes'] * 60):.1f} req/s over {res['clients']} closed-loop clients).",
        f"- p99 latency: {res['p99_first_ms']:.1f} ms in the first two windows, {res['p99_last_ms']:.1f} ms in the last two.",
        f"- RSS of gunicorn (master + workers): {res['rss_first_mb']:.1f} MB at the start, {res['rss_last_mb']:.1f} MB "
        f"at the end ({res['rss_last_mb'] - res['rss_first_mb']:+.1f} MB).",
    ]
    if b:
        lines.append(f"- `kg build` at minute {b['at'] / 60:.1f}: exit {b['returncode']} in {b['seconds']:.1f} s; "
                     f"generation {b['before']} -> {b['after']}.")
    if res["error_examples"]:
        lines += ["", "Errors (first 10):", ""] + [f"- `{e}`" for e in res["error_examples"]]
    lines += ["", "| kind | requests | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for k, v in res["by_kind"].items():
        lines.append(f"| {k} | {v['requests']} | {v['p50_ms']} | {v['p99_ms']} |")
    lines += ["", "| minute | requests | errors | p50 ms | p99 ms | RSS MB | processes | generation |",
              "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in res["windows"]:
        lines.append(f"| {r['minute']} | {r['requests']} | {r['errors']} | {r['p50_ms']} | {r['p99_ms']} | "
                     f"{r['rss_mb']} | {r['processes']} | {r['generation']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's query time limit (s)")
    ap.add_argument("--window", type=float, default=60.0, help="seconds per reported window")
    ap.add_argument("--build-at", type=float, default=0.5, help="when to build, as a fraction of the run")
    ap.add_argument("--store", type=Path, help="serve a copy of this store root (default: build the corpus)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "soak.md")
    args = ap.parse_args()
    res = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(res), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    print(markdown(res))
    sys.exit(1 if res["errors"] else 0)


if __name__ == "__main__":
    main()
