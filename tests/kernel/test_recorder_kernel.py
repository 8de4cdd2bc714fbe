"""OutputRecorder inside a real ipykernel, driven by nbclient.

Checks that every output lands on the cell that produced it and that
``CellRecord.prompt`` is the ``In [N]`` number the front end shows (the
``execution_count`` nbclient writes into the executed notebook), including
while the cell is still running.  The kernel is started from a kernelspec
written to a temporary JUPYTER_PATH whose argv is this interpreter, so the
test always exercises the venv it runs in.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SETUP = """\
import sys
from jupyter_expjournal.kernel.recorder import OutputRecorder
rec = OutputRecorder(get_ipython())
rec.register()
print(sys.executable)
"""

CELLS = {
    "stdout": "print('hello from stdout')",
    "result": "21 * 2",
    "html": "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))",
    "figure": "%matplotlib inline\nimport matplotlib.pyplot as plt\n_ = plt.plot([1, 2, 3])",
    "error": "1/0",
    "mixed": (
        "import sys\n"
        "print('a')\n"
        "print('warn', file=sys.stderr)\n"
        "display(HTML('<i>mid</i>'))\n"
        "print('b')\n"
        "{'acc': 0.5}"
    ),
    "nested": "print('outer')\nget_ipython().run_cell(\"print('inner')\")\nprint('end')",
    "running": "_running = (rec.current.prompt, rec.current.seq, type(sys.stdout).__name__)\nprint(_running[0])",
}

SUMMARY = """\
import json
print(json.dumps({
    "records": [
        {
            "seq": r.seq,
            "prompt": r.prompt,
            "kinds": [o.kind for o in r.outputs],
            "png": any(m == "image/png" and d[:4] == b"\\x89PNG" for m, d in r.images()),
            "text": r.text(),
            "html": [o.data.get("text/html") for o in r.outputs if o.kind == "display"],
            "ename": r.error.ename if r.error else None,
            "result_value": r.result_value,
            "truncated": r.truncated,
        }
        for r in rec.records
    ],
    "running": _running,
    "previous_prompt": rec.previous().prompt,
}))
"""

AFTER = "rec.unregister()\nprint(type(sys.stdout).__name__, len(rec.records))"


def _texts(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_outputs_land_on_the_right_cell_in_a_real_kernel(venv_kernelspec, tmp_path):
    names = list(CELLS)
    nb = new_notebook(
        cells=[new_code_cell(SETUP)]
        + [new_code_cell(CELLS[n]) for n in names]
        + [new_code_cell(SUMMARY), new_code_cell(AFTER)]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=60,
        startup_timeout=60,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()

    setup_cell, *work_cells, summary_cell, after_cell = nb.cells
    # The kernel really is this venv's interpreter.
    assert Path(_texts(setup_cell).strip()) == Path(sys.executable), _texts(setup_cell)
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ZeroDivisionError"], errors

    summary = json.loads(_texts(summary_cell))
    records = summary["records"]
    # The setup cell registered the recorder mid-cell: it is not recorded.
    assert len(records) == len(names)
    by_name = dict(zip(names, records, strict=True))
    cells = dict(zip(names, work_cells, strict=True))

    # prompt is the In [N] the notebook shows, for every cell.
    for name in names:
        assert by_name[name]["prompt"] == cells[name].execution_count, name
    assert [r["seq"] for r in records] == list(range(1, len(names) + 1))
    assert summary["previous_prompt"] == cells["running"].execution_count

    assert by_name["stdout"]["kinds"] == ["stdout"]
    assert by_name["stdout"]["text"] == "hello from stdout\n"

    assert by_name["result"]["kinds"] == ["result"]
    assert by_name["result"]["text"] == "42\n"

    assert by_name["html"]["kinds"] == ["display"]
    assert by_name["html"]["html"] == ["<b>bold</b>"]

    # matplotlib-inline flushes the figure on post_execute: still this cell.
    assert by_name["figure"]["kinds"] == ["display"]
    assert by_name["figure"]["png"] is True
    assert not any(r["png"] for n, r in by_name.items() if n != "figure")

    assert by_name["error"]["kinds"] == ["error"]
    assert by_name["error"]["ename"] == "ZeroDivisionError"
    # the traceback as the notebook shows it (what ipykernel sent), ending with the error's own line
    assert by_name["error"]["text"].rstrip("\n").endswith("ZeroDivisionError: division by zero")
    assert "----> 1 1/0" in by_name["error"]["text"]
    assert "\x1b" not in by_name["error"]["text"]

    assert by_name["mixed"]["kinds"] == ["stdout", "stderr", "display", "stdout", "result"]
    assert by_name["mixed"]["text"] == "a\nwarn\n<IPython.core.display.HTML object>\nb\n{'acc': 0.5}\n"
    assert by_name["mixed"]["result_value"] is None  # only the latest finished record keeps it

    assert by_name["nested"]["kinds"] == ["stdout"]
    assert by_name["nested"]["text"] == "outer\ninner\nend\n"

    # While a cell runs, its record already carries the right prompt, and
    # sys.stdout is still the kernel's own stream: its writes are tapped where
    # they enter (no proxy is swapped in and out around each cell).
    running_prompt, running_seq, stdout_type = summary["running"]
    assert running_prompt == cells["running"].execution_count
    assert running_seq == by_name["running"]["seq"]
    assert stdout_type == "OutStream"
    assert by_name["running"]["text"] == f"{running_prompt}\n"

    # What the notebook shows matches what was recorded.
    assert _texts(cells["stdout"]) == "hello from stdout\n"
    assert [o.output_type for o in cells["figure"].outputs] == ["display_data"]
    assert all(r["truncated"] == 0 for r in records)

    # unregister() puts ipykernel's own stream back.
    stream_type, n_records = _texts(after_cell).split()
    assert stream_type == "OutStream"
    assert int(n_records) == len(names) + 1  # the summary cell was recorded too


NBVAL_CHECK = """\
records = list(rec.records)
assert [[o.kind for o in r.outputs] for r in records] == [["stdout"], ["result"], ["display"], ["error"]], records
assert records[0].text() == "hello\\n" and records[1].text() == "42\\n"
assert records[2].images() and records[3].error.ename == "ZeroDivisionError"
# nbval executes with store_history=False: no In [N] is shown, so no prompt.
assert [r.prompt for r in records] == [None] * 4, [r.prompt for r in records]
"""


def test_outputs_land_on_the_right_cell_under_nbval(venv_kernelspec, tmp_path):
    pytest.importorskip("nbval")
    import subprocess

    nb = new_notebook(
        cells=[
            new_code_cell(SETUP),
            new_code_cell("print('hello')"),
            new_code_cell("6 * 7"),
            new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt\n_ = plt.plot([3, 1, 2])"),
            new_code_cell("1/0", metadata={"tags": ["raises-exception"]}),
            new_code_cell(NBVAL_CHECK),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "nbval_capture.ipynb"
    nbformat.write(nb, str(path))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "6 passed" in proc.stdout
