"""The sidebar at 400, 250 (JupyterLab's default) and 220 px, in JupyterLab and in Notebook 7 (issue 13,
points 1 and 7): the cards, an entry's details with a long log line, the hypothesis form and the compare
table all fit the panel: nothing makes the whole panel scroll sideways, no name breaks inside a word."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .lab import TAB
from .test_screenshot import left_panel_width, words_unbroken
from .test_sidebar import COMPARED

LOG_LINE = (
    "epoch 1/20 - loss: 0.4123 - accuracy: 0.8812 - val_loss: 0.3991 - val_accuracy: 0.8907 - lr: 0.0010000000474974513"
)
TRACEBACK = 'File "/home/someone/projects/a/very/long/path/to/train_model_with_many_options.py", line 123'
URL = "https://example.com/a/very/long/url/without/any/break/points/at/all/whatsoever/0123456789abcdef"

LONG = f"""
### 2026-11-21 10:00 — a run with a long log
**Status**: COMPLETED
**Hypothesis**: Logs are long.
**Actual outcome**: accuracy = 0.97
Output of cell [3]:
```text
{LOG_LINE}
{TRACEBACK}
```
**Notes**: {URL}
"""

# JupyterLab's left panel stops at 250 px; other apps and user styles go narrower.
NARROWER = (
    ":root { --jp-sidebar-min-width: 200px !important; } "
    "#jp-left-stack, .jp-SideArea { min-width: 200px !important; }"
)


def sideways(lab) -> dict:
    """How far the panel scrolls sideways, and the widest thing in it (empty when it fits)."""
    return lab.page.evaluate(
        """() => {
            const panel = document.querySelector('#expjournal-sidebar');
            const over = panel.scrollWidth - panel.clientWidth;
            if (over <= 1) return {};
            let widest = null, most = 0;
            for (const node of panel.querySelectorAll('*')) {
                if (node.scrollWidth > most && node.scrollWidth > panel.clientWidth) {
                    most = node.scrollWidth;
                    widest = node.tagName.toLowerCase() + '.' + node.className;
                }
            }
            return {over, widest, most};
        }"""
    )


def open_sidebar(lab, app: str):
    if app == "lab":
        lab.open()
        sidebar = lab.sidebar()
        lab.page.add_style_tag(content=NARROWER)
        for _ in range(2):  # hidden and shown again: the shell measures its limits anew
            lab.page.locator(TAB).click()
        sidebar.wait_for(state="visible")
        return sidebar
    lab.open_notebook7(lab.notebook("narrow.ipynb", "x = 1"))
    lab.page.add_style_tag(content=NARROWER)
    return lab.show_in_notebook7()


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_everything_fits_the_panel_from_220_px(lab, app):
    lab.journal.write_text(COMPARED + LONG, encoding="utf-8")
    sidebar = open_sidebar(lab, app)
    expect(sidebar.locator("section[aria-label='Entries'] article")).to_have_count(5)
    for width in (400, 250, 220):
        left_panel_width(lab, width)
        for card in sidebar.locator("article").all():
            name = card.locator(".jp-ExpJournal-entryName").bounding_box()
            assert name["width"] >= width - 60, (app, width, name)
        assert words_unbroken(lab) == [], (app, width)
        assert sideways(lab) == {}, (app, width, "cards")
        shown, room = sidebar.get_by_label("Filter entries").evaluate(
            """(input) => {
                const style = getComputedStyle(input);
                const context = document.createElement('canvas').getContext('2d');
                context.font = style.font;
                const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                return [context.measureText(input.placeholder).width, input.clientWidth - padding];
            }"""
        )
        assert shown <= room, (app, width, "the search box's placeholder is cut", shown, room)

        # The details: the log preformatted (its lines as the file holds them), in the panel's width.
        card = lab.entry("a run with a long log")
        card.locator("summary", has_text="Details").click()
        output = card.locator(".jp-ExpJournal-fields pre.jp-ExpJournal-output")
        expect(output).to_have_text(f"{LOG_LINE}\n{TRACEBACK}")
        assert "monospace" in output.evaluate("(pre) => getComputedStyle(pre).fontFamily").lower()
        expect(card.locator(".jp-ExpJournal-fields")).to_contain_text(URL)
        assert sideways(lab) == {}, (app, width, "details")
        box, panel = output.bounding_box(), sidebar.bounding_box()
        assert box["x"] + box["width"] <= panel["x"] + panel["width"], (app, width, box, panel)
        card.locator("summary", has_text="Details").click()

        # The form: every field within the panel.
        sidebar.get_by_role("button", name="New hypothesis").click()
        form = lab.page.get_by_role("form", name="New hypothesis")
        form.get_by_label("Name", exact=True).fill("a fairly long name for a hypothesis")
        expect(form.locator(".jp-ExpJournal-best")).to_be_visible()
        assert sideways(lab) == {}, (app, width, "form")
        form.get_by_role("button", name="Cancel").click()

    assert not lab.dialogs, lab.dialogs


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_the_compare_table_keeps_its_metric_in_sight_at_250_and_220_px(lab, app):
    """One metric (accuracy): at JupyterLab's default width the table shows it without a sideways
    scroll; the status goes under the name (a journal of many metrics scrolls, the name column first)."""
    lab.journal.write_text(COMPARED, encoding="utf-8")
    sidebar = open_sidebar(lab, app)
    sidebar.get_by_role("button", name="Compare table").click()
    table = sidebar.get_by_role("table", name="Compare entries")
    expect(table.locator("tbody tr")).to_have_count(4)
    for width in (400, 250, 220):
        left_panel_width(lab, width)
        wrap = sidebar.locator(".jp-ExpJournal-tableWrap")
        scroll, client = wrap.evaluate("(w) => [w.scrollWidth, w.clientWidth]")
        assert scroll <= client + 1, (app, width, "the table scrolls sideways", scroll, client)
        assert sideways(lab) == {}, (app, width)
        right = sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"]
        row = table.locator("tbody tr", has_text="SVC C=10")
        badge = row.locator(".jp-ExpJournal-badge:visible")
        for seen in (row.locator(".jp-ExpJournal-metric"), badge):
            expect(seen).to_be_visible()
            box = seen.bounding_box()
            assert box["x"] + box["width"] <= right, (app, width, box, right)
        expect(badge).to_have_text("COMPLETED")
        expect(row.locator(".jp-ExpJournal-metric")).to_contain_text("0.9889")
        expect(row.locator(".jp-ExpJournal-delta")).to_contain_text("+0.0056")
        expect(row).to_contain_text("C: 1 → 10")
    assert not lab.dialogs, lab.dialogs
