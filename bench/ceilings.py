"""What the machine allows: the cheapest possible answer of each server stack, with the same load generator.

A target ratio is only meaningful below these ceilings. Measured side by side, interleaved repeats:

* ``native ASK {}``: ``oxigraph serve-read-only`` answering the cheapest SPARQL request there is;
* ``gunicorn sync + WSGI``: a do-nothing WSGI app (fixed 36-byte body) on gunicorn's sync workers, the stack
  ``kg serve`` used before 2026-11-27;
* ``gunicorn + uvicorn + ASGI``: a do-nothing ASGI app on gunicorn with ``uvicorn_worker.UvicornWorker``
  (uvloop, httptools, keep-alive), the stack ``kg serve`` uses now.

Each stack runs with as many workers as ``kg serve`` would (one per CPU).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from . import loadgen
from .procs import REPO, free_port

BIN = Path(sys.executable).parent
BODY = b'{"head":{},"boolean":true}'


def wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(BODY)))])
    return [BODY]


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json"),
                            (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})


def _commands(port: int, generation_dir: Path, workers: int) -> dict[str, tuple[list[str], str]]:
    bind = f"127.0.0.1:{port}"
    gunicorn = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", bind, "--log-level", "warning"]
    return {
        "native ASK {}": ([str(BIN / "oxigraph"), "serve-read-only", "--location", str(generation_dir), "--bind", bind],
                          "/query?query=ASK%20%7B%7D"),
        "gunicorn sync + WSGI": (gunicorn + ["--worker-class", "sync", "bench.ceilings:wsgi_app"], "/"),
        "gunicorn + uvicorn + ASGI": (gunicorn + ["--worker-class", "uvicorn_worker.UvicornWorker",
                                                  "bench.ceilings:asgi_app"], "/"),
    }


def _wait(port: int, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ceiling server exited with {proc.returncode}")
        try:
            r = loadgen.run("127.0.0.1", port, [loadgen.get(path)], 1, 1, time_cap=5, io_timeout=5)
            if r.completed and not r.errors:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("ceiling server did not answer")


def run(generation_dir: Path, *, n: int = 20_000, repeats: int = 3, workers: int | None = None, log=print) -> list[dict]:
    workers = workers or os.cpu_count() or 1
    ports = {}
    procs = {}
    try:
        for name, _ in _commands(0, generation_dir, workers).items():
            port = free_port()
            cmd, path = _commands(port, generation_dir, workers)[name]
            procs[name] = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ports[name] = (port, path)
            _wait(port, path, procs[name])
        rows = []
        for conc in (1, 8):
            runs: dict[str, list[loadgen.CellResult]] = {name: [] for name in procs}
            for _ in range(repeats):
                for name, (port, path) in ports.items():
                    runs[name].append(loadgen.run("127.0.0.1", port, [loadgen.get(path)], n // (4 if conc == 1 else 1),
                                                  conc))
            for name in procs:
                d = loadgen.describe(runs[name])
                d.update(server=name, concurrency=conc)
                rows.append(d)
            log("ceilings c=%d: %s" % (conc, "  ".join(f"{k} {loadgen.median_of(v).rps:,.0f}/s"
                                                       for k, v in runs.items())))
        return rows
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
