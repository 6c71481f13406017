"""``kg serve``: the SPARQL endpoint, saved queries, entity pages and web UI under gunicorn.

Read-only by default: N sync workers (default: one per CPU) each open the current store
generation read-only and pick up a new generation from ``kg build`` without a restart.

With ``KG_UPDATE_TOKEN`` set, updates and Graph Store writes are enabled; the store can then be
opened read-write by one process only, so ``kg serve`` runs a single worker that answers both
reads and writes. Writes go into the current generation; the next ``kg build`` starts a fresh one.

A query past its time limit gets a 503 and its worker process ends (pyoxigraph cannot cancel a
query); gunicorn starts a replacement while the other workers keep answering.
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
    _ensure_deep_stack()
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
        "KG_HARD_TIMEOUTS": "1",
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


#: Oxigraph's parser and planner recurse on the calling thread (a sync worker's main thread): with the
#: usual 8 MiB stack, long chains (``1+1+…``, ``[ ?p [ ?p …``, many patterns) crash the worker with SIGSEGV
#: well below the body cap. The stack is virtual memory, paid for only when used.
STACK_BYTES = 1 << 30


def _ensure_deep_stack() -> None:
    """Re-exec ``kg serve`` once with a 1 GiB stack limit: the main thread's stack size is fixed at exec."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY or soft >= STACK_BYTES or os.environ.get("KG_DEEP_STACK"):
        return
    target = STACK_BYTES if hard == resource.RLIM_INFINITY else min(hard, STACK_BYTES)
    if target <= soft:
        return
    resource.setrlimit(resource.RLIMIT_STACK, (target, hard))
    os.environ["KG_DEEP_STACK"] = "1"
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
                "worker_class": "sync",
                # gunicorn's own kill switch stays behind ours: our watchdog answers 503 first.
                "timeout": int(query_timeout) + 30,
                "graceful_timeout": 10,
                "keepalive": 2,
                "limit_request_line": 8190,  # long GET queries; longer ones should be POSTed
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
            from server import create_app

            return create_app()

    click.echo(f"kg serve: http://{host}:{port}/ (SPARQL at /sparql), {workers} worker(s)", err=True)
    sys.argv = sys.argv[:1]  # gunicorn must not read our CLI options as its own
    App().run()

