"""docs/sidebar.png: the sidebar on a real journal (completed entries with figures, an abandoned
and an open one, lessons and rules), written through the same API the sidebar uses.

The picture is saved under tests/ui/artifacts/ on every run; docs/sidebar.png is replaced only
when it is missing or EXPJOURNAL_UPDATE_DOCS=1, so a test run leaves the work tree clean."""

from __future__ import annotations

import base64
import io
import os
import shutil
from pathlib import Path

from playwright.sync_api import expect

from .lab import SIDEBAR, Lab

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sidebar.png"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

JOURNAL = """# Experiment journal

Digits classifier (scikit-learn SVC): one variable at a time.

### 2026-11-24 09:12 — SVC baseline
**Status**: PLANNED
**Hypothesis**: An RBF SVC with default settings is a strong first baseline on 8x8 digits.
**Change**: none (baseline)
**Config**:
- kernel: rbf (unchanged)
- C: 1 (unchanged)
**Expected outcome**: accuracy = 0.97
**Baseline**: accuracy = 0.90 (logistic regression)

### 2026-11-24 09:40 — SVC C=10
**Status**: PLANNED
**Hypothesis**: A larger C penalises training errors more; with 900 training images it should still generalise.
**Change**: C 1 → 10
**Config**:
- C: 1 → 10
- kernel: rbf (unchanged)
**Expected outcome**: accuracy +0.005
**Baseline**: accuracy = 0.9833

### 2026-11-24 10:05 — SVC gamma=0.5
**Status**: PLANNED
**Hypothesis**: A narrower kernel separates 1 from 7 better.
**Change**: gamma scale → 0.5
**Config**:
- gamma: scale → 0.5
**Expected outcome**: accuracy +0.003
**Baseline**: accuracy = 0.9889

### 2026-11-24 10:31 — Augment with small rotations
**Status**: PLANNED
**Hypothesis**: Rotating training digits by ±10° teaches the invariance the test set needs.
**Change**: augment none → rotate10
**Config**:
- augment: none → rotate10
- C: 10 (unchanged)
**Expected outcome**: accuracy +0.004
**Baseline**: accuracy = 0.9889
"""

LESSONS = """## Lessons
- 2026-11-24 SVC: C matters far more than gamma once the pixels are scaled. Source: runs C=10, gamma=0.5

## Rules (hard-won)
- NEVER compare runs that used different train/test splits because the delta is then noise. Learned: 2026-11-24
- ALWAYS fix random_state when comparing two runs. Learned: 2026-11-24
"""


def figure(values: list[float], labels: list[str], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.2, 1.9), dpi=100)
    ax.bar(labels, values, color=["#9e9e9e"] * (len(values) - 1) + ["#1976d2"])
    ax.set_ylim(min(values) - 0.01, 1.0)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def test_sidebar_screenshot_for_the_docs(lab, theme="JupyterLab Light"):
    # A project folder with a name a reader recognises.
    folder = lab.server["root"] / "digits-svc"
    (folder / "experiments").mkdir(parents=True)
    lab = Lab(lab.page, lab.server, folder)
    lab.journal.write_text(JOURNAL, encoding="utf-8")
    (lab.folder / "experiments" / "lessons.md").write_text(LESSONS, encoding="utf-8")
    lab.api("result", {
        "name": "SVC baseline", "output": "accuracy = 0.9833\n", "source": "cell [4]",
        "images": [{"mime": "image/png", "data": figure([0.90, 0.9833], ["logreg", "SVC"], "accuracy")}],
        "learning": "the SVC beats logistic regression by 8 points", "next": "raise C",
    })
    lab.api("result", {
        "name": "SVC C=10", "output": "accuracy = 0.9889\n", "source": "cell [7]",
        "images": [{"mime": "image/png", "data": figure([0.9833, 0.9889], ["C=1", "C=10"], "accuracy")}],
        "learning": "C=10 helps a little, about as much as expected", "next": "try a narrower kernel",
    })
    lab.api("abandon", {"name": "SVC gamma=0.5", "reason": "accuracy fell to 0.52 at once: the kernel is far too narrow"})

    lab.page.set_viewport_size({"width": 1280, "height": 1480})
    lab.open()
    sidebar = lab.sidebar()
    expect(sidebar.locator("article")).to_have_count(4)
    # A wider panel, as a person would drag it.
    box = lab.page.locator("#jp-left-stack").bounding_box()
    lab.page.mouse.move(box["x"] + box["width"] + 2, box["y"] + 300)
    lab.page.mouse.down()
    lab.page.mouse.move(box["x"] + box["width"] + 150, box["y"] + 300, steps=5)
    lab.page.mouse.up()
    images = sidebar.locator(".jp-ExpJournal-images img")
    expect(images).to_have_count(2)
    for i in range(2):  # lazy images load when scrolled to
        images.nth(i).scroll_into_view_if_needed()
        lab.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
    expect(sidebar.locator(".jp-ExpJournal-rules li")).to_have_count(2)

    lab.page.locator(SIDEBAR).evaluate("(panel) => { panel.scrollTop = 0; }")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "sidebar.png"
    tabs = lab.page.locator(".jp-SideBar.jp-mod-left").bounding_box()
    panel = lab.page.locator(SIDEBAR).bounding_box()
    lab.page.screenshot(
        path=str(shot),
        clip={"x": tabs["x"], "y": panel["y"], "width": panel["x"] + panel["width"] - tabs["x"], "height": panel["height"]},
    )
    assert shot.stat().st_size > 10_000
    if not DOCS.exists() or os.environ.get("EXPJOURNAL_UPDATE_DOCS") == "1":
        DOCS.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS)
