"""What users type becomes the right Draft, or one clear error."""

import pytest

from jupyter_expjournal.core.draft import diff_configs, parse_body, parse_result_body
from jupyter_expjournal.core.errors import InputError
from jupyter_expjournal.core.model import ConfigItem

BODY = """A larger C fits the digits data more tightly, so accuracy should rise.
change: C 1 → 10
config:
- C: 1 → 10
- kernel: rbf
expected: accuracy +0.01
baseline: accuracy = 0.95
"""


def test_plain_body():
    draft = parse_body("SVC C=10", BODY)
    assert draft.hypothesis == "A larger C fits the digits data more tightly, so accuracy should rise."
    assert draft.change == "C 1 → 10"
    assert draft.config == [ConfigItem.change("C", "1", "10"), ConfigItem.same("kernel", "rbf")]
    assert draft.expected == "accuracy +0.01"
    assert draft.baseline == "accuracy = 0.95"
    assert [i.key for i in draft.changed] == ["C"]


def test_journal_form_pasted_back():
    body = """**Status**: PLANNED
**Hypothesis**: Higher rank captures more
task-specific features.
**Change**: lora_r 32 → 64
**Config**:
- lora_r: 32 → 64
- lora_alpha: 64 (unchanged)
**Expected outcome**: eval_acc +0.02
**Baseline**: eval_acc = 0.78
**Owner**: ana
"""
    draft = parse_body("QLoRA rank 64", body)
    assert draft.hypothesis == "Higher rank captures more\ntask-specific features."
    assert draft.config[1] == ConfigItem.same("lora_alpha", "64")
    assert draft.expected == "eval_acc +0.02"
    assert draft.extra == {"Owner": "ana"}  # Status is dropped: a new entry is PLANNED


def test_hypothesis_line_and_change_only():
    draft = parse_body("lr", "hypothesis: lower lr is more stable\nchange: lr 1e-3 -> 3e-4")
    assert draft.hypothesis == "lower lr is more stable"
    assert [(i.key, i.old, i.new) for i in draft.changed] == [("lr", "1e-3", "3e-4")]


def test_words_with_colons_stay_text():
    draft = parse_body("x", "Note: this is text.\nReason: still text.")
    assert draft.hypothesis == "Note: this is text.\nReason: still text."


@pytest.mark.parametrize("body", ["", "   \n\n", "change: C 1 → 10\nbaseline: acc = 0.9"])
def test_no_hypothesis_is_refused(body):
    with pytest.raises(InputError, match="no hypothesis"):
        parse_body("x", body)


def test_bad_config_line_is_named():
    with pytest.raises(InputError, match="'- C 1 → 10'"):
        parse_body("x", "h\nconfig:\n- C 1 → 10")


def test_diff_configs_covers_changed_added_removed_unchanged():
    base = {"C": 1, "kernel": "rbf", "gamma": "scale", "opt": {"tol": 1e-3}}
    new = {"C": 10, "kernel": "rbf", "opt": {"tol": 1e-3}, "shrinking": False}
    items = diff_configs(new, base)
    assert items == [
        ConfigItem.change("C", "1", "10"),
        ConfigItem.change("gamma", "scale", None),
        ConfigItem.change("shrinking", None, "False"),
        ConfigItem.same("kernel", "rbf"),
        ConfigItem.same("opt.tol", "0.001"),
    ]


def test_diff_configs_refuses_non_dicts():
    with pytest.raises(InputError, match="list, not a dict"):
        diff_configs([1, 2], {})


def test_result_body():
    fields = parse_result_body("Looks good overall.\nlearning: C matters less\nthan gamma.\n**Next**: sweep gamma\ndelta: +0.01")
    assert fields == {
        "outcome": "Looks good overall.",
        "learning": "C matters less\nthan gamma.",
        "next": "sweep gamma",
        "delta": "+0.01",
    }
