"""What the sweep tests share: a planned gamma sweep's body and the loop a person writes for it (real scikit-learn)."""

from __future__ import annotations

import contextlib
import io

GAMMAS = [0.0001, 0.001, 0.01]
#: A gamma sweep planned by its config row, with an expectation and a baseline.
BODY = """A smaller gamma smooths the RBF kernel: digits should generalise better.
config:
- gamma: scale → [0.0001, 0.001, 0.01]
- C: 1
expected: accuracy +0.005
baseline: accuracy = 0.9889
"""
#: The loop, as a cell: fit per gamma on scikit-learn's digits, print ``gamma=... accuracy=...``.
LOOP = """
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scores = {}
for gamma in [0.0001, 0.001, 0.01]:
    scores[gamma] = SVC(gamma=gamma).fit(X_train, y_train).score(X_test, y_test)
    print(f"gamma={gamma} accuracy={scores[gamma]:.4f}")
"""


def run_loop() -> tuple[str, dict[float, float]]:
    """:data:`LOOP` run here: what it printed, and its scores by gamma."""
    names: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(LOOP, names)  # noqa: S102 - the test's own code, as a notebook cell runs it
    return out.getvalue(), names["scores"]
