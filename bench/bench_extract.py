"""Extraction throughput: documents per second for the seed repeated, and for a directory of articles.

    .venv/bin/python bench/bench_extract.py [--repeat 50] [--dir data/eval/articles] [--jobs 2]

Prints the cold start of a `kg extract` process (lexicon loaded from the disk cache), the in-process rate on
the seed, and the batch rate over a directory (serial and with a process pool). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SEED = REPO / "data" / "corpus" / "initium-2026-01-08-us-exits-66-organisations.zh-Hant.txt"


def _extract(path: str) -> int:
    from kg.extract import extract_path

    return len(extract_path(path)["facts"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--dir", type=Path, default=REPO / "data" / "eval" / "articles")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "extract", str(SEED), "-o", os.devnull], check=True, cwd=REPO)
    print(f"cold `kg extract` of the seed (new process, cached lexicon): {time.perf_counter() - t0:.2f} s")

    from kg.extract import extract_path
    from kg.lexicon import load_lexicon

    t0 = time.perf_counter()
    load_lexicon()
    print(f"lexicon load in this process: {time.perf_counter() - t0:.3f} s")
    extract_path(SEED)
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        extract_path(SEED)
    dt = time.perf_counter() - t0
    size = len(SEED.read_text(encoding="utf-8"))
    print(f"seed x{args.repeat}: {args.repeat / dt:.1f} docs/s ({dt / args.repeat * 1000:.1f} ms/doc, "
          f"{size * args.repeat / dt / 1000:.0f} k chars/s)")

    files = sorted(str(p) for p in args.dir.glob("*") if p.suffix in (".txt", ".html"))
    if not files:
        print(f"no articles in {args.dir}")
        return
    files = files * max(1, 60 // len(files))
    t0 = time.perf_counter()
    for f in files:
        _extract(f)
    dt = time.perf_counter() - t0
    print(f"{args.dir.name} ({len(files)} docs) serial: {len(files) / dt:.1f} docs/s")
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(_extract, files, chunksize=4))
    dt = time.perf_counter() - t0
    print(f"{args.dir.name} ({len(files)} docs) {args.jobs} processes: {len(files) / dt:.1f} docs/s "
          f"(includes worker start-up)")


if __name__ == "__main__":
    main()
