"""``python -m graph`` runs the datareach command line."""

from graph.cli import run

run()
