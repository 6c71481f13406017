"""Loading triples: ``kg``'s store path vs the ``oxigraph load`` CLI, on the same N-Quads file.

Methods, each in a fresh process, each into a fresh directory:

* ``cli``: ``oxigraph load --location DIR --file F`` (the Rust CLI from the ``oxigraph`` PyPI package).
* ``kg``: what ``kg`` does to make a store: a new generation under a :class:`kg.store.StoreRoot`
  (build lock, ``.partial`` directory), pyoxigraph ``bulk_load`` of the file, ``flush``, close, atomic
  switch of ``CURRENT`` (:func:`kg_load`).
* ``kg_build_write`` (smaller sizes only): the build's own write step, ``kg.build._bulk_load`` — the dataset
  as an rdflib ``Dataset`` (parsed beforehand, not timed) serialised to N-Quads by rdflib and bulk-loaded.
  It shows what the build pays for keeping its graphs in rdflib.

Throughput = quads / wall time of the whole process (start-up included for every method, so the CLI's
start-up is not held against it alone). Peak RSS from ``wait4``. Median of ``repeats``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import graphgen

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def kg_load(nquads: Path, store_root: Path) -> tuple[str, int]:
    """Load an N-Quads file into a new current generation of ``store_root``. Returns (generation, quads)."""
    import pyoxigraph as ox

    from kg.store import StoreRoot

    root = StoreRoot(store_root)
    with root.build_lock():
        gen = root.begin()
        try:
            gen.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            n = len(gen.store)
            return root.commit(gen), n
        except BaseException:
            root.abort(gen)
            raise


def _one(method: str, nquads: Path, location: Path) -> dict:
    """Run inside the measured process."""
    t = time.perf_counter()
    if method == "kg":
        _, n = kg_load(nquads, location)
    elif method == "kg_build_write":
        import warnings

        from rdflib import Dataset

        from kg.build import _bulk_load
        from kg.store import StoreRoot

        ds = Dataset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.parse(str(nquads), format="nquads")
        t = time.perf_counter()
        root = StoreRoot(location)
        with root.build_lock():
            gen = root.begin()
            _bulk_load(gen.store, ds)
            n = len(gen.store)
            root.commit(gen)
    else:
        raise ValueError(method)
    return {"quads": n, "in_process_seconds": time.perf_counter() - t}


def measure(method: str, nquads: Path, workdir: Path) -> dict:
    location = Path(tempfile.mkdtemp(prefix=f"load-{method}-", dir=workdir))
    if method == "cli":
        cmd = [str(OXIGRAPH), "load", "--location", str(location), "--file", str(nquads)]
    else:
        cmd = [sys.executable, "-m", "bench.load", "--one", method, str(nquads), str(location)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).parents[1])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{method} load failed: {err.decode(errors='replace')[-2000:]}")
    row = {"method": method, "wall_seconds": round(wall, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
           "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
           "on_disk_mb": round(sum(f.stat().st_size for f in location.rglob("*") if f.is_file()) / 2**20, 1)}
    if method != "cli":
        row.update(json.loads(out.decode().strip().splitlines()[-1]))
    shutil.rmtree(location, ignore_errors=True)
    return row


def count_quads(nquads: Path) -> int:
    with open(nquads, "rb") as fh:
        return sum(1 for line in fh if line.strip() and not line.startswith(b"#"))


def run(sizes: list[int], workdir: Path, *, repeats: int = 3, build_write_max: int = 100_000,
        log=print) -> dict:
    rows = []
    for size in sizes:
        nq = workdir / f"graph_{size}.nq"
        if not nq.exists():
            graphgen.generate(size, nq)
        n = count_quads(nq)
        methods = ["cli", "kg"] + (["kg_build_write"] if size <= build_write_max else [])
        reps: dict[str, list[dict]] = {m: [] for m in methods}
        # Interleaved (cli, kg, cli, kg, ...) so that a change in background load hits every method alike.
        for rep in range(repeats):
            for method in methods:
                if method == "kg_build_write" and rep:
                    continue  # one run: it is an order of magnitude slower, for information only
                reps[method].append(measure(method, nq, workdir))
        for method in methods:
            walls = [r["wall_seconds"] for r in reps[method]]
            med = sorted(reps[method], key=lambda r: r["wall_seconds"])[(len(walls) - 1) // 2]
            row = {**med, "size": size, "quads": n, "reps_wall_seconds": walls,
                   "quads_per_second": round(n / statistics.median(walls))}
            log(f"load {size:>9,} {method:<15} {row['quads_per_second']:>10,} quads/s  "
                f"wall {statistics.median(walls):.2f}s  rss {row['peak_rss_mb']} MB")
            rows.append(row)
        cli = next(r for r in rows if r["size"] == size and r["method"] == "cli")
        for r in rows:
            if r["size"] == size:
                r["ratio_vs_cli"] = round(r["quads_per_second"] / cli["quads_per_second"], 3)
    return {"rows": rows}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--one":
        print(json.dumps(_one(argv[1], Path(argv[2]), Path(argv[3]))))
        return
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.load")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run([int(s) for s in args.sizes.split(",")], workdir, repeats=args.repeats), indent=1))


if __name__ == "__main__":
    main()
