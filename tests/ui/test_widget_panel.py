"""The ipywidgets panel in a real JupyterLab: shown by a cell, filled and clicked in the browser.

docs/widget.png, docs/panel-review.png and docs/panel-sweep.png are written from these tests: each
picture is saved under tests/ui/artifacts/ on every run; the one in docs/ is replaced only when it is
missing or EXPJOURNAL_UPDATE_DOCS=1, so a test run leaves the work tree clean."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "widget.png"
REVIEW_DOCS = REPO / "docs" / "panel-review.png"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ATTACH = "Attach previous cell's outputs"

# The server runs the installed package (`make install`); a package installed before the panel
# was a package of tabs has no widgets/words.py, and then the kernel takes this checkout's.
SETUP = f"""import importlib.util, pathlib, sys
_spec = importlib.util.find_spec("jupyter_expjournal")
if _spec is None or not (pathlib.Path(_spec.origin).parent / "widgets" / "words.py").exists():
    sys.path.insert(0, {str(REPO)!r})
%load_ext jupyter_expjournal"""
JOURNAL = """# Experiment journal

### 2026-11-24 09:12 — SVC baseline
**Status**: COMPLETED
**Hypothesis**: An RBF SVC with default settings is a strong first baseline on 8x8 digits.
**Change**: none (baseline)
**Expected outcome**: accuracy = 0.97
**Baseline**: accuracy = 0.90 (logistic regression)
**Actual outcome**: accuracy = 0.9833
**Delta**: accuracy +0.0133 vs expected 0.97: better than expected

### 2026-11-24 09:40 — SVC C=10
**Status**: COMPLETED
**Hypothesis**: A larger C penalises training errors more; with 900 training images it should still generalise.
**Change**: C 1 → 10
**Expected outcome**: accuracy +0.005
**Baseline**: accuracy = 0.9833
**Actual outcome**: accuracy = 0.9889
**Delta**: accuracy +0.0056 vs expected +0.005: as expected

### 2026-11-24 10:05 — SVC gamma=0.1
**Status**: ABANDONED
**Hypothesis**: A narrower kernel separates 1 from 7 better.
**Change**: gamma scale → 0.1
**Baseline**: accuracy = 0.9889
**Actual outcome**: Abandoned: found a data leak in the split
"""
LESSONS = """## Rules (hard-won)
- NEVER push gamma past 1 because the kernel memorises the training digits. Learned: 2026-11-24
"""
SHOW = "from jupyter_expjournal.widgets import panel\np = panel()"
HAND = "written by hand <img src=x onerror=window.__xss=1> $lr$"
HAND_HYPOTHESIS = "<script>window.__xss=2</script> a **hand** edit"
EXPERIMENT = 'print("accuracy = 0.9889")'


def picture(root, docs: Path) -> None:
    """The panel's picture under tests/ui/artifacts/; ``docs`` replaced only when missing or EXPJOURNAL_UPDATE_DOCS=1."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / docs.name
    root.screenshot(path=str(shot))
    if not docs.exists() or os.environ.get("EXPJOURNAL_UPDATE_DOCS") == "1":
        docs.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, docs)


def panel_width(lab, root, wanted: int, viewport: int, height: int = 1100, within: int = 15) -> float:
    """Narrow or widen the window until the notebook makes the panel ``wanted`` px wide; the width it got."""
    for _ in range(6):
        lab.page.set_viewport_size({"width": viewport, "height": height})
        lab.page.wait_for_timeout(300)
        width = root.bounding_box()["width"]
        if abs(width - wanted) <= within:
            break
        viewport -= int(width - wanted)
    return width


def test_widget_panel_logs_a_hypothesis_and_attaches_a_result(lab):
    lab.journal.write_text(JOURNAL, encoding="utf-8")
    (lab.folder / "experiments" / "lessons.md").write_text(LESSONS, encoding="utf-8")
    path = lab.notebook("panel.ipynb", SETUP, SHOW, EXPERIMENT)
    lab.open(path)
    lab.run_cell(0)
    lab.wait_cell_done(0)
    lab.run_cell(1)
    lab.wait_cell_done(1)
    out = lab.cell(1).locator(".jp-OutputArea-output").first
    root = out.locator(".expjournal-panel")
    expect(root).to_be_visible(timeout=30_000)
    expect(root).to_contain_text("Experiment journal")
    expect(root).to_contain_text("2 completed, 1 abandoned · experiments/journal.md")

    # Nothing open: the panel starts on the hypothesis form; the gates are live as one types.
    root.get_by_placeholder("SVC C=10").fill("SVC gamma=0.1")
    root.get_by_placeholder("What you expect to happen, and why.").fill(
        "A narrower RBF kernel draws finer boundaries between similar digits (1 vs 7, 3 vs 8)."
    )
    root.get_by_placeholder("key", exact=True).fill("gamma")
    root.get_by_placeholder("old (or value)").fill("scale")
    root.get_by_placeholder("new (empty: unchanged)").fill("0.1")
    root.get_by_role("button", name="add row").click()
    root.get_by_placeholder("key", exact=True).nth(1).fill("C")
    root.get_by_placeholder("old (or value)").nth(1).fill("10")
    root.get_by_placeholder("accuracy +0.01").fill("accuracy +0.005")
    expect(root).to_contain_text("⚠ no baseline recorded")
    expect(root).to_contain_text("⚠ this change was already tried in 'SVC gamma=0.1'")
    expect(root).to_contain_text("rule: NEVER push gamma past 1")
    assert lab.journal_text() == JOURNAL, "the gates are checked without writing"

    # A 720 px wide panel for the picture: the window is narrowed until the notebook makes it so.
    width = panel_width(lab, root, 720, 1400, within=20)
    assert 600 <= width <= 800, width
    picture(root, DOCS)

    root.get_by_placeholder("accuracy = 0.95").fill("accuracy = 0.9889")
    expect(root).not_to_contain_text("no baseline recorded")
    root.get_by_role("button", name="Log hypothesis").click()
    text = lab.wait_for_file(lambda t: t.count("— SVC gamma=0.1") == 2)
    assert "**Status**: PLANNED" in text
    assert "**Hypothesis**: A narrower RBF kernel draws finer boundaries" in text
    assert "**Change**: gamma scale → 0.1\n" in text
    assert "- gamma: scale → 0.1\n- C: 10 (unchanged)\n" in text
    assert "**Baseline**: accuracy = 0.9889" in text
    expect(root).to_contain_text("Logged PLANNED 'SVC gamma=0.1'")

    # The panel moves on to the result: the attach button is there.
    attach = root.get_by_role("button", name=ATTACH)
    expect(attach).to_be_visible()
    lab.run_cell(2)
    lab.wait_cell_done(2)
    expect(root).to_contain_text('attaches: cell [3]: print("accuracy = 0.9889")')
    root.get_by_placeholder("one sentence: what this taught you").fill("gamma barely matters once C is tuned")
    attach.click()
    text = lab.wait_for_file(lambda t: t.count("**Status**: COMPLETED") == 3)
    assert "```text\naccuracy = 0.9889\n```" in text
    assert "**Learning**: gamma barely matters once C is tuned" in text
    expect(root).to_contain_text("'SVC gamma=0.1' COMPLETED")

    # Another writer (a hand edit): the kernel's poll thread updates the panel in the browser.
    # Its text is shown exactly as written: no markup runs, no LaTeX is typeset.
    with open(lab.journal, "a", encoding="utf-8") as fh:
        fh.write(f"\n### 2026-11-26 09:00 — {HAND}\n**Status**: PLANNED\n**Hypothesis**: {HAND_HYPOTHESIS}\n")
    root.get_by_role("tab", name="Journal").click()
    hand = root.locator(".expjournal-entry").first
    expect(hand).to_contain_text(HAND, timeout=10_000)
    hand.get_by_role("button", name="details").click()
    expect(hand).to_contain_text(HAND_HYPOTHESIS)
    assert lab.page.evaluate("window.__xss") is None
    # Details open on demand.
    row = root.locator(".expjournal-entry", has_text="SVC gamma=0.1").first  # newest first
    row.get_by_role("button", name="details").click()
    expect(row).to_contain_text("gamma barely matters once C is tuned")
    root.screenshot(path=str(ARTIFACTS / "widget-journal.png"))
    assert not lab.dialogs


# This checkout's panel, whatever package the server has installed (the kernel imports it first).
CHECKOUT = f"""import sys
sys.path.insert(0, {str(REPO)!r})
%load_ext jupyter_expjournal"""


def checkout_panel(lab, name: str, width: int, height: int, *cells: str):
    """This checkout's panel shown by a notebook over JOURNAL (its first two cells run, the rest left to run)."""
    lab.journal.write_text(JOURNAL, encoding="utf-8")
    path = lab.notebook(name, CHECKOUT, SHOW, *cells)
    lab.page.set_viewport_size({"width": width, "height": height})
    lab.open(path)
    for cell in (0, 1):
        lab.run_cell(cell)
        lab.wait_cell_done(cell)
    root = lab.cell(1).locator(".jp-OutputArea-output").first.locator(".expjournal-panel")
    expect(root).to_be_visible(timeout=30_000)
    return root


def overflowing(lab, root) -> list[str]:
    """Each visible control (and each tab's frame) sticking out of a box that clips it, in px.

    A box that scrolls or clips (the panel, a tab, a vertical box) hides what sticks out of it:
    a text field's right border, the tab frame's right border, a button's end, a line of text
    (the entry count, a checkbox's label, an entry's time and its "details" button).
    """
    return lab.page.evaluate(
        """(panel) => {
            const out = [];
            const shown = 'input, textarea, select, button, .widget-tab-contents, .expjournal-review td, ' +
                '.expjournal-analysis img, .widget-label, .widget-checkbox, .widget-html-content';
            for (const e of panel.querySelectorAll(shown)) {
                if (e.offsetParent === null) continue;
                const right = e.getBoundingClientRect().right;
                for (let box = e.parentElement; box && box !== panel.parentElement; box = box.parentElement) {
                    if (getComputedStyle(box).overflowX === 'visible') continue;
                    const inner = box.getBoundingClientRect().left + box.clientLeft + box.clientWidth;
                    if (right > inner + 0.5) {
                        const name = (e.placeholder || e.textContent || e.className).trim().slice(0, 30);
                        out.push(`${name}: ${Math.round(right - inner)} px out of ${box.className.slice(0, 40)}`);
                        break;
                    }
                }
            }
            return out;
        }""",
        root.element_handle(),
    )


def labels_broken(root) -> list[str]:
    """The review's field labels (hypothesis, change, ...: one word each) broken over lines in a narrow panel."""
    return root.locator(".expjournal-review th").evaluate_all(
        """(ths) => ths.filter(t => {
            if (t.offsetParent === null || t.textContent.trim().indexOf(' ') >= 0) return false;
            const text = document.createRange();
            text.selectNodeContents(t);
            return new Set([...text.getClientRects()].map(r => Math.round(r.top))).size > 1;  // its lines
        }).map(t => t.textContent)"""
    )


def test_the_panels_inputs_fit_it_and_its_review_shows_the_plots(lab):
    root = checkout_panel(lab, "fits.ipynb", 900, 1000)  # a narrow notebook: the panel about 550 px wide
    # the widget view is drawn, not the review the bundle carries for front ends without widgets
    expect(lab.cell(1)).not_to_contain_text("is not drawn here")

    ARTIFACTS.mkdir(exist_ok=True)
    for wanted in (470, 400, 320):  # the panel's width: the window is narrowed until the notebook makes it so
        width = panel_width(lab, root, wanted, 900, height=1000)
        assert abs(width - wanted) <= 30, width
        for tab in ("Hypothesis", "Result", "Lesson", "Journal"):
            root.get_by_role("tab", name=tab).click()
            lab.page.wait_for_timeout(200)
            assert overflowing(lab, root) == [], (wanted, tab)
        # each entry's name is read whole, on one line (they are short), however narrow: not squeezed by its time and button
        names = root.locator(".expjournal-entry .expjournal-name span")
        expect(names).to_have_count(3)
        cut = names.evaluate_all(
            "(spans) => spans.filter(s => s.clientWidth < s.scrollWidth || "
            "s.offsetHeight > 1.6 * parseFloat(getComputedStyle(s).lineHeight))"
            ".map(s => `${s.textContent}: ${s.clientWidth} of ${s.scrollWidth} px, ${s.offsetHeight} px high`)"
        )
        assert cut == [], (wanted, cut)
        root.screenshot(path=str(ARTIFACTS / f"widget-journal-{wanted}px.png"))
        root.get_by_role("tab", name="Hypothesis").click()
        # a hint that wraps reads as text: its lines not 28 px apart (an HTML widget's line height is a control's)
        hint = root.get_by_text("config: key, old → new")
        spacing = hint.evaluate("(e) => parseFloat(getComputedStyle(e).lineHeight)")
        assert spacing < 24, (wanted, spacing)
        root.screenshot(path=str(ARTIFACTS / f"widget-{wanted}px.png"))

    root.get_by_role("tab", name="Review").click()
    plots = root.locator("img[alt='accuracy over experiments']")
    expect(plots).to_be_visible(timeout=20_000)
    expect(root.locator("img[alt='best effect per parameter']")).to_be_visible()
    assert overflowing(lab, root) == [], "Review"
    assert labels_broken(root) == []
    # the review reads as text, not one line per 28 px (an HTML widget's line height is a control's)
    spacing = root.locator(".expjournal-review").first.evaluate("(e) => parseFloat(getComputedStyle(e).lineHeight)")
    assert spacing < 24, spacing
    review = root.locator(".expjournal-analysis")
    review.scroll_into_view_if_needed()
    review.screenshot(path=str(ARTIFACTS / "widget-review.png"))
    # the picture for the README: the Review tab's analysis and its plots in a 640 px panel
    width = panel_width(lab, root, 640, 1300)
    assert abs(width - 640) <= 30, width
    review.scroll_into_view_if_needed()
    expect(plots).to_be_visible()
    picture(review, REVIEW_DOCS)
    assert not lab.dialogs


SWEEP_DOCS = REPO / "docs" / "panel-sweep.png"
SWEEP_LOOP = """for gamma, accuracy in [(0.0001, 0.9711), (0.001, 0.9956), (0.01, 0.86)]:
    print(f"gamma={gamma} accuracy={accuracy}")"""


def test_the_panel_plans_a_sweep_and_attaches_its_table_and_curve(lab):
    """The sweep field of the Hypothesis tab, its gates live, then the loop's cell attached: one entry, its curve.

    docs/panel-sweep.png is written from here, as docs/widget.png is above."""
    root = checkout_panel(lab, "sweep.ipynb", 1300, 1100, SWEEP_LOOP)

    root.get_by_placeholder("SVC C=10").fill("gamma sweep")
    root.get_by_placeholder("What you expect to happen, and why.").fill(
        "A smaller gamma smooths the RBF kernel: the digits should generalise better."
    )
    root.get_by_placeholder("key", exact=True).fill("gamma")
    root.get_by_placeholder("old (or value)").fill("scale")
    sweep = root.get_by_placeholder("gamma = 0.001, 0.01, 0.1 (empty: no sweep)")
    sweep.fill("gamma = 0.0001")
    expect(root).to_contain_text("✖ the sweep of 'gamma' has one value (0.0001)")  # the core's message, live
    sweep.fill("gamma = 0.0001, 0.001, 0.01")
    root.get_by_placeholder("accuracy +0.01").fill("accuracy +0.005")
    root.get_by_placeholder("accuracy = 0.95").fill("accuracy = 0.9889")
    expect(root).to_contain_text("✓ the gates pass")
    assert lab.journal_text() == JOURNAL, "the gates are checked without writing"
    picture(root, SWEEP_DOCS)

    root.get_by_role("button", name="Log hypothesis").click()
    text = lab.wait_for_file(lambda t: "— gamma sweep" in t)
    assert "- gamma: scale → [0.0001, 0.001, 0.01]\n" in text and "**Sweep**: gamma = 0.0001, 0.001, 0.01\n" in text
    expect(root).to_contain_text("Logged PLANNED 'gamma sweep'")
    expect(root).to_contain_text("sweep gamma = 0.0001, 0.001, 0.01: run them in a cell")

    lab.run_cell(2)
    lab.wait_cell_done(2)
    expect(root).to_contain_text("attaches: cell [3]: for gamma, accuracy in")
    root.get_by_role("button", name=ATTACH).click()
    text = lab.wait_for_file(lambda t: t.count("**Status**: COMPLETED") == 3)
    assert "| **0.001** | **0.9956** |" in text
    assert "**Delta**: accuracy best 0.9956 at gamma=0.001:" in text
    expect(root).to_contain_text("'gamma sweep' COMPLETED: accuracy best 0.9956 at gamma=0.001")
    curve = next(line for line in text.splitlines() if line.startswith("![gamma sweep: accuracy against gamma](assets/"))
    assert (lab.folder / "experiments" / curve.split("(", 1)[1].rstrip(")")).read_bytes().startswith(b"\x89PNG")
    assert not lab.dialogs


def test_the_panel_in_notebook7_logs_attaches_fits_and_shows_the_plots(lab):
    """The README offers the panel for Notebook 7: its page (not JupyterLab's shell) draws the panel, which logs a
    hypothesis, attaches the next cell, fits a narrow window and draws the analysis' plots."""
    pytest.importorskip("notebook", minversion="7", reason="pip install '.[test]' brings Notebook 7")
    lab.journal.write_text(JOURNAL, encoding="utf-8")
    path = lab.notebook("nb7-panel.ipynb", CHECKOUT, SHOW, EXPERIMENT)
    page = lab.page
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.goto(f"{lab.server['url']}/notebooks/{path}?token={lab.server['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    assert page.locator(".jp-LabShell").count() == 0, "Notebook 7's own shell, not JupyterLab's"
    # the kernel connected and idle (the toolbar's indicator): a cell run before is not run at all
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    for cell in (0, 1):
        lab.run_cell(cell)
        lab.wait_cell_done(cell)
    root = lab.cell(1).locator(".jp-OutputArea-output").first.locator(".expjournal-panel")
    expect(root).to_be_visible(timeout=30_000)
    expect(lab.cell(1)).not_to_contain_text("is not drawn here")
    expect(root).to_contain_text("2 completed, 1 abandoned")

    root.get_by_placeholder("SVC C=10").fill("SVC C=100")
    root.get_by_placeholder("What you expect to happen, and why.").fill("Past 10, C only memorises the training digits.")
    root.get_by_placeholder("key", exact=True).fill("C")
    root.get_by_placeholder("old (or value)").fill("10")
    root.get_by_placeholder("new (empty: unchanged)").fill("100")
    root.get_by_placeholder("accuracy +0.01").fill("accuracy +0.001")
    root.get_by_placeholder("accuracy = 0.95").fill("accuracy = 0.9889")
    expect(root).to_contain_text("✓ the gates pass")
    root.get_by_role("button", name="Log hypothesis").click()
    lab.wait_for_file(lambda t: "— SVC C=100" in t and "**Status**: PLANNED" in t)
    lab.run_cell(2)
    lab.wait_cell_done(2)
    expect(root).to_contain_text('attaches: cell [3]: print("accuracy = 0.9889")')
    root.get_by_role("button", name=ATTACH).click()
    text = lab.wait_for_file(lambda t: t.count("**Status**: COMPLETED") == 3)
    assert "```text\naccuracy = 0.9889\n```" in text.split("— SVC C=100")[1]  # the cell's output, attached

    width = panel_width(lab, root, 360, 700, height=1000)  # a narrow window
    assert abs(width - 360) <= 30, width
    for tab in ("Hypothesis", "Result", "Lesson", "Journal"):
        root.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(200)
        assert overflowing(lab, root) == [], tab
    root.get_by_role("tab", name="Review").click()
    expect(root.locator("img[alt='accuracy over experiments']")).to_be_visible(timeout=20_000)
    assert overflowing(lab, root) == [], "Review"
    assert labels_broken(root) == []
    root.screenshot(path=str(ARTIFACTS / "widget-notebook7.png"))
    assert not lab.dialogs
