"""The build's work spread over processes: one job per source, in source order, on ``jobs`` processes.

Workers are forked from the build process, so they inherit what it has loaded (lexicon, ontology, shapes,
the entity descriptions of this build) instead of loading it again; the per-job input and output are kept
small (paths, compressed extractions, N-Quads bytes, counts). Results come back in the order of the inputs
whatever the number of processes, so a build's output does not depend on it.

Forked workers are started before the build takes its lock or opens its new store generation (they must not
inherit either), and die with the build process (``PR_SET_PDEATHSIG``): a build killed with ``kill -9``
leaves no worker behind holding memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator

# Below this many jobs a pool costs more than it saves (unless the caller asked for processes explicitly).
MIN_PARALLEL = 16
_PR_SET_PDEATHSIG = 1

# What the job functions read: set by the build before the workers are forked.
context: dict = {}


@contextlib.contextmanager
def collecting_results():
    """Python's cyclic GC paused while results pile up: its full collections walk every object kept so far,
    which makes collecting N results cost O(N²); the results hold no reference cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: an orphan worker ends when its queue closes
        pass


def _ready() -> int:
    return os.getpid()


class Jobs:
    """A pool of forked workers (or, for one process, the calling process itself)."""

    def __init__(self, jobs: int | None, n_items: int, **ctx):
        context.clear()
        context.update(ctx)
        explicit = jobs is not None
        self.jobs = max(1, jobs if explicit else default_jobs())
        if n_items < 2 or (not explicit and n_items < MIN_PARALLEL):
            self.jobs = 1
        self._pool = None
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_die_with_parent)
            # Fork every worker now, before the caller takes locks or opens stores they must not inherit.
            for f in [self._pool.submit(_ready) for _ in range(self.jobs)]:
                f.result()

    def map(self, fn: Callable, items: Iterable, chunksize: int = 8) -> Iterator:
        if self._pool is None:
            return map(fn, items)
        return self._pool.map(fn, items, chunksize=chunksize)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        context.clear()

    def __enter__(self) -> "Jobs":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
