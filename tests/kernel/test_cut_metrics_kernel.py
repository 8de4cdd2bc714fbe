"""A metric printed only in the middle of a long log, in a real kernel: the capture cuts it, the entry keeps it.

Issue 11, point 2: metrics are read from the whole stream as it passes, so
cutting never loses one. Here ``accuracy`` is printed once, halfway through
100,000 lines, far from both the head and the tail the capture keeps.
"""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

from jupyter_expjournal.core.journal import Journal  # noqa: E402

LOG = (
    "for i in range(100_000):\n"
    "    if i == 50_000:\n"
    "        print('eval accuracy = 0.977')\n"
    "    print(f'step {i} loss = {1 / (i + 1):.6f}')\n"
)


def test_a_metric_printed_only_in_the_cut_middle_reaches_the_delta_and_the_entry(venv_kernelspec, tmp_path):
    folder = tmp_path / "experiments"
    nb = new_notebook(cells=[new_code_cell(c) for c in (
        f"%load_ext jupyter_expjournal\n%journal --dir {folder}",
        "%%hypothesis long run\nMore steps fit better.\nchange: steps 10 → 100000\n"
        "baseline: eval accuracy = 0.95\nexpected: eval accuracy +0.02",
        LOG,
        "%result --learning the metric in the middle counts",
    )])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=180, startup_timeout=60,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    (entry,) = Journal(folder).entries()
    assert "eval accuracy = 0.977" not in entry.actual.split("```text")[1].split("```")[0]  # cut from the block
    assert entry.measured["eval accuracy"] == 0.977 and entry.measured["loss"] == 1e-05  # loss: the last step's
    assert "eval accuracy +0.027 vs expected +0.02: better than expected" in entry.delta
