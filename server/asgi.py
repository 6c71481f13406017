"""The ASGI front that ``kg serve`` runs: plain SPARQL queries without Flask, everything else through Flask.

``create_asgi_app()`` wraps the Flask app (``server.create_app``) in :class:`Front`:

* **Fast path.** ``GET /sparql?query=…`` and ``POST /sparql`` (form or ``application/sparql-query``) whose only
  parameters are ``query`` and ``timeout``, with an ``Accept`` the endpoint can satisfy and no conditional
  headers, are answered here: the response cache (keyed on store generation, request and the headers the response
  depends on) first; on a miss the same checks as the Flask route (``LocalEngine.prepare``: complexity, SERVICE
  allow-list, limits), then evaluation and serialisation (``PreparedQuery.answer``, pyoxigraph's own writers) on
  a query thread under a timer. Status, headers and body are those of the Flask route (pinned by
  ``tests/test_asgi.py``): security headers, CORS, ``ETag``/``Cache-Control``, ``Vary``, gzip, row-cap signals and
  the one JSON error shape.
* **Everything else** (pages, UI, saved queries, Graph Store, reconciliation, updates, dataset parameters,
  ``format=``, ``If-None-Match``, a remote ``--backend``…) goes to Flask through ``a2wsgi``.

pyoxigraph cannot cancel a query. When one runs past its limit the client gets the 503 at once and, under
``kg serve``, the worker **recycles**: it stops accepting, finishes what is in flight, closes idle keep-alive
connections and exits (after at most ``RECYCLE_GRACE`` seconds, because the stuck thread cannot be joined);
gunicorn starts a fresh worker. Flask-path queries do the same through ``KG_ON_QUERY_ABANDONED``.
"""

from __future__ import annotations

import asyncio
import codecs
import gzip
import logging
import os
import queue
import re
import signal
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable

from a2wsgi import WSGIMiddleware
from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker

from kg import priority
from kg.errors import KGError, QueryTimeout, StoreError
from kg.sparql import Answer, ResultCache, _timeout, query_kind

from . import create_app, ops
from .errors import APIError, _jsonable, _one_line, error_bytes, kg_error_fields
from .sparql import FORM, SPARQL_QUERY, content_type, negotiate, offers_for, pick_media_type

log = logging.getLogger("kg.server")

#: Threads evaluating fast-path queries per worker (pyoxigraph releases the GIL while it evaluates). Two per
#: worker on 2 cores: server CPU per distinct lookup was 284–286 µs with 1 or 2 threads, 322 µs with 4 (GIL
#: hand-offs); two keep a second query running beside a slow one.
QUERY_THREADS = int(os.environ.get("KG_QUERY_THREADS") or 2)
#: Threads running the Flask app per worker.
FLASK_THREADS = 4
#: Oxigraph's parser and planner recurse on the evaluating thread; ``check_complexity`` bounds the depth, and
#: this stack holds every text under the body cap (tests/test_bad_input_http.py). Virtual memory, paid when used.
THREAD_STACK_BYTES = 128 * 1024 * 1024
#: Seconds a recycling worker waits for its in-flight requests before it exits regardless.
RECYCLE_GRACE = 10.0

#: How stale the fast path's view of ``CURRENT`` may be (a new ``kg build`` is served at most this late).
GENERATION_LOOK_SECONDS = 0.01

_FAST_PARAMS = frozenset({"query", "timeout"})
_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")
_CACHE_HIT, _CACHE_MISS = (b"X-KG-Cache", b"hit"), (b"X-KG-Cache", b"miss")
_STATIC = tuple((k.encode(), v.encode()) for k, v in (*ops.SECURITY_HEADERS.items(),
                                                        ("Content-Security-Policy", ops.DEFAULT_CSP)))


class Recycler:
    """Ends this worker gracefully once a query has been abandoned (pyoxigraph cannot stop it).

    Attached to the worker's uvicorn server (:class:`Worker`), it first stops accepting, gives
    connections already accepted ``SETTLE`` seconds to deliver their requests, then lets uvicorn shut
    down (finish in-flight requests, close idle keep-alive connections); :class:`Worker` then ends the
    process without joining the stuck thread. ``grace`` bounds the whole.
    """

    SETTLE = 0.5

    def __init__(self, grace: float = RECYCLE_GRACE):
        self.grace = grace
        self._lock = threading.Lock()
        self.started = False
        self._server = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, server, loop: asyncio.AbstractEventLoop) -> None:
        self._server, self._loop = server, loop

    def __call__(self) -> None:
        with self._lock:
            if self.started:
                return
            self.started = True
        log.warning("a query was abandoned at its time limit; worker %s recycles", os.getpid())
        threading.Thread(target=self._exit_at_deadline, name="kg-recycle", daemon=True).start()
        if self._loop is None:
            os.kill(os.getpid(), signal.SIGTERM)
        else:
            self._loop.call_soon_threadsafe(self._stop_accepting)

    def _stop_accepting(self) -> None:
        for listener in getattr(self._server, "servers", ()):
            listener.close()
        self._loop.call_later(self.SETTLE, setattr, self._server, "should_exit", True)

    def _exit_at_deadline(self) -> None:
        time.sleep(self.grace)
        self.exit()

    @staticmethod
    def exit() -> None:
        """End the process now: a query thread is stuck in pyoxigraph and cannot be joined."""
        ops.METRICS.flush()  # os._exit skips the atexit handlers
        sys.stderr.flush()
        os._exit(0)


class Front:
    """The ASGI application: the fast path for plain queries, Flask (via a2wsgi) for the rest."""

    def __init__(self, flask_app, *, on_abandon: Callable[[], None] | None = None):
        self.flask = flask_app
        self.wsgi = WSGIMiddleware(flask_app, workers=FLASK_THREADS)
        self.engine = flask_app.extensions["kg.engine"]
        self.cache: ResultCache = flask_app.extensions["kg.result_cache"]
        self.cors = flask_app.extensions.get("kg.cors")
        self.max_body = int(flask_app.config.get("KG_MAX_BODY") or 0)
        self.max_age = int(flask_app.config.get("KG_CACHE_MAX_AGE") or 0)
        self.on_abandon = on_abandon
        self.fast = hasattr(self.engine, "prepare")  # a remote backend answers through Flask
        self.pool = QueryThreads(QUERY_THREADS, priority.demote_after(flask_app.config.get("KG_DEMOTE_AFTER")))

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if self.on_abandon is not None and getattr(self.on_abandon, "started", False):
            send = _closing(send)
        if kind == "http" and self.fast and scope["path"] == "/sparql" and scope["method"] in ("GET", "POST"):
            return await self._sparql(scope, receive, send)
        if kind == "lifespan":
            return await _lifespan(receive, send)
        return await self.wsgi(scope, receive, send)

    # ---- the fast path ---------------------------------------------------------------------------------
    async def _sparql(self, scope, receive, send) -> None:
        started = time.perf_counter()
        h: dict[bytes, bytes] = {}
        for k, v in scope["headers"]:
            if k in h:  # a repeated header: let Werkzeug decide what it means
                return await self.wsgi(scope, receive, send)
            h[k] = v
        method = scope["method"]
        body = b""
        if method == "POST":
            length = h.get(b"content-length")
            if length is None or not length.isdigit() or (self.max_body and int(length) > self.max_body):
                return await self.wsgi(scope, receive, send)
            chunks = []
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
            receive = _replay(body, receive)
        if b"if-none-match" in h or scope.get("root_path") or (scope.get("scheme") not in ("http", "https")):
            return await self.wsgi(scope, receive, send)
        try:
            generation = self.engine.generation_within(GENERATION_LOOK_SECONDS)
        except StoreError:
            generation = None
        if generation is None:
            return await self.wsgi(scope, receive, send)
        accept = _header(h, b"accept")
        encoding = _header(h, b"accept-encoding")
        origin = _header(h, b"origin")
        host = h.get(b"host", b"").decode("latin-1")
        # Everything the response depends on: only plain queries are stored, so a hit needs no parsing.
        key = ("asgi", generation, method, scope["query_string"], body, h.get(b"content-type"), accept, encoding,
               h.get(b"accept-language"), origin, b"authorization" in h, host, scope["scheme"])
        hit = self.cache.get(key)
        if hit is not None:
            status, headers, payload = hit
            await _respond(send, status, [*headers, _CACHE_HIT], payload)
            ops.observe_fast("/sparql", method, status, time.perf_counter() - started, cache="hit")
            return
        request = _plain_query(scope["query_string"], method, h.get(b"content-type", b""), body)
        if request is None or not _HOST.fullmatch(host):
            return await self.wsgi(scope, receive, send)
        text, timeout = request
        if negotiate(offers_for(query_kind(text)), accept) is None:
            return await self.wsgi(scope, receive, send)  # Flask words the 406

        scheme = scope["scheme"]
        base = f"{scheme}://{host.removesuffix(':80' if scheme == 'http' else ':443')}/sparql"
        gz = ops.accepts_gzip(encoding or "")
        etag = None
        if method == "GET":
            etag = ops.etag_for(generation, "/sparql", scope["query_string"].decode("latin-1"), accept or "",
                                _header(h, b"accept-language") or "", gz, b"authorization" in h)
        timed_out = False
        try:
            prepared = self.engine.prepare(text, timeout=timeout, base_iri=base, refresh=False)
            answer, payload = await _on_thread(self.pool, prepared.seconds, _answer, prepared, accept, gz)
        except QueryTimeout:
            timed_out = True
            status, headers, payload = self._error(_timeout(prepared.seconds), origin)
        except (KGError, APIError) as e:
            status, headers, payload = self._error(e, origin)
        except Exception:  # noqa: BLE001 - the same last resort as Flask's
            log.exception("unhandled error")
            status, headers, payload = self._failure(origin)
        else:
            status = 200
            headers = self._result_headers(answer, payload, origin, etag, gz)
            if answer.generation == generation:
                self.cache.put(key, (200, headers, payload), len(payload) + 512)
            headers = [*headers, _CACHE_MISS]
        await _respond(send, status, headers, payload)
        ops.observe_fast("/sparql", method, status, time.perf_counter() - started, cache="miss", timed_out=timed_out)
        if timed_out and self.on_abandon is not None:
            self.on_abandon()

    def _result_headers(self, answer: Answer, payload: bytes, origin: str | None, etag: str | None,
                        gz: bool) -> list[tuple[bytes, bytes]]:
        """What ``server.sparql`` and ``server.ops`` put on a query result, in the same words."""
        out = [(b"Content-Type", content_type(answer.media_type).encode()),
               (b"X-KG-Truncated", b"true" if answer.truncated else b"false")]
        if answer.truncated and answer.row_cap is not None:
            out.append((b"X-KG-Row-Cap", str(answer.row_cap).encode()))
        if answer.generation:
            out.append((b"X-KG-Generation", answer.generation.encode()))
        out += _STATIC
        vary = ["Accept"]
        for k, v in ops.cors_headers(origin, self.cors).items():
            if k == "Vary":
                vary.append(v)
            else:
                out.append((k.encode(), v.encode("latin-1")))
        if etag is not None:
            out.append((b"ETag", etag.encode()))
            out.append((b"Cache-Control", f"public, max-age={self.max_age}, must-revalidate".encode()))
        if content_type(answer.media_type).startswith(ops._COMPRESSIBLE):
            vary.append("Accept-Encoding")
            if payload is not answer.body:
                out.append((b"Content-Encoding", b"gzip"))
        out.append((b"Vary", ", ".join(vary).encode()))
        return out

    def _error(self, e: KGError | APIError, origin: str | None):
        if isinstance(e, KGError):
            status, kind, message, detail, extra = kg_error_fields(e)
        else:
            status, kind, message, detail, extra = e.status, e.kind, _one_line(e.message), _jsonable(e.detail), e.headers
        return status, self._error_headers(extra, origin), error_bytes(status, kind, message, detail)

    def _failure(self, origin: str | None):
        body = error_bytes(500, "internal_error", "the server failed to answer this request; the error has been logged")
        return 500, self._error_headers({}, origin), body

    def _error_headers(self, extra: dict[str, str], origin: str | None) -> list[tuple[bytes, bytes]]:
        out = [(b"Content-Type", b"application/json")]
        out += [(k.encode(), str(v).encode("latin-1")) for k, v in extra.items()]
        if "Cache-Control" not in extra:
            out.append((b"Cache-Control", b"no-store"))
        out += _STATIC
        out += [(k.encode(), v.encode("latin-1")) for k, v in ops.cors_headers(origin, self.cors).items()]
        return out


class _Job:
    """One evaluation: what to run, where to deliver the result, and which thread runs it (for demotion)."""

    __slots__ = ("loop", "future", "fn", "args", "thread_id", "clock", "cpu_start", "demoted")

    def __init__(self, loop, future, fn, args):
        self.loop, self.future, self.fn, self.args = loop, future, fn, args
        self.thread_id: int | None = None  # the kernel id of the thread running it, while it runs
        self.clock: int | None = None  # that thread's CPU clock, and its reading when the job started
        self.cpu_start = 0.0
        self.demoted = False


class QueryThreads:
    """Daemon threads that evaluate queries and hand each result back to the event loop in one step.

    A job goes on a ``SimpleQueue``; its result comes back with one ``call_soon_threadsafe`` (no
    ``concurrent.futures.Future`` with its ``Condition``, no chained callback as with ``ThreadPoolExecutor`` +
    ``asyncio.wrap_future``). Daemon threads, because a thread stuck in a query past its limit must not keep a
    recycling worker alive.

    A job that has used ``demote_after`` seconds of CPU is niced (:mod:`kg.priority`). Its thread then retires
    when the job ends, since it cannot get its priority back; the event loop's thread (never niced) starts the
    replacement, which inherits its priority.
    """

    def __init__(self, size: int, demote_after: float | None = None):
        self.size = size
        self.demote_after = demote_after
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, fn, *args) -> _Job:
        if len(self._threads) < self.size:
            self._start_threads()
        loop = asyncio.get_running_loop()
        job = _Job(loop, loop.create_future(), fn, args)
        self._jobs.put(job)
        return job

    def demote(self, job: _Job, *, abandoned: bool = False) -> float | None:
        """Nice the thread running ``job`` if the job has used ``demote_after`` of CPU; else when to ask again.

        CPU time never runs ahead of wall time, so the job cannot cross the threshold sooner than the seconds
        returned. ``None`` when there is nothing (more) to do: the job is done or demoted, its thread has no CPU
        clock, or demotion is off. An ``abandoned`` job (past its limit) is niced at once, whatever it has used:
        it runs on until the worker ends.
        """
        if self.demote_after is None and not abandoned:
            return None
        with self._lock:
            if abandoned:
                if job.thread_id is not None and not job.demoted:
                    job.demoted = priority.demote(job.thread_id)
                return None
            if job.demoted or job.future.done():
                return None
            if job.thread_id is None:  # still queued
                return self.demote_after
            used = priority.cpu_seconds(job.clock)
            if used is None:
                return None
            left = self.demote_after - (used - job.cpu_start)
            if left > 0.005:
                return left
            job.demoted = priority.demote(job.thread_id)
            return None

    def _start_threads(self) -> None:
        with self._lock:  # started on first use, so after gunicorn's fork and with the stack size already set
            while len(self._threads) < self.size:
                t = threading.Thread(target=self._run, name="kg-query", daemon=True)
                t.start()
                self._threads.append(t)

    def _run(self) -> None:
        get, me, lock = self._jobs.get, threading.get_native_id(), self._lock
        clock = priority.own_cpu_clock() if self.demote_after is not None else None
        while True:
            job = get()
            started = priority.cpu_seconds(clock)
            with lock:
                job.thread_id, job.clock, job.cpu_start = me, clock, started or 0.0
            try:
                outcome, settle = job.fn(*job.args), _set_result
            except BaseException as e:  # noqa: BLE001 - re-raised on the event loop
                outcome, settle = e, _set_exception
            with lock:
                job.thread_id = None
                retire = job.demoted
                if retire:
                    self._threads.remove(threading.current_thread())
            try:
                loop = job.loop
                if retire:  # a replacement at normal priority, started by the loop's thread
                    loop.call_soon_threadsafe(self._start_threads)
                loop.call_soon_threadsafe(settle, job.future, outcome)
            except RuntimeError:  # the loop has closed: the worker is shutting down
                pass
            if retire:
                return


def _set_result(future: asyncio.Future, value) -> None:
    if not future.done():  # cancelled at its time limit
        future.set_result(value)


def _set_exception(future: asyncio.Future, error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


async def _on_thread(pool: QueryThreads, seconds: float | None, fn, *args):
    """``fn(*args)`` on a query thread; :class:`QueryTimeout` after ``seconds`` (the thread runs on, niced).

    Timers on the loop instead of ``asyncio.wait_for`` (lighter on every query): one that nices the thread
    of a long evaluation (:meth:`QueryThreads.demote`), one that gives up at the limit.
    """
    job = pool.submit(fn, *args)
    waiter = job.future
    loop = asyncio.get_running_loop()
    expired = []
    timers: list[asyncio.TimerHandle] = []

    def give_up() -> None:
        expired.append(waiter.cancel())
        pool.demote(job, abandoned=True)

    def maybe_demote() -> None:
        left = pool.demote(job)
        if left is not None:
            timers.append(loop.call_later(left, maybe_demote))

    if seconds is not None:
        timers.append(loop.call_later(seconds, give_up))
    if pool.demote_after is not None and (seconds is None or pool.demote_after < seconds):
        timers.append(loop.call_later(pool.demote_after, maybe_demote))
    try:
        return await waiter
    except asyncio.CancelledError:
        if expired:
            raise QueryTimeout("expired") from None
        raise
    finally:
        for timer in timers:
            timer.cancel()


def _answer(prepared, accept: str | None, gz: bool) -> tuple[Answer, bytes]:
    """Runs on a query thread: evaluate, serialise and (if asked and worth it) gzip."""
    answer = prepared.answer(lambda kind: _pick(kind, accept))
    payload = answer.body
    if gz and len(payload) >= ops.GZIP_MIN and content_type(answer.media_type).startswith(ops._COMPRESSIBLE):
        payload = gzip.compress(payload, compresslevel=5, mtime=0)
    return answer, payload


def _pick(kind: str, accept: str | None) -> str:
    return pick_media_type(offers_for(kind), f"{kind.upper()} result", None, accept)


def _header(h: dict[bytes, bytes], name: bytes) -> str | None:
    v = h.get(name)
    return None if v is None else v.decode("latin-1")


def _plain_query(query_string: bytes, method: str, ctype: bytes, body: bytes) -> tuple[str, float | None] | None:
    """``(query, timeout)`` of a plain query request, or ``None`` when Flask should handle it."""
    if method == "GET" and query_string.startswith(b"query=") and b"&" not in query_string and b";" not in query_string:
        text = form_value(query_string[6:])
        return (text, None) if text is not None and text.strip() else None
    try:
        pairs = urllib.parse.parse_qsl(query_string.decode("ascii"), keep_blank_values=True, encoding="utf-8",
                                       errors="strict") if query_string else []
        if method == "POST":
            mt, _, params = ctype.decode("latin-1").partition(";")
            mt = mt.strip().lower()
            if mt == FORM:
                pairs += urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8",
                                                errors="strict")
            elif mt == SPARQL_QUERY and params.strip().lower().replace(" ", "") in ("", "charset=utf-8"):
                pairs.append(("query", body.decode("utf-8")))
            else:
                return None
    except UnicodeError:
        return None
    names = [k for k, _ in pairs]
    if set(names) - _FAST_PARAMS or len(names) != len(set(names)) or "query" not in names:
        return None
    params = dict(pairs)
    text = params["query"]
    if not text.strip():
        return None
    timeout = None
    raw = params.get("timeout")
    if raw:
        try:
            timeout = float(raw)
        except ValueError:
            return None
        if not timeout > 0:  # also NaN
            return None
    return text, timeout


def form_value(raw: bytes) -> str | None:
    """One ``application/x-www-form-urlencoded`` value decoded strictly (``+``, ``%XX``, UTF-8), or ``None``.

    What ``urllib.parse.unquote_plus`` does for a valid value, at C speed: the ``%XX`` escapes become
    ``\\xXX`` escapes for ``codecs.escape_decode`` (backslashes already there are doubled first, so they stay
    literal). ``unquote_plus`` stood out in py-spy profiles of point queries. Anything odd (a malformed escape,
    raw non-ASCII, bad UTF-8) is ``None``: Flask then answers it with its own rules.
    """
    if not raw.isascii():
        return None
    raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        try:
            raw = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
        except ValueError:
            return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _replay(body: bytes, receive):
    """A ``receive`` that hands Flask the body the fast path already read."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _closing(send):
    """``send`` that ends each response with ``Connection: close`` (uvicorn then closes the connection).

    Used while this worker recycles: a client that gets its answer on a closing connection opens a new one
    to a live worker, instead of sending its next request down a keep-alive connection just as the worker
    shuts it (and getting no answer at all).
    """
    async def send_closing(message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"connection"]
            message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await send(message)

    return send_closing


async def _respond(send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"Content-Length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_asgi_app(config: dict[str, Any] | None = None, *, recycle: bool = False) -> Front:
    """The ASGI app. ``recycle=True`` (``kg serve``) ends the worker after a query is abandoned at its limit."""
    threading.stack_size(THREAD_STACK_BYTES)  # for every thread made from now on: query, Flask, time-limit threads
    on_abandon = Recycler() if recycle else None
    app = create_app({**(config or {}), "KG_ON_QUERY_ABANDONED": on_abandon})
    return Front(app, on_abandon=on_abandon)


class Worker(UvicornWorker):
    """gunicorn worker for ``kg serve``: uvloop + httptools, keep-alive, no ``Server`` header, recycling."""

    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "server_header": False}

    async def _serve(self) -> None:
        self.config.app = self.wsgi
        server = Server(config=self.config)
        recycler = getattr(self.wsgi, "on_abandon", None)
        if isinstance(recycler, Recycler):
            recycler.attach(server, asyncio.get_running_loop())
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
        if isinstance(recycler, Recycler) and recycler.started:
            recycler.exit()
