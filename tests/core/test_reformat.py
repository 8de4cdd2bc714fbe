"""``format``: older entries put into the form that renders, every other byte kept, every entry read alike."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rendering_support import assert_fields_render_apart, fields_shown, render

from jupyter_expjournal.core.errors import JournalError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal, render_entry
from jupyter_expjournal.core.lessons_format import parse_lessons
from jupyter_expjournal.core.reformat import journal_formatted, lessons_formatted, reformat

COMPACT = """### 2026-11-25 14:03 — QLoRA rank 64
**Status**: COMPLETED
**Hypothesis**: Higher rank captures more task-specific features.
**Change**: lora_r 32 → 64
**Config**:
- lora_r: 32 → 64
- lora_alpha: 64 (unchanged)
**Expected outcome**: eval_acc +0.02
**Baseline**: eval_acc = 0.78
**Provenance**: id 3f9a1c2e; notebook train.ipynb
**Actual outcome**: eval_acc = 0.81
Output of cell [5]:
```text
eval_acc = 0.81
**Delta**: inside the fence: text
```
![cell 5 figure 1](assets/202611251403-qlora-1.png)
**Delta**: eval_acc +0.03 vs expected +0.02: better than expected
**Learning**: rank helps
**Next**: try rank 128
"""
INDENTED = """### 2026-11-25 15:00 — typed in JupyterLab
**Status**: PLANNED
**Hypothesis**: typed by hand
**Config**:
- C: 1 → 10
  **Expected outcome**: accuracy +0.01
  **Baseline**: accuracy = 0.95
"""
SHAPES = {
    "compact": COMPACT,
    "indented after a bullet": INDENTED,
    "tab-indented": INDENTED.replace("  **", "\t**"),
    "crlf": COMPACT.replace("\n", "\r\n"),
    "mixed endings": COMPACT.replace("\n", "\r\n", 5),
    "bom": "\ufeff" + COMPACT,
    "no final newline": COMPACT.rstrip("\n"),
    "preamble and notes": "# My journal\n\nFree text.\n**Not a field**: before any entry\n\n" + COMPACT
                          + "A hand note after the fields.\n",
    "comment": COMPACT + "<!--\n**Status**: in a comment\n-->\n**Owner**: ana\n",
    "details": "<details>\n<summary>old</summary>\n\n" + COMPACT + "</details>\n",
    "text before the first field": "### 2026-11-25 — hand written\nsome words\n**Status**: PLANNED\n",
    "repeated and unknown fields": COMPACT.replace("**Next**", "**Status**: PLANNED\n**Owner**: ana\n**Next**"),
    "two entries": COMPACT + INDENTED,
    "already formatted": render_entry("2026-11-25 10:00", "new", [("Status", "PLANNED"), ("Hypothesis", "h"),
                                                                   ("Config", "- a: 1 → 2"), ("Baseline", "b")]),
    "blank line with spaces": COMPACT.replace("**Change**", "   \n**Change**"),
    "field right under the heading": "### 2026-11-25 — x\n**Status**: PLANNED\n",
    "not after a bullet": "### 2026-11-25 — x\n**Status**: PLANNED\n**Learning**: a\n  **Why**: indented, not after a list\n",
}


def read(text: str) -> list:
    return [(e.timestamp, e.name, list(e.fields.items()), e.repeated) for e in parse_journal(text)]


def only_layout_changed(before: str, after: str) -> None:
    """``after`` is ``before`` with blank lines inserted and some lines' leading white space removed."""
    a, b = before.split("\n"), after.split("\n")
    j = 0
    for line in a:
        while not (b[j] == line or (line[:1] in " \t" and b[j] == line.lstrip(" \t"))):
            assert not b[j].strip(), f"line {j + 1} of the result is new and not blank: {b[j]!r}"
            j += 1  # a blank line format put in
        j += 1
    assert all(not line.strip() for line in b[j:]), b[j:]


@pytest.mark.parametrize("shape", SHAPES)
def test_format_reads_the_same_entries_and_changes_only_layout(shape):
    text = SHAPES[shape]
    after, touched = journal_formatted(text)
    assert read(after) == read(text)
    only_layout_changed(text, after)
    assert journal_formatted(after) == (after, 0)  # formatting twice changes nothing more
    assert (after != text) == (touched > 0)
    if "\r\n" in text and shape == "crlf":
        assert "\n" not in after.replace("\r\n", "")  # inserted lines end like their neighbours
    assert after.startswith("\ufeff") == text.startswith("\ufeff") and after.endswith("\n") == text.endswith("\n")


def test_a_compact_entry_renders_each_field_apart_once_formatted():
    after, touched = journal_formatted(COMPACT)
    assert touched == 1
    names = ["Status", "Hypothesis", "Change", "Config", "Expected outcome", "Baseline", "Provenance",
             "Actual outcome", "Delta", "Learning", "Next"]
    tree = assert_fields_render_apart(after, names)
    assert "**Delta**: inside the fence: text" in tree.find("pre")[0].text
    assert len(tree.find("img")) == 1


def test_fields_indented_by_an_editor_are_read_as_fields_and_formatted_flush_left():
    (entry,) = parse_journal(INDENTED)
    assert entry.expected == "accuracy +0.01" and entry.baseline == "accuracy = 0.95"
    assert [str(i.describe()) for i in entry.config] == ["C 1 → 10"]
    shown = {s.name: s for s in fields_shown(render(INDENTED))}
    assert shown["Expected outcome"].around == ["ul"]  # what the indentation renders as
    after, _ = journal_formatted(INDENTED)
    assert after.endswith("- C: 1 → 10\n\n**Expected outcome**: accuracy +0.01\n\n**Baseline**: accuracy = 0.95\n")
    assert_fields_render_apart(after, ["Status", "Hypothesis", "Config", "Expected outcome", "Baseline"])


def test_an_indented_bold_line_not_after_a_list_stays_text_of_its_value():
    (entry,) = parse_journal(SHAPES["not after a bullet"])
    assert entry.learning == "a\n  **Why**: indented, not after a list"


@pytest.mark.parametrize("opening", ["<details>\n<summary>older runs</summary>\n", "<div>\n", "Notes on the runs.\n"])
def test_an_entry_right_under_an_html_tag_renders_as_an_entry_once_formatted(opening):
    # an HTML block (<details>, <div>) runs to the next blank line: an entry typed right under one is raw text
    text = "# Experiment journal\n\n" + opening + COMPACT + "</details>\n"
    after, touched = journal_formatted(text)
    assert touched == 1 and read(after) == read(text)
    only_layout_changed(text, after)
    tree = render(after)
    assert [h.text for h in tree.find("h3")] == ["2026-11-25 14:03 — QLoRA rank 64"], after
    shown = fields_shown(tree)
    assert [s.name for s in shown if s.first and s.block.tag == "p" and "li" not in s.around] == list(
        parse_journal(after)[0].fields)
    assert journal_formatted(after) == (after, 0)


LESSONS = """## Lessons
- 2026-03-15 QLoRA: alpha/r matters more than rank. Source: runs 3-5
A note typed right under the list.
- 2026-03-16 a two-line lesson
  that goes on here
And another note.

## Rules (hard-won)
- NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: 2026-03-15
# a heading right after is fine
"""


def test_lessons_get_a_blank_line_between_a_list_and_a_note_under_it():
    after, touched = lessons_formatted(LESSONS)
    assert touched == 2
    assert "Source: runs 3-5\n\nA note typed" in after and "goes on here\n\nAnd another note." in after
    assert "Learned: 2026-03-15\n# a heading" in after
    before, now = parse_lessons(LESSONS), parse_lessons(after)
    assert [(x.date, x.text, x.source) for x in now.lessons] == [(x.date, x.text, x.source) for x in before.lessons]
    assert [r.text for r in now.rules] == [r.text for r in before.rules]
    lis = render(after).find("li")
    assert [li.text.split()[0] for li in lis] == ["2026-03-15", "2026-03-16", "NEVER"]
    assert all("note" not in li.text for li in lis)
    assert lessons_formatted(after) == (after, 0)


def lesson_items_shown(text: str) -> list[str]:
    """The text of every list item a renderer shows, white space folded (a lesson's date, text and source)."""
    return [" ".join(li.text.split()) for li in render(text).find("li")]


def lessons_read(text: str) -> list[str]:
    return [" ".join(f"{x.date} {x.text}{' Source: ' + x.source if x.source else ''}".split())
            for x in parse_lessons(text).lessons]


#: Notes typed under a lesson that the reader takes as no part of it, where a renderer still took them into the item
#: after ``format``: after the lesson's second paragraph, indented by a tab, a ``#tag`` (no heading), indented two
#: spaces after a line of spaces (blank to a renderer, the end of the item to the reader).
NOTES_UNDER_A_LESSON = {
    "after a second paragraph": "## Lessons\n- 2026-03-15 a lesson\n\n  its second paragraph\nA note under it.\n",
    "tab-indented": "## Lessons\n- 2026-03-15 a lesson\n\tA note under it.\n",
    "tab-indented after a blank line": "## Lessons\n- 2026-03-15 a lesson\n\n\tA note under it.\n",
    "space and tab": "## Lessons\n- 2026-03-15 a lesson\n \tA note under it.\n",
    "a hashtag": "## Lessons\n- 2026-03-15 a lesson\n#note under it\n",
    "after a line of spaces": "## Lessons\n- 2026-03-15 a lesson\n \n  A note under it.\n",
}


@pytest.mark.parametrize("shape", NOTES_UNDER_A_LESSON)
def test_a_note_the_reader_keeps_out_of_a_lesson_renders_out_of_it_once_formatted(shape):
    text = NOTES_UNDER_A_LESSON[shape]
    after, touched = lessons_formatted(text)
    assert lesson_items_shown(after) == lessons_read(after) == lessons_read(text), (after, render(after))
    assert touched == 1
    only_layout_changed(text, after)
    assert lessons_formatted(after) == (after, 0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["- 2026-03-15 item one", "* 2026-03-16 item two", "  more of the item",
                                 "   deeper", "", " ", "  ", "a note", "\ta tabbed note", " \tnote c", " note d",
                                 "#tag note", "# A heading"]), max_size=14))
def test_format_leaves_no_note_inside_a_lesson_as_rendered(lines):
    text = "## Lessons\n" + "\n".join(lines) + "\n"
    after, _ = lessons_formatted(text)
    assert lessons_read(after) == lessons_read(text)
    assert lesson_items_shown(after) == lessons_read(after), (text, after)
    only_layout_changed(text, after)
    assert lessons_formatted(after)[0] == after


# -- many shapes, made up: whatever the lines, format keeps every entry and every byte but layout ----------

LINES = st.sampled_from([
    "### 2026-11-25 14:03 — an entry", "### 2026-11-26 — another", "**Status**: PLANNED", "**Hypothesis**: h",
    "**Config**:", "- a: 1 → 2", "* b: 3", "1. ordered", "  **Baseline**: indented", "\t**Delta**: tabbed",
    "  continuation", "", "   ", "text", "```", "~~~", "```text", "<!--", "-->", "\\escaped", "**bold** no colon",
    "<details>", "</details>", "**Status**: COMPLETED (note)", "- ", "  - nested: 1",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_format_keeps_every_entry_of_any_journal(lines, newline, final):
    text = newline.join(lines) + (newline if final and lines else "")
    after, _ = journal_formatted(text)
    assert read(after) == read(text)
    only_layout_changed(text.replace("\r\n", "\n"), after.replace("\r\n", "\n"))
    assert journal_formatted(after)[0] == after


RENDERED_LINES = st.sampled_from([
    "### 2026-11-25 14:03 — an entry", "### 2026-11-26 — another", "**Status**: PLANNED", "**Hypothesis**: h",
    "**Config**:", "- a: 1 → 2", "* b: 3", "1. ordered", "2. two", "  **Baseline**: indented", "\t**Delta**: tabbed",
    "  continuation", "  - nested: 1", "", "   ", "text", "```", "~~~", "```text", "\\escaped", "**bold** no colon",
    "**Status**: COMPLETED (note)", "| a | b |", "| - | - |", "> quote", "<!-- c -->",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(RENDERED_LINES, max_size=25))
def test_every_field_read_renders_as_a_field_of_its_own_once_formatted(lines):
    after, _ = journal_formatted("\n".join(["### 2026-11-24 — first", *lines]) + "\n")
    read_names = Counter(name for e in parse_journal(after) for name in [*e.fields, *e.repeated])
    shown = Counter(s.name for s in fields_shown(render(after)) if s.first and s.block.tag == "p" and "li" not in s.around)
    assert not read_names - shown, after  # (an indented bold line of a value may render like a field: it is text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["## Lessons", "## Rules (hard-won)", "- 2026-03-15 a lesson", "* NEVER x. Learned: 2026-01-01",
                                 "  more of it", "", "a note", "# title", "```", "- ALWAYS y when z. Learned: 2026-01-02"]),
                max_size=20))
def test_format_keeps_every_lesson_and_rule(lines):
    text = "\n".join(lines) + "\n"
    after, _ = lessons_formatted(text)
    old, new = parse_lessons(text), parse_lessons(after)
    assert [(x.date, x.text, x.source) for x in new.lessons] == [(x.date, x.text, x.source) for x in old.lessons]
    assert [(r.kind, r.action, r.reason, r.date) for r in new.rules] == [(r.kind, r.action, r.reason, r.date) for r in old.rules]
    only_layout_changed(text, after)


# -- on disk: under the lock, through the store; --check writes nothing -------------------------------------

@pytest.fixture
def journal(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_bytes(COMPACT.replace("\n", "\r\n").encode())
    (folder / "lessons.md").write_text(LESSONS, encoding="utf-8")
    return Journal(folder)


def test_reformat_without_write_changes_nothing_on_disk(journal):
    before = journal.journal_path.read_bytes(), journal.lessons_path.read_bytes()
    results = reformat(journal, write=False)
    assert [r.changed for r in results] == [True, True]
    assert (journal.journal_path.read_bytes(), journal.lessons_path.read_bytes()) == before
    diff = results[0].diff()
    assert diff.startswith("--- a/journal.md\n+++ b/journal.md\n") and "\n+\r\n" in diff


def test_reformat_writes_both_files_and_the_journal_reads_alike(journal):
    entries = read(journal.journal_path.read_bytes().decode())
    results = reformat(journal, write=True)
    assert [r.touched for r in results] == [1, 2]
    text = journal.journal_path.read_bytes().decode()
    assert text == results[0].after and read(text) == entries
    assert journal.lessons_path.read_text(encoding="utf-8") == results[1].after
    assert [r.changed for r in reformat(journal, write=True)] == [False, False]
    assert journal.entries()[0].learning == "rank helps"  # the journal's own cache sees the new bytes


def test_reformat_of_a_folder_without_files_writes_nothing(tmp_path):
    folder = tmp_path / "experiments"
    assert [r.changed for r in reformat(Journal(folder), write=True)] == [False, False]
    assert not folder.exists()


def test_a_journal_that_is_not_utf8_is_refused_and_left_alone(journal):
    journal.journal_path.write_bytes(b"### 2026-11-25 \xff\n**Status**: PLANNED\n**Baseline**: x\n")
    before = journal.journal_path.read_bytes()
    with pytest.raises(JournalError, match="not UTF-8"):
        reformat(journal, write=True)
    assert journal.journal_path.read_bytes() == before
