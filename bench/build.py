"""Extraction + build at scale: articles/s, cost per article, peak memory, CPU use, extraction quality.

For each size (100, 1,000, 10,000 by default) :mod:`bench.synthetic` writes that many articles in zh-Hant,
zh-Hans and en with gold annotations (not timed). Then one fresh process (``python -m bench.build --one``) runs
the real pipeline through the library, exactly as ``kg build --keep-going DIR`` does (``kg.build.read_sources`` =
extraction, then ``kg.build.build_sources`` = graphs, validation (evidence spans, SHACL, OWL reasoner), store
generation), on ``--jobs`` processes (default: one per CPU), with phase times taken from the build's own
progress messages. An article the extractor crashes on is counted and skipped, not fatal.

Measured from outside: wall time, CPU seconds of the process and its children (the build's workers and the
HermiT JVM), and the **peak resident memory of the whole process tree** (sampled every 0.1 s from /proc).
CPU use = CPU seconds / wall seconds: 2.0 means both cores busy the whole time (on a machine shared with other
work it is lower; CPU seconds per article is then the steadier figure).

Quality at scale: every extraction is scored against its synthetic gold with :mod:`kg.evaluate`
(micro-averaged over articles: summed tp/fp/fn), after the build and outside the timed part.

The full pipeline is run at a size only when the previous size predicts it fits the time budget
(``--budget``, default one hour, linear extrapolation); otherwise that size runs the **reduced path**:
extraction and graph assembly only (no validation, no store), and the report says so.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .procs import REPO, tree_rss_kb

# Progress messages of kg.build.build_sources -> the phase they start.
PHASE_WORDS = (("building", "graphs"), ("validating", "validate"), ("writing", "store"))
METRICS = ("mentions_strict", "entities", "facts_core_L1", "facts_core_L2", "facts_core_L3")


def _gold_for(article: Path, gold_dir: Path) -> Path:
    return gold_dir / (article.name[: -len(".txt")] + ".gold.json")


def _quality(sources, gold_dir: Path) -> dict:
    from kg.evaluate import evaluate

    totals = {m: [0, 0, 0] for m in METRICS}
    scored = 0
    for src in sources:
        gold = _gold_for(Path(src.path), gold_dir)
        if not gold.exists():
            continue
        rep = evaluate(gold, src.extraction)
        scored += 1
        for m in METRICS:
            totals[m][0] += rep[m]["tp"]
            totals[m][1] += rep[m]["fp"]
            totals[m][2] += rep[m]["fn"]
    out: dict = {"articles_scored": scored}
    for m, (tp, fp, fn) in totals.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        out[m] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                  "tp": tp, "fp": fp, "fn": fn}
    return out


def _one(articles: Path, store: Path, mode: str, jobs: int | None) -> dict:
    """Inside the measured process."""
    from kg.build import OntologyInfo, assemble, build_sources, expand_sources, load_lexicon_or_none, read_sources
    from kg.errors import KGError
    from kg.store import StoreRoot

    marks: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    lexicon = load_lexicon_or_none()
    paths = expand_sources([articles])
    # --keep-going: an article the extractor crashes on is counted and reported instead of ending the benchmark.
    sources, failures = read_sources(paths, keep_going=True, lexicon=lexicon, jobs=jobs)
    crashes = [e.message for e in failures if e.detail.get("crash")]
    failures = [e for e in failures if not e.detail.get("crash")]
    t_extract = time.perf_counter() - t0
    out: dict = {"articles": len(paths), "extracted": len(sources), "failed": len(failures), "crashed": len(crashes),
                 "crashes": crashes[:20], "mode": mode, "phases": {"extract": round(t_extract, 3)}}
    t1 = time.perf_counter()
    if mode == "full":
        try:
            report = build_sources(sources, StoreRoot(store), lexicon=lexicon, jobs=jobs,
                                   progress=lambda m: marks.append((time.perf_counter(), m)))
            out["triples"] = sum(report.triples.values())
            out["ok"] = True
        except KGError as e:
            out["ok"] = False
            out["error"] = e.message.splitlines()[0][:300]
        bounds = [t1] + [t for t, _ in marks] + [time.perf_counter()]
        names, current = ["graphs"], "graphs"
        for _, m in marks:  # the build's progress messages say which phase starts
            current = next((phase for word, phase in PHASE_WORDS if m.startswith(word)), current)
            names.append(current)
        for name, a, b in zip(names, bounds, bounds[1:]):
            out["phases"][name] = round(out["phases"].get(name, 0) + b - a, 3)
    else:
        ds = assemble(sources, ontology=OntologyInfo.load(), lexicon=lexicon)
        out["triples"] = sum(len(g) for g in ds.graphs())
        out["phases"]["graphs"] = round(time.perf_counter() - t1, 3)
        out["ok"] = True
    out["pipeline_seconds"] = round(time.perf_counter() - t0, 3)
    ru_self, ru_kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out["pipeline_cpu_seconds"] = round(ru_self.ru_utime + ru_self.ru_stime + ru_kids.ru_utime + ru_kids.ru_stime, 3)
    t2 = time.perf_counter()
    out["quality"] = _quality(sources, articles.parent / "gold")
    out["quality_seconds"] = round(time.perf_counter() - t2, 3)
    return out


def measure(articles: Path, store: Path, mode: str, jobs: int | None = None) -> dict:
    out_file = store.parent / f"result-{store.name}.json"
    cmd = [sys.executable, "-m", "bench.build", "--one", str(articles), str(store), mode, str(out_file),
           str(jobs or 0)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"build worker failed ({proc.returncode}): {err[-3000:]}")
    row = json.loads(out_file.read_text())
    row.update(wall_seconds=round(wall, 3), peak_tree_rss_mb=round(peak / 1024, 1))
    row["cpu_use"] = round(row["pipeline_cpu_seconds"] / row["pipeline_seconds"], 2) if row["pipeline_seconds"] else 0
    row["articles_per_second"] = round(row["articles"] / row["pipeline_seconds"], 2)
    row["ms_per_article"] = round(1000 * row["pipeline_seconds"] / row["articles"], 2)
    row["cpu_ms_per_article"] = round(1000 * row["pipeline_cpu_seconds"] / row["articles"], 2)
    return row


def run(sizes: list[int], workdir: Path, *, budget_seconds: float = 3600.0, jobs: int | None = None,
        log=print) -> dict:
    rows = []
    per_article_full: float | None = None
    for n in sizes:
        synth = workdir / f"synthetic-{n}"
        if not (synth / "articles").is_dir():
            subprocess.run([sys.executable, "-m", "bench.synthetic", "--n", str(n), "--out", str(synth)], cwd=REPO,
                           check=True, stdout=subprocess.DEVNULL)
        mode = "full"
        if per_article_full is not None and per_article_full * n > budget_seconds:
            mode = "reduced"
        if (workdir / f"store-{n}").exists():
            shutil.rmtree(workdir / f"store-{n}")  # a fresh store root: the previous run's generations cost disk
        row = measure(synth / "articles", workdir / f"store-{n}", mode, jobs)
        row["size"] = n
        if mode == "full":
            per_article_full = row["pipeline_seconds"] / n
        rows.append(row)
        status = "ok" if row["ok"] else f"FAILED: {row.get('error')}"
        log(f"build {n:>6} articles [{mode}] {row['articles_per_second']:>8} articles/s  "
            f"{row['ms_per_article']} ms/article ({row['cpu_ms_per_article']} CPU ms)  peak {row['peak_tree_rss_mb']} MB  cpu use {row['cpu_use']}  "
            f"phases {row['phases']}  {status}")
    return {"rows": rows, "scaling": scaling(rows)}


def scaling(rows: list[dict]) -> dict:
    """Cost per article at the largest size vs 1,000 articles, per phase where both sizes ran it."""
    by = {r["size"]: r for r in rows}
    if 1000 not in by or len(by) < 2:
        return {}
    big = max(by)
    a, b = by[1000], by[big]
    out = {"sizes": [1000, big], "modes": [a["mode"], b["mode"]]}
    out["extract_ms_per_article"] = [round(1000 * r["phases"]["extract"] / r["articles"], 3) for r in (a, b)]
    out["extract_ratio"] = round(out["extract_ms_per_article"][1] / out["extract_ms_per_article"][0], 3)
    out["phase_ratios"] = {p: round((b["phases"][p] / b["articles"]) / (a["phases"][p] / a["articles"]), 3)
                           for p in a["phases"] if p in b["phases"] and a["phases"][p] > 0}
    if a["mode"] == b["mode"]:
        out["total_ratio"] = round(b["ms_per_article"] / a["ms_per_article"], 3)
        out["cpu_ratio"] = round(b["cpu_ms_per_article"] / a["cpu_ms_per_article"], 3)
    return out


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--one":
        articles, store, mode, out_file = Path(argv[1]), Path(argv[2]), argv[3], Path(argv[4])
        jobs = int(argv[5]) if len(argv) > 5 and int(argv[5]) > 0 else None
        out_file.write_text(json.dumps(_one(articles, store, mode, jobs)))
        return
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.build")
    ap.add_argument("--sizes", nargs="+", default=["100,1000,10000"], help="e.g. 100 1000 10000 (or 100,1000)")
    ap.add_argument("--budget", type=float, default=3600.0, help="seconds one size may take for the full pipeline")
    ap.add_argument("--jobs", type=int, default=None, help="build processes (default: one per CPU)")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-build-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for part in args.sizes for s in part.split(",") if s]
    print(json.dumps(run(sizes, workdir, budget_seconds=args.budget, jobs=args.jobs), indent=1))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
