"""OutputRecorder against a real IPython shell (no mocks).

The shell is IPython's own test shell (a TerminalInteractiveShell): it prints
execute results, ``display()`` text and tracebacks to stdout, so these tests
also check that such text is not recorded a second time as stream output.
"""

from __future__ import annotations

import base64
import logging
import sys
import time

import pytest
from IPython.testing import globalipapp
from testkit import png

from jupyter_expjournal.kernel.recorder import CellRecord, Output, OutputRecorder

PNG = png()


@pytest.fixture(scope="module")
def shell():
    return globalipapp.get_ipython()


@pytest.fixture
def make_rec(shell):
    made = []

    def make(**kwargs) -> OutputRecorder:
        rec = OutputRecorder(shell, **kwargs)
        rec.register()
        made.append(rec)
        shell.user_ns["rec"] = rec
        return rec

    yield make
    for rec in made:
        rec.unregister()
    shell.user_ns.pop("rec", None)


@pytest.fixture
def rec(make_rec):
    return make_rec()


@pytest.fixture
def rich_display(shell):
    """Let the terminal shell compute HTML/SVG/... as a notebook front end would."""
    formatter = shell.display_formatter
    saved = list(formatter.active_types)
    formatter.active_types = list(formatter.format_types)
    yield
    formatter.active_types = saved


def run(shell, code: str):
    return shell.run_cell(code, store_history=True)


def kinds(record: CellRecord) -> list[str]:
    return [o.kind for o in record.outputs]


def test_stdout_and_stderr_are_coalesced_per_stream(shell, rec):
    res = run(shell, "import sys\nprint('a')\nprint('b')\nprint('e', file=sys.stderr)\nprint('c')")
    assert res.success
    record = rec.previous()
    assert kinds(record) == ["stdout", "stderr", "stdout"]
    assert [o.data["text/plain"] for o in record.outputs] == ["a\nb\n", "e\n", "c\n"]
    assert record.text() == "a\nb\ne\nc\n"
    assert record.finished and rec.current is None
    assert record.prompt == res.execution_count
    assert record.source.startswith("import sys")
    assert record.duration >= 0 and record.started <= time.time()
    assert record.truncated == 0


def test_execute_result_is_recorded_once_with_its_value(shell, rec):
    res = run(shell, "{'acc': 0.9, 'loss': 0.1}")
    record = rec.previous()
    # The terminal shell prints "Out[N]: {...}" to stdout; that must not
    # show up as a second, stream, output.
    assert kinds(record) == ["result"]
    assert record.outputs[0].data["text/plain"] == "{'acc': 0.9, 'loss': 0.1}"
    assert record.result_value == {"acc": 0.9, "loss": 0.1}
    assert record.prompt == res.execution_count
    assert record.text() == "{'acc': 0.9, 'loss': 0.1}\n"

    # Only the most recently finished record keeps its Python object.
    run(shell, "x_ = 1")
    assert record.result_value is None
    assert rec.previous().result_value is None


def test_display_html(shell, rec, rich_display):
    run(shell, "from IPython.display import HTML, display\nprint('before')\ndisplay(HTML('<b>hi</b>'))\nprint('after')")
    record = rec.previous()
    assert kinds(record) == ["stdout", "display", "stdout"]
    assert record.outputs[1].data["text/html"] == "<b>hi</b>"
    assert "text/plain" in record.outputs[1].data
    assert record.images() == []


def test_display_images(shell, rec, rich_display):
    shell.user_ns["png_bytes"] = PNG
    shell.user_ns["png_b64"] = base64.b64encode(PNG).decode()
    run(
        shell,
        "from IPython.display import Image, SVG, display\n"
        "display(Image(png_bytes))\n"
        "display({'image/png': png_b64, 'text/plain': 'fig'}, raw=True)\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>'))\n"
        "display({'image/png': png_b64, 'image/svg+xml': '<svg/>', 'text/plain': 'both'}, raw=True)",
    )
    record = rec.previous()
    assert kinds(record) == ["display"] * 4
    images = record.images()
    assert [mime for mime, _ in images] == ["image/png", "image/png", "image/svg+xml", "image/png"]
    assert images[0][1] == PNG and images[1][1] == PNG and images[3][1] == PNG
    assert isinstance(images[2][1], str) and images[2][1].startswith("<svg")


def test_exception_is_recorded_once_as_plain_text(shell, rec):
    res = run(shell, "print('before')\n1/0")
    assert not res.success
    record = rec.previous()
    # globalipapp's shell prints the traceback to stdout: not a stream output.
    assert kinds(record) == ["stdout", "error"]
    err = record.error
    assert err is record.outputs[1]
    assert err.ename == "ZeroDivisionError"
    assert err.evalue == "division by zero"
    text = err.data["text/plain"]
    assert text.startswith("ZeroDivisionError: division by zero\n")
    assert "Traceback (most recent call last)" in text
    assert "1/0" in text
    assert "\x1b" not in text
    assert "interactiveshell.py" not in text  # IPython's own frames are dropped
    # The notebook shows the traceback (the record's own first line is its header): text() is what it shows.
    assert record.text() == "before\n" + text.split("\n", 1)[1]
    assert record.prompt == res.execution_count


def test_error_in_a_repr_is_recorded(shell, rec, rich_display):
    res = run(
        shell,
        "class Bad:\n"
        "    def _repr_html_(self):\n"
        "        raise ValueError('bad html')\n"
        "print('x')\n"
        "Bad()",
    )
    assert res.success  # IPython shows the formatter's error but the cell succeeds
    record = rec.previous()
    assert "error" in kinds(record)
    assert any(o.ename == "ValueError" and o.evalue == "bad html" for o in record.outputs)


def test_syntax_error_before_exec(shell, rec):
    res = run(shell, "def f(:\n    pass")
    assert res.error_before_exec is not None
    record = rec.previous()
    assert kinds(record) == ["error"]
    assert record.error.ename == "SyntaxError"
    assert record.prompt == res.execution_count


def test_usage_error_has_no_traceback(shell, rec):
    run(shell, "%this_magic_does_not_exist")
    err = rec.previous().error
    assert err.ename == "UsageError"
    assert "Traceback" not in err.data["text/plain"]


def test_nested_run_cell_belongs_to_the_outer_cell(shell, rec):
    before = len(rec.records)
    res = run(
        shell,
        "print('outer')\n"
        "get_ipython().run_cell(\"print('inner'); 2/0\")\n"
        "get_ipython().run_cell('')\n"
        "get_ipython().run_cell('pass', silent=True)\n"
        "print('end')",
    )
    assert res.success
    assert len(rec.records) == before + 1
    record = rec.previous()
    assert record.prompt == res.execution_count
    assert kinds(record) == ["stdout", "error", "stdout"]
    assert record.outputs[0].data["text/plain"] == "outer\ninner\n"
    assert record.error.ename == "ZeroDivisionError"
    assert record.outputs[2].data["text/plain"] == "end\n"


def test_silent_and_empty_cells_make_no_record(shell, rec):
    run(shell, "print(1)")
    n, seq = len(rec.records), rec.previous().seq
    shell.run_cell("print('quiet')", silent=True)
    run(shell, "")
    run(shell, "   \n")
    assert len(rec.records) == n
    run(shell, "print(2)")
    assert rec.previous().seq == seq + 1
    assert rec.previous().text() == "2\n"


def test_ring_is_bounded(shell, make_rec):
    rec = make_rec(ring_size=3)
    for i in range(5):
        run(shell, f"print({i})")
    assert len(rec.records) == 3
    assert [r.seq for r in rec.records] == [3, 4, 5]
    assert [r.text() for r in rec.records] == ["2\n", "3\n", "4\n"]


def test_byte_cap_keeps_the_head_and_the_last_lines_and_says_what_was_cut(shell, make_rec):
    rec = make_rec(max_cell_bytes=100)  # the first 50 bytes, then the last 25 of each stream
    shell.user_ns["png_bytes"] = PNG
    run(
        shell,
        "from IPython.display import Image, display\n"
        "print('x' * 59)\n"  # 60 bytes with the newline: 50 in the head
        "print('y' * 59)\n"  # cut
        "print('z' * 9)\n"  # the last line: kept
        "display(Image(png_bytes))",  # no room left: dropped, and counted
    )
    record = rec.previous()
    assert kinds(record) == ["stdout"]
    text = record.outputs[0].notebook(None)["text"]
    assert text.startswith("x" * 50 + "\n[… ") and text.endswith("\n" + "z" * 9 + "\n")
    marker = text.split("\n")[1]
    # the x line is longer than the head: shown in part; its end and all the y line are cut
    assert marker == "[… 1 line, 70 characters cut …]"
    assert record.truncated >= 70 + len(PNG)
    # The next cell starts with a fresh budget.
    run(shell, "print('ok')")
    assert rec.previous().text() == "ok\n"
    assert rec.previous().truncated == 0


def test_a_head_cut_inside_a_line_ends_at_the_line_before(shell, make_rec):
    rec = make_rec(max_cell_bytes=40)  # 20 bytes of head, 10 of tail
    run(shell, "print('a' * 9)\nprint('b' * 30)\nprint('c' * 5)")
    text = rec.previous().outputs[0].notebook(None)["text"]
    assert text == "a" * 9 + "\n[… 1 line, 31 characters cut …]\n" + "c" * 5 + "\n"


def test_byte_cap_counts_utf8_bytes(shell, make_rec):
    rec = make_rec(max_cell_bytes=20)  # 10 bytes of head, 5 of tail
    run(shell, "print('é' * 8)")  # 16 bytes + newline
    record = rec.previous()
    text = record.outputs[0].notebook(None)["text"]
    assert text.startswith("é" * 5 + "\n[… ")  # one line longer than the head: shown in part
    assert text.endswith("\néé\n")  # the last 5 bytes: the end of a line longer than the room
    assert record.truncated == 17 - 10 - 5
    assert "\n[… 0 lines, 1 character cut …]\n" in text  # one 'é' of the one line, shown in part on both sides


def test_errors_are_kept_but_count_towards_the_cap(shell, make_rec):
    rec = make_rec(max_cell_bytes=60)
    run(shell, "print('x' * 49)\n1/0")
    record = rec.previous()
    assert kinds(record) == ["stdout", "error"]
    assert record.error.data["text/plain"] == "ZeroDivisionError: division by zero\n"
    assert record.truncated > 0


def test_captured_output_is_not_recorded(shell, rec, rich_display):
    run(
        shell,
        "from IPython.utils.capture import capture_output\n"
        "from IPython.display import HTML, display\n"
        "with capture_output() as _cap:\n"
        "    print('hidden'); display(HTML('<b>hidden</b>'))\n"
        "print('shown')",
    )
    assert rec.previous().text() == "shown\n"
    assert kinds(rec.previous()) == ["stdout"]
    run(shell, "display(HTML('<b>after</b>'))")
    assert rec.previous().outputs[0].data["text/html"] == "<b>after</b>"


def test_register_is_idempotent_and_unregister_restores(shell):
    pub, hook = shell.display_pub, shell.displayhook
    stdout_before, stderr_before = sys.stdout, sys.stderr
    # globalipapp installs its own _showtraceback on the instance.
    shell_attrs = {n: vars(shell).get(n) for n in ("showtraceback", "showsyntaxerror", "_showtraceback")}
    hook_attrs = {n: vars(hook).get(n) for n in ("write_format_data", "start_displayhook", "finish_displayhook")}
    pub_attr = vars(pub).get("publish")
    callbacks = {e: list(shell.events.callbacks[e]) for e in ("pre_run_cell", "post_run_cell")}

    rec = OutputRecorder(shell)
    rec.register()
    rec.register()
    shell.user_ns["rec"] = rec
    try:
        assert vars(pub).get("publish") is not pub_attr
        run(shell, "import sys\n_stdout_type = type(sys.stdout).__name__\nprint('once')")
        assert shell.user_ns["_stdout_type"] == "_TeeStream"
        assert len(rec.records) == 1
        assert rec.previous().text() == "once\n"
        assert sys.stdout is stdout_before and sys.stderr is stderr_before
    finally:
        rec.unregister()
        rec.unregister()
        shell.user_ns.pop("rec", None)

    assert sys.stdout is stdout_before and sys.stderr is stderr_before
    assert vars(pub).get("publish") is pub_attr
    assert {n: vars(shell).get(n) for n in shell_attrs} == shell_attrs
    assert {n: vars(hook).get(n) for n in hook_attrs} == hook_attrs
    assert {e: list(shell.events.callbacks[e]) for e in callbacks} == callbacks
    run(shell, "print('not recorded')")
    assert len(rec.records) == 1

    # Registering again works, and old wrappers left in place do not double up.
    rec.register()
    try:
        run(shell, "from IPython.display import display, HTML\nprint('again')\ndisplay(HTML('<i>x</i>'))\n7")
        assert kinds(rec.previous()) == ["stdout", "display", "result"]
    finally:
        rec.unregister()


def test_previous_and_by_prompt_pick_the_right_cell(shell, rec):
    a = run(shell, "print('A')")
    b = run(shell, "print('B')")
    c = run(shell, "_prev = rec.previous().text()\n_cur_prompt = rec.current.prompt\n_cur_seq = rec.current.seq")
    assert shell.user_ns["_prev"] == "B\n"
    assert shell.user_ns["_cur_prompt"] == c.execution_count
    assert rec.by_prompt(a.execution_count).text() == "A\n"
    assert rec.by_prompt(b.execution_count).text() == "B\n"
    assert rec.by_prompt(c.execution_count).seq == shell.user_ns["_cur_seq"]
    assert rec.by_prompt(10**9) is None
    assert rec.previous().prompt == c.execution_count


def test_store_history_false_has_no_prompt(shell, rec):
    shell.run_cell("print('scratch')", store_history=False)
    record = rec.previous()
    assert record.prompt is None
    assert record.text() == "scratch\n"


def test_cell_id_is_kept(shell, rec):
    try:
        shell.run_cell("print(1)", store_history=True, cell_id="cell-abc")
    except TypeError:  # pragma: no cover - IPython without cell_id
        pytest.skip("this IPython's run_cell takes no cell_id")
    assert rec.previous().cell_id == "cell-abc"


def test_since(shell, rec):
    run(shell, "print('old')")
    time.sleep(0.01)
    t0 = time.time()
    run(shell, "import time; time.sleep(0.02)")
    run(shell, "print('new')")
    recent = rec.since(t0)
    assert [r.text() for r in recent] == ["", "new\n"]
    assert recent[0].duration >= 0.015


def test_after_cell_callbacks_and_a_raising_one(shell, rec, caplog):
    seen = []

    def boom(record):
        raise RuntimeError("callback bug")

    rec.after_cell.append(seen.append)
    rec.after_cell.append(boom)
    rec.after_cell.append(lambda record: seen.append(("second", record.seq)))
    with caplog.at_level(logging.WARNING, logger="jupyter_expjournal.kernel.recorder"):
        res = run(shell, "print('fine')\n42")
    assert res.success and res.result == 42
    record = rec.previous()
    assert seen == [record, ("second", record.seq)]
    assert record.finished
    assert kinds(record) == ["stdout", "result"]
    assert "callback bug" in caplog.text
    res = run(shell, "print('still recording')")
    assert res.success
    assert rec.previous().text() == "still recording\n"


def test_stream_replaced_by_the_cell_is_left_alone(shell, rec):
    original = sys.stdout
    try:
        run(shell, "import sys, io\n_buf = io.StringIO()\nsys.stdout = _buf\nprint('to buffer')")
        assert sys.stdout is shell.user_ns["_buf"]
        assert shell.user_ns["_buf"].getvalue() == "to buffer\n"
        assert rec.previous().outputs == []
    finally:
        sys.stdout = original
    run(
        shell,
        "import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n    print('hidden')\nprint('shown')",
    )
    assert rec.previous().text() == "shown\n"
    assert sys.stdout is original


def test_proxy_kept_by_user_code_keeps_working(shell, rec):
    run(shell, "import sys\n_kept = sys.stdout")
    kept = shell.user_ns["_kept"]
    assert kept is not sys.stdout  # restored after the cell...
    kept.write("")  # ...but the proxy still forwards
    assert kept.isatty() == sys.stdout.isatty()  # and forwards attributes
    run(shell, "_kept.write('via kept\\n'); _kept.writelines(['a\\n', 'b\\n'])")
    assert rec.previous().text() == "via kept\na\nb\n"


def test_display_update_replaces_the_output(shell, rec):
    run(
        shell,
        "from IPython.display import display\n"
        "h = display({'text/plain': 'epoch 1'}, raw=True, display_id=True)\n"
        "h.update({'text/plain': 'epoch 2'}, raw=True)\n",
    )
    record = rec.previous()
    assert kinds(record) == ["display"]
    assert record.outputs[0].data["text/plain"] == "epoch 2"


def test_text_reads_like_the_notebook(shell, rec):
    run(
        shell,
        "import sys\n"
        "for i in range(3):\n"
        "    sys.stdout.write(f'\\rprogress {i}/2')\n"
        "print()\n"
        "print('\\x1b[31mred\\x1b[0m done', end='')\n"
        "print('err', file=sys.stderr)",
    )
    assert rec.previous().text() == "progress 2/2\nred done\nerr\n"


def test_current_record_is_readable_mid_cell(shell, rec):
    run(shell, "print('x'); print('y'); _mid = rec.current.text()")
    assert shell.user_ns["_mid"] == "x\ny\n"
    assert rec.previous().outputs[0].data["text/plain"] == "x\ny\n"


def test_output_dataclass_fields():
    out = Output("stdout", {"text/plain": "a"})
    assert (out.kind, out.data, out.ename, out.evalue) == ("stdout", {"text/plain": "a"}, None, None)
    record = CellRecord(1, 1, None, "pass", 0.0)
    assert record.outputs == [] and record.error is None and record.result_value is None
    assert record.text() == "" and record.images() == []


def test_import_is_cheap():
    """The module itself pulls in no IPython, ipykernel, matplotlib or numpy."""
    import subprocess

    import jupyter_expjournal.kernel.recorder as capture

    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('capture_alone', {capture.__file__!r})\n"
        "mod = importlib.util.module_from_spec(spec); sys.modules['capture_alone'] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "print([m for m in ('IPython', 'ipykernel', 'matplotlib', 'numpy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_non_str_writes_fail_as_without_the_recorder(shell, rec):
    res = run(shell, "import sys\ntry:\n    sys.stdout.write(b'x')\nexcept TypeError:\n    print('typeerror')")
    assert res.success
    assert rec.previous().text() == "typeerror\n"


# -- one outcome rule: the record hands its outputs over as the notebook stores them -----


def test_notebook_outputs_are_nbformat_outputs(shell, rec, rich_display):
    shell.user_ns["png_bytes"] = PNG
    run(
        shell,
        "import sys\nfrom IPython.display import HTML, Image, display\n"
        "print('a')\nprint('e', file=sys.stderr)\ndisplay(HTML('<b>x</b>'))\ndisplay(Image(png_bytes))\n"
        "get_ipython().run_cell('41 + 1')\n1/0",
    )
    record = rec.previous()
    outputs = record.notebook_outputs()
    kinds = ["stream", "stream", "display_data", "display_data", "execute_result", "error"]
    assert [o["output_type"] for o in outputs] == kinds
    assert [o.get("name") for o in outputs[:2]] == ["stdout", "stderr"]
    assert outputs[0]["text"] == "a\n" and outputs[2]["data"]["text/html"] == "<b>x</b>"
    error = outputs[-1]
    assert (error["ename"], error["evalue"]) == ("ZeroDivisionError", "division by zero")
    # the traceback as the shell sent it to the front end: what the notebook stores, and what the sidebar posts
    stb = shell.InteractiveTB.structured_traceback(ZeroDivisionError, ZeroDivisionError("division by zero"), None)
    assert isinstance(error["traceback"], list) and error["traceback"][0] == stb[0]
    assert "1/0" in "\n".join(error["traceback"]) and error["traceback"][-1] == stb[-1]
    assert record.error.data["text/plain"].startswith("ZeroDivisionError: division by zero\n")
    run(shell, "7")
    (result,) = rec.previous().notebook_outputs()
    assert result["output_type"] == "execute_result" and result["data"]["text/plain"] == "7"
    assert result["execution_count"] == rec.previous().prompt


def test_text_and_images_are_the_core_rule_on_those_outputs(shell, rec, rich_display):
    from jupyter_expjournal.core.outcome import from_notebook

    shell.user_ns["png_b64"] = base64.b64encode(PNG).decode()
    run(
        shell,
        "from IPython.display import SVG, display\n"
        "print('\\x1b[31mred\\x1b[0m')\n"
        "display({'image/png': png_b64, 'text/plain': '<Figure>'}, raw=True)\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"/>'))\n"
        "1/0",
    )
    record = rec.previous()
    seen = from_notebook(record.notebook_outputs())
    assert record.text() == seen.text and record.images() == seen.images
    assert seen.text.startswith("red\n---") and seen.text.endswith("----> 5 1/0\n\nZeroDivisionError: division by zero\n")
    assert [mime for mime, _ in seen.images] == ["image/png", "image/svg+xml"] and seen.images[0][1] == PNG
    assert seen.error == "ZeroDivisionError: division by zero"


def test_outputs_are_converted_only_when_asked(shell, rec):
    run(shell, "for i in range(3): print(i)")
    record = rec.previous()
    assert record.outputs[0].data == {"text/plain": "0\n1\n2\n"}  # kept as recorded, no nbformat copy
    assert record.notebook_outputs() == [{"output_type": "stream", "name": "stdout", "text": "0\n1\n2\n"}]
