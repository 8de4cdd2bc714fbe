"""Planning a sweep: one key and its values, fixed in the entry before anything runs; bad input writes nothing."""

from datetime import datetime

import pytest
from sweep_support import BODY

from jupyter_expjournal.core import notices
from jupyter_expjournal.core.checks import check_journal
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.errors import GateError, InputError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Draft
from jupyter_expjournal.core.sweep import FIELD, Sweep, of_draft, parse_spec, plan_sweep, planned, value_key

T0 = datetime(2026, 12, 1, 17, 10)


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "experiments")


def test_a_sweep_from_its_config_row_is_written_as_the_row_and_a_sweep_field(journal):
    draft = plan_sweep(parse_body("gamma sweep", BODY), "gamma")
    logged = journal.hypothesize(draft, now=T0)
    text = journal.journal_path.read_text()
    assert "**Config**:\n- gamma: scale → [0.0001, 0.001, 0.01]\n- C: 1 (unchanged)\n\n" in text
    assert "\n\n**Sweep**: gamma = 0.0001, 0.001, 0.01\n\n" in text
    assert "**Change**: gamma scale → [0.0001, 0.001, 0.01]" in text
    # one changed key: the gates see one variable, as for any experiment
    assert [w.gate for w in logged.warnings] == []
    assert logged.entry.changed_keys == ["gamma"]
    assert planned(journal.entries()[-1]) == Sweep("gamma", ("0.0001", "0.001", "0.01"), "scale")


def test_key_equals_values_makes_the_row_from_the_keys_old_value(journal):
    body = BODY.replace("- gamma: scale → [0.0001, 0.001, 0.01]", "- gamma: scale")
    draft = plan_sweep(parse_body("gamma sweep", body), "gamma=1e-4,1e-3, 1e-2")
    assert draft.config[0].key == "gamma" and draft.config[0].old == "scale" and draft.config[0].new == "[1e-4, 1e-3, 1e-2]"
    assert draft.extra == {FIELD: "gamma = 1e-4, 1e-3, 1e-2"}
    journal.hypothesize(draft, now=T0)
    assert "- gamma: scale → [1e-4, 1e-3, 1e-2]\n" in journal.journal_path.read_text()


def test_key_equals_values_without_a_row_adds_the_key():
    draft = plan_sweep(Draft("C sweep", "A larger C fits tighter."), "C=0.1,1,10")
    assert [(i.key, i.old, i.new) for i in draft.config] == [("C", None, "[0.1, 1, 10]")]
    assert of_draft(draft) == Sweep("C", ("0.1", "1", "10"), None)


def test_the_same_values_given_twice_agree_and_a_pasted_entry_plans_the_same_sweep(journal):
    draft = plan_sweep(parse_body("gamma sweep", BODY), "gamma=0.0001,0.001,0.01")
    assert of_draft(draft).values == ("0.0001", "0.001", "0.01")
    journal.hypothesize(draft, now=T0)
    entry = journal.entries()[-1]
    pasted = "\n".join(f"**{k}**: {v}" if k != "Config" else f"**Config**:\n{v}" for k, v in entry.fields.items()
                       if k not in ("Status", "Provenance"))
    again = parse_body("gamma sweep again", pasted)
    assert of_draft(again) == of_draft(draft)
    assert of_draft(plan_sweep(again, "gamma")) == of_draft(draft)


def test_an_entry_with_only_the_list_row_is_a_sweep_and_so_is_a_hand_spelled_field():
    from jupyter_expjournal.core.journal_format import parse_journal

    text = ("### 2026-12-01 17:10 — by hand\n**Status**: PLANNED\n**Hypothesis**: h\n**Config**:\n"
            "- kernel: rbf → [linear, rbf, poly]\n\n"
            "### 2026-12-01 17:11 — spelled\n**status**: PLANNED\n**hypothesis**: h\n**sweep**: lr = 1e-3, 1e-2\n\n"
            "### 2026-12-01 17:12 — plain\n**Status**: PLANNED\n**Hypothesis**: h\n**Config**:\n- C: 1 → 10\n")
    by_hand, spelled, plain = parse_journal(text)
    assert planned(by_hand) == Sweep("kernel", ("linear", "rbf", "poly"), "rbf")
    assert planned(spelled) == Sweep("lr", ("1e-3", "1e-2"), None)
    assert planned(plain) is None


@pytest.mark.parametrize(
    "body, spec, says",
    [
        (BODY, "", "names the key it varies"),
        (BODY, "nope", "'nope', which is not in the config"),
        (BODY, "C", "config row of 'C' holds no list of values"),
        (BODY, ["gamma=1,2", "C=1,2"], "one key, not several (gamma, C)"),
        (BODY, "gamma C", "one key, not 'gamma C'"),
        (BODY, "gamma=", "has no values"),
        (BODY.replace("[0.0001, 0.001, 0.01]", "[0.1]"), "gamma", "one value (0.1)"),
        (BODY, "gamma=0.1,0.2", "gives 0.1, 0.2 but its config row lists 0.0001, 0.001, 0.01"),
        (BODY.replace("[0.0001, 0.001, 0.01]", "[0.001, 1e-3]"), "gamma", "lists 0.001 twice (as 1e-3)"),
        (BODY.replace("[0.0001, 0.001, 0.01]", "0.1"), "gamma=1,2", "changes it to 0.1, not to the values swept"),
        (BODY, "kernel=a],b", "cannot hold the value 'a]'"),
        (BODY, "gamma=1,2 C=3,4", "one key, not several (gamma, C)"),  # was: gamma swept over 1 and '2 C=3'
        (BODY, "gamma,C=1,2", "one key, not 'gamma,C'"),  # was: a key named 'gamma,C'
        (BODY, "gamma=1,C=2", "one key, not several (gamma, C)"),
    ],
)
def test_bad_sweeps_are_one_clear_error_and_write_nothing(journal, body, spec, says):
    with pytest.raises(InputError) as err:
        journal.hypothesize(plan_sweep(parse_body("gamma sweep", body), spec), now=T0)
    assert says in str(err.value)
    assert not journal.directory.exists()


def test_parse_spec_and_value_keys():
    assert parse_spec("gamma") == ("gamma", None)
    assert parse_spec(" gamma = [1, 2] ") == ("gamma", ("1", "2"))
    assert parse_spec(["lr=1e-3,3e-4"]) == ("lr", ("1e-3", "3e-4"))
    assert value_key("1e-3") == value_key(0.001) == value_key(" 0.0010 ")
    assert value_key("'RBF'") == value_key("rbf") != value_key("linear")


def test_a_sweep_over_two_keys_warns_as_several_variables_and_strict_mode_refuses(journal):
    body = BODY.replace("- C: 1", "- C: 1 → [1, 10]")
    draft = plan_sweep(parse_body("two sweeps", body), "gamma")
    report = journal.check(draft)
    [warning] = [w for w in report.warnings if w.gate == notices.ONE_VARIABLE]
    assert "a sweep over 2 keys at once (gamma, C)" in warning.text
    with pytest.raises(GateError) as err:
        journal.hypothesize(draft, strict=True, now=T0)
    assert "a sweep over 2 keys at once (gamma, C)" in str(err.value) and "(strict mode)" in str(err.value)
    assert not journal.directory.exists()
    journal.hypothesize(draft, strict=True, force=True, now=T0)
    text, entries = journal.parsed()
    [problem] = [p for p in check_journal(text, entries) if "sweep" in p.message]
    assert "a sweep over 2 keys at once (gamma, C)" in problem.message
