"""Which entry a result goes to, through real kernels: two notebooks of one sweep, a name shared, an entry closed elsewhere.

Issue 11: a kernel used to remember only the heading of the entry it opened, so
two kernels that opened entries with the same name in the same minute got each
other's outputs and learnings; ``--name`` silently took the last of identical
headings; a kernel whose entry was closed by hand completed another process's
open entry without asking; and a hand rename made the Duration count every
cell since the heading's minute.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

from jupyter_expjournal.cli import main as cli  # noqa: E402
from jupyter_expjournal.core.journal import Journal  # noqa: E402


class Kernel:
    """One real ipykernel, run through jupyter_client as a notebook front end would."""

    def __init__(self, cwd) -> None:
        self.manager, self.client = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(cwd))

    def run(self, code: str) -> tuple[str, str]:
        """(status, everything the cell showed: streams, results and the error's text)."""
        shown: list[str] = []

        def hook(msg) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                shown.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                shown.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                shown.append(f"{content['ename']}: {content['evalue']}")

        reply = self.client.execute_interactive(code, timeout=60, output_hook=hook)
        return reply["content"]["status"], "".join(shown)

    def ok(self, code: str) -> str:
        status, shown = self.run(code)
        assert status == "ok" and "Error" not in shown, shown
        return shown

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernels(venv_kernelspec, tmp_path):
    folder = tmp_path / "experiments"
    started: list[Kernel] = []

    def start() -> Kernel:
        kernel = Kernel(tmp_path)
        started.append(kernel)
        kernel.ok(f"%load_ext jupyter_expjournal\n%journal --dir {folder}")
        return kernel

    start.folder = folder
    yield start
    for kernel in started:
        kernel.stop()


def hypothesis(name: str, *options: str) -> str:
    return f"%%hypothesis {name} {' '.join(options)}\nA seed changes little.\nchange: seed 0 → 1\nbaseline: accuracy = 0.90"


def entry_of(folder, entry_id: str):
    (entry,) = [e for e in Journal(folder).entries() if e.id == entry_id]
    return entry


def opened_id(shown: str) -> str:
    found = re.search(r"\bid ([0-9a-f]{8})\b", shown)
    assert found, shown
    return found.group(1)


def same_minute() -> None:
    """Start where both hypotheses will fall in one minute: identical headings are the case under test."""
    while datetime.now().second > 45:
        time.sleep(1)


def test_two_kernels_that_open_the_same_name_in_the_same_minute_each_complete_their_own(kernels):
    one, two = kernels(), kernels()
    same_minute()
    first = opened_id(one.ok(hypothesis("seed sweep", "--parallel")))
    second = opened_id(two.ok(hypothesis("seed sweep", "--parallel")))
    entries = Journal(kernels.folder).entries()
    assert [e.heading for e in entries][0] == entries[1].heading and first != second  # one heading, two ids
    one.ok("print('accuracy = 0.91 (seed 1)')")
    two.ok("print('accuracy = 0.93 (seed 2)')")
    two.ok("%result --learning the second seed")  # the later one first: neither takes the other's
    one.ok("%result --learning the first seed")
    mine, theirs = entry_of(kernels.folder, first), entry_of(kernels.folder, second)
    assert mine.status == theirs.status == "COMPLETED"
    assert "accuracy = 0.91 (seed 1)" in mine.actual and "0.93" not in mine.actual and mine.learning == "the first seed"
    assert "accuracy = 0.93 (seed 2)" in theirs.actual and "0.91" not in theirs.actual
    assert theirs.learning == "the second seed"


def test_a_name_that_matches_several_open_entries_asks_which_and_an_id_picks_one(kernels):
    one, two = kernels(), kernels()
    first = opened_id(one.ok(hypothesis("dup", "--parallel")))
    second = opened_id(two.ok(hypothesis("dup", "--parallel")))
    before = (kernels.folder / "journal.md").read_bytes()
    status, shown = one.run("%result --name dup --outcome 'accuracy = 0.9'")
    assert status == "error" and "2 open experiments match 'dup'" in shown, shown
    assert f"'dup' id {first}" in shown and f"'dup' id {second}" in shown and "--name" in shown
    assert (kernels.folder / "journal.md").read_bytes() == before  # asked, wrote nothing
    one.ok(f"%result --name {second} --outcome 'accuracy = 0.95'")  # an id picks one, even another kernel's
    assert entry_of(kernels.folder, second).status == "COMPLETED"
    assert entry_of(kernels.folder, first).status == "PLANNED"


@pytest.mark.parametrize("closed_by", ["the CLI", "a hand edit"])
def test_a_kernel_whose_entry_was_closed_elsewhere_completes_no_other_unless_named(kernels, monkeypatch, closed_by):
    one, two = kernels(), kernels()
    mine = opened_id(one.ok(hypothesis("mine")))
    monkeypatch.setenv("EXPJOURNAL_DIR", str(kernels.folder))
    if closed_by == "the CLI":
        assert cli(["result", "--name", mine, "--outcome", "closed in a terminal"]) == 0
    else:
        path = kernels.folder / "journal.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("**Status**: PLANNED", "**Status**: COMPLETED") + "**Actual outcome**: by hand\n",
                        encoding="utf-8")
    other = opened_id(two.ok(hypothesis("other")))
    one.ok("print('accuracy = 0.97')")
    before = (kernels.folder / "journal.md").read_bytes()
    status, shown = one.run("%result")
    assert status == "error" and f"'mine' id {mine}, the experiment opened here, was closed elsewhere" in shown, shown
    assert "(it is COMPLETED)" in shown and f"'other' id {other}" in shown and "--name" in shown
    assert (kernels.folder / "journal.md").read_bytes() == before
    status, shown = one.run("%result")  # asking again does not make it guess
    assert status == "error" and "closed elsewhere" in shown
    one.ok("%result --name other")
    assert "accuracy = 0.97" in entry_of(kernels.folder, other).actual
    one.ok(hypothesis("next"))  # once named, the closed one is forgotten: the next result is the new one's
    one.ok("print('accuracy = 0.98')")
    one.ok("%result")
    assert Journal(kernels.folder).entries()[-1].status == "COMPLETED"


def test_the_duration_counts_the_cells_this_kernel_ran_for_its_entry_even_after_a_hand_rename(kernels):
    one = kernels()
    one.ok("import time\nfor i in range(3):\n    print(i)")  # before the hypothesis: not part of the run
    made = opened_id(one.ok(hypothesis("to be renamed")))
    path = kernels.folder / "journal.md"
    path.write_text(path.read_text(encoding="utf-8").replace("— to be renamed", "— renamed by hand"), encoding="utf-8")
    one.ok("time.sleep(0.3)")
    one.ok("print('accuracy = 0.92')")
    one.ok("%result")
    entry = entry_of(kernels.folder, made)
    assert entry.name == "renamed by hand" and entry.status == "COMPLETED"
    found = re.fullmatch(r"([\d.]+) s wall from hypothesis to result; ([\d.]+) s executing 2 cells", entry.duration)
    assert found, entry.duration
    wall, executing = float(found.group(1)), float(found.group(2))
    assert 0.3 <= executing <= wall < 30, entry.duration


def test_the_cli_and_the_kernels_share_one_name_rule(kernels, monkeypatch, capsys):
    """``jupyter expjournal show`` finds an entry by its id too, and lists both of two that share a name."""
    one, two = kernels(), kernels()
    first = opened_id(one.ok(hypothesis("twin", "--parallel")))
    second = opened_id(two.ok(hypothesis("twin", "--parallel")))
    monkeypatch.setenv("EXPJOURNAL_DIR", str(kernels.folder))
    capsys.readouterr()
    assert cli(["show", first]) == 0
    shown = capsys.readouterr().out
    assert f"id {first}" in shown and f"id {second}" not in shown
    assert cli(["show", "twin"]) == 0
    shown = capsys.readouterr().out
    assert f"id {first}" in shown and f"id {second}" in shown
