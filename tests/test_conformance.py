"""Conformance across faces: the same input through the magics, the CLI, the REST API, the widget panel and the agents'
MCP tools gives the same bytes on disk (the heading's time and Provenance aside) and the same refusals (issue 9, point 4).

This is the test that catches a rule copied into a face and drifting there: the panel read ``(none)`` as absent
while the REST API refused it; the CLI accepted ``--never X --when Y`` and a lesson's ``--because`` (dropping it)
while the magics refused both. Each case sends one face-neutral input (tests/conformance_support.py says it in
each face's syntax, each face in its own fresh experiments folder), then compares the folders, and where the core
can answer by itself ("core"), the faces against it. A failure lists every disagreement of its case, with a diff.

Which face lacks which input (those faces sit the case out):
- the CLI attaches no cell: its ``result`` takes ``--output FILE`` / ``--image FILE``, never a cell's error; it has
  no ``--retro``.
- the REST API and the panel cannot say two rule kinds at once, nor pair a kind with the other kind's reason: a rule
  is one kind (REST ``rule``, the panel's kind toggle) with one reason (REST ``reason``, the panel's reason box).
- the panel has no box for a rule's context or source, nor a lesson's because/when: its lesson tab shows the fields
  that go together. It has no context box either: "context: lesson" typed in the lesson box is its way.
- the magics and the CLI take config bullets ``- key: value``: a key holding ": " or a value holding an arrow cannot be
  said as a bullet at all (the first colon ends the key, the first arrow splits old from new).
- the MCP tools sit out the bad-row and bad-lesson cases: a config row is a key and an "old → new" or "value" string
  (tests/mcp_server/test_mcp_refusals.py has its refusals), and a rule is one kind with one reason (add_rule).
- only the magics, the CLI and the REST API have strict mode as an option (the MCP server as ``mcp --strict``); the
  panel takes it from the kernel's settings (``%journal --strict on``), as in a notebook.
"""

from __future__ import annotations

import pytest
from conformance_support import (
    PNG,
    Cli,
    Findings,
    Hypothesis,
    Magics,
    Mcp,
    Rest,
    Row,
    Widget,
    dedash,
    disk_text,
    normalize,
    notebook_outputs,
    snapshot,
)

from jupyter_expjournal.core.config import ConfigItem
from jupyter_expjournal.core.draft import config_row, lesson_request
from jupyter_expjournal.core.errors import JournalError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Draft
from jupyter_expjournal.core.notices import Notice

# -- the server and the faces -----------------------------------------------------------------


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_expjournal": True}, "allow_unauthenticated_access": True}}


@pytest.fixture
def jp_root_dir(tmp_path):
    """The server root, a git root: the REST face's journal is ``rest/experiments``."""
    root = tmp_path / "rest"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def faces(ip, tmp_path, monkeypatch, jp_fetch, jp_root_dir, jp_asyncio_loop):
    settings = ip._expjournal
    settings.session.opened.clear()
    settings.strict, settings.directory = False, ""
    made = {
        "magics": Magics(tmp_path / "magics" / "experiments", monkeypatch, ip),
        "cli": Cli(tmp_path / "cli" / "experiments", monkeypatch),
        "rest": Rest(jp_root_dir / "experiments", monkeypatch, jp_fetch, jp_asyncio_loop),
        "widget": Widget(tmp_path / "widget" / "experiments", monkeypatch, ip),
        "mcp": Mcp(tmp_path / "mcp" / "experiments", monkeypatch),
    }
    yield made
    for face in made.values():
        face.close()
    settings.strict = False
    settings.session.opened.clear()


def core_journal(tmp_path, name="core") -> Journal:
    """The core API itself on the same input: what every face should end up writing."""
    return Journal(tmp_path / name / "experiments")


def draft_of(h: Hypothesis) -> Draft:
    items = [ConfigItem.same(r.key, r.old) if r.old == r.new else ConfigItem.change(r.key, r.old, r.new) for r in h.rows]
    return Draft(h.name, h.hypothesis, h.change, items, h.expected, h.baseline)


def accepted(findings: Findings, what: str, *replies) -> None:
    for reply in replies:
        findings.expect(not reply.refused, f"{what}: {reply.face} refused: {reply}")


def refused(findings: Findings, what: str, reply, status) -> None:
    findings.expect(reply.refused and reply.status == status, f"{what}: {reply.face} should refuse with {status}, got {reply}")


# -- 1. a hypothesis with every field ------------------------------------------------------------

FULL = Hypothesis(
    name="SVC C=10",
    hypothesis="A larger C fits the digits data more tightly,\nso accuracy should rise.",
    change="C 1 → 10",
    rows=(
        Row("C", "1", "10"),  # changed
        Row("gamma", None, "scale"),  # added: absent before
        Row("degree", "3", None),  # removed: absent after
        Row("kernel", "rbf", "rbf"),  # unchanged
    ),
    expected="accuracy +0.01",
    baseline="accuracy = 0.95",
)


@pytest.mark.parametrize("typed", [False, True], ids=["absent-as-empty-or-null", "absent-typed-as-(none)"])
def test_a_hypothesis_with_every_field_is_the_same_bytes_from_every_face(faces, tmp_path, monkeypatch, typed):
    """Rows: an added key is an empty old box / null in REST (or "(none)" typed in either), `- gamma: (none) → scale`
    as a bullet; a removed one "(none)" / null; the magics' and the CLI's bullets are the same in both variants."""
    findings = Findings()
    body_cli = Cli(tmp_path / "cli-body" / "experiments", monkeypatch)  # the CLI's --body FILE: a %%hypothesis body
    body_cli.name = "cli --body"
    replies = [
        faces["magics"].hypothesis(FULL),
        faces["cli"].hypothesis(FULL),
        body_cli.hypothesis(FULL, body_file=tmp_path / "body.txt"),
        faces["rest"].hypothesis(FULL, typed=typed),
        faces["widget"].hypothesis(FULL, typed=typed),
        faces["mcp"].hypothesis(FULL),
    ]
    accepted(findings, "the hypothesis", *replies)
    core = core_journal(tmp_path)
    core.hypothesize(draft_of(FULL))
    texts = {name: disk_text(face.folder) for name, face in faces.items()}
    texts["cli --body"] = disk_text(body_cli.folder)
    texts["core"] = disk_text(core.directory)
    findings.same("experiments folder", texts)
    findings.check()


# -- 2. a lesson with context and source, and each rule form -----------------------------------------

LESSON = {"text": "C above 10 gives nothing", "context": "SVC", "source": "SVC C=10 runs"}
NEVER = {"never": "tune on the test split", "because": "the estimate is optimistic"}
ALWAYS = {"always": "pin the eval seed", "when": "comparing runs"}


def test_lessons_and_rules_are_the_same_bytes_from_every_face(faces, tmp_path, monkeypatch, ip):
    findings = Findings()
    # The issue's own line: options first, the lesson quoted between them (its quotes end the value).
    quoted = Magics(tmp_path / "magics-quoted" / "experiments", monkeypatch, ip)
    quoted.name = "magics (quoted)"
    lines = [
        '--context SVC "C above 10 gives nothing" --source "SVC C=10 runs"',
        '--never "tune on the test split" --because "the estimate is optimistic"',
        '--always "pin the eval seed" --when "comparing runs"',
    ]
    for options, line in zip((LESSON, NEVER, ALWAYS), lines):
        accepted(findings, f"lesson {options}", *(face.lesson(options) for face in faces.values()), quoted.lesson_line(line))
    core = core_journal(tmp_path)
    for options in (LESSON, NEVER, ALWAYS):
        core.learn(lesson_request(**options))
    texts = {name: disk_text(face.folder) for name, face in faces.items()}
    texts[quoted.name] = disk_text(quoted.folder)
    texts["core"] = disk_text(core.directory)
    findings.same("experiments folder", texts)
    findings.check()


def test_the_core_writes_the_seed_format_the_faces_are_compared_with(tmp_path):
    """The reference itself, so that faces agreeing with it cannot all agree on something wrong."""
    core = core_journal(tmp_path)
    core.hypothesize(draft_of(FULL))
    for options in (LESSON, NEVER, ALWAYS):
        core.learn(lesson_request(**options))
    assert normalize(core.journal_path.read_text(encoding="utf-8")) == (
        "# Experiment journal\n\n"
        "### YYYY-MM-DD HH:MM — SVC C=10\n"
        "**Status**: PLANNED\n\n"
        "**Hypothesis**: A larger C fits the digits data more tightly,\nso accuracy should rise.\n\n"
        "**Change**: C 1 → 10\n\n"
        "**Config**:\n- C: 1 → 10\n- gamma: (none) → scale\n- degree: 3 → (none)\n- kernel: rbf (unchanged)\n\n"
        "**Expected outcome**: accuracy +0.01\n\n"
        "**Baseline**: accuracy = 0.95\n\n"  # (the Provenance line after it is masked out)
    )
    assert normalize(core.lessons_path.read_text(encoding="utf-8")) == (
        "## Lessons\n"
        "- YYYY-MM-DD SVC: C above 10 gives nothing Source: SVC C=10 runs\n\n"
        "## Rules (hard-won)\n"
        "- NEVER tune on the test split because the estimate is optimistic. Learned: YYYY-MM-DD\n"
        "- ALWAYS pin the eval seed when comparing runs. Learned: YYYY-MM-DD\n"
    )


# -- 3. bad lesson and rule combinations -------------------------------------------------------------

#: name: (the options, the faces that can say them, the field the REST API's message names)
BAD_LESSONS = {
    "never and always": ({**NEVER, "always": "pin the eval seed"}, ("magics", "cli"), None),
    "never with when": ({"never": NEVER["never"], "when": "comparing runs"}, ("magics", "cli"), None),
    "always with because": ({"always": ALWAYS["always"], "because": "runs drift"}, ("magics", "cli"), None),
    "a lesson with because": ({"text": LESSON["text"], "because": "runs 1-3"}, ("magics", "cli", "rest"), "reason"),
    "a lesson with when": ({"text": LESSON["text"], "when": "tuning SVC"}, ("magics", "cli", "rest"), "reason"),
    "a rule with a context": ({**NEVER, "context": "SVC"}, ("magics", "cli", "rest"), "context"),
    "a rule with a source": ({**ALWAYS, "source": "runs 1-3"}, ("magics", "cli", "rest"), "source"),
    "an empty lesson": ({"text": ""}, ("magics", "cli", "rest", "widget"), None),
    "an empty rule": ({"never": "", "because": "the estimate is optimistic"}, ("magics", "cli", "rest", "widget"), None),
}
STATUS = {"magics": "UsageError", "cli": 2, "rest": 400, "widget": "✖", "mcp": "isError"}


def core_refusal(tmp_path, options) -> str:
    """What the core says to these options, or "" when it does not refuse them."""
    journal = core_journal(tmp_path, "core-refusal")
    try:
        journal.learn(lesson_request(**options))
    except JournalError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("case", list(BAD_LESSONS))
def test_bad_lesson_options_are_refused_alike_and_write_nothing(faces, tmp_path, case):
    options, where, rest_field = BAD_LESSONS[case]
    sentence = core_refusal(tmp_path, options)
    if case != "an empty rule":  # the core's sentence for it depends on how a face reads an empty kind
        assert sentence, f"the core accepts {options}: the case is wrong"
    findings = Findings()
    for name in where:
        face = faces[name]
        before = snapshot(face.folder)
        reply = face.lesson(options)
        refused(findings, case, reply, STATUS[name])
        findings.unchanged(face, before, case)
        if name in ("magics", "cli", "widget") and case != "an empty rule":
            # these faces name the options as the core does (never, always, ...; the magics and the CLI with dashes)
            findings.expect(sentence in dedash(reply.message), f"{case}: {name} does not say the core's {sentence!r}: {reply}")
        if name == "rest" and rest_field:
            findings.expect(f"'{rest_field}'" in reply.message, f"{case}: rest does not name its field '{rest_field}': {reply}")
    findings.check()


# -- 4. bad config rows ---------------------------------------------------------------------------

GOOD = Hypothesis("bad row", "A larger C fits tighter.", "C 1 → 10", (Row("C", "1", "10"),), "accuracy +0.01", "accuracy = 0.95")
#: name: ((key, old, new) as the core's config_row takes it, the panel's three boxes, the bullet or None,
#: the REST API's own words where it names its fields instead of saying the core's sentence)
BAD_ROWS = {
    "a key holding ': '": (("a: b", "1", "2"), ("a: b", "1", "2"), None, None),
    "a value holding an arrow": (("lr", "1 → 2", "3"), ("lr", "1 → 2", "3"), None, None),
    "neither old nor new": (("lr", None, None), ("lr", "(none)", "(none)"), "- lr: (none) → (none)", "needs 'old' or 'new'"),
    "a key and no value": (("lr", "", ""), ("lr", "", ""), "- lr:", None),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_config_rows_are_refused_alike_and_write_nothing(faces, case):
    (key, old, new), boxes, bullet, rest_words = BAD_ROWS[case]
    try:
        config_row(key, old, new)
    except JournalError as exc:
        message = str(exc)
        sentence = message[message.index(f"({key}) ") + len(key) + 3 :]  # the rule's words, after the row's label
    else:
        raise AssertionError(f"the core accepts the row {(key, old, new)}: the case is wrong")
    findings = Findings()
    attempts = {
        "rest": lambda: faces["rest"].hypothesis(GOOD, raw_rows=[{"key": key, "old": old, "new": new}]),
        "widget": lambda: faces["widget"].hypothesis(GOOD, raw_rows=[boxes]),
    }
    if bullet:
        attempts["magics"] = lambda: faces["magics"].hypothesis(GOOD, raw_bullets=(bullet,))
        attempts["cli"] = lambda: faces["cli"].hypothesis(GOOD, raw_bullets=(bullet,))
    for name, attempt in attempts.items():
        face = faces[name]
        before = snapshot(face.folder)
        reply = attempt()
        refused(findings, case, reply, STATUS[name])
        findings.unchanged(face, before, case)
        words = rest_words if name == "rest" and rest_words else sentence
        findings.expect(words in reply.message, f"{case}: {name} does not say {words!r}: {reply}")
    findings.check()


def test_a_hypothesis_without_its_text_is_refused_alike_and_writes_nothing(faces):
    findings = Findings()
    empty = Hypothesis("no text", "", "C 1 → 10", (Row("C", "1", "10"),), "accuracy +0.01", "accuracy = 0.95")
    for name, face in faces.items():
        reply = face.hypothesis(empty)
        refused(findings, "no hypothesis", reply, STATUS[name])
        findings.expect(snapshot(face.folder) == {}, f"no hypothesis: {name} wrote")
        findings.expect("'no text' has no hypothesis" in reply.message, f"no hypothesis: {name} does not say so: {reply}")
    findings.check()


# -- 5. the gates: an open entry, strict mode -------------------------------------------------------

FIRST = Hypothesis("first", "A larger C fits tighter.", "C 1 → 10", (Row("C", "1", "10"),), "accuracy +0.01", "accuracy = 0.95")
SECOND = Hypothesis("second", "A smaller gamma generalizes.", "gamma 0.1 → 0.01", (Row("gamma", "0.1", "0.01"),),
                    "accuracy +0.01", "accuracy = 0.95")
NO_BASELINE = Hypothesis("no baseline", "A larger C fits tighter.", "C 1 → 10", (Row("C", "1", "10"),), "accuracy +0.01")
GATE_STATUS = {"magics": "UsageError", "cli": 3, "rest": 409, "widget": "✖", "mcp": "isError"}


def check_words(findings: Findings, what: str, reply, notice: Notice, *, magic: tuple[str, ...], cli: tuple[str, ...],
                widget: tuple[str, ...], structured: bool = True) -> None:
    """The refusal says the core's sentence, its ways out in the face's own words, and no other face's syntax."""
    message, face = reply.message, reply.face
    findings.expect(notice.text in message, f"{what}: {face} does not say the core's {notice.text!r}: {reply}")
    if face == "magics":
        missing = [w for w in magic if w not in message]
        findings.expect(not missing and "jupyter expjournal" not in message,
                        f"{what}: magics should word the ways out {list(notice.ways_out)} as {magic} (missing {missing}), "
                        f"without the CLI's: {reply}")
    else:
        forbidden = ["%"] + ([] if face == "cli" else ["jupyter expjournal", "--"])
        foreign = [s for s in forbidden if s in message]
        findings.expect(not foreign, f"{what}: {face} speaks another face's syntax {foreign}: {reply}")
        wanted = {"cli": cli, "widget": widget}.get(face, ())
        missing = [w for w in wanted if w.casefold() not in message.casefold()]
        findings.expect(not missing, f"{what}: {face} should word the ways out {list(notice.ways_out)} with {wanted} "
                                     f"(missing {missing}): {reply}")
    if face == "rest" and structured:
        shown = [{k: r.get(k) for k in ("gate", "text", "ways_out", "entries")} if isinstance(r, dict) else r
                 for r in reply.refusals or []]
        expected = [{k: v for k, v in notice.to_json().items() if k in ("gate", "text", "ways_out", "entries")}]
        findings.expect(shown == expected, f"{what}: rest's 409 'refusals' should be {expected}, not {reply.refusals}")


def test_an_open_entry_refuses_the_next_hypothesis_alike_until_parallel(faces, tmp_path):
    findings = Findings()
    for name, face in faces.items():
        accepted(findings, "the first hypothesis", face.hypothesis(FIRST))
        journal = Journal(face.folder)
        report = journal.check(draft_of(SECOND))
        (notice,) = report.refusals  # the core's own refusal, on this face's journal
        before = snapshot(face.folder)
        reply = face.hypothesis(SECOND)
        refused(findings, "a second hypothesis while one is PLANNED", reply, GATE_STATUS[name])
        findings.unchanged(face, before, "a second hypothesis")
        check_words(findings, "the open-entry gate", reply, notice,
                    magic=("%result", "--abandon", "--parallel"), cli=("result", "--abandon", "--parallel"),
                    widget=("abandon", "parallel"))
        accepted(findings, "the second hypothesis with parallel", face.hypothesis(SECOND, parallel=True))
    core = core_journal(tmp_path)
    core.hypothesize(draft_of(FIRST))
    core.hypothesize(draft_of(SECOND), parallel=True)
    texts = {name: disk_text(face.folder) for name, face in faces.items()}
    texts["core"] = disk_text(core.directory)
    findings.same("experiments folder", texts)
    findings.check()


def test_strict_mode_refuses_a_missing_baseline_alike_until_forced(faces, tmp_path):
    findings = Findings()
    for name, face in faces.items():
        (notice,) = Journal(face.folder).check(draft_of(NO_BASELINE), strict=True).refusals
        before = snapshot(face.folder)
        reply = face.hypothesis(NO_BASELINE, strict=True)
        refused(findings, "strict mode, no baseline", reply, GATE_STATUS[name])
        findings.unchanged(face, before, "strict mode, no baseline")
        check_words(findings, "the strict baseline gate", reply, notice, magic=("--force",), cli=("--force",), widget=("force",))
        accepted(findings, "strict mode, forced", face.hypothesis(NO_BASELINE, strict=True, force=True))
    core = core_journal(tmp_path)
    core.hypothesize(draft_of(NO_BASELINE), strict=True, force=True)
    texts = {name: disk_text(face.folder) for name, face in faces.items()}
    texts["core"] = disk_text(core.directory)
    findings.same("experiments folder", texts)
    findings.check()


# -- 6. an attach of text, a figure and an error ---------------------------------------------------

CELL = (
    "from IPython.display import Image, display\n"
    "print('accuracy = 0.97')\n"
    "display(Image(data=CONFORMANCE_PNG))\n"
    "raise ValueError('diverged')\n"
)
LEARNING, NEXT = "C matters less than gamma here", "sweep gamma"


def entry_parts(folder) -> dict[str, str]:
    """The completed entry's result, field by field (text masked as in the folder comparison)."""
    entry = Journal(folder).entries()[-1]
    actual = entry.actual
    fence = actual.find("```")
    end = actual.rfind("```")
    return {
        "status": entry.status,
        "Actual outcome, its first line": actual.split("\n", 1)[0],
        "Actual outcome, the output block": actual[fence : end + 3] if fence >= 0 else "(no output block)",
        "Actual outcome, the rest": (actual[:fence] + actual[end + 3 :]) if fence >= 0 else actual,
        "Delta": entry.delta,
        "Duration recorded": str(bool(entry.duration.strip())),
        "Learning / Next": f"{entry.learning} / {entry.next}",
        "figures": " ".join(f"{len(p.read_bytes())}:{p.read_bytes() == PNG}" for p in sorted((folder / "assets").glob("*"))),
    }


def test_an_attach_of_text_a_figure_and_an_error_is_the_same_bytes_from_every_face(faces, ip, tmp_path, monkeypatch):
    """Magics (%result), REST (the cell's outputs as the notebook stores them) and the panel (Attach); the CLI attaches
    no cell. Only the cell's prompt number and the assets' time stamp may differ."""
    ip.user_ns["CONFORMANCE_PNG"] = PNG
    findings = Findings()
    magics, rest, widget = faces["magics"], faces["rest"], faces["widget"]

    accepted(findings, "the hypothesis", magics.hypothesis(FIRST), rest.hypothesis(FIRST), widget.hypothesis(FIRST))
    magics.run_cell(CELL)
    accepted(findings, "%result", magics.result(LEARNING, NEXT))

    monkeypatch.setenv("EXPJOURNAL_DIR", str(tmp_path / "scratch" / "experiments"))  # the cell the sidebar attaches
    ran = ip.run_cell(CELL, store_history=True)
    outputs = notebook_outputs(ip, ran, "accuracy = 0.97\n")
    accepted(findings, "POST result", rest.result(outputs, source=f"cell [{ran.execution_count}]", learning=LEARNING, next=NEXT))

    widget.run_cell(CELL)
    accepted(findings, "Attach", widget.attach(LEARNING, NEXT))

    trio = {"magics": magics, "rest": rest, "widget": widget}
    parts = {}
    for name, face in trio.items():
        try:
            parts[name] = entry_parts(face.folder)
        except (IndexError, OSError) as exc:
            findings.expect(False, f"{name} has no completed entry to compare: {exc!r}")
    for field in next(iter(parts.values()), {}):
        findings.same(field, {name: normalize(p[field], cells=True) for name, p in parts.items()})
    for name, p in parts.items():
        findings.expect(p["Actual outcome, its first line"] == "Error: ValueError: diverged",
                        f"{name}'s outcome should start 'Error: ValueError: diverged': {p['Actual outcome, its first line']!r}")
        findings.expect(p["figures"] == f"{len(PNG)}:True", f"{name} should save the figure's bytes as they are: {p['figures']}")
    findings.same("experiments folder", {name: disk_text(face.folder, cells=True) for name, face in trio.items()})
    findings.check()


# -- 7. a result with nothing open ----------------------------------------------------------------


def test_a_result_with_nothing_open_is_refused_alike_and_writes_nothing(faces, tmp_path):
    try:
        core_journal(tmp_path).resolve_open()
    except JournalError as exc:
        notice = exc.notice
    findings = Findings()
    replies = {}
    faces["magics"].run_cell("print('accuracy = 0.9')")
    replies["magics"] = faces["magics"].result()
    replies["cli"] = faces["cli"].result("accuracy = 0.9")
    replies["rest"] = faces["rest"].result([{"output_type": "stream", "name": "stdout", "text": "accuracy = 0.9\n"}])
    faces["widget"].run_cell("print('accuracy = 0.9')")
    replies["widget"] = faces["widget"].attach()
    for name, reply in replies.items():
        refused(findings, "a result with nothing open", reply, STATUS[name])
        findings.expect(snapshot(faces[name].folder) == {}, f"{name} wrote although nothing was open")
        check_words(findings, "nothing open", reply, notice, magic=("%%hypothesis", "--retro"), cli=("hypothesis",),
                    widget=("hypothesis",), structured=False)
    findings.check()


def test_a_result_that_cannot_tell_two_open_entries_of_one_name_apart_asks_alike(faces):
    """Two entries named alike, opened elsewhere (two notebooks of a sweep): a result that names neither asks
    which in every face, listing their ids, and writes nothing (the core's identity.resolve; the panel is left
    out: its dropdown always names one, by id)."""
    findings = Findings()
    asking = {name: face for name, face in faces.items() if name != "widget"}
    for face in asking.values():
        journal = Journal(face.folder)
        for _ in range(2):
            journal.hypothesize(draft_of(FIRST), parallel=True)
    faces["magics"].run_cell("print('accuracy = 0.9')")
    before = {name: snapshot(face.folder) for name, face in asking.items()}
    replies = {
        "magics": faces["magics"].result(),
        "cli": faces["cli"].result("accuracy = 0.9"),
        "rest": faces["rest"].result([{"output_type": "stream", "name": "stdout", "text": "accuracy = 0.9\n"}]),
    }
    for name, reply in replies.items():
        folder = asking[name].folder
        try:
            Journal(folder).resolve_open()
        except JournalError as exc:
            notice = exc.notice  # the core's own question, on this face's journal
        refused(findings, "two open entries of one name", reply, GATE_STATUS[name])
        findings.expect(snapshot(folder) == before[name], f"{name} wrote although it could not tell which entry")
        ids = [e.id for e in Journal(folder).entries()]
        findings.expect(all(f"id {i}" in reply.message for i in ids), f"{name} does not list the ids {ids}: {reply}")
        check_words(findings, "which entry", reply, notice, magic=("--name",), cli=("--name",), widget=())
    findings.check()
