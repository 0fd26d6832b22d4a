"""reach, partner_table and rank run with pyvis and click absent (STYLE: heavy deps at the edge)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyvis", "click", "rdflib", "pyshacl"):
            raise ImportError(f"blocked for this test: {name}")
        return None

import graph.examples  # builds the fixture graph through rdflib first…
G = graph.examples.small_graph()
for mod in [m for m in sys.modules if m.split(".")[0] in ("pyvis", "click", "rdflib", "pyshacl")]:
    del sys.modules[mod]
sys.meta_path.insert(0, Block())  # …then every optional or heavy library is gone.
import importlib
for name in [m for m in sys.modules if m.startswith("graph.") and m.split(".")[1] in ("reach", "rank", "table")]:
    importlib.reload(sys.modules[name])
from graph.questions.rank import rank
from graph.questions.reach import reach
from graph.questions.table import partner_table

print([r["company"] for r in reach(G, "private message").rows])
print(rank(G, by="pagerank", top=1)[0]["company"], len(partner_table(G)))
"""


def test_reach_rank_and_table_need_neither_pyvis_nor_click_nor_rdflib() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "['facebook', 'spotify']"
    assert lines[1].endswith(" 3")
