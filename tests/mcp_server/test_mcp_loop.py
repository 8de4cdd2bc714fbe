"""The whole loop through an MCP client on a fresh folder: plan, result, review, lesson, rule, check.

One server process for the module (the ``agent`` fixture, conftest.py); the
tests run in order and build on the journal the ones before wrote.
"""

from __future__ import annotations

import re

import pytest
from testkit import png, tree

from jupyter_expjournal.core.journal import Journal

#: The contract (DESIGN.md, issue 14): tool -> (required arguments, optional arguments).
CONTRACT = {
    "plan_experiment": ({"name", "hypothesis", "expected"}, {"change", "config", "baseline", "parallel", "force", "sweep"}),
    "log_result": ({"outcome"}, {"learning", "next", "name", "delta", "images", "table"}),
    "abandon_experiment": ({"reason"}, {"name"}),
    "add_lesson": ({"text"}, {"context", "source"}),
    "add_rule": ({"kind", "text", "reason"}, set()),
    "review": (set(), {"n"}),
    "list_entries": (set(), {"status", "text"}),
    "show_entry": ({"name"}, set()),
    "check_journal": (set(), set()),
}

RANK = {
    "name": "QLoRA rank 64",
    "hypothesis": "Higher rank captures more task-specific features.",
    "change": "lora_r 32 → 64",
    "config": {"lora_r": "32 → 64", "lora_alpha": "64"},
    "expected": "eval_acc +0.02",
    "baseline": "eval_acc = 0.78",
}


def journal_text(agent) -> str:
    return (agent.folder / "journal.md").read_text(encoding="utf-8")


def entry_id(said: str) -> str:
    return re.search(r"id ([0-9a-f]{8})\)", said).group(1)


def test_the_tools_and_their_arguments_are_the_contract(agent):
    listed = agent.request(agent.session.list_tools).tools
    assert {t.name: (set(t.input_schema["required"]), set(t.input_schema["properties"]) - set(t.input_schema["required"]))
            for t in listed} == CONTRACT
    for tool in listed:
        assert tool.description and tool.input_schema["additionalProperties"] is False
    kinds = {t.name: t.input_schema["properties"] for t in listed}
    assert kinds["plan_experiment"]["parallel"]["type"] == "boolean"
    assert kinds["plan_experiment"]["config"]["additionalProperties"] == {"type": "string"}
    assert kinds["add_rule"]["kind"]["enum"] == ["NEVER", "ALWAYS"]
    assert kinds["log_result"]["images"]["items"] == {"type": "string"}
    reading = {t.name for t in listed if t.annotations.read_only_hint}
    assert reading == {"review", "list_entries", "show_entry", "check_journal"}
    assert "plan_experiment" in agent.initialized.instructions


def test_a_review_of_nothing_says_where_to_start(agent):
    said = agent.ok("review")
    assert "No entries yet: call plan_experiment first." in said
    assert not agent.folder.exists()  # reading writes nothing
    assert agent.ok("list_entries") == "no entries yet: call plan_experiment to log the first"


def test_plan_writes_a_planned_entry_before_anything_runs(agent):
    said = agent.ok("plan_experiment", RANK)
    assert re.search(r"logged PLANNED 'QLoRA rank 64' \(\d{4}-\d\d-\d\d \d\d:\d\d, id [0-9a-f]{8}\) in .*journal.md", said)
    assert "call log_result" in said.splitlines()[-1]
    (entry,) = Journal(agent.folder).entries()
    assert (entry.status, entry.hypothesis, entry.change, entry.expected, entry.baseline) == (
        "PLANNED", RANK["hypothesis"], "lora_r 32 → 64", "eval_acc +0.02", "eval_acc = 0.78")
    assert [(c.key, c.old, c.new) for c in entry.config] == [("lora_r", "32", "64"), ("lora_alpha", "64", "64")]
    assert entry.id == entry_id(said)
    assert "- lora_alpha: 64 (unchanged)" in journal_text(agent)


def test_the_result_completes_it_with_a_delta_computed_from_the_outcome(agent):
    said = agent.ok("log_result", {"outcome": "eval_acc = 0.81", "learning": "Rank helps on this task.",
                                   "next": "try rank 128"})
    assert said.splitlines()[0] == "'QLoRA rank 64' COMPLETED: Delta: eval_acc +0.03 vs expected +0.02: better than expected"
    (entry,) = Journal(agent.folder).entries()
    assert (entry.status, entry.actual, entry.learning, entry.next) == (
        "COMPLETED", "eval_acc = 0.81", "Rank helps on this task.", "try rank 128")
    assert entry.delta == "eval_acc +0.03 vs expected +0.02: better than expected"
    assert re.fullmatch(r"\d+(\.\d)? s wall from hypothesis to result", entry.duration)


def test_warnings_come_back_in_the_result(agent):
    """No baseline, already tried, the rules that apply, several variables: the agent reads them before it runs."""
    agent.ok("add_rule", {"kind": "NEVER", "text": "raise lora_r without raising lora_alpha", "reason": "the update shrinks"})
    lines = agent.ok("plan_experiment", {**RANK, "name": "rank 64 again", "baseline": ""}).splitlines()
    assert lines[:2] == ["Recent:", "  [COMPLETED] QLoRA rank 64: eval_acc +0.03 vs expected +0.02: better than expected"]
    assert "! no baseline recorded: write down the current best metric (accuracy = 0.95), memory is unreliable" in lines
    assert any(line.startswith("! this change was already tried in 'QLoRA rank 64'") and "eval_acc = 0.81" in line
               for line in lines)
    assert "rule: NEVER raise lora_r without raising lora_alpha because the update shrinks" in lines
    assert agent.ok("abandon_experiment", {"reason": "tried already"}).startswith("'rank 64 again' ABANDONED")
    lines = agent.ok("plan_experiment", {**RANK, "name": "rank and alpha",
                                         "config": {"lora_r": "32 → 64", "lora_alpha": "64 → 128"}}).splitlines()
    assert ("! 2 variables change at once (lora_r, lora_alpha): one variable per experiment, or the result cannot be"
            " attributed") in lines
    agent.ok("abandon_experiment", {"reason": "two variables at once"})
    assert [e.status for e in Journal(agent.folder).entries()] == ["COMPLETED", "ABANDONED", "ABANDONED"]


def test_lessons_come_due_after_a_few_experiments(agent, project):
    """The reminder comes with the result that makes it due, in this face's words."""
    (agent.folder / "lessons.md").unlink()  # the rule above was written a moment ago: count from no lessons at all
    for i in range(3):
        agent.ok("plan_experiment", {"name": f"seed {i}", "hypothesis": "the seed changes little",
                                     "change": f"seed {i} → {i + 1}", "expected": "eval_acc ±0.01",
                                     "baseline": "eval_acc = 0.81"})
        said = agent.ok("log_result", {"outcome": f"eval_acc = 0.8{i}"})
    due = ("! 4 experiments completed since the last lesson: distill what they taught:"
           " call add_lesson (or add_rule for a NEVER/ALWAYS rule)")
    assert said.splitlines()[-1] == due
    assert due in agent.ok("plan_experiment", {"name": "seed 3", "hypothesis": "h", "expected": "e", "baseline": "b"})
    agent.ok("abandon_experiment", {"reason": "the lessons first"})


def test_lessons_and_rules(agent):
    assert agent.ok("add_lesson", {"text": "alpha/r ratio matters more than absolute rank.", "context": "QLoRA",
                                   "source": "runs 1-4"}).endswith(
        "lessons.md: - " + re.search(r"\d{4}-\d\d-\d\d", agent.ok("review")).group(0)
        + " QLoRA: alpha/r ratio matters more than absolute rank. Source: runs 1-4")
    agent.ok("add_rule", {"kind": "ALWAYS", "text": "pin the eval seed", "reason": "comparing runs"})
    agent.ok("add_rule", {"kind": "never", "text": "train in fp16 without loss scaling", "reason": "the loss goes NaN"})
    lessons = Journal(agent.folder).lessons()
    assert [lesson.text for lesson in lessons.lessons] == ["QLoRA: alpha/r ratio matters more than absolute rank."]
    assert [r.text for r in lessons.rules] == [
        "ALWAYS pin the eval seed when comparing runs", "NEVER train in fp16 without loss scaling because the loss goes NaN"]


def test_review_list_show_and_check(agent):
    review = agent.ok("review", {"n": 2})
    assert "Last 2 entries:" in review and "seed 2" in review and "Lessons (1) and rules (2):" in review
    assert "Analysis of" in review
    listed = agent.ok("list_entries").splitlines()
    assert len(listed) == 7 and re.match(r"[0-9a-f]{8}  \d{4}-\d\d-\d\d \d\d:\d\d  COMPLETED  QLoRA rank 64  — eval_acc",
                                         listed[0])
    assert [line.split("  ")[3] for line in agent.ok("list_entries", {"status": "abandoned"}).splitlines()] == [
        "rank 64 again", "rank and alpha", "seed 3"]
    assert [line.split("  ")[3] for line in agent.ok("list_entries", {"text": "eval_acc = 0.82"}).splitlines()] == [
        "seed 2"]  # its outcome: the core's search text
    assert len(agent.ok("list_entries", {"text": "TASK-SPECIFIC features"}).splitlines()) == 3  # hypotheses, case ignored
    assert agent.ok("list_entries", {"status": "planned"}) == "no entries match"
    first = listed[0].split()[0]
    text, entries = Journal(agent.folder).parsed()
    assert agent.ok("show_entry", {"name": first}) == text[entries[0].span[0] : entries[0].span[1]].rstrip()
    assert agent.ok("show_entry", {"name": "seed 1"}).startswith("### ")
    checked = agent.ok("check_journal").splitlines()
    assert checked[-1] == "7 entries checked: 4 problems"
    assert "rank and alpha' 2 variables change at once" in checked[0]
    assert [line.split(" — ")[1] for line in checked[1:4]] == [f"seed {i}' is COMPLETED without a learning" for i in range(3)]


def test_the_files_are_resources_and_the_loop_a_prompt(agent):
    resources = agent.request(agent.session.list_resources).resources
    assert [(str(r.uri), r.mime_type) for r in resources] == [
        ("expjournal://journal.md", "text/markdown"), ("expjournal://lessons.md", "text/markdown")]
    for resource, name in zip(resources, ("journal.md", "lessons.md")):
        (content,) = agent.request(agent.session.read_resource, resource.uri).contents
        assert content.text == (agent.folder / name).read_text(encoding="utf-8")
    (prompt,) = agent.request(agent.session.list_prompts).prompts
    assert prompt.name == "experiment_loop"
    got = agent.request(agent.session.get_prompt, "experiment_loop", {"goal": "beat eval_acc 0.81"})
    text = got.messages[0].content.text
    assert "No new experiment without logging the hypothesis first" in text and text.endswith("beat eval_acc 0.81")
    for tool in CONTRACT:
        assert tool in text or tool in ("show_entry", "list_entries")


def test_images_inside_the_project_are_copied_into_assets(agent, project):
    (project / "plots").mkdir()
    (project / "plots" / "curve.png").write_bytes(png())
    agent.ok("plan_experiment", {"name": "warmup 500", "hypothesis": "warmup steadies the start", "change": "warmup 0 → 500",
                                 "expected": "loss -0.1", "baseline": "loss = 1.2"})
    said = agent.ok("log_result", {"outcome": "loss = 1.05", "images": ["plots/curve.png", str(project / "plots/curve.png")]})
    saved = sorted((agent.folder / "assets").iterdir())
    assert len(saved) == 2 and all(p.read_bytes() == png() for p in saved)
    assert [f"saved {p}" for p in saved] == [line for line in said.splitlines() if line.startswith("saved")]
    entry = Journal(agent.folder).entries()[-1]
    assert entry.images == [f"assets/{p.name}" for p in saved]
    assert entry.delta.startswith("loss -0.15")


@pytest.mark.parametrize("where", ["outside", "escape", "link"])
def test_images_outside_the_project_are_refused(agent, project, where, tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(png())
    if where == "link":
        (project / "plots" / "link.png").symlink_to(outside)
    path = {"outside": str(outside), "escape": f"../{tmp_path.name}/secret.png", "link": "plots/link.png"}[where]
    if where == "escape":
        (project.parent / tmp_path.name).mkdir(exist_ok=True)
        (project.parent / tmp_path.name / "secret.png").write_bytes(png())
    agent.ok("plan_experiment", {"name": f"image {where}", "hypothesis": "h", "expected": "e", "baseline": "b",
                                 "parallel": True})
    before = tree(agent.folder)
    said = agent.refused("log_result", {"outcome": "done", "images": [path]})
    assert said.startswith(f"log_result: image {path!r} is outside the project") and "\n" not in said
    assert tree(agent.folder) == before
    agent.ok("abandon_experiment", {"reason": "test"})


@pytest.mark.parametrize("name, data, says", [
    ("notes.txt", b"text", "only .jpeg, .jpg, .png, .svg files can be attached"),
    ("fake.png", b"not a png", "is not a PNG image"),
    ("missing.png", None, "No such file or directory"),
])
def test_an_image_that_is_not_one_is_refused(agent, project, name, data, says):
    if data is not None:
        (project / name).write_bytes(data)
    agent.ok("plan_experiment", {"name": f"bad image {name}", "hypothesis": "h", "expected": "e", "baseline": "b",
                                 "parallel": True})
    before = tree(agent.folder)
    said = agent.refused("log_result", {"outcome": "done", "images": [name]})
    assert said.startswith(f"log_result: image '{name}'") and says in said and "\n" not in said
    assert tree(agent.folder) == before
    agent.ok("abandon_experiment", {"reason": "test"})
