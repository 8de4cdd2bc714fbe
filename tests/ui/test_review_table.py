"""``%review --table`` in a real JupyterLab: the compare table is an HTML table in the notebook (issue 13, point 4).

docs/review-table.png is written from this test when missing or with EXPJOURNAL_UPDATE_DOCS=1."""

from __future__ import annotations

import os
import shutil

from playwright.sync_api import expect

from .test_widget_panel import ARTIFACTS, CHECKOUT, JOURNAL, REPO

DOCS = REPO / "docs" / "review-table.png"


def test_review_table_is_an_html_table_in_the_notebook(lab):
    lab.journal.write_text(JOURNAL, encoding="utf-8")
    path = lab.notebook("table.ipynb", CHECKOUT, "%review --table --all --sort accuracy")
    lab.open(path)
    for cell in (0, 1):
        lab.run_cell(cell)
        lab.wait_cell_done(cell)
    table = lab.cell(1).locator(".expjournal-compare table")
    expect(table).to_be_visible(timeout=30_000)
    heads = table.locator("th").all_inner_texts()
    assert heads == ["entry", "time", "status", "changed", "accuracy ↑"]
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    # best accuracy first; the changed key old → new; the delta from the baseline beside the value
    assert rows.nth(0).locator("td").first.inner_text().startswith("SVC C=10")
    expect(rows.nth(0)).to_contain_text("C 1 → 10")
    expect(rows.nth(0)).to_contain_text("0.9889 (+0.0056)")
    expect(rows.nth(2)).to_contain_text("ABANDONED")
    # the notebook keeps the plain-text table too, for a terminal or a diff
    (output,) = lab.cell_outputs(1)
    assert "accuracy ↑" in "".join(output["data"]["text/plain"])
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-table.png"
    lab.cell(1).locator(".jp-OutputArea-output").first.screenshot(path=str(shot))
    if not DOCS.exists() or os.environ.get("EXPJOURNAL_UPDATE_DOCS") == "1":
        DOCS.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS)
    assert not lab.dialogs
