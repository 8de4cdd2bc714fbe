"""The REST API on a real Jupyter server: every route, its files on disk, ETags, gates, confinement, auth."""

import base64
import json
import re
from datetime import datetime

import pytest
import tornado.web
from testkit import png, tree

from jupyter_expjournal.server import schema

STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
TODAY = "TODAY"  # the date a write stamps, as undated() writes it


def undated(text: str, days: set[str]) -> str:
    """``text`` with each date it holds written as TODAY, each one of ``days`` (the days the test ran on:
    a run that passes midnight stamps the next day)."""
    found = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    assert found <= days, (found, days)
    return re.sub(r"\d{4}-\d{2}-\d{2}", TODAY, text)


def today() -> str:
    return datetime.now().strftime("%Y-%m-%d")
ROUTES = {
    "journal": ["get"], "check": ["post"], "hypothesis": ["post"], "result": ["post"], "abandon": ["post"], "lesson": ["post"],
    "entry": ["get"], "order": ["get"], "retro": ["post"], "learning": ["post"],
}

RANK64 = {
    "name": "QLoRA rank 64",
    "hypothesis": "Higher rank captures more task-specific features.",
    "change": "lora_r 32 → 64",
    "config": [
        {"key": "lora_r", "old": "32", "new": "64"},
        {"key": "lora_alpha", "value": "64"},
        {"key": "dropout", "old": 0.05, "new": 0.05},
        {"key": "warmup", "old": None, "new": "100"},
    ],
    "expected": "eval_acc +0.02",
    "baseline": "eval_acc = 0.78",
}

#: A valid body for each POST route: refusals must come from the check under test, not from the body.
BODIES = {
    "check": {"draft": {"name": "x", "hypothesis": "h"}},
    "hypothesis": {**RANK64, "parallel": True},
    "result": {"outcome": "x"},
    "abandon": {"reason": "x"},
    "lesson": {"text": "x"},
    "retro": {"name": "x", "outcome": "y"},
    "learning": {"entry": "x", "learning": "y"},
}


# -- GET journal -------------------------------------------------------------------

async def test_get_before_any_journal_exists_creates_nothing(api, root):
    before = tree(root)
    code, data, response = await api("journal", params={"path": "nb/deep"})
    assert code == 200
    assert data["exists"] is False and data["entries"] == [] and data["lessons"] == [] and data["rules"] == []
    assert data["directory_relative"] == "experiments"
    assert data["journal_path"] == "experiments/journal.md" and data["lessons_path"] == "experiments/lessons.md"
    assert response.headers["Content-Type"].startswith("application/json")
    assert tree(root) == before and not (root / "experiments").exists()


async def test_get_reads_a_hand_written_journal(api, root):
    (root / "experiments").mkdir()
    (root / "experiments" / "journal.md").write_bytes(
        (
            "# My notes\r\nfree text kept\r\n\r\n"
            "### 2026-11-25 14:03 — QLoRA rank 64\r\n**Status**: PLANNED\r\n"
            "**Hypothesis**: Higher rank captures more.\r\n**Config**:\r\n- lora_r: 32 → 64\r\n"
            "- lora_alpha: 64 (unchanged)\r\n**Baseline**: eval_acc = 0.78\r\n**Owner**: ana\r\n"
        ).encode()
    )
    code, data, _ = await api("journal", params={"path": ""})
    assert code == 200 and data["exists"] is True
    (entry,) = data["entries"]
    assert entry["heading"] == "2026-11-25 14:03 — QLoRA rank 64" and entry["status"] == "PLANNED"
    assert entry["config"] == [
        {"key": "lora_r", "old": "32", "new": "64", "changed": True},
        {"key": "lora_alpha", "old": "64", "new": "64", "changed": False},
    ]
    assert entry["fields"]["Owner"] == "ana" and data["open"][0]["heading"] == entry["heading"]


async def test_nearest_experiments_folder_is_used(api, root):
    (root / "nb" / "experiments").mkdir()
    code, data, _ = await api("journal", params={"path": "nb/deep"})
    assert code == 200 and data["directory_relative"] == "nb/experiments"


async def test_etag_answers_304_until_a_file_changes(api, root):
    code, _, first = await api("journal", params={"path": "nb"})
    etag = first.headers["Etag"]
    assert code == 200 and etag.startswith('"')
    code, data, again = await api("journal", params={"path": "nb"}, headers={"If-None-Match": etag})
    assert code == 304 and again.body == b"" and again.headers["Etag"] == etag
    code, _, again = await api("journal", params={"path": "nb"}, headers={"If-None-Match": '"stale", W/' + etag})
    assert code == 304
    code, _, again = await api("journal", params={"path": "nb"})  # no ETag: the same answer again
    assert code == 200 and again.body == first.body and again.headers["Etag"] == etag

    assert (await api("hypothesis", {"path": "nb", **RANK64}))[0] == 201
    code, data, changed = await api("journal", params={"path": "nb"}, headers={"If-None-Match": etag})
    assert code == 200 and len(data["entries"]) == 1 and changed.headers["Etag"] != etag
    etag = changed.headers["Etag"]

    assert (await api("lesson", {"path": "nb", "text": "rank matters less than alpha/r"}))[0] == 201
    code, data, changed = await api("journal", params={"path": "nb"}, headers={"If-None-Match": etag})
    assert code == 200 and data["lessons"][0]["text"] == "rank matters less than alpha/r"
    etag = changed.headers["Etag"]

    with open(root / "experiments" / "journal.md", "a", encoding="utf-8") as fh:  # a hand edit
        fh.write("a note by hand\n")
    code, _, changed = await api("journal", params={"path": "nb"}, headers={"If-None-Match": etag})
    assert code == 200 and changed.headers["Etag"] != etag
    code, _, _ = await api("journal", params={"path": "nb"}, headers={"If-None-Match": changed.headers["Etag"]})
    assert code == 304


# -- hypothesis and check ------------------------------------------------------------

async def test_hypothesis_is_written_in_the_seed_format(api, root):
    code, data, _ = await api("hypothesis", {"path": "nb/deep", **RANK64})
    assert code == 201
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    assert re.fullmatch(
        "# Experiment journal\n\n"
        f"### {STAMP} — QLoRA rank 64\n"  # a blank line between fields: how it renders (issue 12)
        "\\*\\*Status\\*\\*: PLANNED\n\n"
        "\\*\\*Hypothesis\\*\\*: Higher rank captures more task-specific features.\n\n"
        "\\*\\*Change\\*\\*: lora_r 32 → 64\n\n"
        "\\*\\*Config\\*\\*:\n"
        "- lora_r: 32 → 64\n"
        "- lora_alpha: 64 \\(unchanged\\)\n"
        "- dropout: 0.05 \\(unchanged\\)\n"
        "- warmup: \\(none\\) → 100\n\n"
        "\\*\\*Expected outcome\\*\\*: eval_acc \\+0.02\n\n"
        "\\*\\*Baseline\\*\\*: eval_acc = 0.78\n\n"
        "\\*\\*Provenance\\*\\*: .*Python .*\n",
        text,
    ), text
    entry = data["entry"]
    assert entry["status"] == "PLANNED" and entry["name"] == "QLoRA rank 64"
    assert entry["changed_keys"] == ["lora_r", "warmup"]
    # two changed keys: the one-variable gate warns (and does not refuse outside strict mode)
    assert any("2 variables change at once" in w["text"] for w in data["warnings"])


async def test_open_entry_refuses_the_next_hypothesis_until_parallel(api, root):
    assert (await api("hypothesis", {"path": "", **RANK64}))[0] == 201
    before = tree(root)
    second = {**RANK64, "name": "rank 128", "change": "lora_r 32 → 128", "config": []}
    code, data, _ = await api("hypothesis", {"path": "", **second})
    assert code == 409
    assert "'QLoRA rank 64'" in data["error"] and "still PLANNED" in data["error"]
    assert len(data["refusals"]) == 1 and "'QLoRA rank 64'" in data["refusals"][0]["text"]
    assert tree(root) == before

    code, data, _ = await api("hypothesis", {"path": "", **second, "parallel": True})
    assert code == 201 and data["entry"]["name"] == "rank 128"
    code, data, _ = await api("journal", params={"path": ""})
    assert [e["name"] for e in data["open"]] == ["QLoRA rank 64", "rank 128"]


async def test_strict_mode_refuses_a_missing_baseline_unless_forced(api, root):
    draft = {"path": "", "name": "no baseline", "hypothesis": "h", "change": "lr 1 → 2"}
    code, data, _ = await api("hypothesis", {**draft, "strict": True})
    assert code == 409 and "no baseline recorded" in data["refusals"][0]["text"]
    assert not (root / "experiments" / "journal.md").exists()
    code, data, _ = await api("hypothesis", {**draft, "strict": True, "force": True})
    assert code == 201 and any("no baseline" in w["text"] for w in data["warnings"])
    code, data, _ = await api("hypothesis", {**draft, "name": "next", "strict": True})
    assert code == 409 and len(data["refusals"]) == 2 and data["error"] == "; ".join(r["message"] for r in data["refusals"])
    assert "'no baseline' (" in data["refusals"][0]["text"] and "no baseline recorded" in data["refusals"][1]["text"]


async def test_check_reports_gates_without_writing(api, root):
    (root / "experiments").mkdir()
    (root / "experiments" / "lessons.md").write_text(
        "## Rules (hard-won)\n- NEVER raise lora_r above 64 because memory runs out. Learned: 2026-03-15\n", encoding="utf-8"
    )
    (root / "experiments" / "journal.md").write_text(
        "### 2026-01-02 10:00 — tried before\n**Status**: COMPLETED\n**Hypothesis**: h\n"
        "**Change**: lora_r 32 → 64\n**Actual outcome**: eval_acc = 0.80\n\n"
        "### 2026-01-03 10:00 — still open\n**Status**: PLANNED\n**Hypothesis**: h\n",
        encoding="utf-8",
    )
    before = tree(root)
    draft = {"name": "again", "hypothesis": "h", "change": "lora_r 32 → 64"}
    code, data, _ = await api("check", {"path": "nb", "draft": draft})
    assert code == 200
    assert len(data["refusals"]) == 1 and "'still open'" in data["refusals"][0]["text"]
    assert any("no baseline" in w["text"] for w in data["warnings"])
    assert any("already tried in 'tried before'" in w["text"] for w in data["warnings"])
    assert [e["name"] for e in data["repeats"]] == ["tried before"] and data["repeats"][0]["status"] == "COMPLETED"
    assert [r["kind"] for r in data["rules"]] == ["NEVER"] and "lora_r" in data["rules"][0]["action"]

    code, data, _ = await api("check", {"path": "nb", "draft": draft, "parallel": True, "strict": True})
    assert code == 200 and len(data["refusals"]) == 1 and "strict mode" in data["refusals"][0]["text"]
    assert tree(root) == before


# -- result and abandon --------------------------------------------------------------

async def test_a_result_naming_no_open_entry_is_refused_and_writes_nothing(api, root):
    """An entry named by a heading, a name or an id that is not open is an error (it used to fall back to
    the only open entry: a result that says where it goes never lands elsewhere)."""
    code, data, _ = await api("hypothesis", {"path": "nb", **RANK64})
    before = tree(root)
    for key in ("heading", "name", "entry"):
        code, answer, _ = await api("result", {"path": "nb", key: "2026-01-01 00:00 — elsewhere", "outcome": "x"})
        assert code == 400 and "no open experiment named '2026-01-01 00:00 — elsewhere'" in answer["error"], answer
    assert tree(root) == before
    code, answer, _ = await api("result", {"path": "nb", "entry": data["entry"]["ref"], "outcome": "eval_acc = 0.8"})
    assert code == 200 and answer["entry"]["status"] == "COMPLETED" and answer["entry"]["id"] == data["entry"]["id"]


async def test_result_saves_a_png_and_links_it(api, jp_fetch, root):
    assert (await api("hypothesis", {"path": "nb", **RANK64}))[0] == 201
    image = png()
    body = {
        "path": "nb",
        "output": "epoch 3\neval_acc = 0.81\n",
        "images": [{"mime": "image/png", "data": base64.b64encode(image).decode()}],
        "metrics": {"eval_acc": 0.81},
        "learning": "rank helps a little",
        "next": "try alpha 128",
        "source": "cell [3]",
    }
    code, data, _ = await api("result", body)
    assert code == 200, data
    (asset,) = data["assets"]
    assert re.fullmatch(r"assets/\d{12}-qlora-rank-64-1\.png", asset)
    assert (root / "experiments" / asset).read_bytes() == image
    entry = data["entry"]
    assert entry["status"] == "COMPLETED" and entry["images"] == [asset]
    assert entry["learning"] == "rank helps a little" and entry["next"] == "try alpha 128"
    assert entry["delta"] == "eval_acc +0.03 vs expected +0.02: better than expected"

    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    assert "**Status**: COMPLETED\n" in text and "PLANNED" not in text
    outcome = "eval_acc = 0.81\n\nOutput of cell [3]:\n```text\nepoch 3\neval_acc = 0.81\n```\n"
    assert f"**Actual outcome**: {outcome}\n![cell 3 figure 1]({asset})\n" in text
    assert "**Learning**: rank helps a little\n\n**Next**: try alpha 128\n" in text

    # the front end shows it through /files/<directory_relative>/<image>
    journal = (await api("journal", params={"path": "nb"}))[1]
    shown = await jp_fetch("files", journal["directory_relative"], *asset.split("/"))
    assert shown.body == image


async def test_result_takes_svg_text_and_jpeg(api, root):
    assert (await api("hypothesis", {"path": "", **RANK64}))[0] == 201
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 32
    images = [
        {"mime": "image/svg+xml", "data": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
        {"mime": "image/jpeg", "data": base64.encodebytes(jpeg).decode()},  # with line breaks, as notebooks store it
    ]
    code, data, _ = await api("result", {"path": "", "outcome": "plots", "images": images})
    assert code == 200 and [a.rsplit(".", 1)[1] for a in data["assets"]] == ["svg", "jpg"]
    assert (root / "experiments" / data["assets"][1]).read_bytes() == jpeg


@pytest.mark.parametrize(
    "images, message",
    [
        ([{"mime": "image/png", "data": "not base64!"}], "'images[0].data' is not valid base64"),
        ([{"mime": "image/png", "data": base64.b64encode(b"GIF89a....").decode()}], "does not decode to a PNG"),
        ([{"mime": "image/gif", "data": "R0lGODlh"}], "'images[0].mime' is 'image/gif'"),
        ([{"mime": "image/svg+xml", "data": "<script>x</script>"}], "is not SVG text"),
        ([{"mime": "image/png"}], "'images[0].data' is missing"),
        ({"mime": "image/png"}, "'images' must be a list"),
    ],
)
async def test_result_refuses_bad_images_and_writes_nothing(api, root, images, message):
    assert (await api("hypothesis", {"path": "", **RANK64}))[0] == 201
    before = tree(root)
    code, data, _ = await api("result", {"path": "", "outcome": "x", "images": images})
    assert code == 400 and message in data["error"]
    assert tree(root) == before


async def test_result_body_over_the_cap_is_413(api, root):
    assert (await api("hypothesis", {"path": "", **RANK64}))[0] == 201
    before = tree(root)
    big = base64.b64encode(png() + b"\0" * (schema.MAX_BODY * 3 // 4)).decode()
    code, data, _ = await api("result", {"path": "", "images": [{"mime": "image/png", "data": big}]})
    assert code == 413 and "limit" in data["error"]
    assert tree(root) == before


async def test_result_needs_an_open_entry_and_picks_by_name(api, root):
    code, data, _ = await api("result", {"path": "", "outcome": "x"})
    assert code == 400 and "no open experiment" in data["error"]
    await api("hypothesis", {"path": "", **RANK64})
    await api("hypothesis", {"path": "", **RANK64, "name": "other", "parallel": True})
    code, data, _ = await api("result", {"path": "", "outcome": "x"})
    assert code == 409 and "2 experiments are open" in data["error"]
    assert [r["message"] for r in data["refusals"]] == [data["error"]]
    code, data, _ = await api("result", {"path": "", "name": "nope", "outcome": "x"})
    assert code == 400 and "no open experiment named 'nope'" in data["error"]
    code, data, _ = await api("result", {"path": "", "name": "other", "outcome": "done"})
    assert code == 200 and data["entry"]["name"] == "other" and data["assets"] == []
    code, data, _ = await api("result", {"path": "", "path_typo": 1})
    assert code == 400 and "unknown field 'path_typo'" in data["error"]
    code, data, _ = await api("result", {"path": ""})
    assert code == 400 and "a result needs at least one of" in data["error"]


async def test_abandon_closes_the_entry_by_heading(api, root):
    await api("hypothesis", {"path": "", **RANK64})
    heading = (await api("hypothesis", {"path": "", **RANK64, "name": "second", "parallel": True}))[1]["entry"]["heading"]
    code, data, _ = await api("abandon", {"path": "", "heading": heading, "reason": "OOM at batch 64"})
    assert code == 200 and data["entry"]["status"] == "ABANDONED" and data["entry"]["name"] == "second"
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    assert text.endswith("— second\n**Status**: ABANDONED\n" + text.split("— second\n**Status**: ABANDONED\n")[1])
    assert "**Actual outcome**: Abandoned: OOM at batch 64\n" in text
    assert text.count("**Status**: PLANNED") == 1

    before = tree(root)
    code, data, _ = await api("abandon", {"path": ""})
    assert code == 400 and data["error"] == "'reason' is missing"
    code, data, _ = await api("abandon", {"path": "", "reason": "   "})
    assert code == 400 and data["error"] == "'reason' is empty"
    assert tree(root) == before


# -- lessons and rules ---------------------------------------------------------------

async def test_lesson_and_rule_are_added_in_the_seed_format(api, root):
    days = {today()}
    lesson = {"text": "alpha/r matters more than rank.", "context": "QLoRA", "source": "runs 3-5"}
    code, data, _ = await api("lesson", {"path": "nb", **lesson})
    days.add(today())
    assert code == 201 and undated(data["line"], days) == f"- {TODAY} QLoRA: alpha/r matters more than rank. Source: runs 3-5"
    rule = {"rule": "NEVER", "action": "train in fp16 without loss scaling", "reason": "the loss goes NaN"}
    code, data, _ = await api("lesson", {"path": "nb", **rule})
    days.add(today())
    assert code == 201
    assert undated(data["line"], days) == (
        f"- NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: {TODAY}")
    code, data, _ = await api("lesson", {"path": "nb", "rule": "always", "action": "pin the eval seed"})
    days.add(today())
    assert code == 201 and undated(data["line"], days) == f"- ALWAYS pin the eval seed. Learned: {TODAY}"
    assert undated((root / "experiments" / "lessons.md").read_text(encoding="utf-8"), days) == (
        "## Lessons\n"
        f"- {TODAY} QLoRA: alpha/r matters more than rank. Source: runs 3-5\n"
        "\n"
        "## Rules (hard-won)\n"
        f"- NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: {TODAY}\n"
        f"- ALWAYS pin the eval seed. Learned: {TODAY}\n"
    )
    journal = (await api("journal", params={"path": "nb"}))[1]
    assert [r["kind"] for r in journal["rules"]] == ["NEVER", "ALWAYS"] and journal["lessons"][0]["context"] == "QLoRA"

    before = tree(root)
    for body, message in [
        ({"rule": "SOMETIMES", "action": "x"}, "NEVER or ALWAYS"),
        ({"rule": "NEVER"}, "'action' is missing"),
        ({"text": "x", "rule": "NEVER", "action": "y"}, "'text' belongs to a lesson"),
        ({"text": "x", "action": "y"}, "'action' belongs to a rule"),
        ({}, "'text' is missing"),
        ({"text": ["a list"]}, "'text' must be a string, not a list"),
    ]:
        code, data, _ = await api("lesson", {"path": "nb", **body})
        assert code == 400 and message in data["error"], (body, data)
    assert tree(root) == before


# -- bad requests --------------------------------------------------------------------

OK = {"path": "", "name": "x", "hypothesis": "h"}  # a valid hypothesis, spoiled by one field below


@pytest.mark.parametrize(
    "route, raw, message",
    [
        ("hypothesis", "{not json", "not valid JSON"),
        ("hypothesis", "", "not valid JSON"),
        ("hypothesis", b"\xff\xfe", "not valid JSON"),
        ("hypothesis", "[1, 2]", "must be a JSON object, not a list"),
        ("hypothesis", json.dumps({"name": "x", "hypothesis": "h"}), "'path' is missing"),
        ("hypothesis", json.dumps({"path": 3, "name": "x", "hypothesis": "h"}), "'path' must be a string, not a number"),
        ("hypothesis", json.dumps({"path": "", "hypothesis": "h"}), "'name' is missing"),
        ("hypothesis", json.dumps({"path": "", "name": 42, "hypothesis": "h"}), "'name' must be a string, not a number"),
        ("hypothesis", json.dumps({"path": "", "name": "a\nb", "hypothesis": "h"}), "'name' must be one line"),
        ("hypothesis", json.dumps({"path": "", "name": "x"}), "'hypothesis' is missing"),
        ("hypothesis", json.dumps({"path": "", "name": "x", "hypothesis": " "}), "has no hypothesis"),
        ("hypothesis", json.dumps({**OK, "parallel": "yes"}), "'parallel' must be true or false"),
        ("hypothesis", json.dumps({**OK, "config": {"a": 1}}), "'config' must be a list"),
        ("hypothesis", json.dumps({**OK, "config": [{"old": 1}]}), "'config[0].key' is missing"),
        ("hypothesis", json.dumps({**OK, "config": [{"key": "a"}]}), "'config[0]' needs 'old' or 'new'"),
        ("hypothesis", json.dumps({**OK, "config": [{"key": "a: b", "old": 1, "new": 2}]}),
         "'config[0]' (a: b) cannot be written"),
        ("hypothesis", json.dumps({**OK, "config": [{"key": "a", "old": "1 → 2", "new": 3}]}),
         "'config[0]' (a) cannot be written"),
        ("hypothesis", json.dumps({**OK, "config": [{"key": "a", "old": [1], "new": 2}]}),
         "'config[0].old' must be a string, a number or null"),
        ("hypothesis", json.dumps({**OK, "baselin": "typo"}), "unknown field 'baselin'"),
        ("check", json.dumps({"path": ""}), "'draft' is missing"),
        ("check", json.dumps({"path": "", "draft": "x"}), "'draft' must be an object, not a string"),
        ("check", json.dumps({"path": "", "draft": {"hypothesis": "h"}}), "'draft.name' is missing"),
        ("check", json.dumps({"path": "", "draft": {"name": "x", "extra": 1}}), "unknown field 'draft.extra'"),
        ("result", json.dumps({"path": "", "outcome": "x", "metrics": {"acc": "high"}}), "'metrics.acc' must be a finite number"),
        ("result", json.dumps({"path": "", "outcome": "x", "metrics": [1]}), "'metrics' must be an object"),
        ("result", json.dumps({"path": "", "outcome": "x", "source": "cell\n[3]"}), "'source' must be one line"),
    ],
)
async def test_bad_requests_are_400_naming_the_field_and_write_nothing(api, root, route, raw, message):
    before = tree(root)
    code, data, _ = await api(route, raw=raw)
    assert code == 400 and message in data["error"], data
    assert set(data) == {"error"}
    assert tree(root) == before


async def test_an_unreadable_journal_is_500_with_the_reason(api, root):
    (root / "experiments").mkdir()
    (root / "experiments" / "journal.md").write_bytes(b"### 2026-01-01 10:00 \xff broken\n")
    before = tree(root)
    code, data, _ = await api("journal", params={"path": ""})
    assert code == 500 and "is not UTF-8 text (bad byte at offset 21)" in data["error"]
    code, data, _ = await api("hypothesis", {**OK, "parallel": True})
    assert code == 500 and "not UTF-8" in data["error"]
    assert tree(root) == before


async def test_get_needs_a_path(api, root):
    code, data, _ = await api("journal")
    assert code == 400 and "'path' is missing" in data["error"]
    code, data, _ = await api("journal", params={"path": "no/such/folder"})
    assert code == 404 and "is not a folder" in data["error"]


# -- confinement to the server root --------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """A folder next to the server root, with a journal the API must never touch."""
    folder = tmp_path / "outside"
    (folder / "experiments").mkdir(parents=True)
    (folder / "experiments" / "journal.md").write_text("### 2026-01-01 10:00 — secret\n**Status**: PLANNED\n", encoding="utf-8")
    return folder


async def _refused_everywhere(api, tmp_path, path, status, message):
    """GET and every POST with ``path`` are refused with ``status``; nothing changes under tmp_path."""
    before = tree(tmp_path)
    code, data, _ = await api("journal", params={"path": path})
    assert code == status and message in data["error"], data
    for route, body in BODIES.items():
        code, data, _ = await api(route, {"path": path, **body})
        assert code == status and message in data["error"], (route, data)
    assert tree(tmp_path) == before


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("..", 403, "must not contain '..'"),
        ("../outside", 403, "must not contain '..'"),
        ("nb/../../outside", 403, "must not contain '..'"),
        ("nb\\..\\..\\outside", 403, "must not contain '..'"),
        ("/etc", 403, "must be relative"),
        ("//etc", 403, "must be relative"),
        ("nb\x00", 400, "NUL byte"),
    ],
)
async def test_traversal_is_refused(api, root, tmp_path, outside, path, status, message):
    await _refused_everywhere(api, tmp_path, path, status, message)


async def test_absolute_path_to_the_root_itself_is_refused(api, root, tmp_path):
    await _refused_everywhere(api, tmp_path, str(root), 403, "must be relative")


async def test_symlink_out_of_the_root_is_refused(api, root, tmp_path, outside):
    (root / "link").symlink_to(outside)
    await _refused_everywhere(api, tmp_path, "link", 403, "'link' leads outside the server root")


async def test_experiments_symlinked_out_of_the_root_is_refused(api, root, tmp_path, outside):
    (root / "experiments").symlink_to(outside / "experiments")
    await _refused_everywhere(api, tmp_path, "nb", 403, "outside the server root")


async def test_journal_file_symlinked_out_of_the_root_is_refused(api, root, tmp_path, outside):
    (root / "experiments").mkdir()
    (root / "experiments" / "journal.md").symlink_to(outside / "experiments" / "journal.md")
    await _refused_everywhere(api, tmp_path, "", 403, "'experiments/journal.md' links outside the server root")


async def test_journal_above_the_root_is_refused(api, jp_root_dir, tmp_path):
    # no git root inside: the search walks up and finds tmp_path/experiments
    (tmp_path / "experiments").mkdir()
    (jp_root_dir / "nb").mkdir()
    await _refused_everywhere(api, tmp_path, "nb", 403, "outside the server root")


async def test_env_journal_outside_the_root_is_refused(api, root, tmp_path, outside, monkeypatch):
    monkeypatch.setenv("EXPJOURNAL_DIR", str(outside / "experiments"))
    await _refused_everywhere(api, tmp_path, "", 403, "point $EXPJOURNAL_DIR inside the root")


async def test_env_journal_inside_the_root_is_used(api, root, monkeypatch):
    monkeypatch.setenv("EXPJOURNAL_DIR", str(root / "shared" / "exp"))
    code, data, _ = await api("hypothesis", {"path": "nb", **RANK64})
    assert code == 201 and (root / "shared" / "exp" / "journal.md").is_file()
    assert (await api("journal", params={"path": ""}))[1]["directory_relative"] == "shared/exp"


# -- data, not markup ----------------------------------------------------------------

async def test_html_is_stored_and_returned_verbatim(api, root):
    name = '<img src=x onerror="alert(1)">'
    hypothesis = "<script>alert('x')</script> & <b>bold</b>"
    code, data, _ = await api("hypothesis", {"path": "", "name": name, "hypothesis": hypothesis, "baseline": "<i>0.5</i>"})
    assert code == 201 and data["entry"]["name"] == name and data["entry"]["hypothesis"] == hypothesis
    code, data, _ = await api("result", {"path": "", "outcome": "<svg onload=alert(2)>", "learning": "</textarea><script>"})
    assert code == 200
    text = (root / "experiments" / "journal.md").read_text(encoding="utf-8")
    assert f"— {name}\n" in text and f"**Hypothesis**: {hypothesis}\n" in text and "**Learning**: </textarea><script>\n" in text
    code, data, response = await api("journal", params={"path": ""})
    (entry,) = data["entries"]
    assert (entry["name"], entry["hypothesis"], entry["actual"], entry["learning"]) == (
        name, hypothesis, "<svg onload=alert(2)>", "</textarea><script>"
    )
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- authentication ------------------------------------------------------------------

def _expjournal_routes(web_app):
    """(pattern, handler class) of every /expjournal/ route, found by walking the app's routers."""
    found = []

    def walk(router):
        for rule in getattr(router, "rules", []):
            target = rule.target
            if isinstance(target, type) and issubclass(target, tornado.web.RequestHandler):
                pattern = getattr(rule.matcher, "regex", None)
                if pattern is not None and "/expjournal/" in pattern.pattern:
                    found.append((pattern.pattern.rstrip("$"), target))
            else:
                walk(target)

    walk(web_app.default_router)
    walk(web_app.wildcard_router)
    return found


async def test_every_route_and_verb_requires_authentication(jp_serverapp, http_server_client, jp_base_url, root, tmp_path):
    routes = _expjournal_routes(jp_serverapp.web_app)
    assert sorted(p.rsplit("/", 1)[1] for p, _ in routes) == sorted(ROUTES)
    marker = tornado.web.authenticated(lambda self: None).__code__
    before = tree(tmp_path)
    for pattern, handler in routes:
        assert pattern.startswith(jp_base_url + "expjournal/api/")
        route = pattern.rsplit("/", 1)[1]
        verbs = [m.lower() for m in handler.SUPPORTED_METHODS if m.lower() in vars(handler)]
        assert verbs == ROUTES[route], (route, verbs)
        for verb in verbs:
            # inspected: the verb is tornado's authenticated wrapper ...
            assert getattr(handler, verb).__code__ is marker, (route, verb)
            # ... and for real: no token, a valid XSRF pair (so XSRF is not what refuses), 403
            xsrf = "0123456789abcdef"
            response = await http_server_client.fetch(
                f"{pattern}?path=",
                method=verb.upper(),
                body=json.dumps({"path": "", **BODIES[route]}) if verb == "post" else None,
                headers={"Cookie": f"_xsrf={xsrf}", "X-XSRFToken": xsrf},
                raise_error=False,
            )
            assert response.code == 403, (route, verb, response.body)
            assert json.loads(response.body) == {"error": "Forbidden"}, (route, verb, response.body)
    assert tree(tmp_path) == before
