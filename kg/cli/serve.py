"""``kg serve``: the SPARQL endpoint, saved queries, entity pages and web UI under gunicorn.

gunicorn manages N worker processes (default: one per CPU), each an asyncio server (uvicorn with
uvloop and httptools, keep-alive) running the ASGI front of ``server.asgi``: plain SPARQL queries are
answered there, on query threads; everything else goes to the Flask app. Each worker opens the
current store generation read-only and picks up a new generation from ``kg build`` without a restart.

With ``KG_UPDATE_TOKEN`` set, updates and Graph Store writes are enabled; the store can then be
opened read-write by one process only, so ``kg serve`` runs a single worker that answers both
reads and writes. Writes go into the current generation; the next ``kg build`` starts a fresh one.

A query past its time limit gets a 503 at once; since pyoxigraph cannot cancel it, that worker
then recycles gracefully (finishes its other requests, exits) and gunicorn starts a fresh one,
while the other workers, and the other requests on the same worker, keep being answered.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

from . import pass_context
from ..errors import InputError
from ..store import StoreRoot


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes (default: CPUs; always 1 when KG_UPDATE_TOKEN enables writes).")
@click.option("--backend", metavar="URL", default=None, envvar="KG_BACKEND",
              help="Answer from a remote SPARQL 1.1 endpoint instead of the local store. Env: KG_BACKEND.")
@click.option("--timeout", "query_timeout", type=float, default=None,
              help="Per-query time limit in seconds (default 30, env KG_QUERY_TIMEOUT).")
@click.option("--access-log/--no-access-log", default=False, show_default=True, help="Log every request to stderr.")
@pass_context
def serve(ctx, host: str, port: int, workers: int | None, backend: str | None, query_timeout: float | None,
          access_log: bool) -> None:
    """Serve the endpoint at http://HOST:PORT/ (SPARQL at /sparql)."""
    _preload_jemalloc()
    store = Path(ctx.store).resolve()
    if not backend:
        # Fail now, clearly, rather than answering every request with 503.
        StoreRoot(store).current_path()
    token = os.environ.get("KG_UPDATE_TOKEN")
    if token and backend:
        raise InputError("KG_UPDATE_TOKEN enables writes to the local store; it cannot be combined with --backend")
    if token:
        if workers not in (None, 1):
            click.echo("kg serve: writes are enabled (KG_UPDATE_TOKEN), so one worker serves everything", err=True)
        workers = 1
    elif workers is None:
        workers = os.cpu_count() or 1
    timeout = query_timeout if query_timeout is not None else float(os.environ.get("KG_QUERY_TIMEOUT") or 30.0)
    if timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")

    metrics_dir = tempfile.mkdtemp(prefix="kg-metrics-")
    env = {
        "KG_STORE": str(store),
        "KG_QUERY_TIMEOUT": str(timeout),
        "KG_METRICS_DIR": metrics_dir,
        "KG_BOOT_ID": f"{os.getpid()}-{time.time_ns()}",
    }
    if backend:
        env["KG_BACKEND"] = backend
    os.environ.update(env)
    try:
        _run_gunicorn(host, port, workers, timeout, access_log)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


#: Where Debian and Ubuntu put jemalloc (package libjemalloc2).
JEMALLOC = ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2")


def _preload_jemalloc() -> None:
    """Re-exec ``kg serve`` once with jemalloc preloaded, when it is installed and ``KG_ALLOCATOR`` is not ``system``.

    Oxigraph allocates per solution; with glibc's malloc a GROUP BY scan of 1M triples ran ~10 % slower
    than with jemalloc (bench/README.md). A preload only takes effect at exec, hence the re-exec."""
    if os.environ.get("KG_ALLOCATOR", "jemalloc") == "system" or "jemalloc" in os.environ.get("LD_PRELOAD", ""):
        return
    lib = next((p for p in JEMALLOC if os.path.exists(p)), None)
    if lib is None:
        return
    os.environ["LD_PRELOAD"] = " ".join(x for x in (os.environ.get("LD_PRELOAD"), lib) if x)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "kg", *sys.argv[1:]])


def _memory_limit(megabytes: int):
    """A gunicorn ``post_fork`` hook capping each worker's address space (``KG_WORKER_MEMORY_MB``).

    A query that needs more memory makes Oxigraph abort that worker (its client's connection is
    reset) instead of starving the machine; gunicorn starts a fresh worker.
    """
    import resource

    def post_fork(server, worker):
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return post_fork


def _run_gunicorn(host: str, port: int, workers: int, query_timeout: float, access_log: bool) -> None:
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "server.asgi.Worker",
                # The event loop stays free during queries, so this only catches a truly wedged worker.
                "timeout": int(query_timeout) + 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                "accesslog": "-" if access_log else None,
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "kg-serve",
                "preload_app": False,  # every worker opens the store itself, after the fork
            }
            memory_mb = int(os.environ.get("KG_WORKER_MEMORY_MB") or 0)
            if memory_mb > 0:
                settings["post_fork"] = _memory_limit(memory_mb)
            for k, v in settings.items():
                self.cfg.set(k, v)

        def load(self):
            from server.asgi import create_asgi_app

            return create_asgi_app(recycle=True)

    click.echo(f"kg serve: http://{host}:{port}/ (SPARQL at /sparql), {workers} worker(s)", err=True)
    sys.argv = sys.argv[:1]  # gunicorn must not read our CLI options as its own
    App().run()

