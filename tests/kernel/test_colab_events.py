"""Colab's shell calls ``post_run_cell`` callbacks with no argument (IPython passes the ExecutionResult).

The cell's output must still be recorded, attached by ``%result`` and counted
for the open entry, and no callback may fail (IPython prints "Error in
callback" and carries on, which would hide a lost outcome).
"""

import pytest
from IPython.core.interactiveshell import ExecutionInfo


def colab_cell(ip, code: str, with_info: bool) -> None:
    """A cell as Colab runs it: pre_run_cell (with its ExecutionInfo, or as older shells, without), the code,
    then post_run_cell with nothing."""
    info = ExecutionInfo(code, store_history=False, silent=False, shell_futures=True, cell_id=None)
    ip.events.trigger("pre_run_cell", *([info] if with_info else []))
    exec(compile(code, "<colab cell>", "exec"), ip.user_ns)
    ip.events.trigger("post_run_cell")


@pytest.mark.parametrize("with_info", [True, False])
def test_a_cell_whose_post_run_cell_has_no_argument_is_recorded_and_attached(ip, journal, capsys, with_info):
    ip.run_cell("%%hypothesis colab run\nDepth matters.\nexpected: accuracy +0.01", store_history=True)
    capsys.readouterr()
    colab_cell(ip, "print('accuracy = 0.93')", with_info)
    out, err = capsys.readouterr()
    assert "Error in callback" not in out + err
    record = ip._expjournal.session.recorder.previous()
    assert record is not None and record.finished and record.text() == "accuracy = 0.93\n"
    ip.run_cell("%result", store_history=True)
    (entry,) = journal.entries()
    assert entry.status == "COMPLETED"
    assert "accuracy = 0.93" in entry.fields["Actual outcome"]
