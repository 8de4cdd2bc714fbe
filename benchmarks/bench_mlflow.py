"""The same logging with MLflow's local stores, when mlflow is importable (optional).

Runs MLflow in a subprocess (``$BENCH_MLFLOW_PYTHON``, default this interpreter) so that
its imports do not weigh on the other figures; skipped with the reason when it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import child_env, median, report, section

MLFLOW = r"""
import json, logging, os, sys, tempfile, time, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
n, store = int(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
import mlflow
t_import = time.perf_counter() - t0
folder = tempfile.mkdtemp(prefix="bench-mlflow-")
mlflow.set_tracking_uri(f"sqlite:///{folder}/mlflow.db" if store == "sqlite" else f"file://{folder}/mlruns")
t0 = time.perf_counter()
mlflow.set_experiment("bench")
t_setup = time.perf_counter() - t0
runs = []
for i in range(n):
    t = time.perf_counter()
    with mlflow.start_run(run_name=f"run {i}"):
        mlflow.set_tag("hypothesis", f"A learning rate of {i % 7 + 1}e-4 trains better.")
        mlflow.log_params({"lr": f"{i % 7 + 1}e-4", "batch_size": 32, "layers": i % 5 + 2})
        mlflow.log_metric("accuracy", 0.8 + (i % 17) / 1000)
        mlflow.set_tag("learning", f"the rate matters less than depth here (run {i})")
    runs.append(time.perf_counter() - t)
t = time.perf_counter()
found = mlflow.search_runs(experiment_names=["bench"], filter_string="params.lr = '3e-4'", output_format="list")
t_search = time.perf_counter() - t
print(json.dumps({"import": t_import, "setup": t_setup, "runs": runs, "search": t_search, "found": len(found)}))
"""


def ours(n: int) -> tuple[list[float], float, int]:
    from jupyter_expjournal.core.journal import Journal
    from jupyter_expjournal.core.model import ConfigItem, Draft, Outcome

    folder = Path(tempfile.mkdtemp(prefix="bench-ours-")) / "experiments"
    journal = Journal(folder)
    runs = []
    for i in range(n):
        t = time.perf_counter()
        draft = Draft(f"run {i}", f"A learning rate of {i % 7 + 1}e-4 trains better.",
                      config=[ConfigItem.change("lr", f"{i % 7}e-4", f"{i % 7 + 1}e-4"), ConfigItem.same("batch_size", "32"),
                              ConfigItem.same("layers", str(i % 5 + 2))],
                      expected="accuracy +0.01", baseline="accuracy = 0.80")
        journal.hypothesize(draft, parallel=True)
        journal.complete(Outcome(output=f"accuracy = {0.8 + (i % 17) / 1000:.3f}",
                                 learning=f"the rate matters less than depth here (run {i})"),
                         name=f"run {i}")
        runs.append(time.perf_counter() - t)
    t = time.perf_counter()
    found = [e for e in Journal(folder).entries() if any(c.key == "lr" and c.new == "3e-4" for c in e.config)]  # a cold read
    return runs, time.perf_counter() - t, len(found)


def run(quick: bool = False) -> None:
    n = 100 if quick else 1000
    python = os.environ.get("BENCH_MLFLOW_PYTHON") or sys.executable
    section(f"MLflow's local stores vs the journal: {n:,} runs logged (hypothesis, params, metric, learning), then one search")
    probe = subprocess.run([python, "-c", "import mlflow; print(mlflow.__version__)"], capture_output=True, text=True,
                           env=child_env())
    if probe.returncode != 0:
        print(f"  skipped: mlflow is not importable by {python}"
              f" ({probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else 'no output'});"
              " pip install mlflow, or set BENCH_MLFLOW_PYTHON to an interpreter that has it")
        return
    print(f"  mlflow {probe.stdout.strip()} ({python})")
    mine, my_search, my_found = ours(n)
    for store in ("sqlite", "file"):
        done = subprocess.run([python, "-c", MLFLOW, str(n), store], capture_output=True, text=True, timeout=3600,
                              env=child_env(MLFLOW_ALLOW_FILE_STORE="true"))
        if done.returncode != 0:
            print(f"  MLflow {store} store failed:"
                  f" {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
            continue
        m = json.loads(done.stdout.strip().splitlines()[-1])
        report(f"MLflow {store} store: one logged run", median(m["runs"]), median(mine), "journal: hypothesis + result")
        report(f"MLflow {store} store: search_runs at {n:,} runs", m["search"], my_search, "journal: cold read + filter")
        if store == "sqlite":
            report("MLflow: sqlite store creation (first set_experiment)", m["setup"], None)
    assert my_found == len([i for i in range(n) if i % 7 == 2])


if __name__ == "__main__":
    run("--quick" in sys.argv)
