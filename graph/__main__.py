"""``python -m graph`` runs the datareach command line."""

from graph.cli.main import run

run()
