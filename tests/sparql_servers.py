"""Real SPARQL servers for the tests and the bench: Oxigraph (PyPI `oxigraph`) and Virtuoso
(Debian's `virtuoso-opensource`), each started here on 127.0.0.1 with a temporary
database on free ports, and stopped after.

Without Virtuoso's binary the Virtuoso tests skip, except when ``$CI`` or
``$DATAREACH_REQUIRE_SERVERS`` is set (scripts/check.sh installs the package): then they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
REQUIRED = bool(os.environ.get("CI") or os.environ.get("DATAREACH_REQUIRE_SERVERS"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server: where to query, where to push, the credentials push needs."""

    name: str
    query_url: str
    store_url: str
    proc: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def wait(self, deadline: float = 90.0) -> Server:
        """Block until the server answers ASK {} (it may still be creating its database)."""
        end = time.monotonic() + deadline
        while True:
            try:
                urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2).read()
                return self
            except OSError:
                if time.monotonic() > end or self.proc.poll() is not None:
                    self.stop()
                    detail = self.log.read_text(errors="replace")[-2000:] if self.log and self.log.exists() else ""
                    raise RuntimeError(f"{self.name} did not start\n{detail}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_oxigraph(binary: str, folder: Path) -> Server:
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(folder / "store"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    return Server("oxigraph", base + "/query", base + "/store", proc)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {vsp}
ServerThreads = 6
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


def start_virtuoso(folder: Path) -> Server:
    """Virtuoso with its stock limits (ResultSetMaxRows 10,000) and its stock account (dba/dba)."""
    assert VIRTUOSO is not None
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql=sql, http=http, vsp=VIRTUOSO_VSP))
    log = folder / "console.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    return Server("virtuoso", base + "/sparql", base + "/sparql-graph-crud-auth", proc,
                  env={"DATAREACH_ENDPOINT_USER": "dba", "DATAREACH_ENDPOINT_PASSWORD": "dba"}, log=log)
