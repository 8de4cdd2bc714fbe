"""Eight IPython shells and a Jupyter server write one journal at once: nothing lost, doubled or interleaved."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter

from jupyter_expjournal.core.journal_format import parse_journal
from jupyter_expjournal.core.lessons_format import parse_lessons

from .support import HERE, child_env

WORKERS = 8
PER_WORKER = 100
REST = 100
TOKEN = re.compile(r"\b(?:w\d+|rest)-\d+\b")


def rest_writer(server, count: int, errors: list) -> None:
    """The sidebar's part: hypothesis, result and lesson through the REST API, in a loop."""
    for i in range(count):
        name = f"rest-{i}"
        calls = [
            ("hypothesis", {"path": "", "name": name, "hypothesis": f"Hypothesis of {name}.",
                            "change": f"rate_{name} {i} → {i + 1}",
                            "expected": f"acc +0.01 for {name}", "baseline": "acc = 0.5", "parallel": True}, 201),
            ("result", {"path": "", "name": name, "output": f"acc = 0.{i:03d}  # output of {name}",
                        "learning": f"learned {name}", "next": f"next {name}"}, 200),
            ("lesson", {"path": "", "text": f"lesson of {name}", "source": f"source {name}"}, 201),
        ]
        for route, body, want in calls:
            status, data = server.api(route, body)
            if status != want:
                errors.append(f"{route} {name}: {status} {data}")
                return


def test_shells_and_server_write_one_journal_at_once(tmp_path, jupyter_server):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)  # the journal search stops here
    folder = project / "experiments"
    folder.mkdir()
    env = child_env(EXPJOURNAL_DIR=str(folder))
    server = jupyter_server(project, EXPJOURNAL_DIR=str(folder))
    work = tmp_path / "cwd"  # outside git: provenance does not run git for each hypothesis
    work.mkdir()
    go = tmp_path / "go"
    logs = [tmp_path / f"worker-{w}.err" for w in range(WORKERS)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE / "shell_worker.py"), str(w), str(PER_WORKER), str(go)],
            cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=open(logs[w], "wb"),
        )
        for w in range(WORKERS)
    ]
    errors: list[str] = []
    rest = threading.Thread(target=rest_writer, args=(server, REST, errors))
    try:
        time.sleep(1.0)  # let the shells import and load the extension, then start everyone at once
        go.touch()
        rest.start()
        for w, proc in enumerate(procs):
            assert proc.wait(timeout=200) == 0, logs[w].read_text(errors="replace")[-2000:]
        rest.join(timeout=200)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not rest.is_alive() and not errors, errors

    expected = [f"w{w}-{i}" for w in range(WORKERS) for i in range(PER_WORKER)] + [f"rest-{i}" for i in range(REST)]
    text = (folder / "journal.md").read_text(encoding="utf-8")
    entries = parse_journal(text)

    # every entry exactly once, and nothing that looks like a heading was left unparsed
    counts = Counter(e.name for e in entries)
    assert sorted(counts) == sorted(expected) and set(counts.values()) == {1}, [n for n, c in counts.items() if c != 1]
    assert sum(1 for line in text.split("\n") if line.startswith("### ")) == len(entries)

    for e in entries:
        name = e.name
        # each field belongs to its own entry ...
        assert e.status == "COMPLETED", (name, e.status)
        assert e.hypothesis.startswith(f"Hypothesis of {name}"), (name, e.hypothesis)
        assert e.change.startswith(f"rate_{name} "), (name, e.change)
        assert e.expected == f"acc +0.01 for {name}", (name, e.expected)
        assert f"# output of {name}" in e.actual, (name, e.actual)
        assert e.learning == f"learned {name}" and e.next == f"next {name}", (name, e.learning, e.next)
        assert e.delta.startswith("acc "), (name, e.delta)
        # ... and no line of another entry is inside this one
        assert set(TOKEN.findall(text[e.span[0] : e.span[1]])) == {name}, (name, text[e.span[0] : e.span[1]])

    lessons_text = (folder / "lessons.md").read_text(encoding="utf-8")
    lessons = parse_lessons(lessons_text)
    got = Counter(lesson.text for lesson in lessons.lessons)
    assert sorted(got) == sorted(f"lesson of {n}" for n in expected) and set(got.values()) == {1}
    assert all(lesson.source == f"source {lesson.text.removeprefix('lesson of ')}" for lesson in lessons.lessons)
    assert sum(1 for line in lessons_text.split("\n") if line.startswith("- ")) == len(expected)
    assert not list(folder.glob(".*.tmp")), "a temp file of an atomic write was left behind"
