"""check's scan for headings and fields it cannot read: the same problems as a walk over every line, much faster.

``check_journal`` at 1,000 entries is the MCP tool ``check_journal`` (issue 14:
under 50 ms a call). Walking every line through the fence tracker cost most of
it; the scan looks only at the lines that can open or close a fence or a
comment, or be a problem. Here its problems are compared with the walk's, the
reference kept below as it was, on generated and hand-made texts.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_expjournal.core.checks import check_journal
from jupyter_expjournal.core.journal_format import parse_journal
from jupyter_expjournal.core.text import FIELD, Fences, iter_lines

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def walked(text: str, starts: set[int]) -> list[tuple[int, str]]:
    """The reference: every line through the fence tracker (check's loop before the scan)."""
    found = []
    fences = Fences()
    for offset, line, _nl in iter_lines(text):
        if fences.feed(line):
            continue
        if line.startswith("### ") and offset not in starts:
            found.append((offset, "heading"))
        elif line.startswith("**") and not FIELD.fullmatch(line) and re.match(r"\*\*[^*]+\*\*\s", line):
            found.append((offset, "field"))
    return found


def problems_of(text: str) -> list[str]:
    entries = parse_journal(text)
    return [p.words() for p in check_journal(text, entries, "journal.md")
            if "is not read as an entry" in p.message or "looks like a field" in p.message]


def reference_of(text: str) -> list[str]:
    """The walk's problems, worded as check words them (line numbers counted from the top)."""
    entries = parse_journal(text)
    out = []
    for offset, kind in walked(text, {e.span[0] for e in entries}):
        line = next(line for o, line, _ in iter_lines(text) if o == offset)
        where = f"journal.md:{text.count(chr(10), 0, offset) + 1}"
        if kind == "heading":
            out.append(f"{where}: heading {line!r} is not read as an entry (expected '### YYYY-MM-DD HH:MM — name')")
        else:
            out.append(f"{where}: {line[:40]!r} looks like a field but has no colon after the name")
    return out


PIECES = ["### 2026-01-02 10:00 — run", "### not a heading", "**Status**: COMPLETED", "**Bold** text", "**Bold**",
          "**a*b** c", "```", "````", "```python", "~~~", "   ```", "    ```", "``` `x`", "<!--", "<!-- c -->", "-->",
          "x --> y", "   <!--", "text", "", "  **Hyp** x", "**Hypothesis**: h", "\t**x** y", "**x**\ty", "**x** ",
          "\ufeff### 2026-01-02 10:00 — bom", "### 2026-13-40 99:99 — odd", "- item", "**Status**: PLANNED\r"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_the_scan_finds_what_the_walk_finds(lines, newline, bom):
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    assert problems_of(text) == reference_of(text)


def test_hand_made_cases():
    cases = [
        "\ufeff### not an entry\n**Bold** x\n",
        "### 2026-01-02 10:00 — a\n**Status**: PLANNED\n```\n### inside\n**x** y\n```\n### after\n",
        "<!--\n### commented\n-->\n### seen\n",
        "<!-- one line -->\n**x** y\n",
        "```\nunclosed\n### in the fence\n",
        "~~~~\n~~~\n**x** y\n~~~~\n**x** z\n",
        "### a\r\n**x** y\r\n",
        "**x**\n",
        "",
        "no newline at the end **x** y",
        "**x** y",
    ]
    for text in cases:
        assert problems_of(text) == reference_of(text), text


def test_check_journal_at_1000_entries_is_a_pass_over_the_lines_that_matter():
    """Measured against the walk itself on the same text: the scan does a fraction of its work."""
    import journals

    text = "# Experiment journal\n\n" + "\n".join(journals.entry(i) for i in range(1000))
    entries = parse_journal(text)
    starts = {e.span[0] for e in entries}
    check_journal(text, entries)

    walks, checks = [], []
    for _ in range(7):  # interleaved, so that a busy machine slows both alike
        t0 = time.perf_counter()
        walked(text, starts)
        walks.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check_journal(text, entries)
        checks.append(time.perf_counter() - t0)
    walk, check = sorted(walks)[3], sorted(checks)[3]
    assert check < 0.8 * walk, (check, walk)  # the whole check costs less than the walk alone (it was 1.4x)
