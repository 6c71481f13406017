"""schemathesis against the served ``/openapi.json``: requests generated from our own API description, sent to the
real gunicorn, never get a server error (``not_a_server_error``: no 5xx except deliberate ones the spec declares).

Bounded and deterministic (a few examples per operation) so it fits the suite's time budget; run it by hand with
more examples: ``schemathesis run http://127.0.0.1:8000/openapi.json --checks not_a_server_error -n 200``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.skipif(not SCHEMATHESIS.exists() and not shutil.which("schemathesis"),
                    reason="schemathesis is not installed (pip install -e '.[test]')")
def test_schemathesis_finds_no_server_error_in_any_documented_operation(served_url, tmp_path):
    exe = str(SCHEMATHESIS) if SCHEMATHESIS.exists() else shutil.which("schemathesis")
    r = subprocess.run(
        [exe, "run", served_url + "/openapi.json", "--checks", "not_a_server_error", "--max-examples", "3",
         "--phases", "fuzzing", "--generation-deterministic", "--request-timeout", "30", "--workers", "2",
         "--no-color", "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    tail = "\n".join(r.stdout.splitlines()[-40:])
    assert r.returncode == 0, tail
    assert "passed" in r.stdout and "failed" not in r.stdout.split("Test cases:", 1)[-1].split("\n\n", 1)[0], tail
