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

from .lab import SIDEBAR, TAB, Lab

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


def left_panel_width(lab, width: int) -> None:
    """Drag the left panel's edge until the panel is ``width`` px wide, as a person would."""
    for _ in range(3):
        box = lab.page.locator("#jp-left-stack").bounding_box()
        if abs(box["width"] - width) <= 2:
            return
        y = box["y"] + 300
        lab.page.mouse.move(box["x"] + box["width"] + 2, y)
        lab.page.mouse.down()
        lab.page.mouse.move(box["x"] + width + 2, y, steps=5)
        lab.page.mouse.up()
    box = lab.page.locator("#jp-left-stack").bounding_box()
    assert abs(box["width"] - width) <= 4, box


def words_unbroken(lab) -> list[str]:
    """The words of entry names that the browser broke across two lines (none should be)."""
    return lab.page.evaluate(
        r"""() => {
            const broken = [];
            for (const node of document.querySelectorAll('#expjournal-sidebar .jp-ExpJournal-entryName')) {
                const text = node.firstChild;
                if (!text) continue;
                const re = /\S+/g;
                let m;
                while ((m = re.exec(text.textContent))) {
                    const range = document.createRange();
                    range.setStart(text, m.index);
                    range.setEnd(text, m.index + m[0].length);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) broken.push(m[0]);
                }
            }
            return broken;
        }"""
    )


def shoot(lab, name: str, masked: bool = True) -> Path:
    """The left tab bar and the sidebar, digits of times masked (not for the docs); saved under tests/ui/artifacts."""
    lab.page.locator(SIDEBAR).evaluate("(panel) => { panel.scrollTop = 0; }")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    tabs = lab.page.locator(".jp-SideBar.jp-mod-left").bounding_box()
    panel = lab.page.locator(SIDEBAR).bounding_box()
    lab.page.screenshot(
        path=str(shot),
        clip={"x": tabs["x"], "y": panel["y"], "width": panel["x"] + panel["width"] - tabs["x"], "height": panel["height"]},
        mask=[lab.page.locator(f"{SIDEBAR} time")] if masked else [],
    )
    assert shot.stat().st_size > 10_000
    return shot


def to_docs(shot: Path, docs: Path) -> None:
    if not docs.exists() or os.environ.get("EXPJOURNAL_UPDATE_DOCS") == "1":
        docs.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, docs)


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
    images = sidebar.locator(".jp-ExpJournal-images img")
    expect(images).to_have_count(2)
    for i in range(2):  # lazy images load when scrolled to
        images.nth(i).scroll_into_view_if_needed()
        lab.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
    expect(sidebar.locator(".jp-ExpJournal-rules li")).to_have_count(2)

    # Readable from 220 px up: each name on its own line, broken only between words.
    # (JupyterLab's left panel stops at 250 px; other apps and user styles go narrower.)
    lab.page.add_style_tag(content=":root { --jp-sidebar-min-width: 200px !important; } "
                           "#jp-left-stack, .jp-SideArea { min-width: 200px !important; }")
    for _ in range(2):  # hidden and shown again: the shell measures its limits anew
        lab.page.locator(TAB).click()
    sidebar.wait_for(state="visible")
    for width in (400, 250, 220):
        left_panel_width(lab, width)
        for card in sidebar.locator("article").all():
            name = card.locator(".jp-ExpJournal-entryName").bounding_box()
            assert name["width"] >= width - 60, (width, name)
        assert words_unbroken(lab) == [], width
        shoot(lab, f"sidebar-{width}.png")
    left_panel_width(lab, 250)  # JupyterLab's default width
    to_docs(shoot(lab, "sidebar.png", masked=False), DOCS)
    # What the details show of an entry (looked at, not in the docs).
    card = lab.entry("SVC C=10")
    card.locator("summary", has_text="Details").click()
    expect(card.locator(".jp-ExpJournal-fields pre")).to_have_count(1)
    card.locator(".jp-ExpJournal-fields img").wait_for()
    card.screenshot(path=str(ARTIFACTS / "sidebar-details.png"), mask=[lab.page.locator(f"{SIDEBAR} time")])
    card.locator("summary", has_text="Details").click()

    # The compare table, wider (a person drags the panel out to compare).
    left_panel_width(lab, 560)
    sidebar.get_by_role("button", name="Compare table").click()
    table = sidebar.get_by_role("table", name="Compare entries")
    expect(table.locator("tbody tr")).to_have_count(3)
    table.scroll_into_view_if_needed()
    top = table.bounding_box()
    panel = lab.page.locator(SIDEBAR).bounding_box()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "sidebar-compare.png"
    clip_top = max(panel["y"], top["y"] - 120)
    lab.page.screenshot(
        path=str(shot),
        clip={"x": panel["x"], "y": clip_top, "width": panel["width"], "height": min(top["height"] + 140, 420)},
    )
    to_docs(shot, DOCS.with_name("sidebar-compare.png"))
