"""One sweep through the core API, the magics (a real IPython shell) and the CLI (in-process): the same entry on disk.

Each face plans the same sweep in its own syntax and completes it with the
same printed loop output; what lands in each experiments folder is compared
(times, ids, Provenance and Duration masked, as the conformance test masks
them; where the output came from is named by each face in its own way: a cell,
a file). The curve is the same PNG, byte for byte.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from conformance_support import disk_text

from jupyter_expjournal import sweep_curve
from jupyter_expjournal.cli import main as cli_main
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.sweep import plan_sweep

pytest.importorskip("matplotlib")

NAME = "gamma sweep"
HYPOTHESIS = "A smaller gamma smooths the RBF kernel."
ROWS = ("gamma: scale", "C: 1")
VALUES = "0.0001,0.001,0.01"
EXPECTED, BASELINE = "accuracy +0.005", "accuracy = 0.9889"
OUTPUT = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.86\n"
BODY = f"{HYPOTHESIS}\nconfig:\n" + "".join(f"- {row}\n" for row in ROWS) + f"expected: {EXPECTED}\nbaseline: {BASELINE}\n"


def comparable(folder) -> str:
    """The folder's text, the output's label (``Output of cell [4]:``, ``Output of run.log:``) as ``Output:``, and
    no Duration (a kernel times the run, the API and the CLI are told the time or not)."""
    text = re.sub(r"^Output of [^\n]*:$", "Output:", disk_text(folder, cells=True), flags=re.M)
    return re.sub(r"^\*\*Duration\*\*: <time>\n\n", "", text, flags=re.M)


def test_a_sweep_is_the_same_entry_from_the_api_the_magics_and_the_cli(ip, tmp_path, monkeypatch):
    folders = {face: tmp_path / face / "experiments" for face in ("api", "magics", "cli")}

    journal = Journal(folders["api"])
    journal.hypothesize(plan_sweep(parse_body(NAME, BODY), f"gamma={VALUES}"))
    entry = journal.entries()[-1]
    journal.complete(sweep_curve.attach_for(entry, Outcome(output=OUTPUT, learning="1e-3 is best")))

    monkeypatch.setenv("EXPJOURNAL_DIR", str(folders["magics"]))
    magics = ip._expjournal
    magics.session.opened.clear()
    magics.directory = ""
    ip.run_cell_magic("hypothesis", f"{NAME} --sweep gamma={VALUES}", BODY)
    ip.run_cell("".join(f"print({line!r})\n" for line in OUTPUT.splitlines()), store_history=True)
    ip.run_line_magic("result", '--learning "1e-3 is best"')

    monkeypatch.delenv("EXPJOURNAL_DIR")
    log = tmp_path / "run.log"
    log.write_text(OUTPUT)
    with contextlib.redirect_stdout(io.StringIO()):
        config = [arg for row in ROWS for arg in ("--config", row)]
        assert cli_main(["hypothesis", NAME, "--dir", str(folders["cli"]), "--hypothesis", HYPOTHESIS, *config,
                         "--expected", EXPECTED, "--baseline", BASELINE, "--sweep", f"gamma={VALUES}"]) in (0, None)
        assert cli_main(["result", "--dir", str(folders["cli"]), "--output", str(log), "--learning", "1e-3 is best"]) in (0, None)

    texts = {face: comparable(folder) for face, folder in folders.items()}
    assert "| **0.001** | **0.9956** |" in texts["api"] and "sweep-1.png\n<" in texts["api"]
    assert texts["magics"] == texts["api"]
    assert texts["cli"] == texts["api"]


@pytest.mark.parametrize("spec", ["gamma=1,2 C=3,4", "gamma=1,C=2", "gamma,C=1,2", "gamma=0.1"])
def test_a_bad_sweep_is_the_cores_one_message_in_every_face_and_writes_nothing(ip, tmp_path, monkeypatch, capsys, spec):
    from IPython.core.error import UsageError

    from jupyter_expjournal.core.errors import InputError

    with pytest.raises(InputError) as core:
        plan_sweep(parse_body(NAME, BODY), spec)
    said = str(core.value)

    monkeypatch.setenv("EXPJOURNAL_DIR", str(tmp_path / "magics" / "experiments"))
    ip._expjournal.directory = ""
    with pytest.raises(UsageError) as magic:
        ip.run_cell_magic("hypothesis", f"{NAME} --sweep {spec}", BODY)
    assert said in str(magic.value)

    capsys.readouterr()
    config = [arg for row in ROWS for arg in ("--config", row)]
    assert cli_main(["hypothesis", NAME, "--dir", str(tmp_path / "cli" / "experiments"), "--hypothesis", HYPOTHESIS,
                     *config, "--sweep", spec]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "magics").exists() and not (tmp_path / "cli").exists()
