"""Long queries give way to short ones: a thread that has spent a threshold of CPU on one evaluation is niced.

pyoxigraph can neither pause nor cancel an evaluation, but Linux schedules threads, not processes, and lets a
process raise the nice value of any of its own threads. A query that has used ``DEMOTE_AFTER`` seconds of CPU is
a scan, a mistake or an attack (CPU, not wall time: a light query that merely waited for a core under load must
not be demoted, or it would wait even longer and run into its time limit); niced by ``DEMOTE_STEP`` it gets about a tenth of a contended core against
nice-0 threads (CFS weights 110 : 1024), so the point queries and pages of other users keep their latency while
it finishes on spare cycles. When nothing else wants the CPU it runs at full speed: niceness only matters under
contention.

An unprivileged process cannot lower a nice value again, so a demoted thread must never be reused for another
query: callers run each demotable evaluation on a thread that ends with it (``kg.sparql.ThreadTimeLimit``) or
retire the thread afterwards (``server.asgi.QueryThreads``).
"""

from __future__ import annotations

import os
import sys
import threading
import time

#: Seconds of CPU after which a query's thread is niced (``KG_DEMOTE_AFTER``; 0 turns demotion off).
DEMOTE_AFTER = 0.25
#: How much nicer a demoted thread becomes (capped at 19, the lowest priority).
DEMOTE_STEP = 10

#: ``setpriority(PRIO_PROCESS, tid)`` means "this thread" only on Linux; elsewhere a thread id could name an
#: unrelated process of the same user, so demotion is off.
SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "setpriority")


def demote(native_id: int | None) -> bool:
    """Nice the thread with this kernel thread id (``threading.get_native_id()``); False if that is not possible."""
    if not SUPPORTED or not native_id:
        return False
    try:
        current = os.getpriority(os.PRIO_PROCESS, native_id)
        os.setpriority(os.PRIO_PROCESS, native_id, min(19, current + DEMOTE_STEP))
    except OSError:  # the thread has just ended, or a sandbox forbids it: the query simply keeps its priority
        return False
    return True


def own_cpu_clock() -> int | None:
    """The CPU-time clock of the calling thread, readable from other threads (``None`` where there is none).

    Taken by the thread itself: asking for another thread's clock needs its ``pthread_t``, which is freed when
    that thread ends; the clock id itself only names a thread id, so reading it late fails cleanly.
    """
    try:
        return time.pthread_getcpuclockid(threading.get_ident())
    except (AttributeError, OSError):
        return None


def cpu_seconds(clock: int | None) -> float | None:
    """CPU seconds used so far by the thread owning ``clock``; ``None`` if it has ended or is unknown."""
    if clock is None:
        return None
    try:
        return time.clock_gettime(clock)
    except OSError:
        return None


def niceness(native_id: int) -> int:
    """The nice value of one thread (for tests and diagnostics)."""
    return os.getpriority(os.PRIO_PROCESS, native_id)


def demote_after(raw: str | float | None) -> float | None:
    """Parse ``KG_DEMOTE_AFTER``: seconds, or ``None`` (off) for 0, a negative value or an unsupported platform."""
    if raw is None or raw == "":
        seconds = DEMOTE_AFTER
    else:
        try:
            seconds = float(raw)
        except ValueError:
            from .errors import InputError

            raise InputError(f"KG_DEMOTE_AFTER must be a number of seconds, not {raw!r}") from None
    return seconds if seconds > 0 and SUPPORTED else None
