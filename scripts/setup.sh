#!/usr/bin/env bash
# Set up everything ipakg needs on a fresh Debian machine with Python 3.11:
#   the virtualenv .venv with the package (and, with --test, its test extras),
#   Java 17 for the HermiT reasoner, jemalloc for the server, and (with --test) Debian's chromium for the browser tests.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_packages=()
command -v java >/dev/null 2>&1 || apt_packages+=(openjdk-17-jre-headless)
# jemalloc: `kg serve` preloads it into its workers when present (Oxigraph's scans run ~10 % faster than on
# glibc malloc; bench/README.md); everything works without it.
/sbin/ldconfig -p 2>/dev/null | grep -q 'libjemalloc\.so\.2' || apt_packages+=(libjemalloc2)
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
  # CJK glyphs, so screenshots of Chinese pages are readable
  [ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || apt_packages+=(fonts-wqy-zenhei)
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
