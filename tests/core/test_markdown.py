"""The reader/writer keeps every byte it does not own and round-trips user text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_expjournal.core.journal_format import extend_journal, parse_journal, render_entry, splice_result
from jupyter_expjournal.core.lessons_format import add_bullet, parse_lessons, render_lesson, render_rule
from jupyter_expjournal.core.model import ConfigItem
from jupyter_expjournal.core.text import canonical

SEED = """### 2026-11-25 14:03 — QLoRA rank 64
**Status**: PLANNED
**Hypothesis**: Higher rank captures more task-specific features.
**Change**: lora_r 32 → 64
**Config**:
- lora_r: 32 → 64
- lora_alpha: 64 (unchanged)
**Expected outcome**: eval_acc +0.02
**Baseline**: eval_acc = 0.78
"""

HAND_EDITED = [
    SEED,
    "# My project's journal\n\nFree text before the first entry.\n\n" + SEED,
    SEED.replace("\n", "\r\n"),
    SEED.rstrip("\n"),  # no final newline
    SEED + "\n\n\n" + SEED.replace("14:03", "15:10"),
    SEED.replace("**Baseline**", "**Owner**: ana\n**Baseline**"),  # unknown field
    SEED + "\nA hand-written note after the fields.\n\n"
           "```python\n### 2026-01-01 00:00 — not an entry\n**Status**: PLANNED\n```\n",
    "### 2026-11-25 — no time, hand written\nno fields at all\n",
    "",
    "\n\n\n",
    "just prose, no entries\n",
]


@pytest.mark.parametrize("text", HAND_EDITED)
def test_parsing_never_changes_the_text(text):
    entries = parse_journal(text)
    # spans tile the text from the first entry to the end
    if entries:
        assert entries[-1].span[1] == len(text)
        for a, b in zip(entries, entries[1:]):
            assert a.span[1] == b.span[0]


def test_seed_entry_reads_as_the_seed_says():
    (entry,) = parse_journal(SEED)
    assert entry.timestamp == "2026-11-25 14:03"
    assert entry.name == "QLoRA rank 64"
    assert entry.status == "PLANNED"
    assert entry.hypothesis == "Higher rank captures more task-specific features."
    assert entry.config == [ConfigItem.change("lora_r", "32", "64"), ConfigItem.same("lora_alpha", "64")]
    assert entry.changed_keys == ["lora_r"]
    assert entry.expected == "eval_acc +0.02"
    assert entry.baseline == "eval_acc = 0.78"


def test_ascii_arrow_reads_as_arrow():
    (entry,) = parse_journal(SEED.replace("→", "->"))
    assert entry.config[0] == ConfigItem.change("lora_r", "32", "64")
    assert entry.changed_keys == ["lora_r"]


def test_fenced_heading_is_not_an_entry():
    entries = parse_journal(HAND_EDITED[6])
    assert len(entries) == 1


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "two\nlines",
        "### 2026-01-01 00:00 — looks like a heading",
        "first\n### 2026-01-01 00:00 — looks like a heading\n**Status**: COMPLETED",
        "first\n\\backslash start\n\\\\two",
        "first\n```\n### inside a fence\n```\nafter",
        "first\n```\nunclosed fence\n### heading after it",
        "first\n~~~~\n```\nmixed fences\n~~~~",
        "**Bold**: at the start of a continuation\n**Status**: x",
        "unicode → ✓ 日本語 \u2028 sep \x0c ff",
        "para one\n\npara two",
        "# hash\n## hash hash\n#no space",
    ],
)
def test_values_round_trip(value):
    text = render_entry("2026-11-25 10:00", "round trip", [("Status", "PLANNED"), ("Hypothesis", value), ("Learning", value)])
    (entry,) = parse_journal(SEED + "\n" + text)[1:]
    assert entry.hypothesis == canonical(value)
    assert entry.learning == canonical(value)
    assert entry.status == "PLANNED"


def test_canonical_drops_only_blank_edges_and_normalises_newlines():
    assert canonical("\n\n  x\r\ny  \n\n") == "  x\ny"
    assert canonical("a\rb") == "a\nb"


def test_splice_changes_only_that_entry():
    text = "Preamble\r\n\r\n" + SEED.replace("\n", "\r\n") + "\r\n" + SEED.replace("14:03", "15:00").replace("\n", "\r\n")
    first, second = parse_journal(text)
    out = splice_result(text, first, "COMPLETED", [("Actual outcome", "eval_acc = 0.81"), ("Learning", "rank helps")])
    assert out.startswith("Preamble\r\n\r\n")
    assert out.endswith(text[second.span[0]:])  # the next entry is byte for byte the same
    assert "\r\n**Status**: COMPLETED\r\n" in out
    assert ("**Baseline**: eval_acc = 0.78\r\n\r\n**Actual outcome**: eval_acc = 0.81\r\n\r\n**Learning**: rank helps\r\n\r\n###"
            in out)
    assert "\n" not in out.replace("\r\n", "")  # no bare LF sneaked into a CRLF file
    done, untouched = parse_journal(out)
    assert done.status == "COMPLETED" and done.actual == "eval_acc = 0.81"
    assert untouched.fields == second.fields


def test_splice_keeps_a_missing_final_newline():
    text = SEED.rstrip("\n")
    (entry,) = parse_journal(text)
    out = splice_result(text, entry, "ABANDONED", [("Actual outcome", "Abandoned: leak")])
    assert out == SEED.replace("PLANNED", "ABANDONED") + "\n**Actual outcome**: Abandoned: leak"


def test_splice_adds_a_status_to_a_hand_written_entry():
    text = "### 2026-11-25 — hand written\nno fields at all\n"
    (entry,) = parse_journal(text)
    out = splice_result(text, entry, "COMPLETED", [("Learning", "x")])
    assert out == "### 2026-11-25 — hand written\n**Status**: COMPLETED\nno fields at all\n\n**Learning**: x\n"


LESSONS = """## Lessons
- 2026-03-15 QLoRA: alpha/r ratio matters more than absolute rank for 7B models. \
Source: experiments showed r=32/alpha=64 outperformed r=64/alpha=64

## Rules (hard-won)
- NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: 2026-03-15
- ALWAYS pin the eval seed when comparing runs. Learned: 2026-03-16
"""


def test_lessons_read_as_the_seed_says():
    parsed = parse_lessons(LESSONS)
    (lesson,) = parsed.lessons
    assert lesson.date == "2026-03-15"
    assert lesson.context == "QLoRA"
    assert lesson.text == "QLoRA: alpha/r ratio matters more than absolute rank for 7B models."
    assert lesson.source == "experiments showed r=32/alpha=64 outperformed r=64/alpha=64"
    never, always = parsed.rules
    assert (never.kind, never.action, never.connective, never.reason, never.date) == (
        "NEVER", "train in fp16 without loss scaling", "because", "the loss goes NaN", "2026-03-15")
    assert (always.kind, always.action, always.connective, always.reason) == (
        "ALWAYS", "pin the eval seed", "when", "comparing runs")


def test_add_bullet_goes_to_the_end_of_its_section():
    out = add_bullet(LESSONS, render_lesson("2026-11-25", "SVC: gamma matters.", "runs 1-4"), "lessons")
    assert "outperformed r=64/alpha=64\n- 2026-11-25 SVC: gamma matters. Source: runs 1-4\n\n## Rules" in out
    out = add_bullet(out, render_rule("ALWAYS", "scale features", "the model is an SVC", "when", "2026-11-25"), "rules")
    assert out.endswith("Learned: 2026-03-16\n- ALWAYS scale features when the model is an SVC. Learned: 2026-11-25\n")
    parsed = parse_lessons(out)
    assert [lesson.source for lesson in parsed.lessons][-1] == "runs 1-4"
    assert parsed.rules[-1].reason == "the model is an SVC"


def test_add_bullet_creates_sections_in_seed_order():
    out = add_bullet("", render_rule("NEVER", "x", "y", "because", "2026-11-25"), "rules")
    out = add_bullet(out, render_lesson("2026-11-25", "a lesson"), "lessons")
    assert out == "## Lessons\n- 2026-11-25 a lesson\n\n## Rules (hard-won)\n- NEVER x because y. Learned: 2026-11-25\n"


def test_multiline_lesson_round_trips():
    text = "first line\n## not a heading\n- not a bullet\n\\slash"
    out = add_bullet(LESSONS, render_lesson("2026-11-25", text, "s"), "lessons")
    assert parse_lessons(out).lessons[-1].text == text
    assert len(parse_lessons(out).rules) == 2


@pytest.mark.parametrize("keep", [None, 0, 1, 2])
def test_extend_journal_matches_a_full_parse(keep):
    old = SEED + "\n" + SEED.replace("14:03", "15:00") + "```\n"  # ends inside a fence
    new = old.replace("15:00", "15:01") + "still fenced\n```\n**Learning**: x\n\n" + SEED.replace("14:03", "16:00")
    if keep is None:
        new = old + "closing\n```\n" + SEED.replace("14:03", "16:00")
    full = parse_journal(new)
    extended = extend_journal(parse_journal(old), new, keep=keep if keep != 2 else 1)
    assert [(e.heading, e.fields, e.span, e.index) for e in extended] == [(e.heading, e.fields, e.span, e.index) for e in full]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\r\n\ufeff \x0c\u2028\x85", max_size=40))
def test_lines_split_on_line_feeds_only_and_tile_the_text(text):
    from jupyter_expjournal.core.text import BOM, iter_lines

    pos = 1 if text.startswith(BOM) else 0
    rebuilt = text[:pos]
    for offset, line, ending in iter_lines(text):
        assert offset == len(rebuilt) and "\n" not in line
        assert ending in ("\n", "\r\n", "") and not (ending == "\n" and line.endswith("\r"))
        rebuilt += line + ending
    assert rebuilt == text
