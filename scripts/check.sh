#!/usr/bin/env bash
# Every check, as CI runs it, in a virtual environment this script makes (.venv-check, or
# $DATAREACH_VENV): the package with the NEWEST runtime dependencies pyproject.toml allows and
# the PINNED test tools (constraints/test.txt); Debian's Chromium for the browser tests; then
# generated-file drift, lint, types, the tests (the installed-wheel tour included) and doctests.
# pytest runs one pytest-xdist worker per core (DATAREACH_TEST_WORKERS=N to choose, 0 for one process);
# the `timed` tests (a server held to wall-clock limits under concurrency) then run alone.
# Last, the LOWEST allowed runtime dependencies (constraints/lowest.txt) run the core tests that reach those dependencies (the list is below).
# Usage: bash scripts/check.sh [extra pytest args]   (extra args skip the lowest-versions run)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DATAREACH_VENV:-.venv-check}"
PIP_FLAGS=(--quiet --disable-pip-version-check)

venv_with() {  # venv_with DIR [pip args...]: a venv at DIR with this package and the given constraints
  local dir="$1"; shift
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  "$dir/bin/python" -m pip install "${PIP_FLAGS[@]}" --upgrade pip -c constraints/test.txt
  "$dir/bin/python" -m pip install "${PIP_FLAGS[@]}" --upgrade --upgrade-strategy eager -e '.[test]' \
    -c constraints/test.txt "$@"
}

echo "check: installing into $VENV (newest allowed dependencies, pinned test tools)" >&2
venv_with "$VENV"
PY="$VENV/bin/python"
export PATH="$(cd "$VENV" && pwd)/bin:$PATH"  # the venv's console scripts (datareach, the oxigraph server) for the tests

if [ ! -x /usr/bin/chromium ]; then
  echo "check: installing Debian's chromium for the browser tests" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if ! command -v virtuoso-t >/dev/null; then
  echo "check: installing Debian's virtuoso-opensource for the two-server tests" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq virtuoso-opensource >/dev/null
fi
export DATAREACH_REQUIRE_SERVERS=1  # tests/test_two_servers.py fails, not skips, without a server

echo "check: generated vocabulary is up to date" >&2
"$PY" -m graph.model.vocabgen --check

echo "check: README command reference is up to date" >&2
"$PY" scripts/cli_docs.py --check

echo "check: ruff" >&2
"$PY" -m ruff check graph tests bench scripts

echo "check: mypy" >&2
"$PY" -m mypy

echo "check: pytest (tests, doctests, the installed wheel)" >&2
"$PY" -m pip freeze --exclude-editable > "$VENV/tested-versions.txt"
# pytest-xdist workers, one per core (DATAREACH_TEST_WORKERS=N, or 0 for one process), each test file on
# one worker so that a module's shared build is made once (a session build is made once per worker).
# CI runs alone on a 2-core machine, where two workers can use both cores. The tests that hold a
# server to its time limits under concurrency (marker `timed`: test_serve_load, test_serve_store_load,
# test_serve_limits) need the cores they measure, so they run after the rest, in one process, with no
# other test beside them (under load >= 15 they failed beside another worker).
PYTEST_WORKERS=(-n "${DATAREACH_TEST_WORKERS:-auto}" --dist loadfile)
# pytest exits 5 when it collects nothing (with workers too); set -e makes that (and any failure) fail the run.
if [ $# -eq 0 ]; then
  "$PY" -m pytest -q "${PYTEST_WORKERS[@]}" -m "not timed"
  echo "check: pytest, the timed tests alone" >&2
  "$PY" -m pytest -q -n 0 -m timed
else
  "$PY" -m pytest -q "${PYTEST_WORKERS[@]}" "$@"
fi

if [ $# -eq 0 ] && [ -z "${DATAREACH_SKIP_LOWEST:-}" ]; then
  LOW="$VENV-lowest"
  echo "check: the lowest allowed runtime dependencies ($LOW, constraints/lowest.txt)" >&2
  rm -rf "$LOW"
  venv_with "$LOW" -c constraints/lowest.txt
  # It is there to catch API breaks in old versions of the runtime dependencies (rdflib, networkx,
  # pyvis, pyshacl, pyoxigraph, PyYAML, jsonschema, click, numpy, scipy, rich, polars): the core
  # tests on small inputs reach those APIs. Left out, as they already ran above with the newest
  # versions and test no runtime dependency's API of their own:
  # - the real shared datasets (minutes of imports and builds): DATAREACH_SHARED_DATA points at nothing;
  # - browser and slow tests, and `server` (Oxigraph's server and Virtuoso: pinned test tools and a
  #   Debian package, the same in both runs; the reader and reach they drive run here in
  #   test_scoped_filters and test_endpoint_answers);
  # - our own machinery, stdlib only: crash-safe writes and the build's file checks (os, signals),
  #   the sandboxed query child (fork), input size caps, the bench harness, the server's HTTP limits,
  #   access rules and concurrency, the garbage-collector switch, and the static checks of our source
  #   (layers, private names, one concept, packaging pins, docstrings, start-up imports).
  OWN_MACHINERY=(test_atomic test_build_files test_sparql_sandbox test_input_limits test_bench_sizes
    test_serve_limits test_serve_access test_serve_load test_serve_store_load test_nogc test_layers
    test_private_names test_one_concept test_packaging test_sparql_docs test_cli_startup
    test_reads_speed_startup)
  DESELECT=()
  for name in "${OWN_MACHINERY[@]}"; do
    [ -f "tests/$name.py" ] || { echo "check: tests/$name.py is gone: update OWN_MACHINERY" >&2; exit 1; }
    DESELECT+=(--ignore "tests/$name.py")
  done
  DATAREACH_SHARED_DATA="$LOW/no-shared-data" "$LOW/bin/python" -m pytest -q "${PYTEST_WORKERS[@]}" \
    -m "not browser and not slow and not server and not timed" "${DESELECT[@]}"
fi
