"""Kernel memory stays bounded however long the cells print (issue 11, point 7), in a real kernel.

Every cell prints a long log, over its cell's head: the record keeps its head and each stream's
tail, the ring keeps the last ``ring_size`` records, and the kernel's resident memory stops
growing once the ring is full. (``make bench`` measures the same over 1,000 cells of 10,000
lines; this is the short version, with a generous margin: it checks that nothing grows per
cell, not the figure.)

IPython 9 keeps every write of every cell in ``history_manager.outputs`` itself, with or
without this extension; each cell clears it, so that what is measured is the extension's.
"""

from __future__ import annotations

import json

from test_capture_kernel import kernel_client

CELLS = 80
LINES = 3_000
LOG = f"""\
get_ipython().history_manager.outputs.clear()
for _i in range({LINES}):
    print(f"epoch {{_i // 100}} step {{_i:>5}} loss = {{1 / (_i + 1):.6f}} accuracy = {{_i / {LINES}:.4f}} lr = 1.0e-04 "
          f"grad_norm = {{_i % 7 / 3:.4f}} time = 0.13 s")
"""
SIZES = """\
import json
_rec = get_ipython()._expjournal.recorder
print(json.dumps({
    "records": len(_rec.records), "ring": _rec.ring_size,
    "kept": [sum(len(o.get("text", "")) for o in r.notebook_outputs()) for r in _rec.records],
    "truncated": [r.truncated for r in _rec.records],
}))
"""


def rss(km) -> int:
    with open(f"/proc/{km.provisioner.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_memory_stays_flat_over_many_long_cells(venv_kernelspec, monkeypatch):
    with kernel_client(monkeypatch) as (km, kc):  # a notebook's kernel: descriptors forwarded and tapped

        def run(code: str) -> str:
            out = []
            reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(
                m["content"].get("text", "") if m["msg_type"] == "stream" else ""))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(out)

        run("%load_ext jupyter_expjournal\nget_ipython()._expjournal.recorder.max_cell_bytes = 200_000")
        seen = {}
        for i in range(1, CELLS + 1):
            run(LOG)
            if i in (40, CELLS):
                seen[i] = rss(km)
        sizes = json.loads(run(SIZES))

    assert sizes["records"] == sizes["ring"] == 32
    # Each record keeps its 100 kB head and the 50 kB tail of its stream, a marker between: never the whole log.
    assert all(t > 100_000 for t in sizes["truncated"]), sizes["truncated"]
    assert all(150_000 - 200 <= kept <= 150_000 + 200 for kept in sizes["kept"]), sizes["kept"]
    # The ring was full by cell 40: 40 more cells of 300 kB each (12 MB printed) leave the kernel's memory where it was.
    growth = seen[CELLS] - seen[40]
    print(f"kernel RSS at cell 40: {seen[40] / 1e6:.1f} MB, at cell {CELLS}: {seen[CELLS] / 1e6:.1f} MB")
    assert growth < 8e6, f"kernel RSS grew {growth / 1e6:.1f} MB from cell 40 to cell {CELLS}"
