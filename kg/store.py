"""Store generations: every build writes a fresh Oxigraph store and switches to it atomically.

Layout under the store root (``--store``, default ``var/store``, env ``KG_STORE``)::

    CURRENT                  one line: the id of the generation readers should open
    generations/<id>/        finished, validated Oxigraph stores (the last few are kept)
    generations/<id>.partial a build in progress (or killed); never opened by readers
    build.lock               flock held by the one build that may run at a time

A generation becomes visible only through an ``os.replace`` of ``CURRENT`` after
its store is closed and validated, so a crash at any point leaves the previous
generation current and intact. Readers (the server's workers) open the current
generation read-only and re-check ``CURRENT`` to pick up a new one without restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from .errors import NoGeneration, StoreError

KEEP_GENERATIONS = 3
DEFAULT_STORE = "var/store"


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or DEFAULT_STORE)


@dataclass
class Generation:
    """A generation being written. ``store`` is open read-write until :meth:`StoreRoot.commit`."""

    id: str
    path: Path
    store: pyoxigraph.Store


class StoreRoot:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.generations_dir = self.path / "generations"
        self.current_file = self.path / "CURRENT"
        self.lock_file = self.path / "build.lock"

    # ---- readers -------------------------------------------------------------------------
    def current_id(self) -> str | None:
        try:
            gen = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return gen or None

    def current_path(self) -> Path:
        gen = self.current_id()
        if gen is None:
            raise NoGeneration(f"no graph has been built in {self.path} yet; run `kg build` first")
        path = self.generations_dir / gen
        if not path.is_dir():
            raise StoreError(f"CURRENT names generation {gen!r} but {path} is missing")
        return path

    def open_current(self, read_only: bool = True) -> pyoxigraph.Store:
        path = self.current_path()
        try:
            return pyoxigraph.Store.read_only(str(path)) if read_only else pyoxigraph.Store(str(path))
        except OSError as e:
            raise StoreError(f"cannot open store generation {path}: {e}") from e

    def list_generations(self) -> list[str]:
        if not self.generations_dir.is_dir():
            return []
        return sorted(p.name for p in self.generations_dir.iterdir() if p.is_dir() and not p.name.endswith(".partial"))

    # ---- the writer ----------------------------------------------------------------------
    @contextlib.contextmanager
    def build_lock(self):
        """Only one build at a time; a second one fails at once instead of queueing."""
        self.path.mkdir(parents=True, exist_ok=True)
        fh = open(self.lock_file, "a+")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise StoreError(f"another build holds {self.lock_file}") from e
            yield
        finally:
            fh.close()

    def begin(self) -> Generation:
        """Start a new generation in a ``.partial`` directory. Call with :meth:`build_lock` held."""
        self.generations_dir.mkdir(parents=True, exist_ok=True)
        self.cleanup_partials()
        gen_id = _generation_id(time.time_ns(), self.list_generations())
        path = self.generations_dir / f"{gen_id}.partial"
        path.mkdir()
        return Generation(id=gen_id, path=path, store=pyoxigraph.Store(str(path)))

    def commit(self, gen: Generation) -> str:
        """Close the generation's store, move it into place and make it current (atomically)."""
        gen.store.flush()
        gen.store = None  # type: ignore[assignment]  # pyoxigraph closes the RocksDB handle on drop
        gc.collect()
        final = self.generations_dir / gen.id
        os.replace(gen.path, final)
        _fsync_dir(self.generations_dir)
        self._point_current_at(gen.id)
        self.prune()
        return gen.id

    def abort(self, gen: Generation) -> None:
        gen.store = None  # type: ignore[assignment]
        gc.collect()
        shutil.rmtree(gen.path, ignore_errors=True)

    def rollback(self) -> str:
        """Make the generation before the current one current again."""
        gens = self.list_generations()
        cur = self.current_id()
        if cur not in gens or gens.index(cur) == 0:
            raise StoreError("no earlier generation to roll back to")
        prev = gens[gens.index(cur) - 1]
        self._point_current_at(prev)
        return prev

    def cleanup_partials(self) -> list[str]:
        """Remove leftovers of builds that died; safe because callers hold the build lock."""
        removed = []
        if self.generations_dir.is_dir():
            for p in self.generations_dir.iterdir():
                if p.name.endswith(".partial"):
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p.name)
        return removed

    def prune(self, keep: int = KEEP_GENERATIONS) -> None:
        """Keep the newest ``keep`` generations and never the current one's predecessor chain below it."""
        gens = self.list_generations()
        cur = self.current_id()
        for old in gens[:-keep]:
            if old != cur:
                shutil.rmtree(self.generations_dir / old, ignore_errors=True)

    def _point_current_at(self, gen_id: str) -> None:
        tmp = self.path / f"CURRENT.tmp.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(gen_id + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)
        _fsync_dir(self.path)


def _generation_id(now_ns: int, existing: list[str]) -> str:
    """A name that sorts after every existing generation.

    Rollback and pruning order generations by name, so the seconds and the nanoseconds must come
    from one clock reading (two readings can straddle a second and sort a newer build first), and
    a clock that steps back must not make a new build look older than the current one.
    """
    secs, ns = divmod(now_ns, 1_000_000_000)
    gen_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime(secs)) + f"-{ns:09d}"
    if existing and gen_id <= existing[-1]:
        last = existing[-1]
        stamp, _, frac = last.rpartition("-")
        gen_id = f"{stamp}-{int(frac) + 1:09d}" if frac.isdigit() and int(frac) < 999_999_999 else last + "a"
    return gen_id


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
