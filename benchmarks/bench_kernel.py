"""Inside a real kernel (ipykernel through jupyter_client): the recorder's cost per cell (with the hooks on the
kernel's streams and the descriptor check of every cell), and memory after 1,000 cells that each display a PNG
figure and after 1,000 cells that each print 10,000 lines, with and without the extension."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
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
        # no "running over TCP" warnings in the table, nor the echo of descriptor output ipykernel writes to its own stdout
        self.km.start_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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

    def rss(self) -> int:
        """The kernel process's resident memory, in bytes, read from /proc (not through a cell)."""
        pid = self.km.provisioner.pid
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc status")

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def cell_overhead(quick: bool) -> None:
    section("Per-cell cost of the recorder, measured inside a real kernel (pre_run_cell .. post_run_cell of each cell)")
    env = child_env(EXPJOURNAL_DIR=tempfile.mkdtemp(prefix="bench-kernel-") + "/experiments")
    kernel = Kernel(env)
    # Many short rounds, each arm first in every other one: the kernel's median cell drifts by tens of µs from
    # one second to the next (more than the figure itself), so the two arms of a difference are measured
    # within a second of each other, and neither always comes second.
    per_arm = 25 if quick else 35
    rounds = 12 if quick else 60
    try:
        kernel.run(SETUP_TIMING)
        kernel.run("%load_ext jupyter_expjournal")
        kernel.run(ARM.format(loaded=True))
        kernel.run("_ = __import__('os').write(1, b'fd check\\n')")
        hooked = kernel.value(FD_CHECK)
        inside = {False: [], True: []}
        fd_inside = {False: [], True: []}
        roundtrip = {False: [], True: []}
        for r in range(rounds):
            for loaded in ((False, True) if r % 2 == 0 else (True, False)):  # interleaved rounds: drift hits both alike
                kernel.run(ARM.format(loaded=loaded))
                t0 = time.perf_counter()
                for _ in range(per_arm):
                    kernel.run("pass")
                roundtrip[loaded].append((time.perf_counter() - t0) / per_arm)
                cells = kernel.value("__import__('json').dumps(_bench['cells'][1:])")  # the first is the ARM cell
                inside[loaded].append(median(cells))
                kernel.run("_bench['cells'].clear()")
                for _ in range(per_arm // 5):
                    kernel.run("_ = __import__('os').write(1, b'one line to descriptor 1\\n')")
                fd_inside[loaded].append(median(kernel.value("__import__('json').dumps(_bench['cells'][1:])")))
    finally:
        kernel.stop()
    # The overhead is the median of the rounds' differences (each round measures both arms, one after the
    # other): a busy machine's slower and faster phases then hit both sides of each difference alike.
    bare = median(inside[False])
    overhead = median([on - off for on, off in zip(inside[True], inside[False], strict=True)])
    report("empty cell inside the kernel, extension loaded", bare + overhead, bare, "same cell, recorder off",
           target=bare + 20e-6, target_text="overhead < 20 µs")
    print(f"    overhead per cell: {fmt(overhead)} (median of {rounds} rounds' differences; the medians alone: "
          f"{fmt(median(inside[True]))} vs {fmt(bare)}); client round trip per cell: {fmt(median(roundtrip[True]))} "
          f"loaded vs {fmt(median(roundtrip[False]))} not (ZMQ and the event loop dominate)")
    print(f"    descriptor capture: {hooked['hooked']} kernel streams tapped, {hooked['watched']} descriptor watchers; "
          f"a cell's os.write(1, ...) recorded: {hooked['recorded']}")
    report("  cell writing one line to descriptor 1, extension loaded", median(fd_inside[True]), median(fd_inside[False]),
           "same cell, recorder off")
    print("    (ipykernel's watcher thread hands the line to the tap; a cell waits for it only when it starts within"
          " 50 ms of the last, or displays something)")


FD_CHECK = ("__import__('json').dumps({'hooked': len(_rec.kernel_streams.hooked),"
            " 'watched': sum(s.watching for s in _rec.kernel_streams.streams()),"
            " 'recorded': 'fd check' in _rec.previous().text()})")

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


LOG_CELL = r"""
get_ipython().history_manager.outputs.clear()  # IPython 9 keeps every write of every cell: not the extension's memory
for _i in range(10_000):
    print(f"epoch {_i // 1000:>2} step {_i:>5}/10000 loss = {1 / (_i + 1):.6f} accuracy = {_i / 10_000:.4f} "
          f"val_loss = {1.1 / (_i + 1):.6f} val_accuracy = {_i / 10_500:.4f} lr = 1.0e-04 grad_norm = {_i % 7 / 3:.4f} "
          f"samples/s = {900 + _i % 50} time = 0.13 s")
"""


def log_memory(quick: bool) -> None:
    cells = 200 if quick else 1000
    first = 100
    section(f"Kernel memory after {cells:,} cells that each print 10,000 lines (1.7 MB: more than the cell keeps, its "
            "1 MB head and 0.5 MB tail, so the metrics of what is dropped are read too)")
    results: dict[bool, dict] = {}

    def drive(loaded: bool) -> None:  # the two kernels run side by side, one thread each
        env = child_env(EXPJOURNAL_DIR=tempfile.mkdtemp(prefix="bench-log-") + "/experiments")
        kernel = Kernel(env)
        try:
            if loaded:
                kernel.run("%load_ext jupyter_expjournal")
            kernel.run(LOG_CELL)
            seen = {0: kernel.rss()}
            t0 = time.perf_counter()
            for i in range(1, cells + 1):
                kernel.run(LOG_CELL, timeout=120)
                if i in (first, cells):
                    seen[i] = kernel.rss()
            seen["cell"] = (time.perf_counter() - t0) / cells
            if loaded:
                seen["ring"] = kernel.value("__import__('json').dumps([len(get_ipython()._expjournal.recorder.records),"
                                            " get_ipython()._expjournal.recorder.previous().truncated])")
        finally:
            kernel.stop()
        results[loaded] = seen

    threads = [threading.Thread(target=drive, args=(loaded,)) for loaded in (False, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(results) != 2:
        raise RuntimeError("a kernel of the log memory benchmark failed")
    bare, loaded = results[False], results[True]
    report(f"kernel RSS growth from cell {first} to {cells:,}, 10,000-line cells, extension loaded",
           loaded[cells] - loaded[first], bare[cells] - bare[first], "same, no extension", unit="MB",
           target=max(bare[cells] - bare[first], 0) + 5e6, target_text="flat: < no-extension growth + 5 MB")
    ring = 32 * 1.5e6  # the ring's 32 cells, each at most its 1 MB head and its 0.5 MB tail
    report(f"  kernel RSS after {cells:,} such cells, extension loaded", loaded[cells], bare[cells],
           "same cells, no extension", unit="MB", target=bare[cells] + ring + 16e6,
           target_text=f"< no extension + the ring ({fmt(ring, 'MB')}) + 16 MB")
    report("  one 10,000-line cell, extension loaded", loaded["cell"], bare["cell"], "same cell, no extension")
    kept, cut = loaded["ring"]
    print(f"    RSS at cell {first}: {fmt(loaded[first], 'MB')} loaded, {fmt(bare[first], 'MB')} not; the ring holds {kept}"
          f" cells; each cut {cut / 1e3:.0f} kB; IPython's own output history is cleared in every cell of both kernels")


def run(quick: bool = False) -> None:
    try:
        import ipykernel  # noqa: F401
        import jupyter_client  # noqa: F401
    except ImportError as exc:
        print(f"\nKernel benchmarks skipped: {exc}")
        return
    cell_overhead(quick)
    memory(quick)
    log_memory(quick)


if __name__ == "__main__":
    run("--quick" in sys.argv)
