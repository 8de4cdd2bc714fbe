"""The core's three-way merge of journal.md (entry by entry) and lessons.md (bullet by bullet).

The versions are written by the core's own writer (render_entry, add_bullet);
real git merges of the same are in tests/cli/test_git_merge.py.
"""

from __future__ import annotations

import pytest

from jupyter_expjournal.core.journal_format import parse_journal, render_entry
from jupyter_expjournal.core.lessons_format import add_bullet, parse_lessons, render_lesson, render_rule
from jupyter_expjournal.core.merge import Unreadable, decode, merge_journal, merge_lessons

HEAD = "# Experiment journal\n\n"


def entry(name: str, minute: int, ident: str, status: str = "PLANNED", **more: str) -> str:
    fields = [("Status", status), ("Hypothesis", f"{name} helps"), ("Provenance", f"id {ident}"),
              *((k.replace("_", " "), v) for k, v in more.items())]
    return render_entry(f"2026-12-01 10:{minute:02d}", name, fields)


def journal(*entries: str, head: str = HEAD) -> str:
    return head + "\n".join(entries)


def names(text: str) -> list[str]:
    return [e.name for e in parse_journal(text)]


BASE = journal(entry("one", 1, "00000001", "COMPLETED", Learning="l"), entry("two", 2, "00000002"))


def test_entries_added_on_both_sides_are_kept_in_time_order_after_the_shared_ones():
    ours = BASE + "\n" + entry("ours late", 9, "0000000a") + "\n" + entry("ours early", 3, "0000000b")
    theirs = BASE + "\n" + entry("theirs", 5, "0000000c")
    merged = merge_journal(BASE, ours, theirs)
    assert not merged.conflicts and merged.added == 1
    # each side keeps its own order (a merge of two lists, not a sort): theirs goes before 'ours late'
    assert names(merged.text) == ["one", "two", "theirs", "ours late", "ours early"]
    assert merged.text.startswith(BASE.rstrip("\n"))


def test_an_entry_completed_on_one_side_takes_the_completed_version_byte_for_byte():
    done = entry("two", 2, "00000002", "COMPLETED", Actual_outcome="accuracy = 0.97  (hand  spacing)", Learning="x")
    theirs = journal(entry("one", 1, "00000001", "COMPLETED", Learning="l"), done)
    ours = BASE + "\n" + entry("three", 4, "00000003")
    merged = merge_journal(BASE, ours, theirs)
    assert not merged.conflicts
    assert done.rstrip("\n") in merged.text and merged.text.count("**Status**") == 3
    assert [e.status for e in parse_journal(merged.text)] == ["COMPLETED", "COMPLETED", "PLANNED"]


def test_the_same_entry_changed_differently_is_one_conflict_around_it_alone():
    ours = journal(entry("one", 1, "00000001", "COMPLETED", Learning="l"), entry("two", 2, "00000002", "ABANDONED"))
    theirs = journal(entry("one", 1, "00000001", "COMPLETED", Learning="l"), entry("two", 2, "00000002", "COMPLETED"))
    merged = merge_journal(BASE, ours, theirs)
    assert merged.conflicts == ["'two' (00000002)"]
    text = merged.text
    assert text.count("<<<<<<< ours\n") == 1 and text.count("=======\n") == 1 and text.count(">>>>>>> theirs\n") == 1
    assert text.index("### 2026-12-01 10:01 — one") < text.index("<<<<<<<")  # the other entry is outside


def test_removed_on_one_side_and_untouched_on_the_other_stays_removed_changed_is_a_conflict():
    ours = journal(entry("one", 1, "00000001", "COMPLETED", Learning="l"))
    assert names(merge_journal(BASE, ours, BASE).text) == ["one"]
    theirs = journal(entry("one", 1, "00000001", "COMPLETED", Learning="l"), entry("two", 2, "00000002", "COMPLETED"))
    merged = merge_journal(BASE, ours, theirs)
    assert merged.conflicts == ["'two' (00000002)"] and "<<<<<<< ours\n=======\n" in merged.text


def test_entries_without_ids_are_told_apart_by_heading_and_by_which_of_the_same_heading():
    plain = "### 2026-12-01 10:05 — by hand\n**Status**: PLANNED\n**Hypothesis**: h\n"
    base = HEAD + plain + "\n" + plain
    theirs = HEAD + plain + "\n" + plain.replace("PLANNED", "ABANDONED")
    merged = merge_journal(base, base + "\n" + entry("new", 9, "0000000d"), theirs)
    assert not merged.conflicts
    assert [e.status for e in parse_journal(merged.text)] == ["PLANNED", "ABANDONED", "PLANNED"]


def test_the_preamble_merges_as_lines_and_crlf_and_a_bom_are_kept():
    base = BASE.replace("\n", "\r\n")
    ours = ("\ufeff" + base.replace("# Experiment journal", "# Our journal") + "\r\n"
            + entry("o", 7, "0000000e").replace("\n", "\r\n"))
    theirs = base + "\r\n" + entry("t", 8, "0000000f").replace("\n", "\r\n")
    merged = merge_journal(base, ours, theirs)
    assert merged.text.startswith("\ufeff# Our journal\r\n") and "\n" not in merged.text.replace("\r\n", "")
    assert names(merged.text) == ["one", "two", "o", "t"]
    both = merge_journal(BASE, BASE.replace("Experiment", "Our"), BASE.replace("Experiment", "Their"))
    assert both.conflicts == ["the preamble"]


def test_a_byte_order_mark_merges_as_a_line_would_added_or_removed_on_either_side():
    ours = BASE + "\n" + entry("o", 7, "0000000e")
    assert merge_journal(BASE, ours, "\ufeff" + BASE).text == "\ufeff" + ours  # theirs added it
    assert merge_journal("\ufeff" + BASE, ours, "\ufeff" + BASE).text == ours  # ours removed it
    assert merge_journal("\ufeff" + BASE, "\ufeff" + ours, BASE).text == ours  # theirs removed it


OLD = (HEAD + "### 2026-11-20 09:00 — old\n**Status**: PLANNED\n**Hypothesis**: h\n**Change**: C 1 → 10\n"
       "**Provenance**: id 00000009\n")


def test_an_entry_only_laid_out_by_format_on_one_side_takes_the_other_sides_change_laid_out_alike():
    formatted = OLD.replace("\n**", "\n\n**").replace("\n\n**Status", "\n**Status")
    completed = OLD.replace("PLANNED", "COMPLETED") + "**Actual outcome**: accuracy = 0.97\n**Learning**: it  did\n"
    want = formatted.replace("PLANNED", "COMPLETED") + "\n**Actual outcome**: accuracy = 0.97\n\n**Learning**: it  did\n"
    for ours, theirs in ((formatted, completed), (completed, formatted)):
        merged = merge_journal(OLD, ours, theirs)
        assert not merged.conflicts and merged.text == want
    # a change beyond the layout on both sides is still a conflict
    assert merge_journal(OLD, formatted.replace("**Hypothesis**: h", "**Hypothesis**: x"), completed).conflicts


def test_a_file_without_entries_is_merged_line_by_line_as_said():
    merged = merge_journal("notes\n", "notes\nours\n", "notes\ntheirs\n")
    assert merged.conflicts == ["the file (it holds no entries)"] and "no entries" in merged.note


def test_a_version_that_is_not_utf8_is_unreadable_by_name():
    with pytest.raises(Unreadable, match="their version of journal.md is not UTF-8"):
        decode(b"\xff\xfe", "their version of journal.md")


LESSONS = add_bullet(add_bullet("", render_lesson("2026-12-01", "Depth matters."), "lessons"),
                     render_rule("NEVER", "skip the baseline", "memory lies", "because", "2026-12-01"), "rules")


def test_lessons_and_rules_from_both_sides_are_kept_once_each():
    ours = add_bullet(LESSONS, render_lesson("2026-12-02", "Ours."), "lessons")
    theirs = add_bullet(add_bullet(LESSONS, render_lesson("2026-12-02", "Theirs."), "lessons"),
                        render_rule("ALWAYS", "fix the seed", "comparing runs", "when", "2026-12-02"), "rules")
    both = add_bullet(ours, render_lesson("2026-12-02", "Theirs."), "lessons")
    merged = merge_lessons(LESSONS, ours, add_bullet(theirs, render_lesson("2026-12-02", "Ours."), "lessons"))
    lessons = parse_lessons(merged.text)
    assert sorted(lesson.text for lesson in lessons.lessons) == ["Depth matters.", "Ours.", "Theirs."]
    assert [rule.kind for rule in lessons.rules] == ["NEVER", "ALWAYS"]
    assert merge_lessons(LESSONS, ours, both).text == both  # one side holds all the other has: that side


def test_a_lesson_removed_on_one_side_stays_removed():
    extra = add_bullet(LESSONS, render_lesson("2026-12-02", "Wrong."), "lessons")
    ours = LESSONS  # removed "Wrong."
    theirs = add_bullet(extra, render_lesson("2026-12-03", "New."), "lessons")
    lessons = parse_lessons(merge_lessons(extra, ours, theirs).text)
    assert [lesson.text for lesson in lessons.lessons] == ["Depth matters.", "New."]
