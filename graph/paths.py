"""Where the project's data folders are: ontology, sources and out.

The package lives in ``graph/``; the ontology and the default dataset live beside it in
the project checkout (``pip install -e .``). ``DATAREACH_HOME`` overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_home() -> Path:
    """The folder holding ``ontology/`` and ``sources/``.

    >>> (project_home() / "ontology" / "vocab.ttl").is_file()
    True
    """
    env = os.environ.get("DATAREACH_HOME")
    if env is not None and env != "":
        return Path(env)
    return Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    """The ontology folder (vocab.ttl, taxonomy.ttl, shapes.ttl, queries/)."""
    return project_home() / "ontology"


def default_sources() -> Path:
    """The default dataset: the fact files shipped in ``sources/``."""
    return project_home() / "sources"


def schema_path() -> Path:
    """The JSON Schema of YAML and CSV fact files."""
    return default_sources() / "schema" / "facts.schema.json"
