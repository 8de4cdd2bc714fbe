"""Benchmarks: each figure next to a baseline measured in the same run, with the ratio and its target.

    python benchmarks/run.py            # everything (about 5 minutes on 2 cores); what `make bench` runs
    python benchmarks/run.py --quick    # fewer repeats and cells (about 2 minutes)
    python benchmarks/run.py startup journal   # only these sections: startup, kernel, journal, mlflow, mcp

Ratios hold on a noisy machine where absolute times do not. Subprocesses import
this working tree (PYTHONPATH), not an installed copy. The summary table at the
end is what benchmarks/README.md records. Exit status 1 when a target is missed
and ``--strict`` is given.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_journal  # noqa: E402
import bench_kernel  # noqa: E402
import bench_mcp  # noqa: E402
import bench_mlflow  # noqa: E402
import bench_startup  # noqa: E402
from common import ROWS, machine, summary_markdown  # noqa: E402

# The parse cache of the benchmarks' journals lives in this run's own folder: cold figures start without
# one, and the user's cache folder does not fill with temp journals.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="expjournal-bench-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

SECTIONS = {"startup": bench_startup.run, "kernel": bench_kernel.run, "journal": bench_journal.run, "mlflow": bench_mlflow.run,
            "mcp": bench_mcp.run}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    chosen = [a for a in argv if not a.startswith("-")] or list(SECTIONS)
    unknown = [c for c in chosen if c not in SECTIONS]
    if unknown:
        print(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    print(f"jupyter_expjournal benchmarks on {machine()}{' (quick)' if quick else ''}")
    print("  figure                                                     value     ratio"
          "   baseline (same run)                          target")
    t0 = time.perf_counter()
    for name in chosen:
        SECTIONS[name](quick)
    print(f"\nSummary ({time.perf_counter() - t0:.0f} s):\n")
    print(summary_markdown())
    missed = [r.name.strip() for r in ROWS if r.met is False]
    print(f"\n{len(missed)} target{'s' if len(missed) != 1 else ''} missed" + (f": {'; '.join(missed)}" if missed else ""))
    return 1 if missed and "--strict" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
