"""A cell's raw outputs posted to the REST API become the same record as ``%result`` writes, with a
Duration; a hypothesis from REST gets the Provenance ``%%hypothesis`` writes."""

import base64
import re
from datetime import datetime, timedelta

import pytest
from testkit import png, tree

from jupyter_expjournal.core.provenance import collect

HYPOTHESIS = {
    "name": "SVC C=10", "hypothesis": "A larger C fits tighter.", "expected": "accuracy +0.02", "baseline": "accuracy = 0.95",
}
PNG = png(3, 2)
STREAM = {"output_type": "stream", "name": "stdout", "text": ["epoch 3\n", "accuracy = 0.975\n"]}
FIGURE = {
    "output_type": "display_data",
    "data": {"image/png": base64.encodebytes(PNG).decode(), "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
    "metadata": {},
}
ERROR = {
    "output_type": "error",
    "ename": "ZeroDivisionError",
    "evalue": "division by zero",
    "traceback": [
        "\x1b[0;31mZeroDivisionError\x1b[0m Traceback", "----> 1 1/0", "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
    ],
}


def fields(text: str, name: str) -> dict[str, str]:
    """The ``**Field**: value`` fields of the entry ``name``, values over several lines joined."""
    chunk = text.split(f"— {name}\n", 1)[1].split("\n### ", 1)[0]
    out, key = {}, None
    for line in chunk.split("\n"):
        m = re.fullmatch(r"\*\*(.+?)\*\*: ?(.*)", line)
        if m:
            key = m.group(1)
            out[key] = m.group(2)
        elif key:
            out[key] += "\n" + line
    return {k: v.rstrip("\n") for k, v in out.items()}


@pytest.fixture
def shell_journal(ip, tmp_path):
    """The real IPython shell's journal in a folder of its own (not the server's root)."""
    folder = tmp_path / "kernel" / "experiments"
    magics = ip._expjournal
    magics.session.opened.clear()
    magics.strict = False
    old, magics.directory = magics.directory, str(folder)
    yield folder
    magics.directory = old


def run(ip, source: str):
    return ip.run_cell(source, store_history=True)


async def test_outputs_make_the_same_actual_outcome_and_delta_as_result(api, root, ip, shell_journal):
    # %result in a real shell: a cell that prints metrics and shows a figure
    body = "\n".join(f"{k}: {v}" for k, v in HYPOTHESIS.items() if k != "name")
    assert run(ip, f"%%hypothesis {HYPOTHESIS['name']}\n{body}").success
    cell = run(ip, f"from IPython.display import Image, display\nprint('epoch 3\\naccuracy = 0.975')\ndisplay(Image({PNG!r}))")
    assert cell.success
    count = cell.execution_count
    assert run(ip, "%result").success
    kernel = fields((shell_journal / "journal.md").read_text(encoding="utf-8"), HYPOTHESIS["name"])

    # the same cell's outputs as the notebook stores them, posted by the sidebar
    assert (await api("hypothesis", {"path": "", **HYPOTHESIS}))[0] == 201
    code, data, _ = await api("result", {"path": "", "outputs": [STREAM, FIGURE], "execution_count": count})
    assert code == 200, data
    (asset,) = data["assets"]
    assert (root / "experiments" / asset).read_bytes() == PNG
    rest = fields((root / "experiments" / "journal.md").read_text(encoding="utf-8"), HYPOTHESIS["name"])

    def same_assets(value: str) -> str:
        return re.sub(r"assets/\d{12}-", "assets/STAMP-", value)

    assert same_assets(rest["Actual outcome"]) == same_assets(kernel["Actual outcome"])
    assert rest["Actual outcome"] == (
        f"accuracy = 0.975\n\nOutput of cell [{count}]:\n```text\nepoch 3\naccuracy = 0.975\n```\n\n"
        f"![cell {count} figure 1]({asset})"
    )
    assert rest["Delta"] == kernel["Delta"] == "accuracy +0.025 vs expected +0.02: better than expected"
    assert re.fullmatch(r"\d+\.\d s wall from hypothesis to result", rest["Duration"]), rest["Duration"]
    assert "wall from hypothesis to result" in kernel["Duration"]


async def test_an_error_output_is_the_outcome_as_result_records_it(api, root, ip, shell_journal):
    assert run(ip, "%%hypothesis broken\nIt runs.\nbaseline: accuracy = 0.95").success
    assert not run(ip, "print('accuracy = 0.9')\n1/0").success
    assert run(ip, "%result").success
    kernel = fields((shell_journal / "journal.md").read_text(encoding="utf-8"), "broken")

    broken = {"path": "", "name": "broken", "hypothesis": "It runs.", "baseline": "accuracy = 0.95"}
    assert (await api("hypothesis", broken))[0] == 201
    outputs = [{"output_type": "stream", "name": "stdout", "text": "accuracy = 0.9\n"}, ERROR]
    code, data, _ = await api("result", {"path": "", "outputs": outputs, "execution_count": 7})
    assert code == 200, data
    rest = fields((root / "experiments" / "journal.md").read_text(encoding="utf-8"), "broken")
    summary = "Error: ZeroDivisionError: division by zero"
    assert rest["Actual outcome"].split("\n")[0] == kernel["Actual outcome"].split("\n")[0] == summary
    assert rest["Actual outcome"] == (
        f"{summary}\n\nOutput of cell [7]:\n```text\naccuracy = 0.9\n"
        "ZeroDivisionError Traceback\n----> 1 1/0\nZeroDivisionError: division by zero\n```"
    )
    assert rest["Delta"] == kernel["Delta"]
    assert data["entry"]["status"] == "COMPLETED"


async def test_text_figure_and_error_together(api, root):
    assert (await api("hypothesis", {"path": "", **HYPOTHESIS}))[0] == 201
    started = datetime.now()
    execution = {
        "iopub.status.busy": (started - timedelta(seconds=0.2)).isoformat() + "Z",
        "iopub.execute_input": (started - timedelta(seconds=0.1)).isoformat() + "Z",
        "shell.execute_reply.started": started.isoformat() + "Z",
        "shell.execute_reply": (started + timedelta(seconds=2.5)).isoformat() + "Z",
        "iopub.status.idle": (started + timedelta(seconds=2.6)).isoformat() + "Z",
    }
    body = {"path": "", "outputs": [STREAM, FIGURE, ERROR], "execution_count": 4, "execution": execution,
            "notebook": "train.ipynb", "cell_id": "3f2a", "learning": "C helps"}
    code, data, _ = await api("result", body)
    assert code == 200, data
    (asset,) = data["assets"]
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    rest = fields(text, HYPOTHESIS["name"])
    assert rest["Actual outcome"] == (
        "Error: ZeroDivisionError: division by zero\n\nOutput of cell [4]:\n```text\nepoch 3\naccuracy = 0.975\n"
        f"ZeroDivisionError Traceback\n----> 1 1/0\nZeroDivisionError: division by zero\n```\n\n![cell 4 figure 1]({asset})"
    )
    assert "<Figure size" not in text and "\x1b" not in text
    assert rest["Delta"] == "accuracy +0.025 vs expected +0.02: better than expected"
    assert re.fullmatch(r"\d+\.\d s wall from hypothesis to result; 2\.5 s executing 1 cell", rest["Duration"]), rest["Duration"]
    assert rest["Learning"] == "C helps"


async def test_the_documented_output_and_images_fields_still_work(api, root):
    assert (await api("hypothesis", {"path": "", **HYPOTHESIS}))[0] == 201
    image = {"mime": "image/png", "data": base64.b64encode(PNG).decode()}
    code, data, _ = await api("result", {"path": "", "output": "accuracy = 0.96\n", "images": [image], "source": "cell [2]"})
    assert code == 200 and len(data["assets"]) == 1
    rest = fields((root / "experiments" / "journal.md").read_text(encoding="utf-8"), HYPOTHESIS["name"])
    assert rest["Actual outcome"].startswith(
        "accuracy = 0.96\n\nOutput of cell [2]:\n```text\naccuracy = 0.96\n```\n\n![cell 2 figure 1]("
    )
    assert "wall from hypothesis to result" in rest["Duration"]


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"outputs": "text"}, "'outputs' must be a list"),
        ({"outputs": [1]}, "'outputs[0]' must be an object"),
        ({"outputs": [{"output_type": "markdown"}]}, "'outputs[0].output_type' is 'markdown'"),
        ({"outputs": [{"output_type": "display_data", "data": {"image/png": base64.b64encode(b"GIF89a").decode()}}]},
         "is not a PNG image"),
        ({"outputs": [STREAM], "output": "x"}, "not both"),
        ({"outputs": [STREAM], "execution_count": "4"}, "'execution_count' must be a whole number"),
        ({"outputs": [STREAM], "execution": {"shell.execute_reply": "yesterday"}},
         "'execution.shell.execute_reply' is not an ISO 8601 time"),
        ({"outputs": [STREAM], "execution": []}, "'execution' must be an object"),
        ({"outputs": []}, "a result needs at least one of"),
        ({"outputs": [STREAM], "cell_id": "a\nb"}, "'cell_id' must be one line"),
    ],
)
async def test_bad_outputs_are_400_and_write_nothing(api, root, extra, message):
    assert (await api("hypothesis", {"path": "", **HYPOTHESIS}))[0] == 201
    before = tree(root)
    code, data, _ = await api("result", {"path": "", **extra})
    assert code == 400 and message in data["error"], data
    assert tree(root) == before


# -- provenance --------------------------------------------------------------------------


async def test_a_hypothesis_from_rest_records_its_provenance(api, root):
    code, data, _ = await api("hypothesis", {"path": "nb", **HYPOTHESIS, "notebook": "nb/train.ipynb", "cell_id": "3f2a-cell"})
    assert code == 201, data
    provenance = data["entry"]["fields"]["Provenance"]
    made = data["entry"]["id"]  # the core's id comes first, then where the hypothesis came from
    assert provenance == f"id {made}; " + collect(root / "nb", notebook="nb/train.ipynb", cells=["3f2a-cell"]).describe()
    assert provenance.startswith(f"id {data['entry']['id']}; notebook nb/train.ipynb (cell 3f2a-cell); ")
    assert "Python " in provenance
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    assert text.endswith(f"**Baseline**: accuracy = 0.95\n\n**Provenance**: {provenance}\n")


async def test_a_hypothesis_with_no_notebook_records_the_folder_provenance(api, root):
    code, data, _ = await api("hypothesis", {"path": "", **HYPOTHESIS})
    assert code == 201
    assert data["entry"]["fields"]["Provenance"] == f"id {data['entry']['id']}; " + collect(root).describe()
    assert not data["entry"]["fields"]["Provenance"].startswith("notebook")
