"""A sweep in the JupyterLab sidebar, in a real browser: planned in the hypothesis form (the key and its values in one
box, the server's message live when they are wrong), completed through the REST API as a kernel's loop would leave
it, shown on its card and as one compare row that expands to its points.

docs/sidebar-sweep.png is the compare table with the sweep expanded (saved under tests/ui/artifacts/ on every run;
docs/ replaced only when it is missing or EXPJOURNAL_UPDATE_DOCS=1, as the other pictures)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from playwright.sync_api import expect

from .lab import SIDEBAR
from .test_screenshot import left_panel_width

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sidebar-sweep.png"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

BASELINE = """# Experiment journal

### 2026-11-24 09:12 — SVC baseline
**Status**: COMPLETED
**Hypothesis**: An RBF SVC with default settings is a strong first baseline on 8x8 digits.
**Change**: none (baseline)
**Config**:
- gamma: scale (unchanged)
- C: 1 (unchanged)
**Expected outcome**: accuracy = 0.97
**Baseline**: accuracy = 0.90 (logistic regression)
**Actual outcome**: accuracy = 0.9889
**Delta**: accuracy +0.0889 vs baseline
"""
LOOP = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.8600\n"


def test_a_sweep_planned_in_the_form_completed_and_expanded_in_the_compare_table(lab):
    lab.journal.write_text(BASELINE, encoding="utf-8")
    lab.open()
    sidebar = lab.sidebar()
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    form.get_by_label("Name", exact=True).fill("gamma sweep")
    form.get_by_label("Hypothesis", exact=True).fill("A smaller gamma smooths the RBF kernel: digits generalise better.")
    form.get_by_label("Config key 1").fill("gamma")
    form.get_by_label("Config old value 1").fill("scale")
    form.get_by_role("button", name="+ Add row").click()
    form.get_by_label("Config key 2").fill("C")
    form.get_by_label("Config old value 2").fill("1")
    form.get_by_label("Expected outcome").fill("accuracy +0.005")
    form.get_by_label("Baseline").fill("accuracy = 0.9889")
    sweep = form.get_by_label("Sweep", exact=True)
    expect(sweep).to_have_attribute("placeholder", re.compile("^gamma = 0.001, 0.01, 0.1"))
    # One value is no sweep: the server's (the core's) message, live, before anything is written.
    sweep.fill("gamma = 0.001")
    error = form.get_by_role("alert")
    expect(error).to_contain_text("the sweep of 'gamma' has one value (0.001)")
    form.get_by_role("button", name="Log hypothesis").click()
    expect(error).to_contain_text("'sweep': the sweep of 'gamma' has one value (0.001)")
    assert lab.journal_text() == BASELINE
    sweep.fill("gamma = 0.0001, 0.001, 0.01")
    expect(error).to_have_count(0)
    # The gates see the sweep's row: one variable changes, nothing to warn of.
    expect(form.locator(".jp-ExpJournal-warning")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    form.screenshot(path=str(ARTIFACTS / "sidebar-sweep-form.png"))  # looked at, not in the docs
    form.get_by_role("button", name="Log hypothesis").click()
    text = lab.wait_for_file(lambda t: "— gamma sweep\n" in t)
    assert "- gamma: scale → [0.0001, 0.001, 0.01]\n" in text and "**Sweep**: gamma = 0.0001, 0.001, 0.01\n" in text
    assert "- C: 1\n" in text or "- C: 1 (unchanged)\n" in text

    card = lab.entry("gamma sweep")
    expect(card.locator(".jp-ExpJournal-sweep")).to_have_text("Sweep gamma 0.0001, 0.001, 0.01")

    # The loop ran in a kernel; its printed lines complete the sweep (as the sidebar's attach posts a cell's output).
    reply = lab.api("result", {"output": LOOP, "source": "cell [3]", "learning": "gamma=0.001 is the sweet spot"})
    [curve] = reply["assets"]
    expect(card.locator(".jp-ExpJournal-badge")).to_have_text("COMPLETED")
    expect(card.locator(".jp-ExpJournal-images img")).to_have_count(1)
    text = lab.journal_text()
    assert "| **0.001** | **0.9956** |" in text and f"![gamma sweep: accuracy against gamma]({curve})" in text

    left_panel_width(lab, 560)  # a person drags the panel out to compare
    sidebar.get_by_role("button", name="Compare table").click()
    table = sidebar.get_by_role("table", name="Compare entries")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="gamma sweep")
    expect(row.locator(".jp-ExpJournal-metric").first).to_contain_text("0.9956")  # the row: its best point
    expect(table.locator("thead th")).to_have_text(["Entry", "Changed", re.compile("^accuracy"), "Status"])
    toggle = row.get_by_role("button", name="3 points of gamma")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(rows.filter(has_text="SVC baseline").get_by_role("button")).to_have_count(0)  # no sweep, no toggle
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    points = table.locator("tr.jp-ExpJournal-point")
    expect(points).to_have_count(3)
    expect(points.locator("th")).to_have_text(["gamma=0.0001", "gamma=0.001 best", "gamma=0.01"])
    expect(table.locator("tr.jp-ExpJournal-pointBest")).to_have_attribute("data-point", "0.001")  # as its table marks it
    expect(points.locator(".jp-ExpJournal-metric")).to_have_text(["0.9711", "0.9956", "0.86"])
    expect(rows).to_have_count(5)
    assert rows.nth(1).get_attribute("data-point") == "0.0001", "the points follow their sweep's row"

    shot = picture(lab, table)
    toggle.click()
    expect(points).to_have_count(0)
    assert shot.stat().st_size > 5_000
    assert not lab.dialogs and not [e for e in lab.console_errors if "expjournal" in e.lower()]


def picture(lab, table) -> Path:
    """The compare table with the sweep expanded, under tests/ui/artifacts/ (docs/ as the other pictures)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    panel = lab.page.locator(SIDEBAR).bounding_box()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / DOCS.name
    top = max(panel["y"], box["y"] - 32)  # from the Cards / Compare table switch
    lab.page.screenshot(
        path=str(shot),
        clip={"x": panel["x"], "y": top, "width": panel["width"], "height": min(box["y"] + box["height"] + 8 - top, 480)},
    )
    if not DOCS.exists() or os.environ.get("EXPJOURNAL_UPDATE_DOCS") == "1":
        DOCS.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS)
    return shot
