"""Sweeps through the REST API on a real Jupyter server: ``sweep`` on a hypothesis and a check, ``table`` on a
result, the curve, the entry JSON's ``sweep`` and compare ``points``; every refusal is one 400 that writes nothing."""

import json

import pytest
from testkit import tree

pytest.importorskip("matplotlib")

SWEEP = {
    "name": "gamma sweep",
    "hypothesis": "A smaller gamma smooths the RBF kernel.",
    "config": [{"key": "gamma", "value": "scale"}, {"key": "C", "value": "1"}],
    "expected": "accuracy +0.005",
    "baseline": "accuracy = 0.9889",
}
LOOP = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.86\n"
ROWS = [{"gamma": 0.0001, "accuracy": 0.9711}, {"gamma": 0.001, "accuracy": 0.9956}, {"gamma": 0.01, "accuracy": 0.86}]
CSV = "gamma,accuracy\n0.0001,0.9711\n0.001,0.9956\n0.01,0.86\n"


def journal_text(root) -> str:
    return (root / "experiments" / "journal.md").read_text(encoding="utf-8")


def without_times(text: str) -> str:
    """The journal without what differs between two writes of one entry: the heading's time, the Provenance, the Duration."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(("### ", "**Provenance**", "**Duration**")))


def last_entry(text: str) -> str:
    """The journal's last entry, from its heading (``### <time> — name``) on."""
    return text[text.rindex("\n### ") + 1 :]


# -- planning a sweep ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sweep",
    [
        "gamma=0.0001,0.001,0.01",
        " gamma = 0.0001, 0.001, 0.01 ",
        {"key": "gamma", "values": [0.0001, 0.001, 0.01]},
        {"key": "gamma", "values": ["0.0001", "0.001", "0.01"]},
    ],
)
async def test_hypothesis_plans_a_sweep_from_a_spec_or_a_key_and_its_values(api, root, sweep):
    code, data, _ = await api("hypothesis", {"path": "", **SWEEP, "sweep": sweep})
    assert code == 201, data
    text = journal_text(root)
    assert "- gamma: scale → [0.0001, 0.001, 0.01]\n" in text and "**Sweep**: gamma = 0.0001, 0.001, 0.01\n" in text
    assert data["entry"]["sweep"] == {"key": "gamma", "values": ["0.0001", "0.001", "0.01"], "old": "scale"}
    assert data["entry"]["changed_keys"] == ["gamma"] and data["entry"]["compare"]["points"] == []
    assert not [w for w in data["warnings"] if "variables" in w["text"]]


async def test_a_sweep_by_its_key_alone_takes_the_values_its_config_row_lists(api, root):
    rows = [{"key": "gamma", "old": "scale", "new": "[0.0001, 0.001, 0.01]"}, {"key": "C", "value": "1"}]
    code, data, _ = await api("hypothesis", {"path": "", **SWEEP, "config": rows, "sweep": "gamma"})
    assert code == 201, data
    assert data["entry"]["sweep"] == {"key": "gamma", "values": ["0.0001", "0.001", "0.01"], "old": "scale"}
    assert "**Sweep**: gamma = 0.0001, 0.001, 0.01\n" in journal_text(root)


async def test_the_same_sweep_as_a_string_and_as_an_object_writes_the_same_entry(api, root):
    await api("hypothesis", {"path": "", **SWEEP, "sweep": "gamma=0.0001,0.001,0.01"})
    first = journal_text(root)
    await api("abandon", {"path": "", "reason": "again"})
    await api("hypothesis", {"path": "", **SWEEP, "sweep": {"key": "gamma", "values": [0.0001, 0.001, 0.01]}})
    assert without_times(last_entry(journal_text(root))) == without_times(last_entry(first))


async def test_check_sees_the_sweep_and_a_second_swept_key_warns_as_several_variables(api, root):
    draft = {**SWEEP, "sweep": "gamma=0.0001,0.001"}
    code, data, _ = await api("check", {"path": "", "draft": draft})
    assert code == 200 and not data["refusals"]
    assert not [w for w in data["warnings"] if "variables" in w["text"]]
    two = {**draft, "config": [{"key": "gamma", "value": "scale"}, {"key": "C", "old": "1", "new": "[1, 10]"}]}
    code, data, _ = await api("check", {"path": "", "draft": two})
    assert code == 200
    assert any("a sweep over 2 keys at once (gamma, C)" in w["text"] for w in data["warnings"])
    code, data, _ = await api("check", {"path": "", "draft": two, "strict": True})
    assert any("a sweep over 2 keys at once" in r["text"] for r in data["refusals"])
    code, data, _ = await api("check", {"path": "", "draft": {**SWEEP, "sweep": "gamma=1"}})
    assert code == 400 and data["error"].startswith("'draft.sweep': ") and "one value (1)" in data["error"]
    assert not (root / "experiments").exists()


@pytest.mark.parametrize(
    "sweep, says",
    [
        (42, "'sweep' must be a string (KEY or KEY=v1,v2,v3) or an object {key, values}, not a number"),
        (["gamma"], "'sweep' must be a string (KEY or KEY=v1,v2,v3) or an object {key, values}, not a list"),
        ("gamma", "'sweep': the config row of 'gamma' holds no list of values to sweep"),
        ("nope", "'sweep': the sweep names 'nope', which is not in the config"),
        ("gamma=", "'sweep': the sweep of 'gamma' has no values"),
        ("gamma=1", "'sweep': the sweep of 'gamma' has one value (1)"),
        ("gamma=1,1.0", "'sweep': the sweep of 'gamma' lists 1 twice (as 1.0)"),
        ("gamma C", "'sweep': a sweep varies one key, not 'gamma C'"),
        ({"key": "gamma"}, "'sweep': the config row of 'gamma' holds no list of values to sweep"),
        ({"values": [1, 2]}, "'sweep.key' is missing"),
        ({"key": "gamma", "values": "1,2"}, "'sweep.values' must be a list of numbers or strings, not a string"),
        ({"key": "gamma", "values": [1, True]}, "'sweep.values[1]' must be a number or a string, not a boolean"),
        ({"key": "gamma", "values": [1, None]}, "'sweep.values[1]' must be a number or a string, not null"),
        ({"key": "gamma", "values": [1, "a,b"]}, "'sweep': the sweep of 'gamma' cannot hold the value 'a,b'"),
        ({"key": "gamma", "value": [1, 2]}, "unknown field 'sweep.value' (expected: key, values)"),
        ({"key": "gamma", "values": [1, 2]} | {"key": "a\nb"}, "'sweep.key' must be one line"),
    ],
)
async def test_a_bad_sweep_is_one_400_naming_sweep_and_writes_nothing(api, root, sweep, says):
    before = tree(root)
    code, data, _ = await api("hypothesis", {"path": "", **SWEEP, "sweep": sweep})
    assert code == 400 and says in data["error"], data
    assert tree(root) == before


async def test_a_sweep_whose_values_differ_from_its_config_row_is_refused(api, root):
    rows = [{"key": "gamma", "old": "scale", "new": "[0.1, 1]"}]
    code, data, _ = await api("hypothesis", {"path": "", **SWEEP, "config": rows, "sweep": "gamma=1,2"})
    assert code == 400 and "'sweep': the sweep of 'gamma' gives 1, 2 but its config row lists 0.1, 1" in data["error"]
    assert not (root / "experiments").exists()


async def test_no_sweep_null_or_blank_plans_a_plain_entry(api, root):
    for sweep in (None, "", "  "):
        code, data, _ = await api("hypothesis", {"path": "", **SWEEP, "sweep": sweep, "parallel": True})
        assert code == 201 and data["entry"]["sweep"] is None
    assert "**Sweep**" not in journal_text(root)


# -- its result ------------------------------------------------------------------------


async def plan(api, **extra):
    code, data, _ = await api("hypothesis", {"path": "", **SWEEP, "sweep": "gamma=0.0001,0.001,0.01", **extra})
    assert code == 201, data
    return data["entry"]


async def test_a_sweep_completed_from_its_printed_loop_gets_its_table_and_curve(api, root):
    await plan(api)
    code, data, _ = await api("result", {"path": "", "output": LOOP, "source": "run.log", "learning": "1e-3 is best"})
    assert code == 200, data
    [curve] = data["assets"]
    assert curve.startswith("assets/") and (root / "experiments" / curve).read_bytes().startswith(b"\x89PNG")
    text = journal_text(root)
    assert "| **0.001** | **0.9956** |" in text
    assert f"![gamma sweep: accuracy against gamma]({curve})" in text
    entry = data["entry"]
    assert entry["delta"].startswith("accuracy best 0.9956 at gamma=0.001: +0.0067 vs expected +0.005")
    assert entry["compare"]["points"] == [
        {"value": "0.0001", "metrics": {"accuracy": 0.9711}, "shown": {"accuracy": "0.9711"}, "best": False},
        {"value": "0.001", "metrics": {"accuracy": 0.9956}, "shown": {"accuracy": "0.9956"}, "best": True},
        {"value": "0.01", "metrics": {"accuracy": 0.86}, "shown": {"accuracy": "0.86"}, "best": False},
    ]
    assert entry["compare"]["metrics"] == {"accuracy": 0.9956} and "gamma" not in entry["compare"]["delta"]
    code, journal, _ = await api("journal", params={"path": ""})
    assert journal["entries"][0]["compare"]["points"] == entry["compare"]["points"]
    assert journal["entries"][0]["sweep"]["values"] == ["0.0001", "0.001", "0.01"]


async def test_a_table_as_rows_or_csv_text_is_the_result_and_both_write_the_same_entry(api, root):
    texts, curves = [], []
    for table in (ROWS, CSV):
        await plan(api)
        code, data, _ = await api("result", {"path": "", "table": table})
        assert code == 200, data
        [curve] = data["assets"]
        assert "| **0.001** | **0.9956** |" in data["entry"]["actual"]
        assert [p["value"] for p in data["entry"]["compare"]["points"]] == ["0.0001", "0.001", "0.01"]
        texts.append(without_times(last_entry(journal_text(root))).replace(curve, "<curve>"))
        curves.append((root / "experiments" / curve).read_bytes())
    assert texts[0] == texts[1] and "(<curve>)" in texts[0]
    assert curves[0] == curves[1]


@pytest.mark.parametrize(
    "table, says",
    [
        (42, "'table' must be a list of rows {KEY: value, metric: number} or CSV text, not a number"),
        ([1], "'table[0]' must be an object {KEY: value, metric: number}, not a number"),
        ([{"gamma": 1, "accuracy": [1]}], "'table[0].accuracy' must be a number, a string or null, not a list"),
        ([{"gamma": 1, "accuracy": True}], "'table[0].accuracy' must be a number, a string or null, not a boolean"),
        ([{"C": 1, "accuracy": 0.9}], "'table' has no column 'gamma' (the key swept): its columns are C, accuracy"),
        ([{"gamma": 1, "note": "x"}], "'table' holds no number beside 'gamma': a metric column is needed"),
        ([], "'table' is empty"),
        ("", "'table' is empty: it needs a header row"),
        ("gamma,accuracy\n", "'table' has a header row and no rows"),
        ("C,accuracy\n1,0.9\n", "'table' has no column 'gamma' (the key swept): its columns are C, accuracy"),
    ],
)
async def test_a_bad_table_is_one_400_naming_table_and_writes_nothing(api, root, table, says):
    await plan(api)
    before = tree(root)
    code, data, _ = await api("result", {"path": "", "table": table})
    assert code == 400 and says in data["error"], data
    assert tree(root) == before


async def test_a_table_for_an_entry_that_planned_no_sweep_is_refused(api, root):
    code, _, _ = await api("hypothesis", {"path": "", **SWEEP})
    assert code == 201
    before = tree(root)
    code, data, _ = await api("result", {"path": "", "table": CSV})
    assert code == 400 and "'gamma sweep' planned no sweep: 'table' is a table of values, the result of a sweep" in data["error"]
    assert tree(root) == before


async def test_retro_takes_no_table(api, root):
    code, data, _ = await api("retro", {"path": "", "name": "x", "table": CSV})
    assert code == 400 and "unknown field 'table'" in data["error"]
    code, data, _ = await api("retro", {"path": "", "name": "x"})
    assert code == 400 and "'table'" not in data["error"] and "a result needs at least one of" in data["error"]


async def test_an_entry_that_is_no_sweep_carries_only_null_and_an_empty_list(api, root):
    code, data, _ = await api("hypothesis", {"path": "", **SWEEP})
    await api("result", {"path": "", "outcome": "accuracy = 0.99"})
    code, journal, _ = await api("journal", params={"path": ""})
    [entry] = journal["entries"]
    assert entry["sweep"] is None and entry["compare"]["points"] == []
    assert json.dumps(entry).count("points") == 1
