#!/usr/bin/env bash
# Every check, as CI runs it, in a virtual environment this script makes (.venv-check, or
# $DATAREACH_VENV): the package with the NEWEST runtime dependencies pyproject.toml allows and
# the PINNED test tools (constraints/test.txt); Debian's Chromium for the browser tests; then
# generated-file drift, lint, types, the tests (the installed-wheel tour included) and doctests.
# Last, the LOWEST allowed runtime dependencies (constraints/lowest.txt) run the core tests.
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
# pytest exits 5 when it collects nothing; set -e makes that (and any failure) fail the run.
"$PY" -m pytest -q "$@"

if [ $# -eq 0 ] && [ -z "${DATAREACH_SKIP_LOWEST:-}" ]; then
  LOW="$VENV-lowest"
  echo "check: the lowest allowed runtime dependencies ($LOW, constraints/lowest.txt)" >&2
  rm -rf "$LOW"
  venv_with "$LOW" -c constraints/lowest.txt
  # It is there to catch API breaks in old versions of the runtime dependencies: the same tests on
  # small inputs reach those APIs; the real shared datasets (minutes of imports and builds, already
  # run above with the newest versions) are left out by pointing DATAREACH_SHARED_DATA at nothing.
  DATAREACH_SHARED_DATA="$LOW/no-shared-data" "$LOW/bin/python" -m pytest -q -m "not browser and not slow"
fi
