"""The CLI's options: where they may stand, and the core deciding what they mean.

``--dir`` goes before or after the subcommand and names the project folder, the
experiments folder or journal.md alike; lesson/rule options, ``--since``,
``--text`` and ``--image`` are checked by the core's one rule, so the CLI refuses
exactly what the magics and the REST API refuse.
"""

import pytest

from jupyter_expjournal.core.analysis import check_since
from jupyter_expjournal.core.draft import lesson_request
from jupyter_expjournal.core.errors import InputError
from jupyter_expjournal.core.export import matches, search_text
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Draft, Outcome

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def project(tmp_path):
    """A project folder holding experiments/ with one completed entry and one lesson."""
    journal = Journal(tmp_path / "proj" / "experiments")
    journal.hypothesize(Draft("seeded", "lr helps", change="lr 1 → 2", baseline="acc = 0.5"))
    journal.complete(Outcome(summary="acc = 0.6", learning="lr helps"))
    journal.add_lesson("seeded lesson")
    return tmp_path / "proj"


def named(project, how):
    return {"project": project, "experiments": project / "experiments", "journal.md": project / "experiments" / "journal.md"}[how]


def placed(where, folder, *argv):
    return ["--dir", folder, *argv] if where == "before" else [*argv, "--dir", folder]


READS = [
    (["list"], lambda out, err: "COMPLETED  seeded" in out),
    (["list", "--json"], lambda out, err: '"name": "seeded"' in out),
    (["show", "seeded"], lambda out, err: out.startswith("### ") and "seeded" in out),
    (["review"], lambda out, err: "(1 entry: 1 completed)" in out),
    (["lessons"], lambda out, err: "seeded lesson" in out),
    (["check"], lambda out, err: "1 entry checked: no problems" in err),
    (["export", "--format", "markdown"], lambda out, err: "— seeded" in out and "seeded lesson" in out),
]


@pytest.mark.parametrize("how", ["project", "experiments", "journal.md"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_dir_before_or_after_every_reading_command(run, project, where, how):
    for argv, ok in READS:
        code, out, err = run(*placed(where, named(project, how), *argv))
        assert code == 0 and ok(out, err), (argv, code, out, err)
    assert not run.dir.exists()  # $EXPJOURNAL_DIR is not where it looked
    assert not (project / "journal.md").exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_dir_naming_the_project_writes_into_its_experiments_folder(run, project, tmp_path, where):
    code, out, err = run(*placed(where, project, "hypothesis", "second", "--hypothesis", "h", "--baseline", "acc = 0.6"))
    assert code == 0, err
    code, out, err = run(*placed(where, project, "result", "--outcome", "acc = 0.7", "--learning", "l"))
    assert code == 0, err
    code, out, err = run(*placed(where, project, "lesson", "--never", "skip it", "--because", "memory lies"))
    assert code == 0, err
    code, out, err = run(*placed(where, project, "export", "-o", tmp_path / "export.json"))
    assert code == 0, err
    fresh = tmp_path / "fresh"
    (fresh / "experiments").mkdir(parents=True)
    code, out, err = run(*placed(where, fresh, "import", tmp_path / "export.json"))
    assert code == 0 and "imported 2 entries and 2 lessons/rules" in out, err
    assert [e.name for e in Journal(project / "experiments").entries()] == ["seeded", "second"]
    assert "NEVER skip it because memory lies" in (project / "experiments" / "lessons.md").read_text()
    assert (fresh / "experiments" / "journal.md").exists() and not (fresh / "journal.md").exists()
    assert not (project / "journal.md").exists() and not (project / "lessons.md").exists() and not run.dir.exists()


def test_dir_after_the_command_wins_and_every_command_knows_it(run, project, tmp_path):
    other = tmp_path / "other"
    code, out, err = run("--dir", other, "list", "--dir", project)
    assert code == 0 and "seeded" in out
    code, out, err = run("--dir", project, "list", "--dir", other)
    assert code == 0 and out == "no entries\n"
    for command in ("list", "show", "review", "lessons", "check", "export", "import", "hypothesis", "result", "lesson",
                    "mlflow-sync"):
        code, out, err = run(command, "--help")
        assert code == 0 and "--dir" in out, command


def test_mlflow_sync_takes_dir_in_both_places(run, project, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    for argv in (["--dir", project, "mlflow-sync"], ["mlflow-sync", "--dir", project]):
        code, out, err = run(*argv)
        assert code == 2 and "unrecognized" not in err and err.count("\n") == 1, err  # no URI (or no mlflow): one line


BAD_LESSONS = [
    (["--never", "X", "--when", "Y"], dict(never="X", when="Y")),
    (["--always", "X", "--because", "Y"], dict(always="X", because="Y")),
    (["a plain lesson", "--because", "Y"], dict(text="a plain lesson", because="Y")),
    (["a plain lesson", "--when", "Y"], dict(text="a plain lesson", when="Y")),
    (["--never", "x", "--always", "y"], dict(never="x", always="y")),
    (["t", "--never", "x"], dict(text="t", never="x")),
    (["--because", "y", "--when", "z"], dict(because="y", when="z")),
    (["--always", "x", "--context", "c"], dict(always="x", context="c")),
    (["--never", "x", "--source", "s"], dict(never="x", source="s")),
]


def test_lesson_options_are_refused_exactly_as_the_core_refuses_them(run):
    for argv, request in BAD_LESSONS:
        with pytest.raises(InputError) as refused:
            lesson_request(**request)
        code, out, err = run("lesson", *argv)
        assert (code, out, err) == (2, "", f"jupyter expjournal: {refused.value}\n"), argv
    assert not run.dir.exists()


def test_lesson_and_rule_options_that_go_together(run):
    assert run("lesson", "--never", "skip the baseline", "--because", "memory lies")[0] == 0
    assert run("lesson", "--always", "pin seeds", "--when", "comparing runs")[0] == 0
    assert run("lesson", "--never", "train on test")[0] == 0
    assert run("lesson", "C above 10 gives nothing", "--context", "SVC", "--source", "SVC C=10")[0] == 0
    lessons = Journal(run.dir).lessons()
    assert [(r.kind, r.action, r.reason) for r in lessons.rules] == [
        ("NEVER", "skip the baseline", "memory lies"), ("ALWAYS", "pin seeds", "comparing runs"), ("NEVER", "train on test", "")]
    [lesson] = lessons.lessons
    assert (lesson.context, lesson.text, lesson.source) == ("SVC", "SVC: C above 10 gives nothing", "SVC C=10")


@pytest.mark.parametrize("command", ["list", "review"])
def test_a_bad_since_is_one_line_and_exit_2(run, project, command):
    for since in ("yesterday", "11/2026", "2026-1"):
        with pytest.raises(InputError) as refused:
            check_since(since)
        for argv in ([command, "--since", since, "--dir", project], ["--dir", project, command, "--since", since]):
            assert run(*argv) == (2, "", f"jupyter expjournal: {refused.value}\n")
    code, out, err = run(command, "--since", "2026", "--dir", project)
    assert code == 0 and "seeded" in out


def test_text_filter_searches_what_the_core_searches(run):
    journal = Journal(run.dir)
    journal.hypothesize(Draft("SVC C=10", "a larger C fits the digits tighter", change="C 1 → 10", baseline="acc = 0.9"))
    journal.abandon("leak")
    journal.hypothesize(Draft("RF depth", "deeper trees", change="depth 8 → 16", baseline="acc = 0.9"))
    entries = journal.entries()
    for query in ("svc digits", "DIGITS  larger", entries[0].timestamp[:7], "planned", "abandoned leak", "nothing like it"):
        want = [e.name for e in entries if matches(search_text(e), query)]
        code, out, err = run("list", "--text", query)
        assert code == 0 and [e.name for e in entries if e.name in out] == want, (query, out)
        assert out == "no entries match\n" if not want else out.count("\n") == len(want), (query, out)
    assert run("list", "--text", "svc digits")[1].count("\n") == 1  # both words, not the phrase


def test_an_image_is_checked_by_its_bytes(run, tmp_path):
    run("hypothesis", "x", "--hypothesis", "h", "--baseline", "acc = 0.5")
    before = (run.dir / "journal.md").read_bytes()
    fake = tmp_path / "plot.png"
    fake.write_text("not a picture at all")
    svg_in_disguise = tmp_path / "plot.jpg"
    svg_in_disguise.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    for path, says in ((fake, "is not a PNG image"), (svg_in_disguise, "is not a JPEG image"), (tmp_path / "a.gif", ".png"),
                       (tmp_path / "absent.png", "--image")):
        code, out, err = run("result", "--outcome", "acc = 0.6", "--image", path)
        assert code == 2 and out == "" and says in err and str(path) in err and err.count("\n") == 1, (path, err)
    assert (run.dir / "journal.md").read_bytes() == before and not (run.dir / "assets").exists()
    real = tmp_path / "real.png"
    real.write_bytes(PNG)
    svg = tmp_path / "drawing.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>")
    code, out, err = run("result", "--outcome", "acc = 0.6", "--image", real, "--image", svg)
    assert code == 0, err
    saved = sorted((run.dir / "assets").iterdir())
    assert [p.suffix for p in saved] == [".png", ".svg"] and saved[0].read_bytes() == PNG
