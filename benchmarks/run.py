"""Benchmarks: each figure next to a baseline measured in the same run, as a ratio.

Run with ``make bench`` (or ``python benchmarks/run.py``). Ratios hold on a noisy
machine where absolute times do not; targets are printed beside them.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_of(fn, repeat: int = 5, number: int = 1) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - t0) / number)
    return statistics.median(rounds)


def report(name: str, value: float, baseline: float, baseline_name: str, target: str = "") -> None:
    ratio = value / baseline if baseline else float("inf")
    unit, scale = ("µs", 1e6) if value < 1e-3 else ("ms", 1e3)
    print(
        f"{name:<46} {value * scale:9.1f} {unit}   vs {baseline_name:<30} {baseline * scale:9.1f} {unit}"
        f"   ratio {ratio:6.2f}   {target}"
    )


def cell_overhead() -> None:
    """The recorder's cost per cell: an empty cell with and without the extension."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    os.environ["EXPJOURNAL_DIR"] = tempfile.mkdtemp()
    n = 2000

    def cells():
        for _ in range(n):
            shell.run_cell("pass")  # no history: its cost grows with the session and would swamp ours

    # interleave rounds so drift hits both sides alike
    bare, loaded = [], []
    shell.run_line_magic("load_ext", "jupyter_expjournal")
    for _ in range(5):
        shell._expjournal.recorder.unregister()
        bare.append(best_of(cells, repeat=1) / n)
        shell._expjournal.recorder.register()
        loaded.append(best_of(cells, repeat=1) / n)
    b, l = statistics.median(bare), statistics.median(loaded)
    report("empty cell, extension loaded", l, b, "empty cell, no extension", f"overhead {(l - b) * 1e6:.1f} µs (target < 20 µs)")


def journal_writes() -> None:
    """%%hypothesis (append) and %result (rewrite) against the floor of the same I/O done bare."""
    from jupyter_expjournal.core.draft import parse_body
    from jupyter_expjournal.core.journal import Journal
    from jupyter_expjournal.core.model import Outcome

    body = "Higher rank captures more.\nchange: r 32 → 64\nexpected: acc +0.02\nbaseline: acc = 0.78"
    for size in (100, 1000):
        folder = Path(tempfile.mkdtemp()) / "experiments"
        journal = Journal(folder)
        for i in range(size):
            journal.hypothesize(parse_body(f"e{i}", body), parallel=True)
        entry_bytes = (folder / "journal.md").read_bytes()[-300:]

        def hypothesis():
            journal.hypothesize(parse_body("bench", body), parallel=True)

        def result():
            journal.complete(Outcome(output="acc = 0.8"), name="bench")

        bare_path = folder / "bare.md"

        def bare_append():
            fd = os.open(bare_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.write(fd, entry_bytes)
            os.fsync(fd)
            os.close(fd)

        text = (folder / "journal.md").read_bytes()

        def bare_rewrite():
            tmp = folder / "bare.tmp"
            with open(tmp, "wb") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, bare_path)

        h_times, r_times = [], []
        for _ in range(7):
            t0 = time.perf_counter()
            hypothesis()
            h_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result()
            r_times.append(time.perf_counter() - t0)
        report(f"%%hypothesis at {size:,} entries", statistics.median(h_times), best_of(bare_append, 7), "bare append + fsync")
        report(f"%result at {size:,} entries", statistics.median(r_times), best_of(bare_rewrite, 7), "bare atomic rewrite")


if __name__ == "__main__":
    print(f"python {sys.version.split()[0]} on {os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores")
    cell_overhead()
    journal_writes()
