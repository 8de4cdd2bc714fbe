"""The server never waits on its event loop: for the journal's lock, a parse, an export or a deep JSON body.

A real ``jupyter server`` process (``support.Server``) serves the journal while
another process holds the journal's lock, while it exports 10,000 entries, and
while it is sent JSON nested 100,000 deep; an unrelated ``GET /api/status``
must still answer at once. The answer after one append is built from the JSON
of the unchanged entries kept from the last answer, and must be byte for byte
what a fresh export gives (checked in-process through pytest-jupyter, where the
core's ``export.entry`` can be counted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import jupyter_expjournal.core.export as export
import jupyter_expjournal.server.handlers as handlers
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal
from jupyter_expjournal.core.outcome import linked_file

from .support import ROOT, child_env

sys.path.insert(0, str(ROOT / "benchmarks"))
import journals  # noqa: E402  (benchmarks/journals.py: realistic entries, written by the core's own renderer)

#: How long a write may wait for the lock before it is answered 503 (the server's constant, once it has one).
WRITE_WAIT = getattr(handlers, "WRITE_WAIT", 5.0)
HOLD = WRITE_WAIT + 7  # the other writer keeps the lock well beyond the bounded wait
PROMPT = 1.0  # an unrelated request must answer within this, whatever the journal routes are doing
OPEN = "# Experiment journal\n\n### 2026-01-01 10:00 — open one\n**Status**: PLANNED\n**Hypothesis**: h\n**Baseline**: a\n"

HOLDER = """
import fcntl, os, sys, time
from pathlib import Path
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)  # another writer: the journal's lock is an flock on this file
Path(sys.argv[2]).touch()
time.sleep(float(sys.argv[3]))
"""


def project_with(tmp_path: Path, journal: str) -> tuple[Path, Path]:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)  # the journal search stops here
    folder = project / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_text(journal, encoding="utf-8")
    return project, folder


def timed(call, *args, **kwargs):
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def raw_post(server, route: str, data: bytes):
    """(status, JSON) of a POST whose body is given as bytes, not as a value json.dumps could write."""
    req = urllib.request.Request(f"{server.url}/expjournal/api/{route}", data=data, method="POST")
    req.add_header("Authorization", f"token {server.token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def get_bytes(server, route: str = "/expjournal/api/journal?path=") -> bytes:
    req = urllib.request.Request(server.url + route)
    req.add_header("Authorization", f"token {server.token}")
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.read()


def status_latencies(server, until: threading.Event) -> list[float]:
    """``GET /api/status`` again and again until ``until`` is set: how long each took."""
    out = []
    while not until.is_set():
        elapsed, (code, _) = timed(server.request, "GET", "/api/status")
        assert code == 200
        out.append(elapsed)
        time.sleep(0.05)
    return out


def in_thread(call, *args):
    """Start ``call(*args)`` in a thread; ``join()`` returns (seconds it took, its result)."""
    box: dict = {}

    def run():
        box["value"] = timed(call, *args)

    thread = threading.Thread(target=run)
    thread.start()

    def join():
        thread.join(timeout=120)
        assert not thread.is_alive()
        return box["value"]

    return join


# -- a write waiting for the lock -----------------------------------------------------------


def test_a_write_waiting_for_the_lock_is_answered_503_and_blocks_no_one(tmp_path, jupyter_server):
    project, folder = project_with(tmp_path, OPEN)
    server = jupyter_server(project, EXPJOURNAL_DIR=str(folder), XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert server.request("GET", "/expjournal/api/journal?path=")[0] == 200
    before = {name: (folder / name).read_bytes() if (folder / name).exists() else None for name in ("journal.md", "lessons.md")}

    ready = tmp_path / "locked"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / ".expjournal.lock"), str(ready), str(HOLD)],
                              env=child_env())
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert holder.poll() is None and time.monotonic() < deadline, "the lock holder did not start"
            time.sleep(0.02)
        locked_at = time.monotonic()
        hypothesis = in_thread(server.api, "hypothesis", {"path": "", "name": "late", "hypothesis": "h", "parallel": True})
        lesson = in_thread(server.api, "lesson", {"path": "", "text": "a lesson written while locked"})
        time.sleep(0.3)  # both are waiting now
        prompt = [timed(server.request, "GET", route)[0]
                  for _ in range(3) for route in ("/api/status", "/expjournal/api/journal?path=")]
        waited, (code, data) = hypothesis()
        lesson_waited, (lesson_code, lesson_data) = lesson()
        still_held = holder.poll() is None and time.monotonic() - locked_at < HOLD - 0.5
        print(f"while locked: GETs took {max(prompt):.3f} s at most; the writes were answered after "
              f"{waited:.2f} s and {lesson_waited:.2f} s (bounded wait {WRITE_WAIT} s)")
        assert max(prompt) < PROMPT, prompt
        assert still_held, "the writes were answered only once the lock was released"
        for status, reply, took in ((code, data, waited), (lesson_code, lesson_data, lesson_waited)):
            assert status == 503, (status, reply)
            assert set(reply) == {"error"} and "locked by another writer" in reply["error"], reply
            assert "try again" in reply["error"], reply
            assert took < WRITE_WAIT + 2, took
        for name, content in before.items():
            assert ((folder / name).read_bytes() if (folder / name).exists() else None) == content, name
    finally:
        holder.wait(timeout=HOLD + 30)
    # The lock is free: the writes that were answered 503 did not happen late, and the next one goes through.
    time.sleep(1.0)
    for name, content in before.items():
        assert ((folder / name).read_bytes() if (folder / name).exists() else None) == content, name
    code, data = server.api("hypothesis", {"path": "", "name": "after", "hypothesis": "h", "parallel": True})
    assert code == 201, data
    entries = parse_journal((folder / "journal.md").read_text(encoding="utf-8"))
    assert [e.name for e in entries] == ["open one", "after"]
    assert not list(folder.glob(".*.tmp"))


# -- deep JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["hypothesis", "lesson", "result", "check"])
def test_json_nested_100000_deep_is_400_and_the_server_stays_up(tmp_path, jupyter_server, route):
    project, folder = project_with(tmp_path, OPEN)
    server = jupyter_server(project, EXPJOURNAL_DIR=str(folder), XDG_CACHE_HOME=str(tmp_path / "cache"))
    before = (folder / "journal.md").read_bytes()
    deep = b"[" * 100_000 + b"]" * 100_000
    objects = b'{"path": "", "x": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001
    for body in (deep, b'{"path": "", "text": ' + deep + b"}", objects):
        code, data = raw_post(server, route, body)
        assert code == 400, (code, data)
        assert set(data) == {"error"} and "nested" in data["error"], data
    shallow = b'{"path": "", "text": ' + b"[" * 150 + b"]" * 150 + b"}"  # deeper than any request needs
    code, data = raw_post(server, route, shallow)
    assert code == 400 and "nested" in data["error"], (code, data)
    assert server.request("GET", "/api/status")[0] == 200
    assert server.request("GET", "/expjournal/api/journal?path=")[0] == 200
    assert (folder / "journal.md").read_bytes() == before and not (folder / "lessons.md").exists()


# -- 10,000 entries -------------------------------------------------------------------------


def test_the_loop_answers_while_10000_entries_are_exported(tmp_path, jupyter_server):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    folder = journals.write(project / "experiments", 10_000)
    server = jupyter_server(project, EXPJOURNAL_DIR=str(folder), XDG_CACHE_HOME=str(tmp_path / "cache"))
    for change in ("first GET", "GET after one append"):
        if change != "first GET":
            with open(folder / "journal.md", "a", encoding="utf-8") as fh:
                fh.write("\n" + journals.entry(10_000))
        done = threading.Event()
        get = in_thread(lambda done=done: (get_bytes(server), done.set()))
        latencies = status_latencies(server, done)
        took, _ = get()
        print(f"{change} at 10,000 entries: {took:.3f} s; GET /api/status meanwhile: "
              f"{len(latencies)} answers, the slowest {max(latencies):.3f} s")
        assert max(latencies) < PROMPT / 2, latencies


def fresh_answer(directory: Path) -> bytes:
    """What the journal route answered before it kept anything: the whole journal exported by the core, now."""
    journal = Journal(directory)
    data = export.review(journal.review(all=True, analysis=False))
    for item in (*data["entries"], *data["open"]):
        if item["images"]:
            item["images"] = [link for link in item["images"] if linked_file(journal.directory, link) is not None]
    data.update(journal_path="experiments/journal.md", lessons_path="experiments/lessons.md",
                directory_relative="experiments", exists=True)
    return json.dumps(data).encode("utf-8")


async def test_the_answer_after_one_append_reuses_each_unchanged_entrys_json(api, root, monkeypatch, tmp_path, no_env_journal):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the core's parse cache: this test's own
    folder = journals.write(root / "experiments", 10_000)
    (folder / "assets").mkdir()
    (folder / "assets" / "ok.png").write_bytes(b"png")
    with open(folder / "journal.md", "a", encoding="utf-8") as fh:  # an open entry with images, one its own, one not
        fh.write("\n### 2026-12-01 10:00 — open one\n**Status**: PLANNED\n**Hypothesis**: h\n"
                 "**Notes**: ![a](assets/ok.png) ![b](../../etc/hostname)\n")
    exported = []
    entry = export.entry

    def counted(e):
        exported.append(e.name)
        return entry(e)

    monkeypatch.setattr(export, "entry", counted)
    directory = Path(os.path.realpath(folder))

    async def get() -> tuple[float, bytes]:
        start = time.perf_counter()
        code, _, response = await api("journal", params={"path": ""})
        assert code == 200
        return time.perf_counter() - start, response.body

    first, body = await get()
    assert len(exported) >= 10_001
    assert body == fresh_answer(directory)
    assert json.loads(body)["open"][0]["images"] == ["assets/ok.png"]

    timings = []
    for append in ("by the API", "by another program"):
        exported.clear()
        if append == "by the API":
            code, data, _ = await api("hypothesis", {"path": "", "name": "appended", "hypothesis": "h", "parallel": True})
            assert code == 201, data
        else:
            with open(folder / "journal.md", "a", encoding="utf-8") as fh:
                fh.write("\n" + journals.entry(10_001))
        exported.clear()
        took, body = await get()
        timings.append(f"{took:.3f} s after an append {append}")
        # the new entry and the last one before it (an append may continue it) are exported again; no other
        assert len(exported) <= 3, (len(exported), exported[:5])
        assert body == fresh_answer(directory)
    print(f"GET at 10,001 entries: first {first:.3f} s; " + "; ".join(timings))


# -- reads and writes of one folder at once ---------------------------------------------------


def test_reads_in_threads_while_the_same_folder_is_written(tmp_path, jupyter_server):
    """GET journal and POST check run in reader threads while the writes of the same Journal run in a writer thread."""
    project, folder = project_with(tmp_path, "# Experiment journal\n")
    server = jupyter_server(project, EXPJOURNAL_DIR=str(folder), XDG_CACHE_HOME=str(tmp_path / "cache"))
    count = 40
    done = threading.Event()
    problems: list[str] = []

    def writer() -> None:
        try:
            for i in range(count):
                name = f"w-{i}"
                for route, body, want in (
                    ("hypothesis", {"path": "", "name": name, "hypothesis": f"h {i}", "change": f"lr {i} → {i + 1}"}, 201),
                    ("result", {"path": "", "name": name, "outcome": f"acc = 0.{i:02d}", "learning": f"l {i}"}, 200),
                    ("lesson", {"path": "", "text": f"lesson {i}"}, 201),
                ):
                    code, data = server.api(route, body)
                    if code != want:
                        problems.append(f"{route} {name}: {code} {data}")
                        return
        finally:
            done.set()

    def reader(seen: list[int]) -> None:
        while not done.is_set():
            code, data = server.request("GET", "/expjournal/api/journal?path=")
            if code != 200:
                problems.append(f"GET: {code} {data}")
                return
            names = [e["name"] for e in data["entries"]]
            if names != [f"w-{i}" for i in range(len(names))]:
                problems.append(f"GET: entries {names[-3:]}")
                return
            if data["counts"]["PLANNED"] != len(data["open"]) or data["counts"]["PLANNED"] > 1:
                problems.append(f"GET: counts {data['counts']}, open {[e['name'] for e in data['open']]}")
                return
            seen.append(len(names))

    def checker() -> None:
        while not done.is_set():
            code, data = server.api("check", {"draft": {"name": "probe", "hypothesis": "h"}, "path": "", "parallel": True})
            if code != 200:
                problems.append(f"check: {code} {data}")
                return

    seen: list[list[int]] = [[], [], []]
    threads = [threading.Thread(target=writer), threading.Thread(target=checker)]
    threads += [threading.Thread(target=reader, args=(s,)) for s in seen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not problems, problems
    assert all(s == sorted(s) for s in seen), "an answer went back in time"
    entries = parse_journal((folder / "journal.md").read_text(encoding="utf-8"))
    assert [e.name for e in entries] == [f"w-{i}" for i in range(count)]
    assert all(e.status == "COMPLETED" for e in entries)
    code, data = server.request("GET", "/expjournal/api/journal?path=")
    assert code == 200 and len(data["entries"]) == count and len(data["lessons"]) == count
    print(f"{sum(map(len, seen))} GETs answered while {count} entries were written")
