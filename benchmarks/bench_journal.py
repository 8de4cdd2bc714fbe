"""The journal's own costs: %%hypothesis and %result as the journal grows, and reading 10,000 entries
through %review, the command line and the server, cold (fresh process) and warm."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import redirect_stdout
from pathlib import Path

import journals
from common import child_env, median, report, run_python, section, timed

BODY = "A rate of {i}e-4 trains better.\nchange: lr 1e-4 → {i}e-4\nexpected: accuracy +0.01\nbaseline: accuracy = 0.80"


def bare_append(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def bare_rewrite(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)


def regex_parse(text: str) -> list[dict]:
    """The baseline reader: a plain regex line parser, no fences, no escapes, no byte preservation."""
    heading, field = re.compile(r"### (.+?) — (.*)"), re.compile(r"\*\*(.+?)\*\*: ?(.*)")
    entries: list[dict] = []
    for line in text.split("\n"):
        m = heading.match(line)
        if m:
            entries.append({"timestamp": m.group(1), "name": m.group(2)})
        elif entries and (m := field.match(line)):
            entries[-1][m.group(1)] = m.group(2)
    return entries


def shell_in(folder: Path):
    from IPython.core.interactiveshell import InteractiveShell

    if not InteractiveShell.initialized():
        # IPython's history kept in memory: on disk its writer thread commits every cell's source (an fdatasync)
        # while the next cell runs, and takes the GIL and the history lock from it. That is IPython's cost of any
        # cell, an empty one too (printed beside the figures), and with the user's own database (100 MB here after
        # thousands of benchmark cells) it made every figure depend on the disk's load and on what ran before.
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        InteractiveShell.instance(config=config)
    shell = InteractiveShell.instance()
    with redirect_stdout(io.StringIO()):
        shell.run_line_magic("load_ext", "jupyter_expjournal")
    shell._expjournal.directory = str(folder)
    shell._expjournal.provenance = True
    return shell


def cell(shell, code: str) -> float:
    """Seconds to run one cell; fails loudly if the cell fails."""
    with redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        result = shell.run_cell(code, store_history=True)
        elapsed = time.perf_counter() - t0
    if not result.success:
        raise RuntimeError(f"benchmark cell failed: {code.splitlines()[0]}: {result.error_in_exec or result.error_before_exec}")
    return elapsed


def writes(quick: bool) -> None:
    section("Writes through the magics (a real IPython shell in this process) vs the bare I/O floor")
    base = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    repeat = 5 if quick else 15
    cwd = os.getcwd()
    os.chdir(base)  # outside git (provenance asks git about the working directory): git is measured on its own below
    try:
        _writes_by_size(base, repeat)
    finally:
        os.chdir(cwd)
    _writes_in_git(base, repeat)


def _writes_by_size(base: Path, repeat: int) -> None:
    shell = None
    for size in (100, 1_000, 10_000):
        folder = journals.write(base / f"j{size}" / "experiments", size)
        shell = shell or shell_in(folder)
        shell._expjournal.directory = str(folder)
        first = cell(shell, "%%hypothesis warm-up --parallel\n" + BODY.format(i=0))  # the cold parse of this journal
        cell(shell, "print('accuracy = 0.805')")
        cell(shell, "%result --name warm-up")
        hyp, res, empty = [], [], []
        for i in range(repeat):
            hyp.append(cell(shell, f"%%hypothesis bench {i} --parallel\n" + BODY.format(i=i + 2)))
            cell(shell, f"print('accuracy = 0.8{i:02d}')")
            res.append(cell(shell, f"%result --name bench {i}"))
            empty.append(cell(shell, "pass"))
        text = (folder / "journal.md").read_bytes()
        last = text[text.rindex(b"\n### ") :]
        entry_bytes = last[: last.index(b"**Actual outcome**")] if b"**Actual outcome**" in last else last
        floor_append = median(timed(lambda b=entry_bytes: bare_append(base / "floor.md", b), repeat))
        floor_rewrite = median(timed(lambda t=text: bare_rewrite(base / "floor.md", t), repeat))
        report(f"%%hypothesis at {size:,} entries", median(hyp), floor_append, f"bare append + fsync ({len(entry_bytes)} B)",
               target=0.005 if size == 10_000 else None)
        report(f"%result at {size:,} entries", median(res), floor_rewrite, f"bare atomic rewrite ({len(text) / 1e6:.1f} MB)",
               target=0.050 if size == 10_000 else None)
        if size == 10_000:
            report("  first %%hypothesis after load (cold parse)", first, None)
            report("  an empty cell in the same shell (IPython's own cost of a cell)", median(empty), None)


def _writes_in_git(base: Path, repeat: int) -> None:
    """Provenance in a git repository runs `git status` for each hypothesis."""
    shell = shell_in(base)
    repo = base / "repo"
    folder = journals.write(repo / "experiments", 1_000)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "--allow-empty",
                    "-m", "x"], check=True)
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        shell._expjournal.directory = str(folder)
        cell(shell, "%%hypothesis warm-up --parallel\n" + BODY.format(i=0))
        hyp = [cell(shell, f"%%hypothesis git {i} --parallel\n" + BODY.format(i=i)) for i in range(repeat)]
        shell._expjournal.provenance = False
        nogit = [cell(shell, f"%%hypothesis nogit {i} --parallel\n" + BODY.format(i=i)) for i in range(repeat)]
        shell._expjournal.provenance = True
    finally:
        os.chdir(cwd)
    report("  %%hypothesis in a git repo (1,000 entries)", median(hyp), median(nogit), "same, provenance off (no `git status`)")


REVIEW = r"""
import io, json, sys, time
from contextlib import redirect_stdout
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
with redirect_stdout(io.StringIO()):
    shell.run_line_magic("load_ext", "jupyter_expjournal")  # $EXPJOURNAL_DIR is empty: nothing parsed yet
shell._expjournal.directory = sys.argv[1]
out = []
for _ in range(3):
    with redirect_stdout(io.StringIO()):
        t = time.perf_counter(); r = shell.run_cell("%review", store_history=True); out.append(time.perf_counter() - t)
    assert r.success, r.error_in_exec
print(json.dumps(out))
"""

CLI = r"""
import io, json, sys, time
from contextlib import redirect_stdout
t0 = time.perf_counter()
from jupyter_expjournal.cli import main
t1 = time.perf_counter()
out = []
for _ in range(3):
    with redirect_stdout(io.StringIO()):
        t = time.perf_counter(); code = main(["--dir", sys.argv[1], *sys.argv[2:]]); out.append(time.perf_counter() - t)
    assert code == 0
print(json.dumps({"import": t1 - t0, "list": out}))
"""


def reads(quick: bool) -> None:
    section("Reading 10,000 entries: cold (first call in a fresh process) and warm (the next calls)")
    base = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    (base / ".git").mkdir()
    folder = journals.write(base / "experiments", 10_000)
    text = (folder / "journal.md").read_text(encoding="utf-8")
    env = child_env(EXPJOURNAL_DIR=str(base / "empty" / "experiments"))
    floor = median(timed(lambda: regex_parse(text), 7))  # the baseline of every read figure: not 3 runs, the machine is noisy
    rounds = 2 if quick else 5
    run_python(CLI, str(folder), "list", env=env)  # warm-up: bytecode, page cache
    run_python(REVIEW, str(folder), env=env)  # the first review keeps each entry's analysis facts for the next process

    reviews = [json.loads(run_python(REVIEW, str(folder), env=env)) for _ in range(rounds)]
    report("%review, cold", median(r[0] for r in reviews), floor, "plain regex line parser", within=1.0)
    report("%review, warm", median(min(r[1:]) for r in reviews), floor, "plain regex line parser", target=0.010)

    lists = [json.loads(run_python(CLI, str(folder), "list", env=env)) for _ in range(rounds)]
    report("CLI list, cold (in process, after imports)", median(run["list"][0] for run in lists), floor,
           "plain regex line parser", within=1.0)
    # one command per process: nothing is warm but the OS page cache, which the cold figure already has
    report("  CLI list, again in the same process", median(min(run["list"][1:]) for run in lists), floor,
           "plain regex line parser")
    cli_reviews = [json.loads(run_python(CLI, str(folder), "review", env=env))["list"][0] for _ in range(rounds)]
    report("CLI review, cold (in process, after imports)", median(cli_reviews), floor, "plain regex line parser", within=1.0)
    walls = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "jupyter_expjournal", "--dir", str(folder), "list"], env=env,
                       stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t)
    start = median(timed(lambda: subprocess.run([sys.executable, "-c", "pass"], env=env, check=True), rounds))
    report("CLI list, whole process (python -m ...)", median(walls), start, "python -c pass")

    # One entry appended by another process, then the first fresh process to read it: it extends the kept
    # parse by the new entry, and finds no analysis kept for these bytes (it makes it, and keeps it). Each
    # round appends again, so that every figure is such a first process.
    appended = base / "appended" / "experiments"
    appended.mkdir(parents=True)
    (appended / "journal.md").write_bytes((folder / "journal.md").read_bytes())
    run_python(REVIEW, str(appended), env=env)  # keeps this journal's parse and facts, as a first day would
    added = iter(range(10_001, 10_100))

    def after_append(code: str, *args: str) -> float:
        with open(appended / "journal.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + journals.entry(next(added)))
        out = json.loads(run_python(code, str(appended), *args, env=env))
        return out[0] if isinstance(out, list) else out["list"][0]

    report("%review, fresh process after one append", median(after_append(REVIEW) for _ in range(rounds)), floor,
           "plain regex line parser", within=1.5)
    report("CLI list, fresh process after one append", median(after_append(CLI, "list") for _ in range(rounds)), floor,
           "plain regex line parser", within=1.5)
    report("CLI review, fresh process after one append", median(after_append(CLI, "review") for _ in range(rounds)),
           floor, "plain regex line parser", within=1.5)

    # The server twice: its first start ever on this journal (nothing kept: it builds the answer, then keeps it on
    # disk), then a fresh process, as on a person's next day: the answer kept by the first is sent as it is when
    # journal.md and lessons.md hold the bytes it was made from. Between requests, a pause as a person's next cell
    # gives (the server keeps its answer, or recalls the entries' JSON, in a thread meanwhile).
    server_env = {**env, "EXPJOURNAL_DIR": str(folder)}
    kept = answer_file(folder)
    server = Server(base, base / "server-first.log", env=server_env)
    try:
        first_ever = server.get()[0]
        time.sleep(PAUSE)
        with open(folder / "journal.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + journals.entry(10_001))
        after_write_built = server.get()[0]
        time.sleep(PAUSE)
    finally:
        server.stop()  # a clean stop: what the server handed to its cache thread is kept before it exits
    if not kept.is_file():
        print(f"  (the first server kept no answer in {kept}: the next figure is a build)")
    server = Server(base, base / "server-fresh.log", env=server_env)
    try:
        cold, status, etag = server.get()
        time.sleep(PAUSE)
        warm = [server.get()[0] for _ in range(5)]
        polls = [server.get(etag)[0] for _ in range(5)]
        bare_status = median(server.status() for _ in range(5))
        with open(folder / "journal.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + journals.entry(10_002))
        after_write = server.get()[0]
    finally:
        server.stop()
    report("server GET journal, cold (fresh process, answer kept)", cold, floor, "plain regex line parser", within=1.0)
    report("  server GET journal, cold (first start ever, builds)", first_ever, floor, "plain regex line parser")
    report("server GET journal, warm (unchanged)", median(warm), bare_status, "GET /api/status", target=0.010)
    report("server GET journal, poll with If-None-Match (304)", median(polls), bare_status, "GET /api/status", target=0.010)
    report("server GET journal, after an append (fresh process)", after_write, floor, "plain regex line parser",
           within=1.5)
    report("server GET journal, after an append (first start)", after_write_built, floor, "plain regex line parser",
           within=1.5)


#: Seconds between a server's requests where a person would act (run a cell, open the sidebar).
PAUSE = 2.0


def answer_file(folder: Path) -> Path:
    """Where a server keeps the answer of ``folder`` between processes (the server's own rule)."""
    from jupyter_expjournal.server.answer_cache import file_for

    return file_for(Path(os.path.realpath(folder)))


class Server:
    def __init__(self, root: Path, log: Path, env: dict) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = os.urandom(8).hex()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", "--ServerApp.jpserver_extensions=jupyter_expjournal=True"],
            env=env, cwd=root, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.status()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"jupyter server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.1)

    def _fetch(self, path: str, headers=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}",
                                     headers={"Authorization": f"token {self.token}", **(headers or {})})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                resp.read()
                return time.perf_counter() - t, resp.status, resp.headers.get("Etag")
        except urllib.error.HTTPError as exc:
            return time.perf_counter() - t, exc.code, exc.headers.get("Etag")

    def status(self) -> float:
        return self._fetch("/api/status")[0]

    def get(self, etag: str | None = None):
        elapsed, status, tag = self._fetch("/expjournal/api/journal?path=", {"If-None-Match": etag} if etag else None)
        assert status == (304 if etag else 200), status
        return elapsed, status, tag

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(quick: bool = False) -> None:
    writes(quick)
    reads(quick)


if __name__ == "__main__":
    run("--quick" in sys.argv)
