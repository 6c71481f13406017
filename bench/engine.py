"""Engine profile: where a scan spends its CPU in pyoxigraph (what ``kg serve`` runs) and in the ``oxigraph`` binary.

    python -m bench.engine [--store ROOT] [--runs 40] [--out bench/results/engine.md]

Both sides evaluate the same query on the same RocksDB directory the same number of times, under
``perf record -e cpu-clock`` (a software clock: no hardware counters are needed, so it works in VMs):

* ``pyoxigraph``: ``Store.read_only(...).query(...)`` in a fresh Python process, with jemalloc preloaded as
  ``kg serve`` does (no HTTP: the serving layer is measured in ``bench/README.md``, "Profile: a distinct point query");
* ``oxigraph``: ``oxigraph serve-read-only --union-default-graph`` answering one HTTP request at a time.

Reported per query: perf samples per evaluation (2,000 Hz, so 2 samples = 1 ms of CPU), the share of samples in
thread-local-storage lookups (``__tls_get_addr`` and the ``TLS init function`` wrappers), and the top symbols.
The point: pyoxigraph is a shared library loaded with ``dlopen``, so its thread-locals use the general-dynamic
TLS model (a call into the dynamic linker per access), while the binary uses local-exec TLS (one instruction);
RocksDB touches its ``perf_context`` thread-locals on every read. That is a cost of the wheel's build, not of
anything ``kg`` does, and it is why a scan that reads millions of keys cannot reach the binary's speed in-process.

Needs ``perf`` (Debian ``linux-perf``) and ``kernel.perf_event_paranoid`` ≤ 2; prints why and exits 3 otherwise.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from kg.cli.serve import JEMALLOC
from kg.store import StoreRoot

from .http import PREFIXES, QUERIES
from .procs import REPO, free_port

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
HZ = 2000
TLS = re.compile(r"__tls_get_addr|TLS init function|TLS wrapper function")

#: (name, query): the two 1M scans of ``python -m bench``, with fixed parameters.
SCANS = [(name, PREFIXES + QUERIES[name]["text"].format(p=param)) for name, param in (("regex", "the"),
                                                                                       ("groupby", "20"))]

IN_PROCESS = """
import sys, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
query = open(sys.argv[2], encoding="utf-8").read()
list(store.query(query, use_default_graph_as_union=True))  # warm the block cache like the server's first request
open(sys.argv[3], "w").close()  # tell the parent to start perf
import time; time.sleep(1.0)
for _ in range(int(sys.argv[4])):
    list(store.query(query, use_default_graph_as_union=True))
"""


def perf_available() -> str | None:
    if not shutil.which("perf"):
        return "perf is not installed (Debian: apt-get install linux-perf)"
    try:
        paranoid = int(Path("/proc/sys/kernel/perf_event_paranoid").read_text())
    except (OSError, ValueError):
        return None
    return None if paranoid <= 2 else f"kernel.perf_event_paranoid is {paranoid}; perf needs ≤ 2"


def record(pid: int, data: Path) -> subprocess.Popen:
    rec = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", str(HZ), "-o", str(data), "-p", str(pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches asynchronously
    return rec


def stop(rec: subprocess.Popen) -> None:
    rec.send_signal(2)
    rec.wait(timeout=60)


def summarise(data: Path, runs: int) -> dict:
    """Samples per evaluation, TLS share and top symbols of one perf.data (only the engine's threads count)."""
    out = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--sort", "dso,symbol", "-F",
                          "sample,dso,symbol"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+(\S+)\s+\[\S\]\s+(.*\S)", line)
        if m:
            rows.append((int(m.group(1)), m.group(2), re.split(r"\s{2,}", m.group(3))[0]))  # drop padding columns
    total = sum(n for n, _, _ in rows)
    tls = sum(n for n, _, sym in rows if TLS.search(sym))
    python = sum(n for n, dso, _ in rows if dso.startswith("libpython") or dso == "python3.11")
    top = sorted(rows, reverse=True)[:12]
    return {"samples": total, "runs": runs, "ms_per_evaluation": round(total / runs / HZ * 1000, 1),
            "tls_samples": tls, "tls_share": round(tls / total, 4) if total else 0.0,
            "python_share": round(python / total, 4) if total else 0.0,
            "top": [{"share": round(n / total, 4), "dso": dso, "symbol": sym[:110]} for n, dso, sym in top],
            "_by_symbol": {sym: n for n, _, sym in rows}}


def differences(ours: dict, theirs: dict, n: int = 8) -> list[dict]:
    """The symbols whose CPU per evaluation differs most between the two sides (ms, ours minus theirs)."""
    a, b = ours.pop("_by_symbol"), theirs.pop("_by_symbol")
    per = lambda side, sym: side.get(sym, 0) / ours["runs"] / HZ * 1000  # noqa: E731
    diffs = [{"symbol": sym[:110], "pyoxigraph_ms": round(per(a, sym), 2), "oxigraph_ms": round(per(b, sym), 2),
              "difference_ms": round(per(a, sym) - per(b, sym), 2)} for sym in set(a) | set(b)]
    return sorted(diffs, key=lambda d: -abs(d["difference_ms"]))[:n]


def profile_pyoxigraph(store: Path, query: str, runs: int, tmp: Path) -> dict:
    qfile, ready, data = tmp / "q.rq", tmp / "ready", tmp / "py.data"
    qfile.write_text(query, encoding="utf-8")
    ready.unlink(missing_ok=True)
    env = dict(os.environ)
    lib = next((p for p in JEMALLOC if os.path.exists(p)), None)
    if lib:
        env["LD_PRELOAD"] = lib
    proc = subprocess.Popen([sys.executable, "-c", IN_PROCESS, str(store), str(qfile), str(ready), str(runs)], env=env)
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError("the pyoxigraph process died before it was ready")
        time.sleep(0.05)
    rec = record(proc.pid, data)
    proc.wait()
    stop(rec)
    return summarise(data, runs) | {"jemalloc": bool(lib)}


def profile_native(store: Path, query: str, runs: int, tmp: Path) -> dict:
    port, data = free_port(), tmp / "native.data"
    server = subprocess.Popen([str(OXIGRAPH), "serve-read-only", "--location", str(store), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"], stderr=subprocess.DEVNULL)
    body = urllib.parse.urlencode({"query": query}).encode()

    def ask() -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/query", data=body, headers={
            "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
        urllib.request.urlopen(req, timeout=120).read()

    try:
        for _ in range(100):
            try:
                ask()  # also warms the block cache
                break
            except OSError:
                time.sleep(0.1)
        rec = record(server.pid, data)
        for _ in range(runs):
            ask()
        stop(rec)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return summarise(data, runs)


def markdown(result: dict) -> str:
    lines = ["# Engine profile: pyoxigraph (in `kg serve`) vs the `oxigraph` binary", "",
             f"Generated by `python -m bench.engine` on {result['started']} ({result['cpus']} CPUs, "
             f"pyoxigraph {result['pyoxigraph']}, {result['oxigraph_cli']}); store: {result['store']}; "
             f"{result['runs']} evaluations per side; `perf record -e cpu-clock -F {HZ}`.", "",
             "| query | side | CPU ms per evaluation | TLS lookups | top symbols |", "|---|---|---|---|---|"]
    for q in result["queries"]:
        for side in ("pyoxigraph", "oxigraph"):
            r = q[side]
            top = "; ".join(f"{t['share']:.1%} `{t['symbol'][:60]}`" for t in r["top"][:4])
            lines.append(f"| {q['name']} | {side} | {r['ms_per_evaluation']} | {r['tls_share']:.1%} | {top} |")
    for q in result["queries"]:
        lines += ["", f"Largest differences, `{q['name']}` (CPU ms per evaluation; positive: pyoxigraph spends more):",
                  "", "| symbol | pyoxigraph | oxigraph | difference |", "|---|---|---|---|"]
        lines += [f"| `{d['symbol'][:80]}` | {d['pyoxigraph_ms']} | {d['oxigraph_ms']} | {d['difference_ms']:+} |"
                  for d in q["largest_differences"]]
    lines += ["", "TLS lookups: samples in `__tls_get_addr` and the `TLS init function` wrappers. A shared library "
              "(the pyoxigraph wheel) pays a call into the dynamic linker per thread-local access; the binary "
              "pays one instruction. Per-evaluation CPU is from one process each and moves ±10 % between runs "
              "on this VM; the TLS share does not.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=REPO / "var" / "bench" / "synthetic-store-1000000",
                    help="a kg store root (default: the 1M synthetic graph of `python -m bench`)")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "engine.md")
    args = ap.parse_args(argv)
    why = perf_available()
    if why:
        print(f"bench.engine: {why}", file=sys.stderr)
        return 3
    if not (args.store / "CURRENT").exists():
        print(f"bench.engine: no store at {args.store}; run `python -m bench` first or pass --store",
              file=sys.stderr)
        return 2
    import pyoxigraph

    result = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count(),
              "pyoxigraph": pyoxigraph.__version__,
              "oxigraph_cli": subprocess.run([str(OXIGRAPH), "--version"], capture_output=True,
                                             text=True).stdout.strip(),
              "store": str(args.store.relative_to(REPO) if args.store.is_relative_to(REPO) else args.store),
              "runs": args.runs, "queries": []}
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        store = StoreRoot(args.store).current_path()
        for name, query in SCANS:
            print(f"[bench.engine] {name}", file=sys.stderr, flush=True)
            ours = profile_pyoxigraph(store, query, args.runs, Path(tmp))
            theirs = profile_native(store, query, args.runs, Path(tmp))
            result["queries"].append({"name": name, "query": query, "pyoxigraph": ours, "oxigraph": theirs,
                                      "largest_differences": differences(ours, theirs)})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(result), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
