"""Process plumbing shared by the benchmarks: free loopback ports, the memory of a process tree, and a
``kg serve`` on a private copy of a store (or a fresh build of the bundled corpus)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
KG = Path(sys.executable).with_name("kg")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def process_tree_rss(pid: int) -> tuple[int, int]:
    """(RSS in kB of ``pid`` and all its descendants, number of descendants), read from /proc."""
    total, count, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
        kids = _children(p)
        count += len(kids)
        todo.extend(kids)
    return total, count


def tree_rss_kb(pid: int) -> int:
    return process_tree_rss(pid)[0]


def serve_store(tmp: Path, source: Path | None, *, workers: int, timeout: float) -> tuple[subprocess.Popen, str, Path]:
    """Start ``kg serve`` on a copy of ``source`` (or on a fresh build of the bundled corpus) and wait until it is
    healthy. Returns the server process, its URL and the store root it serves."""
    store = tmp / "store"
    if source:
        shutil.copytree(source, store, ignore=shutil.ignore_patterns("build.lock", "*.partial"))
    else:
        print("bench: building the bundled corpus", file=sys.stderr)
        subprocess.run([str(KG), "--store", str(store), "build", "-q"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    with open(tmp / "gunicorn.log", "wb") as log:
        server = subprocess.Popen([str(KG), "--store", str(store), "serve", "--port", str(port), "--workers",
                                   str(workers), "--timeout", str(timeout)], cwd=REPO, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    return server, url, store
