#!/usr/bin/env bash
# The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description suites against `kg serve`.
#   usage: scripts/conformance.sh SHARED_CONFORMANCE_DIR   (the folder holding run_w3c.py and w3c/)
# Makes a throw-away store with an empty generation, serves it on a free 127.0.0.1 port with an update
# token (the suites write), runs protocol (34), GSP direct + indirect (13) and SD (3), stops the server
# by its PID, and exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
conf=${1:?usage: scripts/conformance.sh SHARED_CONFORMANCE_DIR}
conf=$(cd "$conf" && pwd)
py=.venv/bin/python
[ -x "$py" ] || py=python3
kg=.venv/bin/kg
[ -x "$kg" ] || kg=kg

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$py" - "$work/store" <<'EOF'
import sys
from kg.store import StoreRoot
root = StoreRoot(sys.argv[1])
with root.build_lock():
    root.commit(root.begin())  # an empty generation: the suites load their own data
EOF

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$("$py" -c 'import secrets; print(secrets.token_hex(16))')
base="http://127.0.0.1:$port"
env -u KG_BACKEND KG_UPDATE_TOKEN="$token" KG_STORE="$work/store" \
  "$kg" --store "$work/store" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  if "$py" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$base/health" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "conformance: kg serve died:" >&2; cat "$work/server.log" >&2; exit 1
  fi
  sleep 0.2
done

auth="Authorization: Bearer $token"
failed=0
run() {
  local name=$1; shift
  echo "== $name"
  if ! "$py" "$conf/run_w3c.py" "$@" --header "$auth"; then
    failed=1
  fi
}
run "SPARQL 1.1 Protocol" protocol --query-url "$base/sparql" --update-url "$base/sparql"
run "Graph Store Protocol (direct)" gsp --manifest "$conf/w3c/gsp-manifest-direct.ttl" \
  --gsp-url "$base/store" --reset-update-url "$base/sparql"
run "Graph Store Protocol (indirect)" gsp --manifest "$conf/w3c/gsp-manifest-indirect.ttl" \
  --gsp-url "$base/store" --reset-update-url "$base/sparql"
run "Service Description" sd --query-url "$base/sparql"

if [ "$failed" != 0 ]; then
  echo "conformance: FAILED (server log follows)" >&2
  tail -n 50 "$work/server.log" >&2
  exit 1
fi
echo "conformance: all W3C suites passed"
