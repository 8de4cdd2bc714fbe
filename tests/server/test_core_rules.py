"""The REST API applies the core's rules, not copies of them: config rows, lesson and rule options,
refusals as data (each gate run once)."""

import re

import pytest
from testkit import tree

from jupyter_expjournal.core import gates
from jupyter_expjournal.core.draft import lesson_request
from jupyter_expjournal.core.errors import InputError
from jupyter_expjournal.core.journal import Journal


def config_lines(root):
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    return re.search(r"\*\*Config\*\*:\n((?:- .*\n)*)", text).group(1)


# -- config rows: as a form holds them, read by the core's one rule ---------------------------


async def test_config_rows_as_typed_follow_the_core_rule(api, root):
    rows = [
        {"key": "warmup", "old": "(none)", "new": "100"},  # the core's absent marker: added
        {"key": "dropout", "old": "0.1", "new": "(none)"},  # removed
        {"key": "lr", "old": "", "new": "0.01"},  # no old value: added
        {"key": "batch", "old": "32", "new": ""},  # no new value: unchanged
        {"key": "", "old": "", "new": ""},  # a form's blank row: skipped
        {"key": " seed ", "old": " 1 ", "new": " 2 "},  # as typed, spaces and all
        {"key": "optimizer", "value": "adam"},  # the documented unchanged shape
        {"key": "epochs", "old": None, "new": 3},  # null and numbers, as documented
    ]
    body = {"path": "", "name": "rows", "hypothesis": "h", "baseline": "acc = 0.5", "config": rows}
    code, data, _ = await api("hypothesis", body)
    assert code == 201, data
    assert config_lines(root) == (
        "- warmup: (none) → 100\n"
        "- dropout: 0.1 → (none)\n"
        "- lr: (none) → 0.01\n"
        "- batch: 32 (unchanged)\n"
        "- seed: 1 → 2\n"
        "- optimizer: adam (unchanged)\n"
        "- epochs: (none) → 3\n"
    )
    assert data["entry"]["config"][0] == {"key": "warmup", "old": None, "new": "100", "changed": True}
    code, data, _ = await api("journal", params={"path": ""})
    assert data["absent"] == "(none)"


async def test_config_rows_check_reads_them_the_same_way(api, root):
    rows = [{"key": "a", "old": "(none)", "new": "1"}, {"key": "", "old": "", "new": ""}]
    draft = {"name": "x", "hypothesis": "h", "config": rows}
    code, data, _ = await api("check", {"path": "", "draft": draft})
    assert code == 200 and data["refusals"] == [] and not (root / "experiments").exists()


@pytest.mark.parametrize(
    "row, message",
    [
        ({"key": "a", "old": "", "new": ""}, "'config[0]' (a) needs a value"),
        ({"key": "", "old": "1", "new": "2"}, "'config[0]' needs a key"),
        ({"key": "a", "old": "(none)", "new": "(none)"}, "'config[0]' (a) needs an old or a new value"),
        ({"key": "a", "old": "(none)", "new": ""}, "'config[0]' (a) needs a value"),
    ],
)
async def test_a_config_row_the_core_refuses_is_400(api, root, row, message):
    before = tree(root)
    code, data, _ = await api("hypothesis", {"path": "", "name": "x", "hypothesis": "h", "config": [row]})
    assert code == 400 and message in data["error"], data
    assert tree(root) == before


# -- lessons and rules: the options go together as the magics and the CLI say ----------------


def _core_refuses(body: dict) -> bool:
    """What lesson_request says of the same options, mapped as the API documents them."""
    rule = body.get("rule")
    options = {"context": body.get("context", ""), "source": body.get("source", "")}
    if rule:
        key, why = ("never", "because") if rule.upper() == "NEVER" else ("always", "when")
        options.update({key: body.get("action", ""), why: body.get("reason", "")})
    try:
        lesson_request(body.get("text", ""), **options)
    except InputError:
        return True
    return False


LESSON_BODIES = [
    ({"rule": "NEVER", "action": "x", "reason": "y", "source": "z"}, 400, "'source' belongs to a lesson"),
    ({"rule": "ALWAYS", "action": "x", "context": "c"}, 400, "'context' belongs to a lesson"),
    ({"rule": "NEVER", "action": "x", "text": "t"}, 400, "'text' belongs to a lesson"),
    ({"text": "a lesson", "reason": "because"}, 400, "'reason' belongs to a rule"),
    ({"text": "a lesson", "action": "do"}, 400, "'action' belongs to a rule"),
    # blank extras are no options at all, for every face: nothing typed is dropped
    ({"text": "a lesson", "reason": "", "action": " "}, 201, ""),
    ({"rule": "NEVER", "action": "x", "reason": "y", "text": "", "context": " ", "source": ""}, 201, ""),
    ({"rule": "ALWAYS", "action": "pin the seed", "reason": "runs are compared"}, 201, ""),
    ({"text": "a lesson", "context": "ctx", "source": "runs 1-3"}, 201, ""),
]


@pytest.mark.parametrize("body, status, message", LESSON_BODIES)
async def test_lesson_options_are_refused_exactly_as_the_core_refuses_them(api, root, body, status, message):
    (root / "experiments").mkdir()
    before = tree(root)
    code, data, _ = await api("lesson", {"path": "", **body})
    assert code == status and message in data.get("error", ""), data
    if "rule" not in body and any(body.get(key, "").strip() for key in ("action", "reason")):
        assert code == 400  # an action or reason with no rule to belong to: nothing to map it to
    else:
        assert (code == 400) == _core_refuses(body), (body, data)
    if code == 400:
        assert tree(root) == before and set(data) == {"error"}


async def test_a_rule_from_rest_reads_as_the_magic_writes_it(api, root):
    code, data, _ = await api("lesson", {"path": "", "rule": "ALWAYS", "action": "pin the seed", "reason": "runs are compared"})
    assert code == 201
    assert re.fullmatch(r"- ALWAYS pin the seed when runs are compared\. Learned: \d{4}-\d{2}-\d{2}", data["line"])


# -- refusals as data ---------------------------------------------------------------------


@pytest.fixture
def gate_runs(monkeypatch):
    """How often the gates are run (the journal calls them through core.gates.check_draft)."""
    runs = []
    real = gates.check_draft

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(gates, "check_draft", counted)
    return runs


async def test_409_carries_the_refusals_as_notices_and_runs_the_gates_once(api, root, gate_runs):
    assert (await api("hypothesis", {"path": "", "name": "first", "hypothesis": "h", "baseline": "acc = 0.5"}))[0] == 201
    made = Journal(root / "experiments").entries()[0].id  # the refusal names the entry by its id
    before = tree(root)
    gate_runs.clear()
    code, data, _ = await api("hypothesis", {"path": "", "name": "second", "hypothesis": "h", "baseline": "acc = 0.5"})
    assert code == 409
    assert len(gate_runs) == 1, "the refusals come from the one gate run that refused"
    (refusal,) = data["refusals"]
    assert set(refusal) == {"gate", "text", "ways_out", "entries", "message"}
    assert refusal["gate"] == "open-entry" and refusal["entries"] == [made]
    assert refusal["ways_out"] == ["log-result", "abandon", "parallel"]
    assert refusal["text"].startswith("experiment 'first' (") and refusal["text"].endswith("is still PLANNED")
    assert data["error"] == refusal["message"] and refusal["message"].startswith(refusal["text"] + ": ")
    # one message in words no front end's controls: no magic syntax, no flags
    assert "%" not in data["error"] and "--" not in data["error"]
    assert tree(root) == before


async def test_strict_refusals_offer_force(api, root, gate_runs):
    code, data, _ = await api("hypothesis", {"path": "", "name": "x", "hypothesis": "h", "strict": True})
    assert code == 409 and len(gate_runs) == 1
    assert [(r["gate"], r["ways_out"]) for r in data["refusals"]] == [("baseline", ["force"])]
    assert "%" not in data["error"] and "--" not in data["error"]


async def test_several_open_refuses_a_result_naming_them(api, root):
    for name in ("a", "b"):
        assert (await api("hypothesis", {"path": "", "name": name, "hypothesis": "h", "parallel": True}))[0] == 201
    ids = [e.id for e in Journal(root / "experiments").entries()]
    code, data, _ = await api("result", {"path": "", "outcome": "x"})
    assert code == 409
    (refusal,) = data["refusals"]
    assert (refusal["gate"], refusal["ways_out"], refusal["entries"]) == ("which-entry", ["choose-entry"], ids)
    assert all(ids)  # each entry is named by its id: two may share a heading


async def test_check_answers_notices(api, root):
    (root / "experiments").mkdir()
    (root / "experiments" / "journal.md").write_text("### 2026-01-03 10:00 — open\n**Status**: PLANNED\n**Hypothesis**: h\n")
    code, data, _ = await api("check", {"path": "", "draft": {"name": "x", "hypothesis": "h", "change": "a 1 → 2"}})
    assert code == 200
    assert [(r["gate"], r["ways_out"], r["entries"]) for r in data["refusals"]] == [
        ("open-entry", ["log-result", "abandon", "parallel"], ["2026-01-03 10:00 — open"])
    ]
    assert [w["gate"] for w in data["warnings"]] == ["baseline"] and data["warnings"][0]["ways_out"] == []
    code, data, _ = await api("journal", params={"path": ""})
    assert [(r["gate"], r["ways_out"]) for r in data["reminders"]] == [("open-entry", ["log-result", "abandon"])]
    assert data["search_keys"] == ["name", "timestamp", "status", "fields", "search_terms"]


# -- which images are an entry's own -------------------------------------------------------


async def test_only_images_of_the_experiments_folder_are_listed(api, root, tmp_path):
    folder = root / "experiments"
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "ok.png").write_bytes(b"\x89PNG")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG")
    (folder / "assets" / "link.png").symlink_to(secret)
    links = ["assets/ok.png", "assets/link.png", "../../secret.png", "/etc/passwd", "javascript:alert(1)", "https://x.org/a.png"]
    figures = "\n".join(f"![f]({link})" for link in links)
    (folder / "journal.md").write_text(
        f"### 2026-01-02 10:00 — figures\n**Status**: PLANNED\n**Hypothesis**: h\n**Baseline**: {figures}\n", encoding="utf-8"
    )
    code, data, _ = await api("journal", params={"path": ""})
    assert code == 200
    assert data["entries"][0]["images"] == data["open"][0]["images"] == ["assets/ok.png"]
