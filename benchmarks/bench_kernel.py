"""Inside a real kernel (ipykernel through jupyter_client): the recorder's cost per cell, and memory
after 1,000 cells that each display a PNG figure, with and without the extension."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time

from common import child_env, fmt, median, report, section

SETUP_TIMING = r"""
import time as _time
_ip = get_ipython()
_bench = {"pre": 0.0, "cells": []}
def _bench_pre(*args):
    _bench["pre"] = _time.perf_counter()
def _bench_post(*args):
    _bench["cells"].append(_time.perf_counter() - _bench["pre"])
_ip.events.register("pre_run_cell", _bench_pre)     # registered first: runs before the extension's
"""

ARM = r"""
_ip.events.unregister("post_run_cell", _bench_post) if _bench_post in _ip.events.callbacks["post_run_cell"] else None
_rec = _ip._expjournal.recorder
_rec.register() if {loaded} else _rec.unregister()
_ip.events.register("post_run_cell", _bench_post)   # registered last: runs after the extension's
_bench["cells"].clear()
"""


class Kernel:
    def __init__(self, env: dict) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(env=env, stderr=subprocess.DEVNULL)  # no "running over TCP" warnings in the table
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 60) -> None:
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel cell failed: {code[:80]!r}: {reply['content'].get('evalue')}")

    def value(self, expr: str):
        reply = self.kc.execute_interactive("", user_expressions={"v": expr}, timeout=60, output_hook=lambda msg: None,
                                            store_history=False)
        data = reply["content"]["user_expressions"]["v"]
        if data.get("status") != "ok":
            raise RuntimeError(f"{expr}: {data}")
        return json.loads(eval(data["data"]["text/plain"]))  # a repr of a JSON string

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def cell_overhead(quick: bool) -> None:
    section("Per-cell cost of the recorder, measured inside a real kernel (pre_run_cell .. post_run_cell of each cell)")
    env = child_env(EXPJOURNAL_DIR=tempfile.mkdtemp(prefix="bench-kernel-") + "/experiments")
    kernel = Kernel(env)
    per_arm = 100 if quick else 300
    rounds = 3 if quick else 5
    try:
        kernel.run(SETUP_TIMING)
        kernel.run("%load_ext jupyter_expjournal")
        inside = {False: [], True: []}
        roundtrip = {False: [], True: []}
        for _ in range(rounds):
            for loaded in (False, True):  # interleaved rounds: drift hits both alike
                kernel.run(ARM.format(loaded=loaded))
                t0 = time.perf_counter()
                for _ in range(per_arm):
                    kernel.run("pass")
                roundtrip[loaded].append((time.perf_counter() - t0) / per_arm)
                cells = kernel.value("__import__('json').dumps(_bench['cells'][1:])")  # the first is the ARM cell
                inside[loaded].append(median(cells))
    finally:
        kernel.stop()
    bare, loaded = median(inside[False]), median(inside[True])
    report("empty cell inside the kernel, extension loaded", loaded, bare, "same cell, recorder off",
           target=bare + 20e-6, target_text="overhead < 20 µs")
    print(f"    overhead per cell: {fmt(loaded - bare)}; client round trip per cell: {fmt(median(roundtrip[True]))} "
          f"loaded vs {fmt(median(roundtrip[False]))} not (ZMQ and the event loop dominate)")


FIGURE = r"""
import numpy as _np, matplotlib.pyplot as _plt
_f = _plt.figure(figsize=(4, 3), dpi=80)
_plt.imshow(_np.random.default_rng({i}).random((120, 160)), interpolation="nearest")
_plt.show()
"""

RSS = ("__import__('json').dumps({k: int(v.split()[0]) * 1024 for k, v in (l.split(':', 1) for l in open('/proc/self/status'))"
       " if k in ('VmRSS', 'VmHWM')})")


def memory(quick: bool) -> None:
    cells = 200 if quick else 1000
    section(f"Kernel memory after {cells:,} cells that each display a PNG figure (matplotlib inline)")
    results = {}
    for loaded in (False, True):
        env = child_env(EXPJOURNAL_DIR=tempfile.mkdtemp(prefix="bench-mem-") + "/experiments")
        kernel = Kernel(env)
        try:
            if loaded:
                kernel.run("%load_ext jupyter_expjournal")
            kernel.run("%matplotlib inline\nimport matplotlib.pyplot as plt, numpy as np")
            kernel.run(FIGURE.format(i=0))
            start = kernel.value(RSS)
            half = None
            for i in range(cells):
                kernel.run(FIGURE.format(i=i + 1))
                if i + 1 == cells // 2:
                    half = kernel.value(RSS)
            end = kernel.value(RSS)
            png = (kernel.value("__import__('json').dumps(sum(len(d) for r in get_ipython()._expjournal.recorder.records"
                                " for _, d in r.images()) / max(1, len(get_ipython()._expjournal.recorder.records)))")
                   if loaded else None)
        finally:
            kernel.stop()
        results[loaded] = (start, half, end, png)
    (_, h0, e0, _), (_, h1, e1, png) = results[False], results[True]
    ring = 32 * png
    report(f"peak RSS after {cells:,} figure cells, extension loaded", e1["VmHWM"], e0["VmHWM"], "same cells, no extension",
           target=e0["VmHWM"] + ring * 2 + 16e6, target_text=f"< no extension + 2 × ring ({fmt(ring, 'MB')}) + 16 MB", unit="MB")
    report("  RSS growth over the second half, extension loaded", e1["VmRSS"] - h1["VmRSS"], e0["VmRSS"] - h0["VmRSS"],
           "same, no extension", target=(e0["VmRSS"] - h0["VmRSS"]) + 8e6, target_text="flat: < no-extension growth + 8 MB",
           unit="MB")
    print(f"    one figure is {png / 1e3:.0f} kB of PNG; the ring keeps the last 32 cells")


def run(quick: bool = False) -> None:
    try:
        import ipykernel  # noqa: F401
        import jupyter_client  # noqa: F401
    except ImportError as exc:
        print(f"\nKernel benchmarks skipped: {exc}")
        return
    cell_overhead(quick)
    memory(quick)


if __name__ == "__main__":
    run("--quick" in sys.argv)
