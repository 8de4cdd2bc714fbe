"""Odd but honest Markdown: a BOM, a fence or comment left open, notes on a Status line,
a Status written twice, entries commented out or folded in ``<details>``.

Each case goes through the command line on a hand-written file, as a person
would meet it, and each failed before (see the decisions in README "The files").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_expjournal.cli import main
from jupyter_expjournal.core.journal import Journal

ENTRY = "### 2026-11-25 14:03 — first\n**Status**: PLANNED\n**Hypothesis**: h\n**Baseline**: acc = 0.5\n"


def cli(folder: Path, *args: str) -> int:
    return main(["--dir", str(folder), *args])


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "experiments"
    path.mkdir()
    return path


def write(folder: Path, text: str, name: str = "journal.md") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_a_bom_is_kept_and_hides_nothing(folder, capsys):
    path = write(folder, "\ufeff" + ENTRY)
    lessons = write(folder, "\ufeff## Lessons\n- 2026-11-01 old: lesson. Source: x\n", "lessons.md")
    assert cli(folder, "check") == 0
    assert "1 entry checked" in capsys.readouterr().err  # the entry behind the BOM is read
    assert cli(folder, "hypothesis", "second", "--hypothesis", "h", "--baseline", "acc = 0.5") == 3  # the open gate sees it
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "l") == 0
    assert cli(folder, "lesson", "SVC: C matters.") == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf### 2026-11-25 14:03") and b"**Status**: COMPLETED" in data
    text = lessons.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff## Lessons\n") and text.count("## Lessons") == 1 and "SVC: C matters." in text


@pytest.mark.parametrize("opened", ["```python\nprint('half a cell')\n", "<!-- notes to self\nmore notes\n"])
def test_a_fence_or_comment_left_open_at_the_end_is_closed_before_an_append(folder, opened):
    path = write(folder, ENTRY.replace("PLANNED", "ABANDONED") + "\n" + opened)
    assert cli(folder, "hypothesis", "next", "--hypothesis", "h", "--baseline", "acc = 0.5") == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith(ENTRY.replace("PLANNED", "ABANDONED") + "\n" + opened)  # every byte before stays
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "l") == 0
    assert ("### " in path.read_text(encoding="utf-8").split(opened)[1]
            and "**Status**: COMPLETED" in path.read_text(encoding="utf-8"))


def test_a_note_after_the_status_word_is_kept(folder):
    path = write(folder, ENTRY.replace("**Status**: PLANNED", "**Status**: PLANNED (waiting for GPU node 3)"))
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "l") == 0
    assert "**Status**: COMPLETED (waiting for GPU node 3)\n" in path.read_text(encoding="utf-8")


def test_two_status_lines_are_read_and_written_alike_and_check_names_them(folder, capsys):
    path = write(folder, ENTRY + "**Status**: PLANNED\n")
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "l") == 0
    text = path.read_text(encoding="utf-8")
    assert text.count("**Actual outcome**") == 1
    assert cli(folder, "result", "--outcome", "again") == 2  # nothing is open any more: no second set of fields
    assert path.read_text(encoding="utf-8") == text
    capsys.readouterr()
    assert cli(folder, "check") == 1
    assert "more than one **Status** line" in capsys.readouterr().out


def test_an_entry_inside_an_html_comment_is_not_an_entry(folder, capsys):
    write(folder, "<!--\n" + ENTRY + "-->\n")
    assert cli(folder, "hypothesis", "real", "--hypothesis", "h", "--baseline", "acc = 0.5") == 0
    capsys.readouterr()
    cli(folder, "list")
    out = capsys.readouterr().out
    assert "real" in out and "first" not in out


def test_result_fields_land_inside_the_details_block_that_holds_the_entry(folder):
    path = write(folder, "<details>\n<summary>old runs</summary>\n\n" + ENTRY + "\n</details>\n\nafter\n")
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "l") == 0
    text = path.read_text(encoding="utf-8")
    inside = text.split("<details>")[1].split("</details>")[0]
    assert "**Actual outcome**: acc = 0.6" in inside and "**Learning**: l" in inside
    assert text.endswith("</details>\n\nafter\n")


def test_a_details_block_inside_the_entry_keeps_its_own_end(folder):
    path = write(folder, ENTRY + "<details><summary>log</summary>\n\nlots of log\n</details>\n")
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "l") == 0
    text = path.read_text(encoding="utf-8")
    assert "lots of log\n</details>\n\n**Actual outcome**: acc = 0.6" in text


def test_a_closing_tag_inside_a_field_is_not_taken_for_the_end_of_a_wrapper(folder):
    """A hypothesis that holds a ``</div>`` line, with the entry's Provenance after it: the result goes at the
    entry's end, and neither the hypothesis nor the learning gains or loses a line."""
    hypothesis = "pasted from a page\n</div>"
    assert cli(folder, "hypothesis", "tagged", "--hypothesis", hypothesis, "--baseline", "acc = 0.5") == 0
    assert cli(folder, "result", "--outcome", "acc = 0.6", "--learning", "kept\n</DIV>") == 0
    (entry,) = Journal(folder).entries()
    assert entry.hypothesis == hypothesis and entry.learning == "kept\n</DIV>" and entry.id
