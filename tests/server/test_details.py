"""The routes behind the sidebar's details and its after-the-fact writes: GET entry, POST retro, POST learning."""

import base64
import re

from testkit import png

JOURNAL = """# Experiment journal

### 2026-11-20 10:00 — SVC C=10
**Status**: COMPLETED
**Hypothesis**: A larger C fits tighter.
**Provenance**: id 3f9a1c2e; notebook nb/plan.ipynb (cell 12ab-cd); git 1a2b3c4d5e (clean); Python 3.12
**Actual outcome**: accuracy = 0.975
Output of cell [3]:
```text
accuracy = 0.975
<img src=x onerror=alert(1)>
```
![cell 3 figure 1](assets/fig.png)
![outside](../../etc/passwd)
**Notes**: ran on the <b>small</b> split
**Duration**: 3 min 2 s wall from hypothesis to result

### 2026-11-21 10:00 — kernel entry
**Status**: ABANDONED
**Provenance**: id 0badc0de; notebook plan.ipynb (cell 77ee); Python 3.12
**Actual outcome**: Abandoned: no data
"""


def _write(root, text=JOURNAL):
    (root / "experiments").mkdir(exist_ok=True)
    (root / "experiments" / "journal.md").write_text(text, encoding="utf-8")
    (root / "nb" / "plan.ipynb").write_text("{}", encoding="utf-8")


async def test_entry_details_every_field_as_blocks_and_where_it_was_written(api, root):
    _write(root)
    code, data, _ = await api("entry", params={"path": "nb", "entry": "3f9a1c2e"})
    assert code == 200, data
    fields = {f["name"]: f["blocks"] for f in data["fields"]}
    assert list(fields) == ["Status", "Hypothesis", "Provenance", "Actual outcome", "Notes", "Duration"]
    assert fields["Actual outcome"] == [
        {"kind": "text", "text": "accuracy = 0.975\nOutput of cell [3]:"},
        {"kind": "code", "text": "accuracy = 0.975\n<img src=x onerror=alert(1)>"},
        {"kind": "image", "path": "assets/fig.png", "alt": "cell 3 figure 1"},
        {"kind": "text", "text": "![outside](../../etc/passwd)"},  # not a file of the experiments folder: text
    ]
    assert fields["Notes"] == [{"kind": "text", "text": "ran on the <b>small</b> split"}]
    assert data["entry"]["ref"] == "3f9a1c2e"
    assert data["origin"] == {"notebook": "nb/plan.ipynb", "named": "nb/plan.ipynb", "cell_id": "12ab-cd"}
    # A kernel writes the notebook from its working directory (the notebook's folder): found from there too.
    code, data, _ = await api("entry", params={"path": "nb", "entry": "kernel entry"})
    assert code == 200 and data["origin"]["notebook"] == "nb/plan.ipynb" and data["origin"]["cell_id"] == "77ee"
    # Elsewhere that name is no file: named, not offered.
    code, data, _ = await api("entry", params={"path": "", "entry": "0badc0de"})
    assert data["origin"] == {"notebook": "", "named": "plan.ipynb", "cell_id": "77ee"}


async def test_entry_details_refusals(api, root):
    _write(root)
    code, data, _ = await api("entry", params={"path": "", "entry": "nothing like it"})
    assert code == 404 and "no entry 'nothing like it'" in data["error"]
    code, data, _ = await api("entry", params={"path": ""})
    assert code == 400 and "'entry' is missing" in data["error"]


async def test_retro_logs_a_run_after_the_fact_with_its_outputs(api, root):
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "accuracy = 0.91\n"},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": base64.b64encode(png()).decode(), "text/plain": "<Figure>"}},
    ]
    code, data, _ = await api("retro", {
        "path": "nb", "name": "quick lr probe", "hypothesis": "lr 1e-2 might diverge", "outputs": outputs,
        "execution_count": 4, "notebook": "nb/probe.ipynb", "cell_id": "c0ffee", "learning": "it did not",
        "execution": {"shell.execute_reply.started": "2026-11-20T10:00:00.000Z",
                      "shell.execute_reply": "2026-11-20T10:00:02.500Z"},
    })
    assert code == 201, data
    assert data["entry"]["status"] == "COMPLETED" and len(data["assets"]) == 1
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    assert "— quick lr probe\n**Status**: COMPLETED\n\n**Logged**: retrospectively, after the run" in text
    assert "**Hypothesis**: lr 1e-2 might diverge\n" in text
    assert re.search(r"\*\*Provenance\*\*: id [0-9a-f]{8}; notebook nb/probe\.ipynb \(cell c0ffee\)", text)
    assert "Output of cell [4]:" in text and f"](assets/{data['assets'][0].split('/')[-1]})" in text
    assert "**Learning**: it did not\n" in text
    assert "2.5 s executing 1 cell" in text, text
    before = text
    code, data, _ = await api("retro", {"path": "nb", "name": "", "outcome": "x"})
    assert code == 400 and "'name' is empty" in data["error"]
    code, data, _ = await api("retro", {"path": "nb", "name": "nothing said"})
    assert code == 400 and "a result needs at least one of" in data["error"]
    assert (root / "experiments" / "journal.md").read_text(encoding="utf-8") == before


async def test_learning_is_added_to_a_closed_entry_once(api, root):
    _write(root)
    code, data, _ = await api("learning", {"path": "", "entry": "3f9a1c2e", "learning": "C=10 is enough", "next": "try gamma"})
    assert code == 200, data
    assert data["entry"]["learning"] == "C=10 is enough" and data["entry"]["next"] == "try gamma"
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    head, tail = text.split("### 2026-11-21")
    added = "\n**Learning**: C=10 is enough\n\n**Next**: try gamma\n\n"  # a paragraph per field (issue 12)
    assert head.endswith("**Duration**: 3 min 2 s wall from hypothesis to result\n" + added)
    assert "**Status**: COMPLETED" in head
    assert JOURNAL.split("### 2026-11-21")[1] == tail
    code, data, _ = await api("learning", {"path": "", "entry": "3f9a1c2e", "learning": "again"})
    assert code == 400 and "already has a Learning" in data["error"]
    code, data, _ = await api("learning", {"path": "", "entry": "3f9a1c2e", "learning": " ", "next": ""})
    assert code == 400 and "give a 'learning' or a 'next'" in data["error"]
    code, data, _ = await api("learning", {"path": "", "entry": "no such", "learning": "x"})
    assert code == 400 and "no entry 'no such'" in data["error"]
    assert (root / "experiments" / "journal.md").read_text(encoding="utf-8") == text


COMPARED = """# Experiment journal

### 2026-11-20 10:00 — baseline
**Status**: COMPLETED
**Actual outcome**: accuracy = 0.9833 loss = 0.30

### 2026-11-20 11:00 — C=10
**Status**: COMPLETED
**Actual outcome**: accuracy = 0.9889 loss = 0.35

### 2026-11-20 12:00 — open one
**Status**: PLANNED

### 2026-11-20 13:00 — hand run
**Status**: ABANDONED
**Actual outcome**: accuracy = 0.999
"""


async def test_order_by_a_metric_in_its_direction_and_the_best_baseline(api, root):
    _write(root, COMPARED)
    code, data, _ = await api("order", params={"path": "", "by": "accuracy"})
    assert code == 200, data
    refs = [ref.split(" — ")[1] for ref in data["refs"]]
    assert refs == ["hand run", "C=10", "baseline", "open one"]  # without the metric: last
    assert data["best"] == {"ref": "2026-11-20 11:00 — C=10", "name": "C=10", "baseline": "accuracy = 0.9889"}
    code, data, _ = await api("order", params={"path": "", "by": "loss"})  # a loss: lowest first
    assert [ref.split(" — ")[1] for ref in data["refs"]][:2] == ["baseline", "C=10"]
    assert data["best"]["baseline"] == "loss = 0.3"
    code, data, _ = await api("order", params={"path": "", "by": "f1"})
    assert code == 400 and "cannot sort by 'f1'" in data["error"]
    code, data, _ = await api("order", params={"path": ""})
    assert code == 400 and "'by' is missing" in data["error"]
