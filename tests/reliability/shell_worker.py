"""One writer of the concurrency test: a real IPython shell logging full experiments through the magics.

Usage: ``python shell_worker.py WORKER COUNT GO_FILE``. Waits until GO_FILE exists (so
all writers start at once), then for each experiment runs, as a user would,
``%%hypothesis NAME --parallel``, a cell printing the metric, ``%result --name NAME``
and ``%lesson``. Every text names its experiment, so the test can check that no
field landed in another entry. Exits 1 with the failing cell's error on stderr.
"""

import os
import sys
import time

from IPython.core.interactiveshell import InteractiveShell


def main() -> int:
    worker, count, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_expjournal")
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(count):
        name = f"w{worker}-{i}"
        cells = [
            f"%%hypothesis {name} --parallel\n"
            f"Hypothesis of {name}: a rate of {i + 1} is better.\n"
            f"change: rate_{name} {i} → {i + 1}\n"
            f"expected: acc +0.01 for {name}\n"
            f"baseline: acc = 0.5",
            f"print('acc = 0.{i:03d}  # output of {name}')",
            f"%result --name {name} --learning learned {name} --next next {name}",
            f"%lesson lesson of {name} --source source {name}",
        ]
        for cell in cells:
            result = shell.run_cell(cell, store_history=True)
            if not result.success:
                error = result.error_in_exec or result.error_before_exec
                print(f"worker {worker}: {cell.splitlines()[0]!r} failed: {type(error).__name__}: {error}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
