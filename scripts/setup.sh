#!/usr/bin/env bash
# Install datareach and run the main job on the bundled default dataset:
# build the graph, write out/graph.html, and answer a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e .
datareach build
datareach viz -o out/graph.html
datareach reach "phone number"
echo
echo "Open out/graph.html in a browser (works offline). Try: datareach --help"
