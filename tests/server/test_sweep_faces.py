"""One sweep through the REST API, the magics (a real IPython shell) and the CLI (in-process): the same bytes on disk.

Each face plans the same sweep in its own syntax (REST ``sweep`` as a spec and as ``{key, values}``, ``--sweep``
for the magics and the CLI) and completes it with the same printed loop, then with the same table (REST ``table``
as rows and as CSV text, ``--table FILE`` for the others). What lands in each experiments folder is compared as
tests/test_sweep_conformance.py compares it (times, ids, Provenance and Duration masked; where the output came
from is named by each face in its own way): the curve is the same PNG, byte for byte, linked the same way.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from test_sweep_conformance import BASELINE, BODY, EXPECTED, HYPOTHESIS, NAME, OUTPUT, ROWS, VALUES
from test_sweep_conformance import comparable as compared

from jupyter_expjournal.cli import main as cli_main

pytest.importorskip("matplotlib")

# the sweep of tests/test_sweep_conformance.py (the core API, the magics, the CLI), here through REST too
CSV = "gamma,accuracy,fit_time\n0.0001,0.9711,0.3\n0.001,0.9956,0.2\n0.01,0.86,0.4\n"
TABLE = [
    {"gamma": 0.0001, "accuracy": 0.9711, "fit_time": 0.3},
    {"gamma": 0.001, "accuracy": 0.9956, "fit_time": 0.2},
    {"gamma": 0.01, "accuracy": 0.86, "fit_time": 0.4},
]


def comparable(folder) -> str:
    """As tests/test_sweep_conformance.py compares a folder, and no Duration as a result's last field either
    (a result with no Learning: the kernel and the REST API time it, the CLI is told no time)."""
    return re.sub(r"\n\n\*\*Duration\*\*: <time>\n$", "\n", compared(folder), flags=re.M)


@pytest.fixture
def faces(ip, tmp_path, monkeypatch, api, root, jp_asyncio_loop):
    """``rest(route, body)``, ``magics(cell_magic_line, cell, result_line)`` and ``cli(*args)``, each in its own folder."""
    folders = {
        "rest": root / "experiments",
        "magics": tmp_path / "magics" / "experiments",
        "cli": tmp_path / "cli" / "experiments",
    }

    def rest(route: str, body: dict) -> dict:
        monkeypatch.delenv("EXPJOURNAL_DIR", raising=False)  # the server finds its journal from its root
        code, data, _ = jp_asyncio_loop.run_until_complete(api(route, {"path": "", **body}))
        assert code in (200, 201), data
        return data

    def magics(line: str, result: str, *, loop: bool) -> None:
        monkeypatch.setenv("EXPJOURNAL_DIR", str(folders["magics"]))
        settings = ip._expjournal
        settings.session.opened.clear()
        settings.strict, settings.directory = False, ""
        ip.run_cell_magic("hypothesis", f"{NAME} {line}", BODY)
        if loop:
            ip.run_cell("".join(f"print({out!r})\n" for out in OUTPUT.splitlines()), store_history=True)
        ip.run_line_magic("result", result)
        monkeypatch.delenv("EXPJOURNAL_DIR")

    def cli(*args: str) -> None:
        monkeypatch.delenv("EXPJOURNAL_DIR", raising=False)
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli_main([args[0], *args[1:], "--dir", str(folders["cli"])]) in (0, None)

    return folders, rest, magics, cli


def plan_rest(rest, sweep) -> None:
    rows = [{"key": k, "value": v} for k, v in (row.split(": ") for row in ROWS)]
    rest(
        "hypothesis",
        {"name": NAME, "hypothesis": HYPOTHESIS, "config": rows, "expected": EXPECTED, "baseline": BASELINE, "sweep": sweep},
    )


def plan_cli(cli) -> None:
    config = [arg for row in ROWS for arg in ("--config", row)]
    cli(
        "hypothesis",
        NAME,
        "--hypothesis",
        HYPOTHESIS,
        *config,
        "--expected",
        EXPECTED,
        "--baseline",
        BASELINE,
        "--sweep",
        f"gamma={VALUES}",
    )


def test_a_sweep_from_its_printed_loop_is_the_same_bytes_through_rest_the_magics_and_the_cli(faces, tmp_path):
    folders, rest, magics, cli = faces
    plan_rest(rest, f"gamma={VALUES}")
    reply = rest("result", {"output": OUTPUT, "source": "run.log", "learning": "1e-3 is best"})
    assert len(reply["assets"]) == 1

    magics(f"--sweep gamma={VALUES}", '--learning "1e-3 is best"', loop=True)

    log = tmp_path / "run.log"
    log.write_text(OUTPUT)
    plan_cli(cli)
    cli("result", "--output", str(log), "--learning", "1e-3 is best")

    texts = {face: comparable(folder) for face, folder in folders.items()}
    assert "| **0.001** | **0.9956** |" in texts["rest"] and "sweep-1.png\n<" in texts["rest"]
    assert "![gamma sweep: accuracy against gamma](assets/" in texts["rest"]
    assert texts["magics"] == texts["rest"]
    assert texts["cli"] == texts["rest"]


@pytest.mark.parametrize("table", ["rows", "csv"])
def test_a_sweep_table_is_the_same_bytes_through_rest_the_magics_and_the_cli(faces, tmp_path, monkeypatch, table):
    folders, rest, magics, cli = faces
    plan_rest(rest, {"key": "gamma", "values": [0.0001, 0.001, 0.01]})
    reply = rest("result", {"table": TABLE if table == "rows" else CSV})
    assert len(reply["assets"]) == 1 and [p["value"] for p in reply["entry"]["compare"]["points"]] == VALUES.split(",")

    (tmp_path / "sweep.csv").write_text(CSV)
    monkeypatch.chdir(tmp_path)  # the magics read a file from the kernel's folder
    magics(f"--sweep gamma={VALUES}", "--table sweep.csv --no-output", loop=False)

    plan_cli(cli)
    cli("result", "--table", str(tmp_path / "sweep.csv"))

    texts = {face: comparable(folder) for face, folder in folders.items()}
    assert "| **0.001** | **0.9956** | **0.2** |" in texts["rest"] and "sweep-1.png\n<" in texts["rest"]
    assert texts["magics"] == texts["rest"]
    assert texts["cli"] == texts["rest"]
    assert json.dumps(reply["entry"]["sweep"]) == '{"key": "gamma", "values": ["0.0001", "0.001", "0.01"], "old": "scale"}'
