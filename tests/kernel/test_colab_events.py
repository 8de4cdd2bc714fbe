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


# What Colab's shell does, in a real ipykernel: every cell after this one triggers post_run_cell with no argument
# (and, the older way, pre_run_cell with none either); the panel shown there follows the cells all the same.
COLAB_EVENTS = """ip = get_ipython()
_trigger = ip.events.trigger
def _colab_trigger(event, *args, **kwargs):
    if event == "post_run_cell" or (event == "pre_run_cell" and {drop_info}):
        return _trigger(event)
    return _trigger(event, *args, **kwargs)
ip.events.trigger = _colab_trigger"""


@pytest.mark.parametrize("with_info", [True, False])
def test_in_a_real_kernel_with_colabs_events_a_cell_is_attached_and_the_panel_follows(venv_kernelspec, tmp_path, with_info):
    pytest.importorskip("jupyter_client")
    from live_kernel import Kernels, messages

    (tmp_path / "experiments").mkdir()
    kernels = Kernels(tmp_path)
    try:
        client = kernels.start()
        messages(client, COLAB_EVENTS.format(drop_info=not with_info))
        messages(client, "from jupyter_expjournal.widgets import panel\np = panel()")
        messages(client, "%%hypothesis colab run\nDepth matters.\nexpected: accuracy +0.01")
        got = messages(client, "print('accuracy = 0.93')")
        assert "".join(m["content"].get("text", "") for m in got) == "accuracy = 0.93\n"  # no "Error in callback"
        (shown,) = [m for m in messages(client, "print(p.attach_source.value)") if m["msg_type"] == "stream"]
        # the panel saw the cell: by its code, or by its output when the shell did not say which code ran
        seen = "cell [5]: print(&#x27;accuracy = 0.93&#x27;)" if with_info else "the last cell run (its output: accuracy = 0.93)"
        assert f"attaches: {seen}" in shown["content"]["text"]
        errors = [m for m in messages(client, "%result") if m["msg_type"] == "error" or m["content"].get("name") == "stderr"]
        assert errors == []
        text = (tmp_path / "experiments" / "journal.md").read_text(encoding="utf-8")
        assert "**Status**: COMPLETED" in text and "accuracy = 0.93" in text
    finally:
        kernels.close()
