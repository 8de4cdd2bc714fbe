"""What the widget tests share: a cell run as a user runs it, the form filled as a user fills it, waiting, reading."""

import html as html_lib
import re
import time

import ipywidgets as W

from jupyter_expjournal.widgets.journal_panel import walk

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script> $lr$ \\(x\\)"


def run(ip, code):
    """Run a cell as a user would (pre/post_run_cell fire, so the recorder sees it)."""
    return ip.run_cell(code, store_history=True)


def fill(
    panel,
    name="SVC C=10",
    hypothesis="A larger C fits the digits more tightly.",
    rows=(("C", "1", "10"),),
    expected="accuracy +0.01",
    baseline="accuracy = 0.95",
):
    """Type into the form as a user would, field by field (the gates run at each change)."""
    form = panel.form
    form.name.value = name
    form.hypothesis.value = hypothesis
    form.set_rows(rows)
    form.expected.value = expected
    form.baseline.value = baseline


def text_of(path):
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def html_values(panel):
    return [w.value for w in walk(panel.widget) if isinstance(w, W.HTML)]


def entries_text(n, open_last=True):
    blocks = ["# Experiment journal\n"]
    for i in range(n):
        status = "PLANNED" if open_last and i == n - 1 else "COMPLETED"
        topic = "gamma" if i % 10 == 0 else "C"
        blocks.append(
            f"### 2026-01-{1 + i % 28:02d} 10:{i % 60:02d} — run {i} {topic}\n**Status**: {status}\n"
            f"**Hypothesis**: hypothesis {i}\n**Change**: {topic} {i} → {i + 1}\n**Learning**: learned {i}\n"
        )
    return "\n".join(blocks)


MAGIC = ("%", "--")


def words_of(html):
    """The text of an HTML value, tags and entities left out (styles hold % signs)."""
    return html_lib.unescape(re.sub(r"<[^>]*>", "", html))
