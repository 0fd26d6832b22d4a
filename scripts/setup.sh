#!/usr/bin/env bash
# Install datareach from this folder into a virtual environment (.venv, or $DATAREACH_VENV)
# as a user would (the wheel, not an editable checkout), then run the main job on the bundled
# dataset: build the graph, write out/graph.html, and answer a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DATAREACH_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check .
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps .  # this code, even at the same version
export PATH="$PWD/$VENV/bin:$PATH"
# This folder's sources/ is the bundled dataset, so it is a datareach project: out/ is here.
datareach build
datareach viz -o out/graph.html
datareach reach "phone number"
echo
echo "Open out/graph.html in a browser (works offline)."
echo "To use datareach elsewhere: source $VENV/bin/activate (or pipx install .), then datareach init my-project"
