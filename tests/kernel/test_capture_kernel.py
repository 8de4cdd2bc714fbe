"""Everything the notebook shows is captured, in a real kernel (issue 11, point 3 and the capture part of point 2).

Output written straight to file descriptors 1 and 2 (a child process, ``os.write``, C code through ctypes),
logging handlers made before ``%load_ext``, warnings; a figure over the cap is named, not dropped silently;
metrics printed only in the dropped middle of a long log are still read; a cell with no output is known.

ipykernel forwards descriptor output only when not run under pytest (it looks for ``PYTEST_CURRENT_TEST``
in its environment), so each test takes that variable out before it starts its kernel, as a notebook's
kernel is started.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

SUMMARY = """\
import json
_rec = get_ipython()._expjournal.recorder
print(json.dumps([
    {"text": r.text(), "kinds": [o.kind for o in r.outputs], "streams": [o.notebook(None).get("text") for o in r.outputs],
     "empty": getattr(r, "is_empty", None), "left_out": getattr(r, "left_out", None),
     "dropped": getattr(r, "dropped_metrics", None), "truncated": r.truncated}
    for r in list(_rec.records)[-{n}:]
]))
"""


def run(cells: list[str], folder, monkeypatch) -> list:
    """Run ``cells`` in a fresh kernel as a notebook's kernel runs (descriptor output forwarded)."""
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60, allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return nb.cells


def records(cells: list[str], folder, monkeypatch) -> tuple[list[dict], list]:
    """The records of ``cells`` (run after ``%load_ext``), read back in the kernel, and the notebook's cells."""
    nb_cells = run(["%load_ext jupyter_expjournal", *cells, SUMMARY.replace("{n}", str(len(cells)))], folder, monkeypatch)
    summary = "".join(o.get("text", "") for o in nb_cells[-1].outputs if o.output_type == "stream")
    return json.loads(summary), nb_cells[1:-1]


@contextmanager
def kernel_client(monkeypatch):
    """A kernel started as a notebook's kernel is (descriptor output forwarded), and its client; stopped after."""
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    km = jupyter_client.KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def shown(cell) -> str:
    """The stream text the notebook shows for a cell."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


FD_CELL = """\
import ctypes, os, subprocess, sys
print('a')
subprocess.run(['echo', 'x'])
print('b')
os.system('echo y')
sys.stdout.flush()
libc = ctypes.CDLL(None)
libc.write(1, b'from C\\n', 7)  # C code writing to the descriptor (one write: a pipe keeps it whole)
print('c')
os.write(2, b'to fd 2\\n')
os.write(1, b'z\\n')"""


def test_descriptor_output_is_captured_in_its_own_cell_in_order(venv_kernelspec, tmp_path, monkeypatch):
    recs, cells = records([
        FD_CELL,
        "import os\nos.write(1, b'last statement\\n')",  # the watcher thread hands this over after the cell's code ended
        "import os\nprint('python')\nfor i in range(3):\n    os.write(1, f'line {i}\\n'.encode())\n_ = os.write(1, b'end\\n')",
        "pass",  # nothing of the cells before lands here
    ], tmp_path, monkeypatch)
    fd, last, loop, quiet = recs
    stdout = "".join(t for t, k in zip(fd["streams"], fd["kinds"], strict=True) if k == "stdout")
    # What the notebook got, in the order it got it. Text from the descriptor reaches the kernel from a thread of
    # its own, so a descriptor write lands whole but anywhere among the Python prints after it was made (even
    # between a print's text and its newline, in the notebook as here); a display, a result or the cell's end
    # waits for it.
    assert stdout == "".join(o.get("text", "") for o in cells[0].outputs if o.get("name") == "stdout"), fd
    writes = ["x\n", "y\n", "from C\n", "z\n"]  # each one write to descriptor 1
    at = {w: stdout.find(w) for w in writes}
    assert -1 not in at.values(), fd
    rest = stdout
    for w in writes:
        rest = rest.replace(w, "", 1)
    assert rest == "a\nb\nc\n", fd  # the prints, whole and in order, once the descriptor's writes are taken out
    for earlier, later in (("a", "x\n"), ("b", "y\n"), ("c", "z\n")):  # a write made after a print comes after it
        assert stdout.index(earlier) < at[later], fd
    assert "".join(t for t, k in zip(fd["streams"], fd["kinds"], strict=True) if k == "stderr") == "to fd 2\n"
    # The text and the cell's result (os.write's count): the watcher hands the text over when the cell lets the
    # GIL go, usually after the result, in the notebook as here; it is in the cell either way.
    assert sorted(last["text"].splitlines()) == ["15", "last statement"], last
    assert loop["text"] == "python\nline 0\nline 1\nline 2\nend\n"
    assert quiet["text"] == "" and quiet["empty"] is True
    # The notebook got the same text, and no trace of the end-of-cell mark.
    assert shown(cells[1]) == "last statement\n"
    assert all("\0" not in shown(c) for c in cells)
    assert "".join(o.get("text", "") for o in cells[0].outputs if o.get("name") == "stderr") == "to fd 2\n"


def test_logging_handlers_made_before_load_ext_and_warnings_are_captured(venv_kernelspec, tmp_path, monkeypatch):
    before = (
        "import logging, sys\n"
        "early = logging.getLogger('early'); early.propagate = False; early.setLevel(logging.INFO)\n"
        "early.addHandler(logging.StreamHandler())  # bound to the sys.stderr of now\n"
        "out = logging.getLogger('to_stdout'); out.propagate = False; out.setLevel(logging.INFO)\n"
        "out.addHandler(logging.StreamHandler(sys.stdout))\n"
        "logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')"
    )
    cells = [before, "%load_ext jupyter_expjournal",
             "import logging, warnings\n"
             "logging.getLogger('early').info('from the early handler')\n"
             "logging.getLogger('to_stdout').info('to stdout, early')\n"
             "logging.getLogger('train').info('accuracy = 0.91')\n"
             "warnings.warn('learning rate looks high')\n"
             "print('done')",
             SUMMARY.replace("{n}", "1")]
    nb_cells = run(cells, tmp_path, monkeypatch)
    (rec,) = json.loads(shown(nb_cells[-1]))
    text = rec["text"]
    for line in ("from the early handler", "to stdout, early", "train: accuracy = 0.91", "done"):
        assert line + "\n" in text, text
    assert "UserWarning: learning rate looks high" in text
    assert rec["kinds"].count("stdout") >= 1 and "stderr" in rec["kinds"]


BIG_PNG = """\
import os, struct, zlib
from IPython.display import Image, display

def _png(width, height):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b''.join(b'\\0' + os.urandom(width) for _ in range(height))
    head = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', head) + chunk(b'IDAT', zlib.compress(rows, 0)) + chunk(b'IEND', b'')

big = _png(2000, 2000)
print(f'accuracy = 0.93, png of {len(big):,} bytes')
display(Image(big))
"""


def test_a_figure_over_the_cap_is_named_in_the_entry(venv_kernelspec, tmp_path, monkeypatch):
    folder = tmp_path / "experiments"
    nb_cells = run([
        f"%load_ext jupyter_expjournal\n%journal --dir {folder}",
        "%%hypothesis big figure\nA large plot is kept or named.\nbaseline: accuracy = 0.9\nexpected: accuracy +0.03",
        BIG_PNG + "from IPython.display import HTML\ndisplay(HTML('<table>' + '<tr><td>x</td></tr>' * 200_000 + '</table>'))\n"
        "print('after the figure')",
        "%result --learning a figure over the cap is named",
        SUMMARY.replace("{n}", "2"),
    ], tmp_path, monkeypatch)
    rec = json.loads(shown(nb_cells[-1]))[0]
    assert [o.output_type for o in nb_cells[2].outputs] == ["stream", "display_data", "display_data", "stream"]
    cap = "a cell keeps 1.0 MB of outputs (max_cell_bytes = 2,000,000)"
    assert rec["left_out"] == [
        f"[output 2 left out: image/png figure, 4.0 MB, {cap}]",
        f"[output 3 left out: display (text/html, text/plain), 3.8 MB, {cap}]",
    ], rec["left_out"]
    assert rec["kinds"] == ["stdout", "stdout"] and rec["empty"] is False
    assert rec["text"].splitlines()[1:] == [*rec["left_out"], "after the figure"]
    assert rec["text"].startswith("accuracy = 0.93, png of 4,00")
    journal = (folder / "journal.md").read_text(encoding="utf-8")
    actual = journal[journal.index("**Actual outcome**") : journal.index("**Delta**")]
    assert f"[output 2 left out: image/png figure, 4.0 MB, {cap}]" in actual
    assert "[output 3 left out: display (text/html, text/plain), 3.8 MB" in actual
    assert "accuracy +0.03" in journal[journal.index("**Delta**") :].split("\n")[0]


LONG_LOG = """\
for i in range(20_000):
    line = f'epoch {i // 1000} step {i} loss = {1 / (i + 1):.5f}'
    if i == 100:
        line += ' lr = 0.01'
    if i == 9_000:
        line += ' lr = 0.001 val_f1 = 0.875'
    if i == 12_000:
        line += ' top-1 accuracy = 91.5%'
    print(line)
print('done')
"""


def test_metrics_printed_only_in_the_dropped_middle_are_read(venv_kernelspec, tmp_path, monkeypatch):
    recs, _ = records(["get_ipython()._expjournal.recorder.max_cell_bytes = 200_000", LONG_LOG,
                       "get_ipython()._expjournal.recorder.max_cell_bytes = 2_000_000", "print('lr = 0.5')"],
                      tmp_path, monkeypatch)
    _, long, _, short = recs
    assert long["truncated"] > 0
    assert "val_f1" not in long["text"] and long["text"].endswith("done\n")
    # lr: the head shows 0.01, the middle said 0.001 last; loss goes on in the kept tail, so the tail's value stands.
    dropped = long["dropped"]
    assert dropped["lr"] == 0.001 and dropped["val_f1"] == 0.875 and "loss" not in dropped, dropped
    assert any(abs(v - 0.915) < 1e-9 for k, v in dropped.items() if "accuracy" in k), dropped
    assert short["dropped"] == {} and short["truncated"] == 0


def test_a_cell_that_showed_nothing_is_empty(venv_kernelspec, tmp_path, monkeypatch):
    recs, _ = records([
        "x = 1",
        "import os\nos.system('true')",  # a result of 0: not empty
        "import os\n_ = os.system('true')",
        "None",
        "print()",
        "import os\n_ = os.system('echo from a child')",
        "from IPython.display import display, HTML\ndisplay(HTML('<b>x</b>'))",
        "1/0",
    ], tmp_path, monkeypatch)
    assert [r["empty"] for r in recs] == [True, False, True, True, False, False, False, False], recs


def test_unregister_takes_the_taps_out_and_register_puts_them_back(venv_kernelspec, tmp_path, monkeypatch):
    check = (
        "import json, sys\n_rec = get_ipython()._expjournal.recorder\n"
        "print(json.dumps([_rec.registered, len(_rec.kernel_streams.hooked),"
        " [s.tapped for s in _rec.kernel_streams.streams()], [type(s.echo).__name__ for s in (sys.stdout, sys.stderr)]]))"
    )
    cells = run([
        "%load_ext jupyter_expjournal",
        "import os\n_ = os.write(1, b'recorded\\n')",
        check,
        "%unload_ext jupyter_expjournal",
        "import os\n_ = os.write(1, b'not recorded\\n')",
        check,
        "%load_ext jupyter_expjournal",
        "import os\n_ = os.write(1, b'recorded again\\n')",
        "import json\nprint(json.dumps([r.text() for r in get_ipython()._expjournal.recorder.records]))",
    ], tmp_path, monkeypatch)
    on, off = (json.loads(shown(cells[i])) for i in (2, 5))
    assert on == [True, 2, [True, True], ["Tap", "Tap"]]
    assert off == [False, 0, [], ["NoneType", "NoneType"]]  # unloaded: the kernel's streams have their own echo back
    texts = json.loads(shown(cells[8]))
    assert texts == ["recorded\n", shown(cells[2]), "recorded again\n"], texts  # nothing recorded while unloaded
    assert shown(cells[4]) == "not recorded\n"  # the notebook still got it: only the recording stopped


def test_descriptor_output_after_the_cell_goes_to_the_cell_that_ran_last(venv_kernelspec, monkeypatch):
    """A child process still writing after its cell ended: the notebook shows that text under the cell, so does the record."""
    streams: list[tuple[str, str]] = []  # (the request it answers, text)

    def run(kc, code: str) -> str:
        msg_id = kc.execute(code)
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["msg_type"] == "stream":
                streams.append((msg["parent_header"].get("msg_id"), msg["content"]["text"]))
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
                    and msg["parent_header"].get("msg_id") == msg_id:
                return msg_id

    with kernel_client(monkeypatch) as (_, kc):
        run(kc, "%load_ext jupyter_expjournal")
        first = run(kc, "import subprocess\nprint('started')\n_child = subprocess.Popen(['sh', '-c', 'sleep 0.5; echo late'])")
        time.sleep(1.5)  # the child writes while no cell runs
        streams.clear()
        run(kc, "_child.wait()\nimport json\nprint(json.dumps([r.text() for r in get_ipython()._expjournal.recorder.records]))")
        texts = json.loads(streams[-1][1])
        late = [(parent, text) for parent, text in streams if text == "late\n"]
    assert texts[-1] == "started\nlate\n", texts
    assert [parent for parent, _ in late] == [first]  # the notebook got it under the cell that started the child


def test_cells_sent_at_once_each_keep_their_own_child_output(venv_kernelspec, monkeypatch):
    """Run All: the requests wait in the kernel's queue, each cell starts the moment the last ends; a child's
    output still being read when its cell ends belongs to that cell, not to the next."""
    with kernel_client(monkeypatch) as (_, kc):
        kc.execute_interactive("%load_ext jupyter_expjournal\nimport subprocess", timeout=60)
        for i in range(20):
            kc.execute(f"_ = subprocess.run(['echo', 'child {i}'])")
        out = []
        kc.execute_interactive("import json\nprint(json.dumps([r.text() for r in get_ipython()._expjournal.recorder.records]))",
                               timeout=120, output_hook=lambda m: out.append(m["content"].get("text", "")))
    texts = json.loads("".join(out).strip().splitlines()[-1])
    assert texts[-20:] == [f"child {i}\n" for i in range(20)], texts
