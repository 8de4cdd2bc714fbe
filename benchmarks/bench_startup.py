"""What ``%load_ext jupyter_expjournal`` costs over a bare IPython start, and what it imports."""

from __future__ import annotations

import json
import os
import sys
import tempfile

from common import child_env, median, report, run_python, section

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
t1 = time.perf_counter()
before = set(sys.modules)
if sys.argv[1] == "load":
    import io, contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        shell.run_line_magic("load_ext", "jupyter_expjournal")
t2 = time.perf_counter()
heavy = [m for m in ("ipywidgets", "tornado", "pandas", "matplotlib", "jupyter_server", "numpy") if m in sys.modules]
print(json.dumps({"ipython": t1 - t0, "load_ext": t2 - t1, "heavy": heavy, "new_modules": len(set(sys.modules) - before)}))
"""

IMPORT = r"""
import sys, time
t0 = time.perf_counter()
__import__(sys.argv[1])
print(time.perf_counter() - t0)
"""


def import_time(module: str, python: str | None = None, repeat: int = 3) -> float | None:
    try:
        return median(float(run_python(IMPORT, module, python=python)) for _ in range(repeat))
    except RuntimeError:
        return None


def run(quick: bool = False) -> None:
    section("Startup: %load_ext jupyter_expjournal over a bare IPython shell (fresh processes)")
    repeats = 5 if quick else 15
    empty = tempfile.mkdtemp(prefix="bench-startup-")
    env = child_env(EXPJOURNAL_DIR=os.path.join(empty, "experiments"))
    bare, loaded, wall_bare, wall_loaded = [], [], [], []
    heavy, new_modules = set(), 0
    import time
    run_python(PROBE, "load", env=env)  # warm-up: bytecode compiled, files in the page cache
    for _ in range(repeats):  # interleaved, so drift hits both alike
        t = time.perf_counter()
        b = json.loads(run_python(PROBE, "bare", env=env))
        wall_bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        loaded_run = json.loads(run_python(PROBE, "load", env=env))
        wall_loaded.append(time.perf_counter() - t)
        bare.append(b["ipython"])
        loaded.append(loaded_run["load_ext"])
        heavy.update(loaded_run["heavy"])
        new_modules = loaded_run["new_modules"]
    report("%load_ext (in process, no journal yet)", median(loaded), median(bare), "bare IPython shell start", target=0.030)
    report("process wall time, IPython + %load_ext", median(wall_loaded), median(wall_bare), "process wall, bare IPython shell",
           target=median(wall_bare) + 0.030, target_text="< bare + 30 ms")
    banned = sorted(heavy & {"ipywidgets", "tornado", "pandas", "matplotlib", "jupyter_server"})
    print(f"  modules %load_ext imports: {new_modules}; heavy ones among them: {', '.join(banned) or 'none'}"
          f"{' (numpy was already loaded by IPython)' if 'numpy' in heavy else ''}  -> {'met' if not banned else 'MISSED'}")
    if banned:
        report("heavy modules imported by %load_ext", len(banned), None, target=1, target_text="none", unit="x")

    section("Reference imports (same machine, same run)")
    ipy = import_time("IPython")
    report("import IPython", ipy or 0.0)
    for module in ("mlflow", "wandb"):
        python = os.environ.get("BENCH_MLFLOW_PYTHON") if module == "mlflow" else None
        t = import_time(module, python=python, repeat=1 if quick else 3)
        if t is None:
            print(f"  import {module}: not installed here, skipped")
        else:
            report(f"import {module}", t, ipy, "import IPython")


if __name__ == "__main__":
    run("--quick" in sys.argv)
