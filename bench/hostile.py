"""Hostile-query benchmark: other clients' latency while attackers send queries that run into the time limit.

    python -m bench.hostile [--seconds 60] [--clients 4] [--attackers 1] [--workers 2] [--timeout 2] [--store DIR]

Two phases on the same ``kg serve``: first the light clients alone (point lookups, a saved query, entity pages),
then the same clients while ``--attackers`` closed-loop attackers send Cartesian products, unbounded property
paths, catastrophic regexes and huge GROUP_CONCATs (each stopped at ``--timeout`` with a 503; its worker then
recycles gracefully and gunicorn starts another). Reports p50/p99 of the light clients in both phases and their ratio (target: p99 under
attack < 2x unloaded), the attackers' answers by status, and the peak RSS of the server's process tree (the memory
a runaway query may take before it is stopped). Writes ``bench/results/hostile.md`` (and ``.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from .procs import REPO, process_tree_rss, serve_store
from .soak import p

ID = "https://w3id.org/ipakg/id/"
LIGHT = [
    ("sparql", "ASK { ?s ?p ?o }"),
    ("sparql", "SELECT ?l WHERE { <%sentity/who> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }" % ID),
    ("sparql", "PREFIX ipa: <https://w3id.org/ipakg/ontology#> SELECT ?f WHERE { ?f ipa:target <%sentity/who> } LIMIT 10" % ID),
    ("page", "/id/entity/who"),
    ("page", "/id/entity/usa"),
    ("saved", "/queries/cq4-sanctions"),
]
HOSTILE = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:x:none>|^!<urn:x:none>)* ?o . ?o (!<urn:x:none>)* ?z }",
    'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?t . ?c ?d ?e . FILTER(REGEX(CONCAT(STR(?t), STR(?e)), "^(([a-z])+.)+[A-Z]([a-z])+$")) }',
    'SELECT (STRLEN(GROUP_CONCAT(STR(?t); separator=",")) AS ?n) WHERE { ?a ?b ?t . ?c ?d ?e }',
]


def light_request(session: requests.Session, url: str, rnd: random.Random) -> tuple[float, int]:
    kind, what = rnd.choice(LIGHT)
    started = time.monotonic()
    try:
        if kind == "sparql":
            r = session.get(url + "/sparql", params={"query": what + f" # {rnd.random()}"},  # defeat the caches
                            headers={"Accept": "application/json"}, timeout=120)
        elif kind == "page":
            r = session.get(url + what, headers={"Accept": "text/html", "Cache-Control": "no-cache"}, timeout=120)
        else:
            r = session.get(url + what, headers={"Accept": "application/json"}, timeout=120)
        r.content  # noqa: B018
        status = r.status_code
    except requests.RequestException as e:
        status = 0
        print(f"[hostile] light {kind} {what[:40]!r}: {type(e).__name__}: {e}"[:300], file=sys.stderr, flush=True)
    return time.monotonic() - started, status


def phase(url: str, seconds: float, clients: int, attackers: int, server_pid: int) -> dict:
    stop = threading.Event()
    lat: list[float] = []
    light_status: Counter = Counter()
    attack_status: Counter = Counter()
    peak_rss = [0]
    lock = threading.Lock()

    def light(seed: int) -> None:
        rnd = random.Random(seed)
        with requests.Session() as s:
            while not stop.is_set():
                t, status = light_request(s, url, rnd)
                with lock:
                    lat.append(t)
                    light_status[status] += 1

    def attack(seed: int) -> None:
        rnd = random.Random(seed)
        while not stop.is_set():
            try:
                r = requests.post(url + "/sparql", data={"query": rnd.choice(HOSTILE)}, timeout=120)
                status = r.status_code
            except requests.RequestException:
                status = 0
            with lock:
                attack_status[status] += 1

    def watch_memory() -> None:
        while not stop.is_set():
            peak_rss[0] = max(peak_rss[0], process_tree_rss(server_pid)[0])
            time.sleep(0.2)

    threads = [threading.Thread(target=light, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=attack, args=(100 + i,)) for i in range(attackers)]
    threads.append(threading.Thread(target=watch_memory))
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return {"requests": len(lat), "p50_ms": round(p(lat, 0.5) * 1000, 1), "p99_ms": round(p(lat, 0.99) * 1000, 1),
            "light_status": dict(light_status), "attack_status": dict(attack_status),
            "peak_rss_mb": round(peak_rss[0] / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--attackers", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=2.0, help="the server's query time limit (s)")
    ap.add_argument("--store", type=Path, help="serve a copy of this store root (default: build the corpus)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "hostile.md")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kg-hostile-"))
    server, url, _ = serve_store(tmp, args.store, workers=args.workers, timeout=args.timeout)
    try:
        phase(url, 5, args.clients, 0, server.pid)  # warm-up
        calm = phase(url, args.seconds, args.clients, 0, server.pid)
        attacked = phase(url, args.seconds, args.clients, args.attackers, server.pid)
        after = phase(url, min(args.seconds, 15), args.clients, 0, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = attacked["p99_ms"] / calm["p99_ms"] if calm["p99_ms"] else float("inf")
    res = {"args": {k: str(v) for k, v in vars(args).items()}, "cpus": os.cpu_count(), "unloaded": calm,
           "under_attack": attacked, "after": after, "p99_ratio": round(ratio, 2)}
    md = [
        "# Hostile queries: other clients' latency during an attack",
        "",
        f"`python -m bench.hostile --seconds {args.seconds:g} --clients {args.clients} --attackers {args.attackers} "
        f"--workers {args.workers} --timeout {args.timeout:g}` on {os.cpu_count()} CPU(s), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| phase | light requests | p50 ms | p99 ms | light statuses | attack statuses | peak RSS MB |",
        "|---|---:|---:|---:|---|---|---:|",
    ]
    for name, ph in (("unloaded", calm), ("under attack", attacked), ("after", after)):
        md.append(f"| {name} | {ph['requests']} | {ph['p50_ms']} | {ph['p99_ms']} | {ph['light_status']} | "
                  f"{ph['attack_status'] or '-'} | {ph['peak_rss_mb']} |")
    md += ["", f"p99 under attack / unloaded: **{ratio:.2f}x** (target < 2x: {'met' if ratio < 2 else 'NOT met'})."]
    text = "\n".join(md) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
