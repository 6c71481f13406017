#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set up, then run pytest.
# Extra arguments go to pytest. Exits non-zero when pytest collects no tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$rc"
