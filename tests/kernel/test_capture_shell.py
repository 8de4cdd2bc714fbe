"""What capture keeps, names and reads, against a real IPython shell (the terminal one: no kernel, no mocks).

The kernel cases (descriptor output, handlers bound to the kernel's streams, a 4 MB figure through
``%result``) are in test_capture_kernel.py; these are the record's own rules, quicker to pin down here:
handlers made before the recorder under terminal IPython, the note of every kind of output left out for
size, metrics of the dropped middle, emptiness, text written from another thread.
"""

from __future__ import annotations

import logging
import os
import struct
import sys
import zlib

import pytest
import test_recorder
from IPython.lib.pretty import pretty
from testkit import png

PNG = png(40, 40)

# The recorder tests' fixtures: IPython's real test shell, recorders registered on it (and unregistered after
# each test), and all MIME types computed, as a notebook front end has them.
shell, make_rec, rich_display = test_recorder.shell, test_recorder.make_rec, test_recorder.rich_display


def noisy_png(width: int, height: int) -> bytes:
    """A valid PNG of random grey pixels: it does not compress, so its size is about width × height bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + os.urandom(width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b"")


def run(shell, code: str):
    return shell.run_cell(code, store_history=True)


@pytest.fixture
def early_loggers():
    """Loggers whose handlers were made before the recorder: one on sys.stderr, one on sys.stdout."""
    made = []
    for name, stream in (("early_err", sys.stderr), ("early_out", sys.stdout)):
        logger = logging.getLogger(name)
        handler = logging.StreamHandler(stream)
        logger.addHandler(handler)
        logger.propagate, logger.level = False, logging.INFO
        made.append((logger, handler, stream))
    yield made
    for logger, handler, _ in made:
        logger.removeHandler(handler)


def test_logging_handlers_made_before_the_recorder_are_captured(shell, make_rec, early_loggers):
    rec = make_rec()
    run(shell, "import logging\n"
               "logging.getLogger('early_err').info('to stderr')\nlogging.getLogger('early_out').info('to stdout')")
    record = rec.previous()
    assert [(o.kind, o.data["text/plain"]) for o in record.outputs] == [("stderr", "to stderr\n"), ("stdout", "to stdout\n")]
    # Between cells the handlers still write where they did, and nothing is recorded.
    logging.getLogger("early_err").info("between cells")
    assert rec.previous() is record and record.text() == "to stderr\nto stdout\n"
    rec.unregister()
    assert [h.stream for _, h, _ in early_loggers] == [s for _, _, s in early_loggers]  # pointed back


def test_a_display_result_update_or_traceback_over_the_cap_leaves_a_note_in_its_place(shell, make_rec, rich_display):
    rec = make_rec(max_cell_bytes=4_000)  # 2,000 bytes of outputs
    shell.user_ns["png_bytes"] = noisy_png(60, 60)
    run(
        shell,
        "from IPython.display import HTML, Image, display\n"
        "print('before')\n"
        "h = display({'text/plain': 'epoch 1'}, raw=True, display_id=True)\n"
        "display(Image(png_bytes))\n"
        "display(HTML('<p>' + 'x' * 3_000 + '</p>'))\n"
        "h.update({'text/plain': 'epoch 2', 'text/html': '<b>' + 'y' * 3_000 + '</b>'}, raw=True)\n"
        "print('after')",
    )
    record = rec.previous()
    size = len(shell.user_ns["png_bytes"])
    cap = "a cell keeps 2 kB of outputs (max_cell_bytes = 4,000)"
    assert record.left_out == [
        f"[output 3 left out: image/png figure, {size / 1000:.0f} kB, {cap}]",
        f"[output 4 left out: display (text/html, text/plain), 3 kB, {cap}]",
        f"[an update of output 2 left out: display (text/html, text/plain), 3 kB, {cap}; output 2 shows the version before it]",
    ]
    outputs = record.notebook_outputs()
    texts = [o.get("text") or o["data"]["text/plain"] for o in outputs]
    assert texts == ["before\n", "epoch 1", *record.left_out, "after\n"]
    assert [o["output_type"] for o in outputs] == ["stream"] + ["display_data"] * 4 + ["stream"]
    assert record.truncated >= size + 6_000 and not record.is_empty
    assert record.text().splitlines() == ["before", "epoch 1", *record.left_out, "after"]

    rec.max_cell_bytes = 200
    run(shell, "print('x' * 80)\n{'accuracy': 0.97, 'report': 'r' * 500}")
    record = rec.previous()
    size = len(pretty({"accuracy": 0.97, "report": "r" * 500}))
    assert record.left_out == [
        f"[output 2 left out: result (text/plain), {size} bytes, a cell keeps 100 bytes of outputs "
        "(max_cell_bytes = 200), 19 bytes were left]"
    ]
    assert record.dropped_metrics == {"accuracy": 0.97}  # what the result said is read, though it is not kept
    run(shell, "def deep(n):\n    return 1 / 0 if n == 0 else deep(n - 1)\ndeep(30)")
    record = rec.previous()
    assert record.error.data["text/plain"] == "ZeroDivisionError: division by zero\n"
    (note,) = record.left_out
    assert note.startswith("[the traceback of output 1 left out: ") and note.endswith("; its error line is kept]")
    assert record.text().splitlines()[-1] == note


def test_a_cell_that_drops_nothing_names_nothing_and_reads_no_dropped_metrics(shell, make_rec, rich_display):
    rec = make_rec()
    shell.user_ns["png_bytes"] = PNG
    run(shell, "from IPython.display import Image, display\nprint('accuracy = 0.9')\ndisplay(Image(png_bytes))")
    record = rec.previous()
    assert record.left_out == [] and record.dropped_metrics == {} and record.truncated == 0
    assert len(record.notebook_outputs()) == 2 and record.images()[0][1] == PNG


def test_metrics_of_the_dropped_middle_are_read_and_the_kept_tail_wins(shell, make_rec):
    rec = make_rec(max_cell_bytes=2_000)  # a head of 1,000 bytes, a tail of 500 per stream
    run(
        shell,
        "import sys\n"
        "print('warmup lr = 0.1')\n"
        "for i in range(200):\n"
        "    extra = ' val_f1 = 0.81' if i == 100 else (' lr = 0.01' if i == 120 else '')\n"
        "    print(f'step {i} loss = {1 / (i + 1):.4f}{extra}')\n"
        "    if i == 150:\n"
        "        print('err_metric = 3', file=sys.stderr)\n"
        "print('done')",
    )
    record = rec.previous()
    text = record.text()
    assert "val_f1" not in text and "warmup lr = 0.1" in text
    assert text.endswith("done\nerr_metric = 3\n")  # each stream's end: stderr's one line is kept whole
    assert record.dropped_metrics == {"val_f1": 0.81, "lr": 0.01}  # loss goes on in the tail: the tail's value stands
    # One line cut in the middle of its text by the head: read whole, from its start.
    run(shell, "print('-' * 988 + ' | recall = 0.5 | ' + '-' * 2_000)\nprint('end')")
    assert rec.previous().dropped_metrics == {"recall": 0.5}


def test_is_empty(shell, make_rec, rich_display):
    rec = make_rec()
    empty = []
    for code in ("x = 1", "None", "print(end='')", "print()", "7",
                 "from IPython.display import HTML, display\ndisplay(HTML('<b>x</b>'))", "1/0",
                 "import sys\nsys.stderr.write('e')"):
        run(shell, code)
        empty.append(rec.previous().is_empty)
    assert empty == [True, True, True, False, False, False, False, False]
    rec.max_cell_bytes = 10
    shell.user_ns["png_bytes"] = PNG
    run(shell, "from IPython.display import Image, display\ndisplay(Image(png_bytes))")
    record = rec.previous()
    assert record.outputs == [] and not record.is_empty  # it showed a figure, though none was kept


def test_text_written_from_another_thread_lands_in_order(shell, make_rec):
    rec = make_rec()
    run(
        shell,
        "import threading\n"
        "print('main 1')\n"
        "t = threading.Thread(target=lambda: [print(f'thread {i}') for i in range(3)])\n"
        "t.start(); t.join()\n"
        "print('main 2')",
    )
    assert rec.previous().text() == "main 1\nthread 0\nthread 1\nthread 2\nmain 2\n"
    run(
        shell,
        "import threading\n"
        "t = threading.Thread(target=lambda: print('only the thread'))\n"
        "t.start(); t.join()\n"
        "_mid = rec.current.text()",
    )
    assert shell.user_ns["_mid"] == "only the thread\n"  # a read takes what is queued
    assert rec.previous().text() == "only the thread\n" and not rec.previous().is_empty
