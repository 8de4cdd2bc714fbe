"""What the tools write renders right in CommonMark + GFM (markdown-it-py), not only reads right.

Every shape the writer makes, written through the real API: each field its own
top-level paragraph (never inside a list item, never run on after another), a
list always ends before the next field, output fences are ``pre > code``,
figures ``img``, entry headings ``h3``, and no value turns into a heading.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from rendering_support import assert_fields_render_apart, fields_shown, html, render

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal, render_entry, splice_result
from jupyter_expjournal.core.model import Draft, Outcome
from jupyter_expjournal.core.text import canonical

T0 = datetime(2026, 11, 25, 14, 3)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
BODY = """A larger C fits the digits data more tightly,
so accuracy should rise.
change: C 1 → 10
config:
- C: 1 → 10
- kernel: rbf
- gamma: scale
expected: accuracy +0.01
baseline: accuracy = 0.95
"""
PLANNED_FIELDS = ["Status", "Hypothesis", "Change", "Config", "Expected outcome", "Baseline", "Provenance"]
RESULT_FIELDS = ["Actual outcome", "Delta", "Duration", "Learning", "Next"]
#: The seed's compact form, as entries of earlier versions and the seed's own example stand in files.
COMPACT = """### 2026-11-25 14:03 — QLoRA rank 64
**Status**: PLANNED
**Hypothesis**: Higher rank captures more task-specific features.
**Change**: lora_r 32 → 64
**Config**:
- lora_r: 32 → 64
- lora_alpha: 64 (unchanged)
**Expected outcome**: eval_acc +0.02
**Baseline**: eval_acc = 0.78
"""


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "experiments")


def completed(journal, name="SVC C=10", **outcome):
    journal.hypothesize(parse_body(name, BODY), now=T0)
    fields = dict(summary="", output="epoch 1 loss 0.69\naccuracy = 0.9700", images=[("image/png", PNG)],
                  learning="C matters less than gamma here", next="sweep gamma", duration="3 min 12 s",
                  source="cell [5]")
    fields.update(outcome)
    return journal.complete(Outcome(**fields))


def test_a_planned_entry_shows_each_field_on_its_own_and_the_config_as_a_list(journal):
    journal.hypothesize(parse_body("SVC C=10", BODY), now=T0)
    text = journal.journal_path.read_text()
    tree = assert_fields_render_apart(text, PLANNED_FIELDS)
    assert [h.text for h in tree.find("h3")] == ["2026-11-25 14:03 — SVC C=10"]
    assert [h.text for h in tree.find("h1")] == ["Experiment journal"]
    (ul,) = tree.find("ul")
    assert ul.ancestors() == []
    assert [li.text for li in ul.find("li")] == ["C: 1 → 10", "kernel: rbf (unchanged)", "gamma: scale (unchanged)"]
    # the two lines of the hypothesis are one paragraph, the field's
    hypothesis = next(s for s in fields_shown(tree) if s.name == "Hypothesis")
    assert "so accuracy should rise." in hypothesis.block.text


def test_a_completed_entry_shows_its_output_as_code_and_its_figure_as_an_image(journal):
    completed(journal)
    text = journal.journal_path.read_text()
    tree = assert_fields_render_apart(text, PLANNED_FIELDS + RESULT_FIELDS)
    (pre,) = tree.find("pre")
    assert pre.ancestors() == [] and pre.blocks[0].tag == "code"
    assert pre.blocks[0].attrs.get("class") == "language-text"
    assert pre.text == "epoch 1 loss 0.69\naccuracy = 0.9700\n"
    (img,) = tree.find("img")
    assert img.attrs["src"].startswith("assets/") and img.attrs["alt"] == "cell 5 figure 1"
    assert "li" not in img.ancestors()
    # the summary, the output's label and the output each a block of their own: in one paragraph the summary
    # and the label ran together ("accuracy = 0.97 Output of cell [5]:")
    outcome = next(s for s in fields_shown(tree) if s.name == "Actual outcome").block
    assert "Output of" not in outcome.text
    tops = tree.blocks
    label = tops.index(outcome) + 1
    assert tops[label].tag == "p" and tops[label].text == "Output of cell [5]:" and tops[label + 1] is pre


@pytest.mark.parametrize("summary", ["", "accuracy = 0.97"])
def test_a_result_without_output_or_figures_renders_too(journal, summary):
    completed(journal, summary=summary or "see below", output="", images=[])
    assert_fields_render_apart(journal.journal_path.read_text(), PLANNED_FIELDS + RESULT_FIELDS)


def test_abandoned_retro_and_extra_fields_render_apart(journal):
    draft = parse_body("odd fields", BODY)
    draft.extra["Owner"] = "ana\n- a list in a field of my own"
    journal.hypothesize(draft, now=T0)
    journal.abandon("the GPU node went away", learning="two things:\n- book two nodes\n- check the queue first")
    journal.retro("after the fact", Outcome(summary="accuracy = 0.96", output="accuracy = 0.96"), now=T0)
    text = journal.journal_path.read_text()
    shown = assert_fields_render_apart(text)
    names = [s.name for s in fields_shown(shown)]
    assert names.count("Status") == 2 and "Owner" in names and "Logged" in names and names.count("Learning") == 1
    assert [h.text for h in shown.find("h3")] == ["2026-11-25 14:03 — odd fields", "2026-11-25 14:03 — after the fact"]
    lists = shown.find("ul")
    assert [li.text for li in lists[-1].find("li")] == ["book two nodes", "check the queue first"]


def test_several_entries_render_as_several_sections(journal):
    for i in range(3):
        completed(journal, name=f"run {i}")
    tree = assert_fields_render_apart(journal.journal_path.read_text(), (PLANNED_FIELDS + RESULT_FIELDS) * 3)
    assert [h.text for h in tree.find("h3")] == [f"2026-11-25 14:03 — run {i}" for i in range(3)]
    assert len(tree.find("pre")) == 3 and len(tree.find("img")) == 3


@pytest.mark.parametrize(
    "value",
    [
        "a list at the end\n- one\n- two",
        "1. ordered\n2. list",
        "a table\n| a | b |\n| --- | --- |\n| 1 | 2 |",
        "an underline\n---",
        "a double underline\n===",
        "- a single dash\n-",
        "> a quote",
        "# a hash line\n## another",
        "```python\nprint('fenced')\n```",
        "~~~\nunclosed fence",
        "<!-- a comment",
        "para one\n\npara two\n\n    indented code",
        "- item\n  **Indented**: not a field, text of the item",
        "- item\n\t**Tabbed**: text too",
        "**Bold**: at the start of a line\n**Status**: x",
        "trailing spaces  \nhard break",
    ],
)
def test_any_value_stays_inside_its_field_and_the_next_field_renders_apart(value):
    fields = [("Status", "PLANNED"), ("Hypothesis", value), ("Learning", value), ("Next", "after it")]
    text = render_entry("2026-11-25 10:00", "shapes", fields)
    (entry,) = parse_journal(text)
    assert entry.hypothesis == canonical(value) and entry.learning == canonical(value)  # reads back exactly
    tree = assert_fields_render_apart(text, ["Status", "Hypothesis", "Learning", "Next"])
    assert [h.tag for h in tree.walk() if h.tag in ("h1", "h2", "h4", "h5", "h6")] == []
    assert len(tree.find("h3")) == 1


def test_a_table_in_a_value_ends_before_the_next_field():
    value = "a sweep:\n| gamma | accuracy |\n| --- | --- |\n| 0.001 | 0.95 |\n| 0.01 | 0.97 |"
    text = render_entry("2026-11-25 10:00", "sweep", [("Status", "COMPLETED"), ("Actual outcome", value), ("Delta", "+0.02")])
    tree = assert_fields_render_apart(text, ["Status", "Actual outcome", "Delta"])
    (table,) = tree.find("table")
    assert len(table.find("tr")) == 3 and "Delta" not in table.text


def test_crlf_entries_render_alike(journal):
    completed(journal)
    text = journal.journal_path.read_text()
    assert_fields_render_apart(text.replace("\n", "\r\n"), PLANNED_FIELDS + RESULT_FIELDS)


def test_a_result_spliced_into_a_compact_entry_renders_apart_without_touching_its_bytes():
    (entry,) = parse_journal(COMPACT)
    fields = [("Actual outcome", "eval_acc = 0.81\nOutput:\n```text\neval_acc = 0.81\n```"), ("Delta", "+0.03"),
              ("Learning", "rank helps")]
    out = splice_result(COMPACT, entry, "COMPLETED", fields)
    assert out.startswith(COMPACT.replace("PLANNED", "COMPLETED"))  # the old bytes, as they were
    tree = render(out)
    shown = {s.name: s for s in fields_shown(tree)}
    for name in ("Actual outcome", "Delta", "Learning"):  # the new fields: each its own paragraph
        assert shown[name].block.tag == "p" and shown[name].around == [] and shown[name].first, html(out)
    assert shown["Expected outcome"].around == ["ul"] and shown["Expected outcome"].block.tag == "li"  # the old form
    assert "li" not in tree.find("pre")[0].ancestors()


def test_a_result_spliced_into_a_compact_entry_ending_in_a_list_is_not_swallowed():
    text = COMPACT.split("**Expected outcome**")[0]  # the entry ends with its Config list
    (entry,) = parse_journal(text)
    out = splice_result(text, entry, "COMPLETED", [("Actual outcome", "done"), ("Learning", "yes")])
    shown = {s.name: s for s in fields_shown(render(out))}
    assert shown["Actual outcome"].around == [] and shown["Learning"].around == []


def test_an_entry_appended_after_a_hand_edit_ending_in_a_list_is_a_heading_of_its_own(journal):
    journal.directory.mkdir()
    journal.journal_path.write_text("# Journal\n\nTodo:\n- try gamma\n- try C", encoding="utf-8")
    journal.hypothesize(Draft("next", "a hypothesis", baseline="acc = 1"), now=T0)
    tree = assert_fields_render_apart(journal.journal_path.read_text(), ["Status", "Hypothesis", "Baseline", "Provenance"])
    assert [h.text for h in tree.find("h3")] == ["2026-11-25 14:03 — next"]
    assert [li.text for li in tree.find("li")] == ["try gamma", "try C"]


def test_the_seed_format_example_of_the_design_renders_each_field_apart_once_formatted():
    from jupyter_expjournal.core.reformat import journal_formatted

    formatted, touched = journal_formatted(COMPACT)
    assert touched == 1
    assert_fields_render_apart(formatted, ["Status", "Hypothesis", "Change", "Config", "Expected outcome", "Baseline"])


def test_what_the_tools_write_is_already_what_format_makes(journal):
    from jupyter_expjournal.core.reformat import journal_formatted, lessons_formatted
    from jupyter_expjournal.core.sweep import plan_sweep

    completed(journal)
    draft = parse_body("odd fields", BODY)
    draft.extra["Owner"] = "ana\n- a list in a field of my own"
    journal.hypothesize(draft, now=T0)
    journal.abandon("the GPU node went away", learning="two things:\n- book two nodes\n- check the queue first")
    journal.retro("after the fact", Outcome(summary="accuracy = 0.96", output="accuracy = 0.96"), now=T0)
    journal.hypothesize(plan_sweep(parse_body("gamma sweep", "gamma\nconfig:\n- gamma: scale → [0.01, 0.1]\n"), "gamma"),
                        now=T0)
    journal.complete(Outcome(output="gamma=0.01 accuracy=0.97\ngamma=0.1 accuracy=0.95", learning="0.01"))
    journal.add_lesson("a lesson\nover two lines\n- with a list", context="SVC", source="runs 1-2", date="2026-03-15")
    journal.add_rule("NEVER", "skip the baseline", reason="memory lies", date="2026-03-16")
    text = journal.journal_path.read_text(encoding="utf-8")
    lessons = journal.lessons_path.read_text(encoding="utf-8")
    assert "| gamma | accuracy |" in text and len(parse_journal(text)) == 4
    assert journal_formatted(text) == (text, 0)
    assert lessons_formatted(lessons) == (lessons, 0)
    assert_fields_render_apart(text)


@pytest.mark.parametrize("shape", ["lf", "crlf", "bom", "no final newline"])
def test_an_entry_appended_to_a_compact_journal_leaves_the_old_bytes_as_they_were(journal, shape):
    old = "# Experiment journal\n\n" + COMPACT.replace("PLANNED", "COMPLETED") + "**Actual outcome**: eval_acc = 0.8\n"
    old = {"crlf": old.replace("\n", "\r\n"), "bom": "\ufeff" + old, "no final newline": old.rstrip("\n")}.get(shape, old)
    journal.directory.mkdir()
    journal.journal_path.write_bytes(old.encode("utf-8"))
    journal.hypothesize(parse_body("SVC C=10", BODY), now=T0)
    journal.complete(Outcome(summary="accuracy = 0.97", learning="C helps"))
    raw = journal.journal_path.read_bytes()
    assert raw.startswith(old.encode("utf-8"))
    text = raw.decode("utf-8")
    new = text[text.index("### 2026-11-25 14:03 — SVC C=10"):]
    assert_fields_render_apart(new, PLANNED_FIELDS + ["Actual outcome", "Delta", "Learning"])
    assert [h.text for h in render(text).find("h3")] == ["2026-11-25 14:03 — QLoRA rank 64", "2026-11-25 14:03 — SVC C=10"]
