"""What the session knows of every cell without a Python call per cell: the durations of the cells run for an
entry it opened (kept by the recorder only while one is open) and the nudge after a long cell (the recorder
compares each cell's duration with the setting, read when it changes)."""

import re
from types import SimpleNamespace

from IPython.testing import globalipapp

from jupyter_expjournal.kernel.session import KernelSession

BODY = """Depth matters.
change: depth 2 → 4
expected: accuracy +0.01
baseline: accuracy = 0.9"""


def run(ip, code):
    return ip.run_cell(code, store_history=True)


def executing(duration: str) -> tuple[float, int]:
    found = re.search(r"; ([\d.]+) (ms|s) executing (\d+) cells?", duration)
    assert found, duration
    return float(found.group(1)) / (1000 if found.group(2) == "ms" else 1), int(found.group(3))


def test_an_entry_counts_the_cells_run_after_the_one_that_opened_it(ip, journal):
    recorder = ip._expjournal.session.recorder
    run(ip, "import time")
    run(ip, f"%%hypothesis deeper\n{BODY}")
    run(ip, "time.sleep(0.3)")
    run(ip, "print('accuracy = 0.91')")
    ran = [record.duration for record in list(recorder.records)[-2:]]
    run(ip, "%result")
    (entry,) = journal.entries()
    seconds, cells = executing(entry.duration)
    assert cells == 2  # not the hypothesis' cell, not the %result cell
    assert abs(seconds - sum(ran)) <= 0.051, (entry.duration, ran)  # the Duration says tenths of a second


def test_two_entries_open_in_turn_each_count_their_own_cells(ip, journal):
    run(ip, f"%%hypothesis first\n{BODY}")
    run(ip, "x = 1")
    run(ip, f"%%hypothesis second --parallel\n{BODY.replace('4', '8')}")
    run(ip, "y = 2")
    run(ip, "%result --name first --outcome 'accuracy = 0.91'")
    run(ip, "%result --name second --outcome 'accuracy = 0.92'")
    first, second = journal.entries()
    # first: "x = 1", the second hypothesis, "y = 2"; second: "y = 2", the first's %result
    assert executing(first.duration)[1] == 3 and executing(second.duration)[1] == 2


def test_no_durations_are_kept_while_no_entry_is_open(ip, journal):
    recorder = ip._expjournal.session.recorder
    run(ip, f"%%hypothesis kept\n{BODY}")
    mark = recorder.time_cells()  # the next cell to finish: "pass" below
    run(ip, "pass")
    assert len(recorder.durations_since(mark)) == 1
    run(ip, "%result --outcome 'accuracy = 0.91'")
    for _ in range(5):
        run(ip, "pass")
    assert recorder.durations_since(0) == []  # none open: none kept, however many cells run


def test_the_nudge_follows_journal_nudge_at_once(ip, journal, capsys):
    try:
        run(ip, "%journal --nudge 0.05")
        capsys.readouterr()
        run(ip, "import time; time.sleep(0.1)")
        assert "with no open hypothesis" in capsys.readouterr().out
        run(ip, "%journal --nudge 0")
        capsys.readouterr()
        run(ip, "import time; time.sleep(0.1)")
        assert "with no open hypothesis" not in capsys.readouterr().out
    finally:
        ip._expjournal.nudge_seconds = 60.0


def test_settings_that_cannot_be_observed_are_read_at_each_cell(journal, capsys):
    """KernelSession takes any object with the settings' attributes: a change is seen at the next cell all the same."""
    shell = globalipapp.get_ipython()
    settings = SimpleNamespace(directory=str(journal.directory), strict=False, nudge_seconds=0.0, ring_size=4,
                               max_cell_bytes=10_000, provenance=False)
    session = KernelSession(shell, settings)
    session.recorder.register()
    try:
        run(shell, "import time; time.sleep(0.06)")
        assert "with no open hypothesis" not in capsys.readouterr().out
        settings.nudge_seconds = 0.05
        run(shell, "import time; time.sleep(0.06)")
        assert "with no open hypothesis" in capsys.readouterr().out
    finally:
        session.recorder.unregister()
