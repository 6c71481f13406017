"""A bounded HTTP/1.1 load generator for servers on 127.0.0.1.

One process, one thread, ``concurrency`` sockets multiplexed with ``selectors``: each socket keeps exactly
one request in flight (closed-loop, like ``wrk -c N``), so the offered load adapts to the server instead of
queueing without bound. A run stops after a **fixed number of responses** (or at a time cap, reported as
such). Requests are prepared byte strings, cycled in order: a list of one request measures *repeated*
requests, a long list of different ones *distinct* requests. Keep-alive is used when the server allows it;
a server that closes after each response (e.g. gunicorn's sync workers) gets a new connection per request, as
a real client would.

Latency is per request from the first byte sent to the last byte read, including the connect when the
previous response closed the connection. Throughput is responses / wall time of the run.

It refuses anything but a loopback address: it exists to measure our own processes, never to load
somebody else's server.
"""

from __future__ import annotations

import ipaddress
import selectors
import socket
import statistics
import time
import urllib.parse
from dataclasses import asdict, dataclass, field


def get(path: str, params: dict[str, str] | None = None, *, accept: str = "*/*", host: str = "127.0.0.1") -> bytes:
    """A prepared ``GET`` request (path plus url-encoded params)."""
    target = path + ("?" + urllib.parse.urlencode(params) if params else "")
    return (f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nUser-Agent: ipakg-bench\r\n\r\n").encode()


def post_form(path: str, params: dict[str, str], *, accept: str = "*/*", host: str = "127.0.0.1") -> bytes:
    body = urllib.parse.urlencode(params).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nUser-Agent: ipakg-bench\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


@dataclass
class CellResult:
    """One run: ``n`` requests at ``concurrency``."""

    requested: int
    concurrency: int
    completed: int = 0
    seconds: float = 0.0
    non_2xx: int = 0
    errors: int = 0
    connects: int = 0
    hit_time_cap: bool = False
    stalled: bool = False  # no answer at all for ``io_timeout`` seconds; the run was cut there
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def rps(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))]

    def summary(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        d.update(rps=round(self.rps, 2), p50_ms=round(self.percentile(50), 3), p99_ms=round(self.percentile(99), 3))
        return d


class _Conn:
    __slots__ = ("sock", "buf", "sent_at", "req", "open")

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self.sent_at = 0.0
        self.req = 0
        self.open = False


def _check_loopback(host: str) -> None:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as e:
        raise ValueError(f"cannot resolve {host!r}: {e}") from e
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_loopback:
            raise ValueError(f"the load generator only targets loopback addresses, not {host!r}")


def _complete(buf: bytearray) -> tuple[int, int, bool] | None:
    """If ``buf`` holds a whole response: (status, its length in bytes, server closes). ``-1`` length = until EOF."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1").lower()
    status = int(head[9:12])
    close = "\r\nconnection: close" in head or head.startswith("http/1.0")
    body_start = end + 4
    i = head.find("\r\ncontent-length:")
    if i >= 0:
        j = head.find("\r\n", i + 2)
        length = int(head[i + 17: j if j >= 0 else None].strip())
        return (status, body_start + length, close) if len(buf) >= body_start + length else None
    if "\r\ntransfer-encoding: chunked" in head:
        pos = body_start
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(bytes(buf[pos:eol]).split(b";", 1)[0], 16)
            if size == 0:
                trailer_end = buf.find(b"\r\n\r\n", eol)
                if trailer_end < 0:
                    return None
                return status, trailer_end + 4, close
            pos = eol + 2 + size + 2
            if pos > len(buf):
                return None
    if status in (204, 304) or 100 <= status < 200:
        return status, body_start, close
    return status, -1, True


def run(host: str, port: int, requests: list[bytes], n: int, concurrency: int, *,
        time_cap: float = 60.0, io_timeout: float = 120.0) -> CellResult:
    """Send ``n`` requests (cycling through ``requests``) with ``concurrency`` in flight; wait for all answers."""
    _check_loopback(host)
    if not requests:
        raise ValueError("no requests to send")
    result = CellResult(requested=n, concurrency=concurrency)
    sel = selectors.DefaultSelector()
    conns = [_Conn() for _ in range(min(concurrency, n))]
    issued = 0
    started = time.perf_counter()
    deadline = started + time_cap

    def connect(c: _Conn) -> None:
        s = socket.create_connection((host, port), timeout=io_timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.sock, c.open = s, True
        result.connects += 1
        sel.register(s, selectors.EVENT_READ, c)

    def drop(c: _Conn) -> None:
        if c.sock is not None:
            sel.unregister(c.sock)
            c.sock.close()
        c.sock, c.open = None, False
        c.buf.clear()

    def send(c: _Conn) -> bool:
        nonlocal issued
        if issued >= n or time.perf_counter() > deadline:
            if issued < n:
                result.hit_time_cap = True
            return False
        c.req = issued % len(requests)
        issued += 1
        c.sent_at = time.perf_counter()
        for attempt in (0, 1):
            try:
                if not c.open:
                    connect(c)
                c.sock.sendall(requests[c.req])
                return True
            except OSError:
                drop(c)
                if attempt:
                    result.errors += 1
                    return send(c)
        return False

    active = sum(send(c) for c in conns)
    while active:
        events = sel.select(timeout=io_timeout)
        if not events:  # the server stalled (a slow peer still working off abandoned requests): count, go on
            result.errors += active
            result.stalled = True
            break
        for key, _ in events:
            c: _Conn = key.data
            try:
                chunk = c.sock.recv(262144)
            except OSError:
                chunk = b""
                result.errors += 1
            if chunk:
                c.buf += chunk
                done = _complete(c.buf)
                if done is None or done[1] == -1:
                    continue
                status, length, close = done
                del c.buf[:length]
            else:  # EOF: a body delimited by the close, or a dropped connection
                done = _complete(c.buf) if c.buf else None
                if done is None:
                    drop(c)
                    result.errors += 1
                    if not send(c):
                        active -= 1
                    continue
                status, close = done[0], True
            result.latencies_ms.append((time.perf_counter() - c.sent_at) * 1000)
            result.completed += 1
            if not 200 <= status < 300:
                result.non_2xx += 1
            if close:
                drop(c)
            if not send(c):
                active -= 1
    result.seconds = time.perf_counter() - started
    for c in conns:
        drop(c)
    sel.close()
    return result


def median_of(results: list[CellResult]) -> CellResult:
    """The repeat with the median throughput (its latencies come with it)."""
    ranked = sorted(results, key=lambda r: r.rps)
    return ranked[(len(ranked) - 1) // 2]


def spread(results: list[CellResult]) -> float:
    """max/min throughput over repeats (1.0 = identical)."""
    rates = [r.rps for r in results if r.rps > 0]
    return max(rates) / min(rates) if len(rates) > 1 else 1.0


def describe(results: list[CellResult]) -> dict:
    med = median_of(results)
    out = med.summary()
    out["reps_rps"] = [round(r.rps, 2) for r in results]
    out["spread"] = round(spread(results), 3)
    out["median_rps"] = round(statistics.median(r.rps for r in results), 2)
    return out
