"""The journal API: seed format on disk, gates, results, lessons, and bad input that writes nothing."""

import re
from datetime import datetime

import pytest

from jupyter_expjournal.core import notices
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.errors import GateError, JournalError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.outcome import cut_output

T0 = datetime(2026, 11, 25, 14, 3)
BODY = """Higher rank captures more task-specific features.
change: lora_r 32 → 64
config:
- lora_r: 32 → 64
- lora_alpha: 64
expected: eval_acc +0.02
baseline: eval_acc = 0.78
"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "experiments")


def snapshot(journal):
    return {p.name: p.read_bytes() for p in journal.directory.rglob("*") if p.is_file() and p.suffix != ".lock"}


def test_hypothesis_is_written_in_the_seed_format(journal):
    logged = journal.hypothesize(parse_body("QLoRA rank 64", BODY), now=T0)
    assert re.fullmatch(r"[0-9a-f]{8}", logged.entry.id)
    assert journal.journal_path.read_text() == (
        "# Experiment journal\n\n"
        "### 2026-11-25 14:03 — QLoRA rank 64\n"
        "**Status**: PLANNED\n\n"
        "**Hypothesis**: Higher rank captures more task-specific features.\n\n"
        "**Change**: lora_r 32 → 64\n\n"
        "**Config**:\n"
        "- lora_r: 32 → 64\n"
        "- lora_alpha: 64 (unchanged)\n\n"
        "**Expected outcome**: eval_acc +0.02\n\n"
        "**Baseline**: eval_acc = 0.78\n\n"
        f"**Provenance**: id {logged.entry.id}\n"
    )
    assert logged.entry.is_open and logged.warnings == []


def test_second_hypothesis_is_refused_while_one_is_planned(journal):
    journal.hypothesize(parse_body("first", BODY), now=T0)
    before = snapshot(journal)
    with pytest.raises(GateError, match="'first' .* still PLANNED") as refused:
        journal.hypothesize(parse_body("second", BODY.replace("64", "128")))
    assert snapshot(journal) == before
    # the refusal is data: which gate, which entry, the ways out (each face words them)
    (refusal,) = refused.value.refusals
    # the entries are named by their ids: two may share a heading
    assert refusal.gate == notices.OPEN_ENTRY and refusal.entries == (journal.entries()[0].id,)
    assert refusal.ways_out == (notices.LOG_RESULT, notices.ABANDON, notices.PARALLEL)
    assert "%" not in str(refused.value) and "--" not in str(refused.value)
    journal.hypothesize(parse_body("second", BODY.replace("64", "128")), parallel=True)
    assert [e.name for e in journal.open_entries()] == ["first", "second"]


def test_complete_attaches_outcome_delta_and_images(journal):
    journal.hypothesize(parse_body("QLoRA rank 64", BODY), now=T0)
    outcome = Outcome(
        output="epoch 1\neval_acc = 0.70\neval_acc = 0.81\n",
        images=[("image/png", PNG)],
        learning="rank helps",
        next="try rank 128",
        duration="3 min 00 s wall",
        source="cell [5]",
    )
    logged = journal.complete(outcome)
    entry = logged.entry
    assert entry.status == "COMPLETED"
    assert entry.delta == "eval_acc +0.03 vs expected +0.02: better than expected"
    assert entry.learning == "rank helps" and entry.next == "try rank 128"
    assert entry.summary_outcome() == "eval_acc = 0.81"
    (asset,) = logged.assets
    assert asset.read_bytes() == PNG and asset.parent == journal.assets_dir
    assert f"](assets/{asset.name})" in entry.actual
    assert "```text\nepoch 1\neval_acc = 0.70\neval_acc = 0.81\n```" in entry.actual


def test_result_goes_to_the_entry_this_kernel_opened(journal):
    a = journal.hypothesize(parse_body("a", BODY), now=T0).entry
    journal.hypothesize(parse_body("b", BODY.replace("64", "16")), now=T0, parallel=True)
    with pytest.raises(GateError, match="2 experiments are open") as refused:
        journal.complete(Outcome(summary="x"))
    assert refused.value.refusals[0].ways_out == (notices.CHOOSE_ENTRY,)
    assert journal.complete(Outcome(summary="done"), preferred=a.heading).entry.name == "a"
    assert journal.complete(Outcome(summary="done"), name="B").entry.name == "b"


def test_no_parseable_metric_says_so(journal):
    journal.hypothesize(parse_body("x", BODY), now=T0)
    entry = journal.complete(Outcome(output="it converged")).entry
    assert entry.delta.startswith("not computed") and "give the delta in words" in entry.delta and "--" not in entry.delta


def test_dict_result_gives_metrics(journal):
    journal.hypothesize(parse_body("x", BODY), now=T0)
    entry = journal.complete(Outcome(output="{'eval_acc': 0.79}"), result_value={"eval_acc": 0.79}).entry
    assert entry.delta == "eval_acc +0.01 vs expected +0.02: worse than expected"


def test_abandon_and_retro(journal):
    journal.hypothesize(parse_body("x", BODY), now=T0)
    assert journal.abandon("data leak").entry.status == "ABANDONED"
    entry = journal.retro("quick probe", Outcome(output="eval_acc = 0.5")).entry
    assert entry.status == "COMPLETED" and entry.get("Logged").startswith("retrospectively")


def test_gates_warn_and_strict_refuses(journal):
    two = parse_body("two", "h\nconfig:\n- a: 1 → 2\n- b: 1 → 2")
    logged = journal.hypothesize(two, now=T0)
    assert any("2 variables change at once" in str(w) for w in logged.warnings)
    assert any("no baseline" in w for w in logged.warnings)
    journal.abandon("x")
    with pytest.raises(GateError, match="strict mode"):
        journal.hypothesize(two, strict=True)
    assert journal.hypothesize(two, strict=True, force=True).entry.is_open


def test_repeated_change_is_quoted(journal):
    journal.hypothesize(parse_body("rank 64", BODY), now=T0)
    journal.complete(Outcome(output="eval_acc = 0.81"))
    logged = journal.hypothesize(parse_body("rank 64 again", BODY))
    assert any("already tried in 'rank 64'" in str(w) and "eval_acc = 0.81" in str(w) for w in logged.warnings)


def test_lessons_and_rules(journal):
    journal.add_lesson("alpha/r ratio matters more than rank.", context="QLoRA", source="runs 3-5", date="2026-03-15")
    journal.add_rule("never", "train in fp16 without loss scaling", reason="the loss goes NaN", date="2026-03-15")
    journal.add_rule("always", "pin the eval seed", reason="comparing runs", date="2026-03-16")
    assert journal.lessons_path.read_text() == (
        "## Lessons\n"
        "- 2026-03-15 QLoRA: alpha/r ratio matters more than rank. Source: runs 3-5\n"
        "\n"
        "## Rules (hard-won)\n"
        "- NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: 2026-03-15\n"
        "- ALWAYS pin the eval seed when comparing runs. Learned: 2026-03-16\n"
    )
    rules = journal.lessons().rules
    assert [r.kind for r in rules] == ["NEVER", "ALWAYS"]


def test_lessons_reminder_after_four_completed(journal):
    for i in range(4):
        journal.hypothesize(parse_body(f"e{i}", f"h{i}\nchange: k {i} → {i + 1}\nbaseline: acc = 0.5"))
        journal.complete(Outcome(summary="ok"))
    assert any("4 experiments completed since the last lesson" in str(r) for r in journal.reminders())
    journal.add_lesson("k barely matters")
    assert not any("since the last lesson" in r for r in journal.reminders())


def test_cut_output_says_how_much_was_cut():
    text = "\n".join(f"line {i}" for i in range(1000))
    cut = cut_output(text)
    assert cut.startswith("line 0\n") and cut.endswith("line 999")
    assert "lines," in cut and "characters cut" in cut
    assert len(cut) < 8000


@pytest.mark.parametrize(
    "action",
    [
        lambda j: j.hypothesize(parse_body("x", BODY).__class__(name="", hypothesis="h")),
        lambda j: j.hypothesize(parse_body("two\nlines", BODY)),
        lambda j: j.complete(Outcome(summary="nothing is open")),
        lambda j: j.abandon(""),
        lambda j: j.add_lesson("   "),
        lambda j: j.add_rule("sometimes", "x"),
    ],
)
def test_bad_input_writes_nothing(journal, action):
    journal.hypothesize(parse_body("x", BODY), now=T0)
    journal.abandon("setup")
    before = snapshot(journal)
    with pytest.raises(JournalError):
        action(journal)
    assert snapshot(journal) == before


def test_unreadable_journal_is_a_clear_error(journal):
    journal.directory.mkdir()
    journal.journal_path.write_bytes(b"### 2026-01-01 00:00 \xff\xfe\n")
    with pytest.raises(JournalError, match="not UTF-8 text"):
        journal.hypothesize(parse_body("x", BODY))
    assert journal.journal_path.read_bytes() == b"### 2026-01-01 00:00 \xff\xfe\n"


def test_journal_that_is_a_directory(journal):
    journal.journal_path.mkdir(parents=True)
    with pytest.raises(JournalError, match="is a directory"):
        journal.hypothesize(parse_body("x", BODY))


def test_hand_edits_survive_a_result(journal):
    journal.hypothesize(parse_body("x", BODY), now=T0)
    text = journal.journal_path.read_text()
    edited = "My notes, by hand.\r\n\r\n" + text + "\n**Owner**: ana\n\n```\n### 2026-01-01 00:00 — fenced\n```\n"
    journal.journal_path.write_bytes(edited.encode())
    journal.complete(Outcome(summary="fine"))
    after = journal.journal_path.read_bytes().decode()
    assert after.startswith("My notes, by hand.\r\n\r\n# Experiment journal")
    assert "**Owner**: ana\n\n```\n### 2026-01-01 00:00 — fenced\n```\n\n**Actual outcome**: fine\n" in after
