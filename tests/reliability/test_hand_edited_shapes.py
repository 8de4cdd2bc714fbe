"""Journals as people and their editors leave them, through the command line: read, checked, completed, formatted.

JupyterLab's editor indents the line after a bullet; editors and pre-commit hooks
trim trailing white space and add a final newline; people type the seed's
compact form. Each reads as meant, a result added to it renders apart, nothing
of theirs is rewritten unless they run ``format``.
"""

from __future__ import annotations

import re

import pytest
from rendering_support import assert_fields_render_apart, fields_shown, render

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal
from jupyter_expjournal.core.model import Outcome

from .test_markdown_edges import cli  # the CLI on a folder of hand-written files


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "experiments").mkdir()
    return tmp_path / "experiments"


TYPED_IN_LAB = """# Experiment journal

### 2026-11-25 14:03 — typed in JupyterLab
**Status**: PLANNED
**Hypothesis**: a larger C fits tighter
**Config**:
- C: 1 → 10
- kernel: rbf (unchanged)
  **Expected outcome**: accuracy +0.01
  **Baseline**: accuracy = 0.95
"""
COMPACT = """### 2026-11-25 14:03 — compact
**Status**: PLANNED
**Hypothesis**: h
**Config**:
- C: 1 → 10
**Baseline**: accuracy = 0.95
"""


def test_a_field_an_editor_indented_is_read_checked_completed_and_formatted(folder, capsys):
    path = folder / "journal.md"
    path.write_text(TYPED_IN_LAB, encoding="utf-8")
    (entry,) = Journal(folder).entries()
    assert entry.baseline == "accuracy = 0.95" and entry.expected == "accuracy +0.01"
    assert [i.key for i in entry.config] == ["C", "kernel"]
    assert cli(folder, "check") == 1
    out = capsys.readouterr().out
    assert re.findall(r"journal\.md:(\d+): .*?(\*\*\w[\w ]*\*\*) is indented under a list item", out) == [
        ("9", "**Expected outcome**"), ("10", "**Baseline**")]
    (folder / "run.log").write_text("epoch 1\naccuracy = 0.97\n", encoding="utf-8")
    assert cli(folder, "result", "--output", str(folder / "run.log"), "--learning", "C helps") == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith(TYPED_IN_LAB.replace("PLANNED", "COMPLETED"))  # the hand-typed bytes stay
    assert "accuracy +0.02" in Journal(folder).entries()[0].delta  # the baseline and expectation were read
    shown = {s.name: s for s in fields_shown(render(text))}
    assert shown["Actual outcome"].around == [] and shown["Learning"].around == []
    assert cli(folder, "format") == 0
    assert cli(folder, "check") == 0
    formatted = path.read_text(encoding="utf-8")
    assert_fields_render_apart(formatted, ["Status", "Hypothesis", "Config", "Expected outcome", "Baseline",
                                           "Actual outcome", "Delta", "Learning"])
    assert [(e.name, e.fields) for e in parse_journal(formatted)] == [(e.name, e.fields) for e in parse_journal(text)]


def test_a_compact_entry_keeps_its_bytes_and_its_result_renders_apart(folder):
    path = folder / "journal.md"
    path.write_bytes(COMPACT.replace("\n", "\r\n").encode())
    Journal(folder).complete(Outcome(summary="accuracy = 0.97", learning="C helps", next="gamma"))
    text = path.read_bytes().decode()
    assert text.startswith(COMPACT.replace("PLANNED", "COMPLETED").replace("\n", "\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    assert "**Baseline**: accuracy = 0.95\r\n\r\n**Actual outcome**: accuracy = 0.97\r\n\r\n**Delta**" in text
    shown = {s.name: s for s in fields_shown(render(text))}
    for name in ("Actual outcome", "Delta", "Learning", "Next"):
        assert shown[name].around == [] and shown[name].first
    assert shown["Baseline"].around == ["ul"]  # the old form, as the user left it (format would fix it)


def trimmed(text: str) -> str:
    """What an editor's "trim trailing whitespace" and "insert final newline" leave of a file."""
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"


def test_what_the_tools_write_survives_an_editor_that_trims_trailing_white_space(folder):
    journal = Journal(folder)
    journal.hypothesize(parse_body("trim me", "a hypothesis\nwith a line after\nconfig:\n- C: 1 → 10\nbaseline: acc = 0.5\n"))
    journal.complete(Outcome(summary="acc = 0.6", output="acc = 0.6   \n", learning="l", source="cell [2]"))
    text = journal.journal_path.read_text(encoding="utf-8")
    names = [s.name for s in fields_shown(render(text))]
    again = trimmed(text)
    assert [s.name for s in fields_shown(render(again))] == names
    assert_fields_render_apart(again, names)
    before = [(e.name, {k: v for k, v in e.fields.items() if k != "Actual outcome"}) for e in parse_journal(text)]
    assert [(e.name, {k: v for k, v in e.fields.items() if k != "Actual outcome"}) for e in parse_journal(again)] == before


def test_format_keeps_crlf_a_bom_and_a_missing_final_newline(folder, capsys):
    path = folder / "journal.md"
    raw = ("\ufeff" + TYPED_IN_LAB).replace("\n", "\r\n").rstrip("\r\n")
    path.write_bytes(raw.encode())
    assert cli(folder, "format", "--check") == 1
    assert path.read_bytes() == raw.encode()
    assert cli(folder, "format") == 0
    out = path.read_bytes().decode()
    assert out.startswith("\ufeff# Experiment journal\r\n") and not out.endswith("\n")
    assert "\n" not in out.replace("\r\n", "")
    assert "- kernel: rbf (unchanged)\r\n\r\n**Expected outcome**: accuracy +0.01\r\n\r\n**Baseline**: accuracy = 0.95" in out


def test_format_on_a_journal_that_is_a_folder_is_one_error(folder, capsys):
    (folder / "journal.md").mkdir()
    assert cli(folder, "format") == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a directory" in err
