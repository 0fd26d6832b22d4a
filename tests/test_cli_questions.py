"""The question commands as a user runs them: `datareach reach` output formats and filters,
clean errors, help texts, a fresh process that does not import rdflib, and rebuilds when
the sources change."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from conftest import SEED, console_script

from graph.build import compiled
from graph.cli.main import main
from graph.examples import SMALL
from graph.paths import bundled_sources

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@pytest.fixture(scope="module")
def out(seed_build: Path) -> Path:
    """The session's build of the seed articles' dataset (read only here)."""
    return seed_build


@pytest.fixture(scope="module")
def small_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small-build")
    compiled.build([SMALL], out)
    return out


def run(out: Path, *args: str, sources: list[Path] | None = None) -> Any:
    pre = ["-q", "--out", str(out)]
    for s in sources or [SEED]:
        pre += ["--sources", str(s)]
    return CliRunner().invoke(main, [*pre, *args])


def reach_json(out: Path, *args: str, sources: list[Path] | None = None) -> dict[str, Any]:
    result = run(out, "reach", *args, "--format", "json", sources=sources)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def companies(data: dict[str, Any]) -> set[str]:
    return {c["company"] for c in data["companies"]}


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------------------------
# reach: output formats


def test_reach_json_shape(out: Path) -> None:
    data = reach_json(out, "phone number")
    assert (data["data_type"], data["label"]) == ("phone-number", "phone number")
    assert companies(data) == {"facebook", "amazon", "apple", "public"}
    for c in data["companies"]:
        assert {"company", "iri", "hops", "partial", "path"} <= set(c)
        assert isinstance(c["hops"], int) and isinstance(c["partial"], bool) and isinstance(c["path"], list)
        assert c["hops"] == len(c["path"])
        for hop in c["path"]:
            assert {"from", "to", "integration", "permissions", "valid_from", "stated_end", "status",
                    "sources", "disputed"} <= set(hop)
            assert isinstance(hop["permissions"], list) and isinstance(hop["disputed"], bool)
            for source in hop["sources"]:
                assert {"publisher", "title", "date", "url", "locator"} <= set(source)
    public = next(c for c in data["companies"] if c["company"] == "public")
    assert public["via_incident"] is True
    assert public["path"][0]["valid_from"] == "2021" and public["path"][0]["status"] == "incident"
    assert {s["publisher"] for s in public["path"][0]["sources"]} == {"The Register", "Vice (Motherboard)"}


def test_reach_csv_one_row_per_company(out: Path) -> None:
    """One CSV shape for reach, the CLI's and the server's (issue 12): a row per party with its
    path and citations; each hop's detail is in the JSON."""
    result = run(out, "reach", "private message", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    data = reach_json(out, "private message")
    assert [r["company"] for r in rows] == [c["company"] for c in data["companies"]]
    assert {"company", "label", "iri", "hops", "partial", "holder", "holder_basis", "via_incident", "disputed",
            "path", "notes", "sources"} <= set(rows[0])
    assert {r["label"] for r in rows} == {"Facebook", "Netflix", "Spotify", "Royal Bank of Canada"}
    netflix = next(r for r in rows if r["company"] == "netflix")
    assert (netflix["label"], netflix["hops"]) == ("Netflix", "1")
    assert netflix["path"].startswith("Facebook → Netflix (") and "[read, write, delete]" in netflix["path"]
    assert "techly.com.au" in netflix["sources"]
    facebook = next(r for r in rows if r["company"] == "facebook")
    assert (facebook["holder"], facebook["holder_basis"], facebook["hops"]) == ("yes", "stated", "0")


def _text_rows(text: str) -> dict[str, str]:
    """The company column of a text answer (``--wide``: one line a row) → its whole line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("--"))
    body = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        body.append(line)
    width = len(lines[start].split("  ")[0])
    return {line[:width].strip(): line for line in body}


def test_reach_text(out: Path) -> None:
    result = run(out, "reach", "phone number", "--wide")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Who could reach phone number: 4 parties")
    rows = _text_rows(result.stdout)
    assert set(rows) == {"Facebook", "Amazon", "Apple", "public"}
    assert "via an incident" in rows["public"]
    assert "holds it" in rows["Facebook"]
    assert "Sources:" in result.stdout and "https://www.theregister.com/" in result.stdout

    partial = _text_rows(run(out, "reach", "contact information", "--wide").stdout)
    assert "PARTIAL" in partial["Apple"] and "PARTIAL" in partial["public"] and "PARTIAL" not in partial["Amazon"]

    messages = run(out, "reach", "private message", "--wide").stdout
    rows = _text_rows(messages)
    assert "DISPUTED" in rows["Royal Bank of Canada"]  # the bank denies any access
    assert "DISPUTED" not in rows["Netflix"]
    assert "disputed by Royal Bank of Canada (the access itself)" in messages


# ---------------------------------------------------------------------------------------------
# reach: each accepted DATA_TYPE form, and the wrong one


@pytest.mark.parametrize("form", [
    "phone number", "phone-number", "https://w3id.org/datareach/datatype/phone-number", "pd:TelephoneNumber",
    "https://w3id.org/dpv/pd#TelephoneNumber", "user.contact.phone_number", "PHONE NUMBER", " phone  number ",
    "Phone_Number",
])
def test_reach_every_form(out: Path, form: str) -> None:
    data = reach_json(out, form)
    assert data["data_type"] == "phone-number"
    # issue 13: rows sort by certainty first; Amazon's grant names only a broader type
    assert [(c["company"], c["hops"], c["partial"], c["certainty"]) for c in data["companies"]] == [
        ("facebook", 0, False, "stated"), ("apple", 1, False, "stated"), ("public", 1, False, "stated"),
        ("amazon", 1, False, "implied")]


def test_unknown_data_type_exits_1_with_a_suggestion_and_no_traceback(out: Path) -> None:
    # --sources SEED: without it the command rebuilt the bundled dataset into the shared seed build
    proc = python("-m", "graph", "-q", "--out", str(out), "--sources", str(SEED), "reach", "phone nubmer")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "error: unknown data type 'phone nubmer' — did you mean 'phone number'?" in proc.stderr
    assert "Traceback" not in proc.stderr
    for fmt in ("json", "csv"):
        result = run(out, "reach", "phone nubmer", "--format", fmt)
        assert result.exit_code == 1 and result.stdout == "" and "did you mean 'phone number'" in result.stderr
    assert compiled.is_fresh([SEED], out)  # the shared build was only read


def test_bad_filter_values_are_refused_cleanly(out: Path) -> None:
    bad_date = run(out, "reach", "phone number", "--as-of", "2021-13-01")
    assert bad_date.exit_code == 2 and "YYYY" in bad_date.stderr
    bad_perm = run(out, "reach", "phone number", "--permission", "own")
    assert bad_perm.exit_code == 2
    bad_kind = run(out, "reach", "phone number", "--integration", "carrier pigeon")
    assert bad_kind.exit_code == 1 and "unknown integration kind" in bad_kind.stderr
    assert bad_kind.exception is None or isinstance(bad_kind.exception, SystemExit)  # no traceback


# ---------------------------------------------------------------------------------------------
# reach: filters through the CLI


def test_reach_permission_repeatable(out: Path) -> None:
    all3 = reach_json(out, "private message", "--permission", "read", "--permission", "write", "--permission", "delete")
    assert companies(all3) == {"facebook", "netflix", "spotify", "royal-bank-of-canada"}
    assert all3["filters"]["permissions"] == ["delete", "read", "write"]
    assert companies(reach_json(out, "phone number", "--permission", "write")) == {"facebook"}
    assert companies(reach_json(out, "phone number", "--permission", "read")) == {"facebook", "amazon", "apple", "public"}


def test_reach_as_of(out: Path) -> None:
    before = reach_json(out, "phone number", "--as-of", "2019")
    assert companies(before) == {"facebook", "amazon", "apple"}  # the dump went public in 2021
    undated = {c["company"]: c["undated"] for c in before["companies"]}
    assert undated == {"facebook": False, "amazon": True, "apple": True}
    assert all(h["undated"] for c in before["companies"] for h in c["path"])
    after = reach_json(out, "phone number", "--as-of", "2022-06-30")
    assert companies(after) == {"facebook", "amazon", "apple", "public"}
    text = run(out, "reach", "phone number", "--as-of", "2019", "--wide").stdout
    assert "dates unknown" in _text_rows(text)["Amazon"]


def test_reach_integration(out: Path) -> None:
    msg = reach_json(out, "private message", "--integration", "messaging integration")
    assert companies(msg) == {"facebook", "netflix", "spotify", "royal-bank-of-canada"}
    assert msg["filters"]["integrations"] == ["messaging-integration"]
    device = reach_json(out, "user.contact", "--integration", "device integration")  # a help example
    assert companies(device) == {"facebook", "amazon", "apple"}


def test_reach_through_ownership(out: Path, small_out: Path) -> None:
    plain = reach_json(small_out, "private message", sources=[SMALL])
    owning = reach_json(small_out, "private message", "--through-ownership", sources=[SMALL])
    assert companies(plain) == {"facebook", "spotify"}
    assert companies(owning) == {"facebook", "spotify", "example-holdings"}
    holdings = next(c for c in owning["companies"] if c["company"] == "example-holdings")
    assert holdings["hops"] == 2 and holdings["path"][-1]["status"] == "ownership"
    # In the articles' dataset Facebook owns Instagram and WhatsApp, which hold nothing: no change.
    assert reach_json(out, "phone number", "--through-ownership")["companies"] == reach_json(out, "phone number")["companies"]


# ---------------------------------------------------------------------------------------------
# help


COMMANDS = ["reach", "table", "rank", "build", "check"]


def test_main_help() -> None:
    proc = python("-m", "graph", "--help")
    assert proc.returncode == 0
    assert 'datareach reach "phone number"' in proc.stdout
    for name in ("reach", "table", "rank"):
        assert re.search(rf"^\s+{name}\s", proc.stdout, re.M), name
    exe = console_script("datareach")
    if exe is not None:
        installed = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
        assert installed.returncode == 0 and installed.stdout.splitlines()[1:] == proc.stdout.splitlines()[1:]


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_has_examples(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"datareach {name}" in result.stdout.split("Examples:", 1)[1]


def _examples(name: str) -> list[list[str]]:
    text = CliRunner().invoke(main, [name, "--help"]).stdout
    block = text.split("Examples:", 1)[1].split("Options:", 1)[0]
    out = []
    for line in block.splitlines():
        line = line.split(" #", 1)[0].split(" > ", 1)[0].strip()
        if line.startswith("datareach "):
            out.append(shlex.split(line)[1:])
    return out


@pytest.mark.parametrize("name", ["reach", "table", "rank"])
def test_help_examples_run(out: Path, name: str) -> None:
    examples = _examples(name)
    assert examples
    for args in examples:
        result = run(out, *args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip()


def _help_texts() -> str:
    texts = [CliRunner().invoke(main, ["--help"]).stdout]
    assert isinstance(main, click.Group)
    texts += [CliRunner().invoke(main, [name, "--help"]).stdout for name in main.commands]
    return "\n".join(texts)


def test_every_option_in_the_readme_is_in_some_help() -> None:
    if not README.is_file():
        pytest.skip("no README.md yet")
    text = README.read_text(encoding="utf-8")
    text = re.sub(r"<!-- cli-help:start -->.*?<!-- cli-help:end -->", "", text, flags=re.S)  # generated from --help
    assert isinstance(main, click.Group)
    known = set(main.commands)
    helps = _help_texts()
    missing = []
    heading = ""
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line
        options = re.findall(r"(?<![\w-])--[a-z][a-z-]*\b", line)
        if line.lstrip().startswith("datareach "):  # short options only on command lines (not `pip install -e`)
            options += re.findall(r"(?<![\w-])-[a-zA-Z]\b", line)
        for option in options:
            if re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helps):
                continue
            context = (heading + " " + line).casefold()
            mentioned = set(re.findall(r"datareach (\w+)", context)) | set(re.findall(r"#+ (\w+)", context))
            if mentioned and not mentioned & known and mentioned - {"datareach"}:
                continue  # documents a command that is not registered yet (sparql, viz)
            missing.append((option, line.strip()))
    assert not missing, f"README options absent from every --help: {missing}"


# ---------------------------------------------------------------------------------------------
# a fresh process, and freshness of the cache


def _import_chain(lines: list[str], first: str) -> list[str]:
    """The modules that imported ``first`` (an ``-X importtime`` line), outermost first."""
    def parse(line: str) -> tuple[int, str]:
        name = line.rsplit("|", 1)[1]
        return len(name) - len(name.lstrip()), name.strip()

    index = lines.index(first)
    depth, chain = parse(first)[0], []
    for line in lines[index + 1:]:  # a parent is printed after its children
        indent, name = parse(line)
        if indent < depth:
            chain.append(name)
            depth = indent
    return list(reversed(chain))


def test_fresh_process_reach_imports_neither_rdflib_nor_networkx(out: Path) -> None:
    assert compiled.is_fresh([SEED], out)
    proc = python("-X", "importtime", "-m", "graph", "-q", "--sources", str(SEED), "--out", str(out), "reach", "phone number",
                  "--format", "json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert companies(json.loads(proc.stdout)) == {"facebook", "amazon", "apple", "public"}
    imported = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert imported, "no -X importtime output"
    heavy = [line for line in imported if re.search(r"\b(rdflib|pyshacl|pyvis|pyoxigraph|networkx)\b", line)]
    assert not heavy, f"imported through {' → '.join(_import_chain(imported, heavy[0]))}: {heavy[:3]}"
    check = python("-c", "import sys\nfrom graph.cli.main import main\n"
                   f"main(['-q', '--sources', {str(SEED)!r}, '--out', {str(out)!r}, 'reach', 'phone number', '--format', 'json'], "
                   "standalone_mode=False)\n"
                   "print('rdflib' in sys.modules, file=sys.stderr)")
    assert check.returncode == 0 and check.stderr.strip().splitlines()[-1] == "False", check.stderr[-2000:]


def test_editing_a_source_rebuilds_and_shows_the_edit(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(bundled_sources(), sources)
    out = tmp_path / "out"
    assert run(out, "build", sources=[sources]).exit_code == 0
    manifest = out / ".datareach" / "manifest.json"
    first = json.loads(manifest.read_text())["fingerprint"]
    assert "yahoo" not in companies(reach_json(out, "phone number", sources=[sources]))

    facts = sources / "facebook-partnerships-2018.yaml"
    text = facts.read_text(encoding="utf-8")
    assert text.count('data_types: ["posts"]') == 1
    facts.write_text(text.replace('data_types: ["posts"]', 'data_types: ["posts", "phone number"]'), encoding="utf-8")
    assert not compiled.is_fresh([sources], out)
    edited = reach_json(out, "phone number", sources=[sources])
    assert "yahoo" in companies(edited)
    second = json.loads(manifest.read_text())["fingerprint"]
    assert second != first and compiled.is_fresh([sources], out)

    # a new file is noticed too
    (sources / "extra.yaml").write_text(
        "grants:\n  - id: facebook-pandora-test\n    grantor: Facebook\n    grantee: Pandora\n"
        "    integration: app platform\n    data_types: [phone number]\n"
        "    evidence: [{source: techly-2018-12-20, locator: \"¶15\"}]\n", encoding="utf-8")
    assert "pandora" in companies(reach_json(out, "phone number", sources=[sources]))

    # a bad edit is refused cleanly, naming the file and the nearest term; the last build stays
    third = json.loads(manifest.read_text())["fingerprint"]
    (sources / "extra.yaml").write_text((sources / "extra.yaml").read_text().replace("[phone number]", "[phone nubmer]"))
    bad = run(out, "reach", "phone number", sources=[sources])
    assert bad.exit_code == 1 and bad.stdout == ""
    assert "extra.yaml" in bad.stderr and "did you mean 'phone number'" in bad.stderr
    assert json.loads(manifest.read_text())["fingerprint"] == third
