"""A long training log in a real kernel: the head and the tail are kept, the last line survives, the cut is counted.

The case of issue 11: 100,000 lines followed by ``accuracy = 0.977``. Capture
used to stop 2 MB from the head; the final metric was gone, Delta said "not
computed", and the cut marker counted only what the outcome cut of those 2 MB.
"""

from __future__ import annotations

import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

LINES = 100_000
LOG = f"for i in range({LINES}):\n    print(f'epoch {{i}} step {{i * 10}} loss = {{1 / (i + 1):.4f}}')\nprint('accuracy = 0.977')"


def run(cells: list[str], folder) -> list:
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return nb.cells


def test_a_100000_line_log_keeps_its_last_line_and_its_final_metric(venv_kernelspec, tmp_path):
    folder = tmp_path / "experiments"
    run([
        f"%load_ext jupyter_expjournal\n%journal --dir {folder}",
        "%%hypothesis long run\nMore epochs fit better.\nchange: epochs 10 → 100000\n"
        "baseline: accuracy = 0.95\nexpected: accuracy +0.02",
        LOG,
        "%result --learning the last line is the one that matters",
    ], tmp_path)
    text = (folder / "journal.md").read_text(encoding="utf-8")
    actual = text[text.index("**Actual outcome**") : text.index("**Delta**")]
    assert "accuracy = 0.977" in actual.split("```text")[1]  # the log's last line, in the output kept
    delta = text[text.index("**Delta**") :].split("\n")[0]
    assert "accuracy +0.027" in delta and "better than expected" in delta, delta
    # One marker, counting every line and character of the log that is not in the journal.
    output = actual.split("```text\n", 1)[1].rsplit("\n```", 1)[0]
    markers = re.findall(r"\[… ([\d,]+) lines, ([\d,]+) characters cut …\]", output)
    assert len(markers) == 1, markers
    cut_lines = int(markers[0][0].replace(",", ""))
    shown = [line for line in output.split("\n") if not line.startswith("[… ")]
    assert len(shown) + cut_lines == LINES + 1
    assert shown[0] == "epoch 0 step 0 loss = 1.0000" and shown[-1] == "accuracy = 0.977"
    full = "".join(f"epoch {i} step {i * 10} loss = {1 / (i + 1):.4f}\n" for i in range(LINES)) + "accuracy = 0.977\n"
    assert len("\n".join(shown)) + int(markers[0][1].replace(",", "")) == len(full.rstrip("\n"))
