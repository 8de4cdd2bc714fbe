"""Shared pieces of the benchmarks: timing, subprocesses on the working tree, one table of results."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    name: str
    value: float  # seconds, or bytes when unit == "MB"
    baseline: float | None
    baseline_name: str
    target: str = ""
    met: bool | None = None  # None: no target
    unit: str = "s"


ROWS: list[Row] = []


def fmt(value: float, unit: str = "s") -> str:
    if unit == "MB":
        return f"{value / 1e6:.1f} MB"
    if unit == "x":
        return f"{value:.2f}"
    if abs(value) < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if abs(value) < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def report(name: str, value: float, baseline: float | None = None, baseline_name: str = "", *,
           target: float | None = None, target_text: str = "", unit: str = "s", within: float | None = None) -> Row:
    """Print one figure next to its baseline (same run), the ratio, and whether the target is met.

    ``within``: the target is a ratio, at most that many times the baseline.
    """
    if within is not None and baseline:
        target, target_text = baseline * within, target_text or f"<= {within:g}x baseline"
    met = None if target is None else value <= target
    if target is not None and not target_text:
        target_text = f"< {fmt(target, unit)}"
    row = Row(name, value, baseline, baseline_name, target_text, met, unit)
    ROWS.append(row)
    ratio = f"{value / baseline:7.2f}x" if baseline else "        "
    base = f"{fmt(baseline, unit):>10} {baseline_name}" if baseline is not None else ""
    verdict = "" if met is None else ("met" if met else "MISSED")
    print(f"  {name:<52} {fmt(value, unit):>10}   {ratio}   {base:<44} {target_text} {verdict}".rstrip(), flush=True)
    return row


def timed(fn, repeat: int = 7) -> list[float]:
    """Seconds of each of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def median(values) -> float:
    return statistics.median(values)


def child_env(**extra: str) -> dict[str, str]:
    """A subprocess environment that imports the working tree (the venv holds an installed copy)."""
    env = {k: v for k, v in os.environ.items() if k not in ("EXPJOURNAL_DIR", "PYTHONDONTWRITEBYTECODE")}
    # bytecode as an installed package has it, cached outside the working tree
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "expjournal-bench-pycache")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["MPLBACKEND"] = "Agg"
    env.update(extra)
    return env


def run_python(code: str, *args: str, python: str | None = None, env: dict | None = None, cwd=None, timeout: float = 600) -> str:
    """Run ``code`` in a fresh interpreter; its stdout (raises with stderr on failure)."""
    done = subprocess.run([python or sys.executable, "-c", code, *args], env=env or child_env(), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{done.stderr[-3000:]}")
    return done.stdout


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return (f"{os.cpu_count()} cores ({model or 'unknown CPU'}), Python {platform.python_version()},"
            f" {platform.system()} {platform.machine()}")


def section(title: str) -> None:
    print(f"\n{title}", flush=True)


def summary_markdown() -> str:
    lines = ["| figure | value | baseline (same run) | ratio | target | |", "| --- | --- | --- | --- | --- | --- |"]
    for r in ROWS:
        base = f"{fmt(r.baseline, r.unit)} {r.baseline_name}" if r.baseline is not None else ""
        ratio = f"{r.value / r.baseline:.2f}×" if r.baseline else ""
        verdict = "" if r.met is None else ("met" if r.met else "**missed**")
        lines.append(f"| {r.name} | {fmt(r.value, r.unit)} | {base} | {ratio} | {r.target} | {verdict} |")
    return "\n".join(lines)
