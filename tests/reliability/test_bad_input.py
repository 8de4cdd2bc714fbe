"""The bad-input catalogue: every face, every kind of wrong input or broken file, one clear refusal, nothing written.

Faces: the magics (through a real IPython shell), the command line (``main``
in-process, exit codes 2 input / 3 gate / 4 unreadable or unwritable) and the
REST API (a real Jupyter server through ``jp_fetch``; 400/404/409/413/500 as
handlers.py documents). Broken files: not UTF-8, a directory where journal.md
should be, immutable files (``chattr +i``), a read-only file system and a full
disk (small ``tmpfs`` mounts; root only, else skipped). "Nothing written" is
checked as byte equality of the whole folder before and after.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from testkit import tree

from jupyter_expjournal.cli import main
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal

from .support import ROOT, child_env

OPEN = "### 2026-01-01 10:00 — open one\n**Status**: PLANNED\n**Hypothesis**: h\n**Baseline**: acc = 0.5\n"
MB = 1024 * 1024


@pytest.fixture
def project(jp_root_dir, monkeypatch):
    """The server root as a project (a git root), its journal at experiments/ named by $EXPJOURNAL_DIR."""
    (jp_root_dir / ".git").mkdir(exist_ok=True)
    monkeypatch.setenv("EXPJOURNAL_DIR", str(jp_root_dir / "experiments"))
    monkeypatch.chdir(jp_root_dir)
    return jp_root_dir


@pytest.fixture
def shell(ip, project):
    magics = ip._expjournal
    magics.session.opened.clear()
    magics.strict, magics.directory, magics.nudge_seconds = False, "", 60.0
    return ip


def refused(ip, cell: str, *messages: str) -> str:
    """Run ``cell``; it must fail with one UsageError (no traceback) whose text holds every message."""
    result = ip.run_cell(cell, store_history=True)
    error = result.error_in_exec or result.error_before_exec
    assert isinstance(error, UsageError), (cell, type(error), error)
    for message in messages:
        assert message in str(error), (cell, str(error))
    return str(error)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# -- broken files ------------------------------------------------------------------------

def _mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode(errors='replace').strip()}")


def _chattr(flag: str, *paths: Path) -> None:
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr {flag} is not possible here: {done.stderr.decode(errors='replace').strip()}")


def _fill(folder: Path) -> None:
    """Use every free block: the next file or page anyone writes fails with ENOSPC."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def broken(folder: Path, kind: str):
    """``folder`` (the experiments folder) with an open entry, broken as ``kind`` says; undone afterwards."""
    journal, lessons = folder / "journal.md", folder / "lessons.md"
    undo = []
    try:
        if kind in ("read-only file system", "full disk"):
            _mount_tmpfs(folder, "64k")
            undo.append(lambda: subprocess.run(["umount", "-l", str(folder)], check=True))
        else:
            folder.mkdir()
        if kind == "not UTF-8":
            journal.write_bytes(b"# J\n\n" + OPEN.encode() + b"**Note**: caf\xe9 \xff\xfe\n")
            lessons.write_bytes(b"## Lessons\n- 2026-01-01 \x80\n")
        elif kind == "files are directories":
            (journal / "sub").mkdir(parents=True)
            (lessons / "sub").mkdir(parents=True)
        else:
            # page-sized files: appending a byte needs a new block (on a full disk, there is none)
            head = b"# J\n\n" + OPEN.encode() + b"\n"
            journal.write_bytes(head + b" " * (8192 - len(head) - 1) + b"\n")
            lessons.write_bytes(b"## Lessons\n- 2026-01-01 an old lesson\n" + b" " * (4096 - 38))
        if kind == "immutable files":
            _chattr("+i", journal, lessons)
            undo.append(lambda: _chattr("-i", journal, lessons))
        elif kind == "read-only file system":
            (folder / ".expjournal.lock").touch()
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        elif kind == "full disk":
            (folder / ".expjournal.lock").touch()
            (folder / ".gitignore").write_text(".expjournal.lock\n")
            _fill(folder)
        yield
    finally:
        for step in reversed(undo):
            step()


KINDS = {
    # kind: (words the message must hold, can the files still be read?)
    "not UTF-8": ("is not UTF-8 text (bad byte at offset", False),
    "files are directories": (".md: it is a directory", False),
    "immutable files": ("Operation not permitted", True),
    "read-only file system": ("the file system is read-only", True),
    "full disk": ("the disk is full", True),
}

MAGIC_WRITES = [
    "%%hypothesis new one --parallel\nh\nbaseline: acc = 0.5",
    "%result --name open one --outcome fine --no-output",
    "%result --name open one --abandon no time",
    "%result --retro late run --outcome x --no-output",
    "%lesson a lesson --source here",
    "%lesson --never do x --because y",
]
CLI_WRITES = [
    ["hypothesis", "new", "one", "--hypothesis", "h", "--baseline", "acc = 0.5", "--parallel"],
    ["result", "--name", "open", "one", "--outcome", "fine"],
    ["result", "--name", "open", "one", "--abandon", "no time"],
    ["lesson", "a", "lesson"],
    ["lesson", "--always", "do x", "--when", "y"],
]
REST_WRITES = [
    ("hypothesis", {"name": "new one", "hypothesis": "h", "baseline": "acc = 0.5", "parallel": True}),
    ("result", {"name": "open one", "outcome": "fine"}),
    ("abandon", {"name": "open one", "reason": "no time"}),
    ("lesson", {"text": "a lesson"}),
    ("lesson", {"rule": "NEVER", "action": "do x", "reason": "y"}),
]


@pytest.mark.parametrize("kind", KINDS)
def test_magics_refuse_broken_files_in_one_line(shell, project, kind):
    folder = project / "experiments"
    message, readable = KINDS[kind]
    with broken(folder, kind):
        before = tree(folder)
        for cell in MAGIC_WRITES:
            refused(shell, cell, message)
        if readable:
            assert shell.run_cell("%review", store_history=True).success
        else:
            refused(shell, "%review", message)
            refused(shell, "%journal", message)
        shell.run_line_magic("load_ext", "jupyter_expjournal")  # the status line says it, no error
        assert tree(folder) == before


@pytest.mark.parametrize("kind", KINDS)
def test_cli_refuses_broken_files_with_exit_4(capsys, project, kind):
    folder = project / "experiments"
    message, readable = KINDS[kind]
    with broken(folder, kind):
        before = tree(folder)
        for argv in CLI_WRITES:
            code, out, err = cli(capsys, *argv)
            assert code == 4 and message in err, (argv, code, out, err)
            assert err.count("\n") == 1 and "Traceback" not in err, err
        for argv in (["list"], ["review"], ["lessons"], ["export"], ["show", "open", "one"], ["check"]):
            code, out, err = cli(capsys, *argv)
            if readable:
                assert code in ((0, 1) if argv == ["check"] else (0,)), (argv, err)  # check: 1 = problems found
            else:
                assert code == 4 and message in err and "Traceback" not in err, (argv, code, err)
        assert tree(folder) == before


@pytest.mark.parametrize("kind", KINDS)
async def test_rest_refuses_broken_files_with_500(api, project, kind):
    folder = project / "experiments"
    message, readable = KINDS[kind]
    with broken(folder, kind):
        before = tree(folder)
        for route, body in REST_WRITES:
            code, data, _ = await api(route, {"path": "", **body})
            assert code == 500 and message in data["error"] and set(data) == {"error"}, (route, code, data)
        code, data, _ = await api("journal", params={"path": ""})
        assert code == (200 if readable else 500), data
        assert tree(folder) == before


# -- wrong options, missing values, wrong types -----------------------------------------

MAGIC_MISTAKES = [
    ("%%hypothesis\nh", "needs a name"),
    ("%%hypothesis x --bogus\nh", "unrecognized arguments: --bogus"),
    ("%%hypothesis x --config\nh", "argument --config: expected one argument"),
    ("%%hypothesis x --config nosuch\nh", "no variable named 'nosuch'"),
    ("three = 3", None),
    ("%%hypothesis x --config three\nh", "--config three"),
    ("%%hypothesis x --base three\nh", "--base needs --config"),
    ("%%hypothesis x --parallel=yes\nh", "ignored explicit argument"),
    ("%%hypothesis x\n", "the cell body is empty"),
    ("%%hypothesis x\nexpected: acc +1", "has no hypothesis"),
    ("%%hypothesis x\nchange: a 1 → 2", "has no hypothesis"),
    ("%%hypothesis x\u0000y\nh", "NUL byte"),
    ("%%hypothesis x\nh\u0000h", "NUL byte"),
    ("%result", "no open experiment"),
    ("%result --cell abc", "argument --cell: invalid int value: 'abc'"),
    ("%result --cell 99999", "no recorded output for cell [99999]"),
    ("%result --cell", "argument --cell: expected one argument"),
    ("%result --name", "argument --name: expected at least one argument"),
    ("%result --name nosuch --outcome x", "no open experiment named 'nosuch'"),
    ("%result --learning", "argument --learning: expected at least one argument"),
    ("%result --abandon", "argument --abandon: expected at least one argument"),
    ("%result --retro", "argument --retro: expected at least one argument"),
    ("%result --retro r --outcome a\u0000b --no-output", "NUL byte"),
    ("%result --no-output=1", "ignored explicit argument"),
    ("%review -n abc", "argument -n: invalid int value: 'abc'"),
    ("%review -n -1", "-n must be 0 or more"),
    ("%review --since yesterday", "since takes a date"),
    ("%review --param", "argument --param: expected one argument"),
    ("%review --bogus", "unrecognized arguments: --bogus"),
    ("%lesson", "a lesson needs text"),
    ("%lesson --never", "argument --never: expected at least one argument"),
    ("%lesson --never x --always y", "a rule is either never or always, not both"),
    ("%lesson text --never x", "a NEVER rule takes its text as the never option"),
    ("%lesson text --because y", "'because' goes with a never or always rule"),
    ("%lesson --never x --when y", "a NEVER rule takes its reason as 'because', not 'when'"),
    ("%lesson --context", "argument --context: expected at least one argument"),
    ("%lesson a\u0000b", "NUL byte"),
    ("%journal --strict maybe", "argument --strict: invalid choice: 'maybe'"),
    ("%journal --nudge abc", "argument --nudge: invalid float value: 'abc'"),
    ("%journal --nudge -1", "--nudge takes seconds"),
    ("%journal --dir", "argument --dir: expected at least one argument"),
    ("%journal --dir /etc/hostname", "is not a folder"),
]


def test_every_magic_mistake_is_one_clear_line_and_writes_nothing(shell, project):
    folder = project / "experiments"
    folder.mkdir()
    before = tree(project)
    for cell, message in MAGIC_MISTAKES:
        if message is None:
            assert shell.run_cell(cell).success
        else:
            refused(shell, cell, message)
    assert tree(project) == before
    assert shell._expjournal.directory == "" and shell._expjournal.nudge_seconds == 60.0


def test_text_utf8_cannot_store_is_refused_by_the_magics_and_writes_nothing(shell, project):
    """A lone surrogate (bytes decoded with surrogateescape) reaches a magic from code, not typed into a
    cell (a front end sends UTF-8): called as code calls it, out of IPython's history (whose own database
    cannot store it either)."""
    (project / "experiments").mkdir()
    before = tree(project)
    for magic, line, cell, code in [("hypothesis", "x", "h\ud800h", "U+D800"), ("lesson", "a\udc80b", None, "U+DC80")]:
        with pytest.raises(UsageError, match=re.escape(f"lone surrogate ({code})")):
            if cell is None:
                shell.run_line_magic(magic, line)
            else:
                shell.run_cell_magic(magic, line, cell)
    assert tree(project) == before


def test_gates_and_open_entries_through_magics(shell, project):
    folder = project / "experiments"
    assert shell.run_cell("%%hypothesis first\nh\nbaseline: acc = 0.5").success
    assert shell.run_cell("%%hypothesis second --parallel\nh\nbaseline: acc = 0.5").success
    before = tree(project)
    refused(shell, "%%hypothesis third\nh\nbaseline: acc = 0.5", "is still PLANNED")
    shell.run_line_magic("journal", "--strict on")
    try:
        refused(shell, "%%hypothesis fourth --parallel\nh", "no baseline recorded", "strict mode")
    finally:
        shell.run_line_magic("journal", "--strict off")
    shell._expjournal.session.opened.clear()
    refused(shell, "%result --outcome x --no-output", "2 experiments are open", "--name")
    assert tree(project) == before
    assert [e.name for e in Journal(folder).entries()] == ["first", "second"]


CLI_MISTAKES = [
    (["list", "--status", "bogus"], 2, "invalid choice: 'bogus'"),
    (["review", "-n", "abc"], 2, "invalid int value: 'abc'"),
    (["review", "--since"], 2, "expected one argument"),
    (["nosuchcommand"], 2, "invalid choice: 'nosuchcommand'"),
    ([], 2, "required: COMMAND"),
    (["hypothesis"], 2, "the following arguments are required: name"),
    (["hypothesis", "x"], 2, "has no hypothesis"),
    (["hypothesis", "x", "--hypothesis"], 2, "expected one argument"),
    (["hypothesis", "x", "--body", "/no/such/file"], 2, "cannot read /no/such/file"),
    (["hypothesis", "x", "--body", "{binary}"], 2, "cannot read"),
    (["hypothesis", "x", "--body", "{nul}"], 2, "NUL byte"),
    (["hypothesis", "x\u0000y", "--hypothesis", "h"], 2, "NUL byte"),
    (["hypothesis", "x", "--hypothesis", "h\udc80"], 2, "lone surrogate (U+DC80)"),
    (["lesson", "a\udc80b"], 2, "lone surrogate (U+DC80)"),
    (["hypothesis", "x", "--hypothesis", "h", "--strict"], 3, "no baseline recorded"),
    (["result"], 2, "a result needs --outcome"),
    (["result", "--outcome", "x"], 2, "no open experiment"),
    (["result", "--outcome", "x", "--name"], 2, "expected at least one argument"),
    (["result", "--output", "/no/such/log"], 2, "cannot read /no/such/log"),
    (["result", "--output", "{binary}"], 2, "cannot read"),
    (["result", "--image", "a.gif"], 2, "a.gif: only .jpeg, .jpg, .png, .svg"),
    (["result", "--image", "/no/such.png"], 2, "--image /no/such.png"),
    (["lesson"], 2, "a lesson needs text"),
    (["lesson", "--never"], 2, "expected one argument"),
    (["lesson", "--never", "x", "--always", "y"], 2, "a rule is either never or always, not both"),
    (["lesson", "t", "--never", "x"], 2, "a NEVER rule takes its text as the never option"),
    (["lesson", "--because", "y", "--when", "z"], 2, "'because' goes with a never or always rule"),
    (["show", "nosuch"], 2, "no entry named 'nosuch'"),
    (["import", "/no/such.json"], 2, "cannot read /no/such.json"),
    (["import", "{binary}"], 2, "cannot read"),
    (["import", "{notjson}"], 2, "is not JSON"),
    (["import", "{wrongjson}"], 2, "not a jupyter_expjournal export"),
    (["export", "--format", "xml"], 2, "invalid choice: 'xml'"),
    (["export", "-o", "/no/such/dir/out.json"], 4, "cannot write /no/such/dir/out.json"),
    (["--dir", "{binary}", "list"], 4, "cannot read"),
]


def test_every_cli_mistake_has_its_exit_code_and_one_message(capsys, project, tmp_path):
    files = {
        "binary": tmp_path / "garbage.bin",
        "nul": tmp_path / "nul.txt",
        "notjson": tmp_path / "x.json",
        "wrongjson": tmp_path / "y.json",
    }
    files["binary"].write_bytes(os.urandom(4096) + b"\xff\xfe")
    files["nul"].write_bytes(b"hypothesis with a \0 NUL\nbaseline: acc = 0.5\n")
    files["notjson"].write_text("{nope")
    files["wrongjson"].write_text('{"format": "other"}')
    before = tree(project)
    for argv, want, message in CLI_MISTAKES:
        argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in argv]
        code, out, err = cli(capsys, *argv)
        assert code == want and message in err, (argv, code, err)
        assert "Traceback" not in err, err
    assert tree(project) == before and not (project / "experiments").exists()


def test_cli_errors_in_a_real_process_have_no_traceback(project, tmp_path):
    """The same exit codes from ``python -m jupyter_expjournal`` (no pytest, no capsys in between)."""
    (project / "experiments").mkdir()
    (project / "experiments" / "journal.md").write_bytes(b"\xff\xfe garbage")
    env = child_env(EXPJOURNAL_DIR=str(project / "experiments"))
    for argv, want in ((["list"], 4), (["review", "-n", "x"], 2), (["lesson"], 2), (["hypothesis", "x", "--hypothesis", "h"], 4)):
        done = subprocess.run([sys.executable, "-m", "jupyter_expjournal", *argv], env=env, capture_output=True, text=True,
                              cwd=ROOT)
        assert done.returncode == want and "Traceback" not in done.stderr and done.stderr.strip(), (argv, done)


REST_MISTAKES = [
    ("hypothesis", {"name": "x", "hypothesis": 5}, 400, "'hypothesis' must be a string, not a number"),
    ("hypothesis", {"name": "x", "hypothesis": "h", "expected": ["a"]}, 400, "'expected' must be a string, not a list"),
    ("hypothesis", {"name": "x", "hypothesis": "h\u0000"}, 400, "NUL byte"),
    ("hypothesis", {"name": "x\ud800", "hypothesis": "h"}, 400, "lone surrogate (U+D800)"),
    ("lesson", {"text": "a\udfff"}, 400, "lone surrogate (U+DFFF)"),
    ("hypothesis", {"name": "x", "hypothesis": "h", "force": 1}, 400, "'force' must be true or false"),
    ("hypothesis", {"name": "", "hypothesis": "h"}, 400, "'name' is empty"),
    ("check", {"draft": {"name": "x", "hypothesis": "h"}, "strict": "no"}, 400, "'strict' must be true or false"),
    ("check", {"draft": {"name": "x", "config": [{"key": "a", "value": None}]}}, 400, "'config[0].value' is null"),
    ("check", {"draft": {"name": "x", "config": [{"key": "a", "value": 1, "old": 2}]}}, 400, "has 'value' and 'old'/'new'"),
    ("check", {"draft": {"name": "x", "config": [5]}}, 400, "'config[0]' must be an object"),
    ("result", {}, 400, "a result needs at least one of"),
    ("result", {"outcome": 1}, 400, "'outcome' must be a string, not a number"),
    ("result", {"outcome": "x", "name": "nosuch"}, 400, "no open experiment named 'nosuch'"),
    ("result", {"outcome": "x", "images": "a.png"}, 400, "'images' must be a list"),
    ("result", {"outcome": "x", "images": [{"mime": "image/gif", "data": "R0lG"}]}, 400, "only image/png"),
    ("result", {"outcome": "x", "images": [{"mime": "image/png"}]}, 400, "'images[0].data' is missing"),
    ("result", {"outcome": "x", "metrics": {"acc": float("1e400") if False else None}}, 400,
     "'metrics.acc' must be a finite number"),
    ("result", {"outcome": "x", "metrics": {" ": 1}}, 400, "'metrics' has a bad name"),
    ("result", {"outcome": "x", "heading": ["h"]}, 400, "'heading' must be a string"),
    ("result", {"learning": "l\u0000"}, 400, "NUL byte"),
    ("abandon", {}, 400, "'reason' is missing"),
    ("abandon", {"reason": 7}, 400, "'reason' must be a string, not a number"),
    ("abandon", {"reason": "r", "name": "a\nb"}, 400, "'name' must be one line"),
    ("abandon", {"reason": "r"}, 400, "no open experiment"),
    ("lesson", {"text": "x", "context": "a\nb"}, 400, "'context' must be one line"),
    ("lesson", {"rule": 1, "action": "x"}, 400, "'rule' must be a string"),
    ("lesson", {"rule": "NEVER", "action": " "}, 400, "'action' is empty"),
    ("lesson", {"text": "x", "bogus": 1}, 400, "unknown field 'bogus'"),
]


async def test_every_rest_mistake_has_its_status_and_one_message(api, project):
    (project / "experiments").mkdir()
    before = tree(project)
    for route, body, want, message in REST_MISTAKES:
        code, data, _ = await api(route, {"path": "", **body})
        assert code == want and message in data["error"] and set(data) == {"error"}, (route, body, code, data)
    code, data, _ = await api("journal", params={"path": "", "extra": "x"})
    assert code == 200
    code, data, _ = await api("journal", params={"path": "no/such"})
    assert code == 404 and "is not a folder" in data["error"]
    assert tree(project) == before


async def test_rest_gate_refusal_is_409_with_the_reasons(api, project):
    assert (await api("hypothesis", {"path": "", "name": "a", "hypothesis": "h", "baseline": "acc = 0.5"}))[0] == 201
    assert (await api("hypothesis", {"path": "", "name": "b", "hypothesis": "h", "baseline": "acc = 0.5",
                                     "parallel": True}))[0] == 201
    before = tree(project)
    code, data, _ = await api("hypothesis", {"path": "", "name": "c", "hypothesis": "h", "baseline": "acc = 0.5"})
    assert code == 409 and "still PLANNED" in data["error"] and data["refusals"], data
    code, data, _ = await api("result", {"path": "", "outcome": "x"})
    assert code == 409 and "2 experiments are open" in data["error"], data
    code, data, _ = await api("hypothesis", {"path": "", "name": "d", "hypothesis": "h", "parallel": True, "strict": True})
    assert code == 409 and "no baseline recorded" in data["error"], data
    assert tree(project) == before


# -- huge values ----------------------------------------------------------------------------

def test_huge_output_and_fields_through_magics(shell, project):
    folder = project / "experiments"
    body = "\n".join(f"line {i} of a long hypothesis " + "x" * 40 for i in range(MB // 70))  # ~1 MB
    assert shell.run_cell(f"%%hypothesis huge\n{body}\nbaseline: acc = 0.5").success
    assert shell.run_cell("print(('noise ' * 20 + '\\n') * 80_000); print('acc = 0.75')", store_history=True).success  # ~10 MB
    # a 1 MB field goes in a cell body: IPython expands $variables and {expressions} in a magic's
    # *line* in time quadratic in its length (20 kB: 2.5 s), before any magic sees it
    learning = "L" * MB
    assert shell.run_cell(f"%%result\nlearning: {learning}", store_history=True).success
    (entry,) = Journal(folder).entries()
    assert entry.status == "COMPLETED" and entry.hypothesis == body and entry.learning == learning
    assert "characters cut" in entry.actual and len(entry.actual) < 20_000
    assert (folder / "journal.md").stat().st_size < 2.2 * MB
    assert shell.run_cell(f"%%lesson\n{learning}").success
    assert Journal(folder).lessons().lessons[-1].text == learning


def test_huge_output_and_fields_through_the_cli(capsys, project, tmp_path):
    folder = project / "experiments"
    body = tmp_path / "body.txt"
    body.write_text("A hypothesis. " + "word " * (MB // 5) + "\nbaseline: acc = 0.5\n")
    assert cli(capsys, "hypothesis", "huge", "--body", str(body))[0] == 0
    log = tmp_path / "train.log"
    log.write_text(("step loss 0.1234\n" * (10 * MB // 17)) + "acc = 0.8\n")
    code, out, err = cli(capsys, "result", "--output", str(log), "--learning", "y" * MB)
    assert code == 0, err
    (entry,) = Journal(folder).entries()
    assert entry.status == "COMPLETED" and len(entry.hypothesis) > MB and len(entry.learning) == MB
    assert "characters cut" in entry.actual and "acc = 0.8" in entry.actual
    assert entry.delta.startswith("acc +0.3")


async def test_huge_output_and_fields_through_rest(api, project):
    folder = project / "experiments"
    code, data, _ = await api("hypothesis", {"path": "", "name": "huge", "hypothesis": "h " * (MB // 2), "baseline": "acc = 0.5"})
    assert code == 201, data
    code, data, _ = await api("result", {"path": "", "output": "step\n" * (2 * MB) + "acc = 0.9\n", "learning": "l" * MB})
    assert code == 200, data
    assert "characters cut" in data["entry"]["actual"] and data["entry"]["delta"].startswith("acc +0.4")
    assert (folder / "journal.md").stat().st_size < 2.2 * MB


def test_nul_bytes_in_captured_output_are_kept_visible_not_refused(shell, project):
    folder = project / "experiments"
    assert shell.run_cell("%%hypothesis nul\nh\nbaseline: acc = 0.5").success
    assert shell.run_cell("print('raw\\x00bytes acc = 0.6')", store_history=True).success
    assert shell.run_cell("%result", store_history=True).success
    raw = (folder / "journal.md").read_bytes()
    assert b"\0" not in raw and "raw\u2400bytes".encode() in raw
    assert parse_journal(raw.decode())[0].status == "COMPLETED"


def test_a_journal_with_nul_bytes_written_by_hand_is_still_read(capsys, project):
    folder = project / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_bytes(OPEN.encode() + b"**Note**: a \0 b\n")
    code, out, err = cli(capsys, "list")
    assert code == 0 and "open one" in out


def test_an_error_whose_message_holds_a_nul_byte_writes_no_nul(ip, journal):
    ip.run_cell_magic("hypothesis", "nul error", "h\nbaseline: acc = 0.5")
    ip.run_cell("raise ValueError('a\\x00b')")
    ip.run_line_magic("result", "--learning it broke")
    data = journal.journal_path.read_bytes()
    assert b"\x00" not in data and "Error: ValueError: a\u2400b".encode() in data
