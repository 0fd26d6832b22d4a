#!/usr/bin/env bash
# Every check, as CI runs it: install test needs (Python packages and Debian's Chromium
# for the browser tests), then generated-file drift, lint, types, tests and doctests.
# Usage: bash scripts/check.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ ! -x /usr/bin/chromium ]; then
  echo "check: installing Debian's chromium for the browser tests" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "check: generated vocabulary is up to date" >&2
python3 -m graph.vocabgen --check

echo "check: README command reference is up to date" >&2
python3 scripts/cli_docs.py --check

echo "check: ruff" >&2
python3 -m ruff check graph tests bench scripts

echo "check: mypy" >&2
python3 -m mypy

echo "check: pytest (tests and doctests)" >&2
# pytest exits 5 when it collects nothing; set -e makes that (and any failure) fail the run.
python3 -m pytest -q "$@"
