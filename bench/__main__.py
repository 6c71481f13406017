"""``python -m bench [--quick] [--only http|load|build]``: run the benchmarks, write the report.

Writes ``bench/results/report.json`` (every number) and ``bench/results/report.md`` (tables, ratios, targets).
Working files (stores, generated graphs and articles) go to ``--workdir`` (default ``var/bench``, reused
between runs: the corpus store and generated data are kept; ``--fresh`` starts over).

Full run: HTTP on the bundled corpus graph and on a 1M-triple synthetic graph (3 interleaved repeats), load of
100k and 1M triples, build of 100 / 1,000 / 10,000 synthetic articles. ``--quick``: HTTP on the corpus and
100k triples with 1 repeat, load of 100k, build of 100 and 1,000.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import build as build_bench
from . import ceilings
from . import graphgen
from . import http as http_bench
from . import load as load_bench

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def environment() -> dict:
    import pyoxigraph

    load1, load5, _ = os.getloadavg()
    try:
        oxv = subprocess.run([str(Path(sys.executable).with_name("oxigraph")), "--version"], capture_output=True,
                             text=True).stdout.strip()
    except OSError:
        oxv = "missing"
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "pyoxigraph": pyoxigraph.__version__, "oxigraph_cli": oxv, "loadavg_at_start": [load1, load5],
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def corpus_store(workdir: Path) -> Path:
    """The bundled corpus built by ``kg build`` (reused when present)."""
    root = workdir / "corpus-store"
    if not (root / "CURRENT").exists():
        log("building the bundled corpus with `kg build` (once; reused afterwards)")
        subprocess.run([str(Path(sys.executable).with_name("kg")), "--store", str(root), "build", "-q"], cwd=REPO,
                       check=True)
    return root


def synthetic_store(workdir: Path, triples: int) -> Path:
    root = workdir / f"synthetic-store-{triples}"
    if not (root / "CURRENT").exists():
        nq = workdir / f"graph_{triples}.nq"
        if not nq.exists():
            log(f"generating a synthetic graph of {triples:,} triples")
            graphgen.generate(triples, nq)
        load_bench.kg_load(nq, root)
    return root


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    ap.add_argument("--only", choices=("http", "load", "build"), action="append", help="run only this part (repeatable)")
    ap.add_argument("--workdir", type=Path, default=REPO / "var" / "bench")
    ap.add_argument("--fresh", action="store_true", help="delete the work directory first")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--build-budget", type=float, default=3600.0,
                    help="seconds the full build pipeline may take at one size (larger sizes use the reduced path)")
    ap.add_argument("--render", action="store_true", help="only rewrite report.md from report.json")
    args = ap.parse_args(argv)
    if args.render:
        report = json.loads((args.out / "report.json").read_text())
        if report.get("build"):
            report["build"]["scaling"] = build_bench.scaling(report["build"]["rows"])
        (args.out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
        (args.out / "report.md").write_text(render(report))
        return
    parts = args.only or ["load", "http", "build"]
    if args.fresh and args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict = {"environment": environment(), "quick": args.quick, "parts": parts}
    t0 = time.perf_counter()
    json_path = args.out / "report.json"
    previous = json.loads(json_path.read_text()) if json_path.exists() else {}

    if "load" in parts:
        sizes = [100_000] if args.quick else [100_000, 1_000_000]
        report["load"] = load_bench.run(sizes, args.workdir, repeats=1 if args.quick else 3, log=log)
    if "http" in parts:
        graphs = [("corpus", corpus_store(args.workdir)),
                  ("synthetic-100k" if args.quick else "synthetic-1M",
                   synthetic_store(args.workdir, 100_000 if args.quick else 1_000_000))]
        from kg.store import StoreRoot

        report["ceilings"] = ceilings.run(StoreRoot(graphs[0][1]).current_path(), n=5_000 if args.quick else 20_000,
                                          repeats=1 if args.quick else 3, log=log)
        report["http"] = []
        for label, root in graphs:
            res = http_bench.run_graph(label, root, args.workdir / "http-logs", repeats=1 if args.quick else 3,
                                       target_seconds=0.5 if args.quick else 1.0, rdflib_cap=3 if args.quick else 5,
                                       log=log)
            res["targets"] = http_bench.targets(res["ratios"])
            report["http"].append(res)
    if "build" in parts:
        sizes = [100, 1000] if args.quick else [100, 1000, 10_000]
        report["build"] = build_bench.run(sizes, args.workdir / "build", budget_seconds=args.build_budget, log=log)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    report["environment"]["loadavg_at_end"] = list(os.getloadavg()[:2])
    for part in ("load", "http", "ceilings", "build"):  # keep earlier results of parts not run this time
        if part not in report and part in previous:
            report[part] = previous[part]
            report.setdefault("carried_over", []).append(part)
    json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (args.out / "report.md").write_text(render(report))
    log(f"done in {report['seconds']:.0f} s: {args.out / 'report.md'}")


# ---- the Markdown report ------------------------------------------------------------------------------------


def _fmt(x, digits: int = 2) -> str:
    if x is None or x == "":
        return "–"
    if isinstance(x, float):
        if abs(x) >= 100:
            return f"{x:,.0f}"
        return f"{x:.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render(r: dict) -> str:
    env = r["environment"]
    lines = ["# ipakg benchmark report", "",
             f"Run {env['started']} ({'quick' if r.get('quick') else 'full'}; {r.get('seconds', 0):.0f} s) on "
             f"{env['cpus']} CPUs, Python {env['python']}, pyoxigraph {env['pyoxigraph']}, {env['oxigraph_cli']}. "
             f"Load average at start {env['loadavg_at_start'][0]:.1f}, at end {env.get('loadavg_at_end', [0])[0]:.1f}: "
             "other processes shared the machine, so read the **ratios** (servers measured side by side, "
             "repeats interleaved), not the absolute numbers. Method and analysis: `bench/README.md`.", ""]
    if r.get("carried_over"):
        lines += [f"Parts carried over from an earlier run: {', '.join(r['carried_over'])}.", ""]
    if "http" in r:
        lines += ["## HTTP: `kg serve` vs `oxigraph serve-read-only` (native) vs rdflib-endpoint", ""]
        for g in r["http"]:
            lines += [f"### {g['graph']} ({g['triples']:,} triples)", ""]
            agree = all(c["agree"] for c in g.get("answers", {}).values())
            lines += [f"Answers compared before timing: {'all servers agree' if agree else 'DISAGREEMENT (see report.json)'}. "
                      f"Server RSS after the run (MB): {g.get('server_rss_mb')}.", ""]
            rows = []
            for c in g["cells"]:
                rows.append([c["query"], c["mode"], c["concurrency"], c["server"], c["n"], c["completed"],
                             c["rps"], c["p50_ms"], c["p99_ms"], c["spread"], c["non_2xx"] + c["errors"],
                             "yes" if c["hit_time_cap"] else ""])
            lines += [_table(["query", "mode", "conc", "server", "N", "done", "req/s", "p50 ms", "p99 ms",
                              "max/min reps", "errors", "time cap"], rows), ""]
            lines += ["Ratios (kg req/s ÷ other req/s; > 1 = kg faster):", ""]
            rows = [[x["query"], x["kind"], x["mode"], x["concurrency"], x.get("vs_native"), x.get("vs_rdflib")]
                    for x in g["ratios"]]
            lines += [_table(["query", "kind", "mode", "conc", "kg/native", "kg/rdflib"], rows), ""]
            if g.get("targets"):
                rows = [[t["target"], t["goal"], t["worst"], "met" if t["met"] else "**missed**"] for t in g["targets"]]
                lines += ["Targets:", "", _table(["target", "goal (≥)", "worst cell", ""], rows), ""]
    if r.get("ceilings"):
        lines += ["## Ceilings: the cheapest answer each server stack can give (`bench/ceilings.py`)", "",
                  "A do-nothing app on each stack, same load generator, same run. No query can be served faster "
                  "than its stack's ceiling.", ""]
        rows = [[c["server"], c["concurrency"], c["rps"], c["p50_ms"], c["p99_ms"], c["spread"]] for c in r["ceilings"]]
        lines += [_table(["stack", "conc", "req/s", "p50 ms", "p99 ms", "max/min reps"], rows), ""]
    if "load" in r:
        lines += ["## Load: `kg` (store generation + bulk load) vs `oxigraph load`", ""]
        rows = [[x["size"], x["method"], x["quads"], x["reps_wall_seconds"], x["quads_per_second"], x["peak_rss_mb"],
                 x["on_disk_mb"], x.get("ratio_vs_cli")] for x in r["load"]["rows"]]
        lines += [_table(["size", "method", "quads", "wall s (reps)", "quads/s", "peak RSS MB", "on disk MB",
                          "÷ CLI"], rows), ""]
    if "build" in r:
        lines += ["## Extraction + build on synthetic articles", ""]
        rows = []
        for x in r["build"]["rows"]:
            rows.append([x["size"], x["mode"], "ok" if x["ok"] else "failed: " + str(x.get("error", ""))[:80],
                         x["pipeline_seconds"], x["articles_per_second"], x["ms_per_article"],
                         ", ".join(f"{k} {v:.1f}" for k, v in x["phases"].items()), x["peak_tree_rss_mb"],
                         x["cpu_use"]])
        lines += [_table(["articles", "path", "result", "seconds", "articles/s", "ms/article", "phases (s)",
                          "peak RSS MB", "CPU use (2.0 = both cores)"], rows), ""]
        sc = r["build"].get("scaling") or {}
        if sc:
            lines += [f"Scaling {sc['sizes'][0]:,} → {sc['sizes'][1]:,} articles: extraction cost per article × "
                      f"{sc['extract_ratio']}" + (f", whole pipeline × {sc['total_ratio']}" if "total_ratio" in sc
                                                   else f" (paths {sc['modes'][0]} vs {sc['modes'][1]})") + "; per phase: "
                      + ", ".join(f"{k} × {v}" for k, v in sc.get("phase_ratios", {}).items()) + ".", ""]
        rows = []
        for x in r["build"]["rows"]:
            q = x.get("quality", {})
            rows.append([x["size"], q.get("articles_scored")] +
                        [q.get(m, {}).get("f1") for m in build_bench.METRICS])
        lines += ["Extraction quality on the synthetic gold (micro F1):", "",
                  _table(["articles", "scored"] + list(build_bench.METRICS), rows), ""]
        lines += [f"Note: {n}" for n in r["build"].get("notes", [])] + ([""] if r["build"].get("notes") else [])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
