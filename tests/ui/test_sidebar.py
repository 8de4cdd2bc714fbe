"""The JupyterLab sidebar in a real browser: the magics, the form, the cell toolbar, the files on disk."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from jupyter_expjournal.core.outcome import cut_output, fenced

from .lab import SIDEBAR

LOAD = "%load_ext jupyter_expjournal"

HYPOTHESIS_CELL = """%%hypothesis SVC C=10
A larger C fits the digits more tightly and should still generalise.
change: C 1 → 10
expected: accuracy +0.005
baseline: accuracy = 0.9833"""

PLANNED = """# Experiment journal

### 2026-11-20 10:00 — {name}
**Status**: PLANNED
**Hypothesis**: {hypothesis}
**Change**: C 1 → 10
**Config**:
- C: 1 → 10
**Expected outcome**: accuracy +0.01
**Baseline**: accuracy = 0.95
"""

EXPERIMENT_CELL = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3], [0.90, 0.95, 0.97])
plt.show()
print("accuracy = 0.97")"""


def test_magic_in_a_cell_shows_in_the_sidebar(lab):
    path = lab.notebook("magic.ipynb", "", "")
    lab.open(path)
    lab.sidebar()
    lab.run_cell(0, LOAD)
    lab.wait_cell_done(0)
    lab.run_cell(1, HYPOTHESIS_CELL)
    typed = time.monotonic()
    entry = lab.entry("SVC C=10")
    entry.wait_for(timeout=15_000)
    seen = time.monotonic() - typed
    print(f"\n  %%hypothesis cell run (Shift+Enter) -> entry in the sidebar: {seen:.2f} s")
    expect(entry.locator(".jp-ExpJournal-badge")).to_have_text("PLANNED")
    expect(entry.locator(".jp-ExpJournal-hypothesis")).to_have_text(re.compile("^A larger C fits"))
    open_section = lab.page.locator(f"{SIDEBAR} section[aria-label='Open experiments']")
    expect(open_section.locator("article", has_text="SVC C=10")).to_be_visible()
    assert "### " in lab.journal_text() and "— SVC C=10" in lab.journal_text()
    assert "**Status**: PLANNED" in lab.journal_text()
    assert not lab.dialogs


TRIED = """# Experiment journal

### 2026-11-19 16:00 — lr 1e-3 first try
**Status**: ABANDONED
**Hypothesis**: A smaller learning rate settles lower.
**Change**: lr 0.01 → 0.001
**Config**:
- lr: 0.01 → 0.001
**Actual outcome**: Abandoned: the node went down
"""

RULES = """## Rules (hard-won)
- NEVER lower lr without more epochs because it stops before converging. Learned: 2026-11-19
"""


def test_hypothesis_form_writes_journal_md_with_live_gates(lab):
    lab.journal.write_text(TRIED, encoding="utf-8")
    (lab.folder / "experiments" / "lessons.md").write_text(RULES, encoding="utf-8")
    lab.open()  # the folder in the file browser: no notebook, the sidebar follows the browser
    sidebar = lab.sidebar()
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    form.get_by_label("Name", exact=True).fill("lr 1e-3")
    form.get_by_label("Hypothesis", exact=True).fill("A smaller learning rate settles in a better minimum.")
    form.get_by_label("Config key 1").fill("lr")
    form.get_by_label("Config old value 1").fill("0.01")
    form.get_by_label("Config new value 1").fill("0.001")
    form.get_by_role("button", name="+ Add row").click()
    form.get_by_label("Config key 2").fill("epochs")
    form.get_by_label("Config old value 2").fill("10")
    form.get_by_label("Config new value 2").fill("20")
    gates = form.locator(".jp-ExpJournal-gates")
    # Live gates, before anything is written: two variables, no baseline.
    expect(gates).to_contain_text("2 variables change at once")
    expect(gates).to_contain_text("no baseline recorded")
    expect(gates.locator(".jp-ExpJournal-ruleNote")).to_contain_text("NEVER lower lr without more epochs")
    form.get_by_role("button", name="Remove config row 2").click()
    expect(gates).not_to_contain_text("variables change at once")
    expect(gates).to_contain_text("already tried in 'lr 1e-3 first try'")
    form.get_by_role("button", name="+ Add row").click()
    form.get_by_label("Config key 2").fill("batch_size")
    form.get_by_label("Config old value 2").fill("32")
    form.get_by_label("Expected outcome").fill("accuracy +0.01")
    form.get_by_label("Baseline").fill("accuracy = 0.95")
    expect(form.locator(".jp-ExpJournal-warning")).to_have_count(1)  # only "already tried"
    assert lab.journal_text() == TRIED, "the gates are checked without writing"
    form.get_by_role("button", name="Log hypothesis").click()

    text = lab.wait_for_file(lambda t: "— lr 1e-3\n" in t)
    assert text.startswith(TRIED)
    assert "**Status**: PLANNED" in text
    assert "**Hypothesis**: A smaller learning rate settles in a better minimum." in text
    assert "- lr: 0.01 → 0.001" in text
    assert "- batch_size: 32" in text and "- epochs" not in text.split("— lr 1e-3\n")[1]
    assert "**Baseline**: accuracy = 0.95" in text
    expect(lab.entry("lr 1e-3")).to_be_visible()

    # A second hypothesis while the first is open: refused live and on submit, then run in parallel.
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    form.get_by_label("Name", exact=True).fill("epochs 20")
    form.get_by_label("Hypothesis", exact=True).fill("Training longer helps.")
    form.get_by_label("Baseline").fill("accuracy = 0.95")
    refusal = form.locator(".jp-ExpJournal-refusal")
    expect(refusal).to_contain_text("still PLANNED")
    form.get_by_role("button", name="Log hypothesis").click()
    expect(refusal).to_contain_text("lr 1e-3")
    assert lab.journal_text().count("### ") == 2
    # The ways out in the sidebar's own words: buttons, and the box to tick; no magic syntax.
    expect(refusal.get_by_role("button", name="Attach outputs")).to_be_visible()
    expect(refusal.get_by_role("button", name="Abandon…")).to_be_visible()
    expect(refusal).to_contain_text("or tick Parallel")
    expect(refusal).not_to_contain_text("%")
    expect(refusal).not_to_contain_text("--")
    refusal.get_by_role("button", name="Abandon…").click()  # the way out works: it asks why, for that entry
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Abandon 'lr 1e-3'.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    form.get_by_label(re.compile("^Parallel")).check()
    expect(form.locator(".jp-ExpJournal-refusal")).to_have_count(0)
    form.get_by_role("button", name="Log hypothesis").click()
    text = lab.wait_for_file(lambda t: "— epochs 20" in t)
    assert text.count("**Status**: PLANNED") == 2
    expect(lab.page.locator(f"{SIDEBAR} section[aria-label='Open experiments'] article")).to_have_count(2)
    assert not lab.dialogs


def test_cell_toolbar_attaches_outputs_and_figure(lab):
    lab.journal.write_text(PLANNED.format(name="SVC C=10", hypothesis="C=10 fits tighter."), encoding="utf-8")
    path = lab.notebook("attach.ipynb", EXPERIMENT_CELL, 'print("accuracy = 0.98")')
    lab.open(path)
    lab.sidebar()
    expect(lab.entry("SVC C=10")).to_be_visible()
    lab.run_cell(0)
    lab.wait_cell_done(0)
    expect(lab.cell(0).locator(".jp-OutputArea-output img")).to_be_visible()
    # Select the experiment cell again, then one click on its toolbar button.
    lab.cell(0).locator(".jp-InputPrompt").click()
    button = lab.cell(0).locator(".jp-cell-toolbar [data-command='expjournal:attach-cell']")
    button.click()

    text = lab.wait_for_file(lambda t: "**Status**: COMPLETED" in t)
    assert "accuracy = 0.97" in text
    assert "Output of cell [1]:" in text
    assets = list((lab.folder / "experiments" / "assets").glob("*.png"))
    assert len(assets) == 1 and assets[0].read_bytes().startswith(b"\x89PNG")
    assert f"](assets/{assets[0].name})" in text
    assert "<Figure size" not in text, "a figure's text/plain stand-in is not kept"
    # The server times it as %result does: since the hypothesis, and the cell's own run (JupyterLab's timing).
    assert re.search(r"\*\*Duration\*\*: .+ wall from hypothesis to result; \d+\.\d s executing 1 cell\n", text), text
    entry = lab.entry("SVC C=10")
    expect(entry.locator(".jp-ExpJournal-badge")).to_have_text("COMPLETED")
    image = entry.locator(".jp-ExpJournal-images img")
    expect(image).to_be_visible()
    lab.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    # The keyboard shortcut asks for learning and next first.
    lab.api("hypothesis", {"name": "SVC C=100", "hypothesis": "Even tighter.", "baseline": "accuracy = 0.97"})
    expect(lab.entry("SVC C=100")).to_be_visible()
    lab.run_cell(1)
    lab.wait_cell_done(1)
    lab.cell(1).locator(".jp-InputPrompt").click()
    lab.page.keyboard.press("Alt+Shift+R")  # Ctrl+Shift+J is Chromium's DevTools
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("cell [2]")
    dialog.get_by_label("Learning").fill("C beyond 10 still helps a little")
    dialog.get_by_label("Next").fill("try gamma")
    dialog.get_by_role("button", name="Attach").click()
    text = lab.wait_for_file(lambda t: t.count("**Status**: COMPLETED") == 2)
    assert "**Learning**: C beyond 10 still helps a little" in text
    assert "**Next**: try gamma" in text
    assert "accuracy = 0.98" in text
    assert not lab.dialogs


def test_user_text_is_rendered_as_text(lab):
    payload = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2;alert(2)</script>'
    lab.open()
    sidebar = lab.sidebar()
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    form.get_by_label("Name", exact=True).fill("<b>bold</b> run")
    form.get_by_label("Hypothesis", exact=True).fill(payload)
    form.get_by_label("Baseline").fill("acc = 0.5")
    form.get_by_role("button", name="Log hypothesis").click()
    lab.wait_for_file(lambda t: payload in t)
    # A hand edit: a hostile learning and image links outside the experiments folder.
    with lab.journal.open("a", encoding="utf-8") as f:
        f.write(
            "\n### 2026-11-21 09:00 — hand written\n**Status**: COMPLETED\n"
            "**Hypothesis**: <svg onload=alert(3)></svg>\n"
            "**Actual outcome**: acc = 0.6\n![a](javascript:alert(4))\n![b](/etc/passwd)\n"
            '**Learning**: <a href="javascript:alert(5)">click</a>\n'
        )
    entry = lab.entry("<b>bold</b> run")
    expect(entry).to_be_visible()
    expect(entry.locator(".jp-ExpJournal-hypothesis")).to_have_text(payload)
    expect(lab.entry("hand written").locator(".jp-ExpJournal-hypothesis")).to_have_text("<svg onload=alert(3)></svg>")
    page = lab.page
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(f"{SIDEBAR} img[src='x']").count() == 0
    assert page.locator(f"{SIDEBAR} script, {SIDEBAR} svg[onload], {SIDEBAR} a[href^='javascript']").count() == 0
    assert page.locator(f"{SIDEBAR} img").count() == 0, "only relative images inside experiments/ are shown"
    assert page.locator(f"{SIDEBAR} b").count() == 0
    assert not lab.dialogs, lab.dialogs


def test_abandon_lesson_and_rule_from_the_sidebar_and_palette(lab):
    lab.journal.write_text(PLANNED.format(name="SVC C=10", hypothesis="C=10 fits tighter."), encoding="utf-8")
    lab.open()
    sidebar = lab.sidebar()
    entry = lab.entry("SVC C=10")
    entry.get_by_role("button", name="Abandon…").click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.get_by_label("Reason").fill("the data loader was wrong")
    dialog.get_by_role("button", name="Abandon").click()
    text = lab.wait_for_file(lambda t: "**Status**: ABANDONED" in t)
    assert "the data loader was wrong" in text
    expect(entry.locator(".jp-ExpJournal-badge")).to_have_text("ABANDONED")

    sidebar.get_by_role("button", name="Lesson / rule").click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.get_by_label("Kind").select_option("NEVER")
    dialog.get_by_label("NEVER (what)").fill("trust a loader without a look at a batch")
    dialog.get_by_label("Because / when").fill("it silently shuffled the labels")
    dialog.get_by_role("button", name="Add").click()
    lessons = lab.folder / "experiments" / "lessons.md"
    expect(sidebar.locator(".jp-ExpJournal-rules li")).to_contain_text("trust a loader without a look at a batch")
    assert "- NEVER trust a loader without a look at a batch because it silently shuffled the labels" in lessons.read_text()

    # The same actions are commands in the palette, under "Experiment journal".
    lab.page.keyboard.press("Control+Shift+C")
    palette = lab.page.locator("#command-palette")
    palette.locator("input").fill("lesson or rule")
    item = palette.locator(".lm-CommandPalette-item", has_text="Add a lesson or rule")
    expect(item).to_be_visible()
    expect(palette.locator(".lm-CommandPalette-header", has_text="Experiment journal")).to_have_count(1)
    item.click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.get_by_label("Text", exact=True).fill("check a batch by eye before training")
    dialog.get_by_label("Context").fill("data")
    dialog.get_by_role("button", name="Add").click()
    expect(sidebar.locator(".jp-ExpJournal-lessonList li")).to_contain_text("check a batch by eye before training")
    assert "data: check a batch by eye before training" in lessons.read_text()
    assert not lab.dialogs


IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def outcome_before(outputs: list[dict], count: int, assets: list[str]) -> str:
    """The Actual outcome the sidebar recorded before the server read a cell's outputs: the rule the
    sidebar's TypeScript held (text, one figure per output, the first error as the outcome), frozen here."""

    def joined(value) -> str:
        return "".join(value) if isinstance(value, list) else "" if value is None else str(value)

    pieces, figures, error = [], 0, ""
    for out in outputs:
        kind, piece = out["output_type"], ""
        if kind == "stream":
            piece = ANSI.sub("", joined(out.get("text")))
        elif kind == "error":
            head = f"{out['ename']}: {out['evalue']}"
            error = error or ANSI.sub("", head)
            traceback = "\n".join(ANSI.sub("", line) for line in out.get("traceback") or [])
            piece = traceback if traceback.strip() else ANSI.sub("", head)
        else:
            data = out.get("data") or {}
            if any(mime in data for mime in IMAGE_MIMES):
                figures += 1
            else:
                piece = ANSI.sub("", joined(data.get("text/plain")))
        if piece:
            pieces.append(piece if piece.endswith("\n") else piece + "\n")
    assert figures == len(assets)
    # a paragraph each (issue 12): the summary, the output with its label, each figure
    parts = [f"Error: {error}", f"Output of cell [{count}]:\n" + fenced(cut_output("".join(pieces)))]
    parts += [f"![cell {count} figure {i}]({asset})" for i, asset in enumerate(assets, 1)]
    return "\n\n".join(parts)


FAILING_CELL = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3], [0.90, 0.95, 0.96])
plt.show()
print("\\x1b[32maccuracy = 0.96\\x1b[0m")
raise ValueError("the loss went NaN at step 300")"""


def test_attach_text_figure_and_error_from_the_sidebar(lab):
    lab.journal.write_text(PLANNED.format(name="SVC C=10", hypothesis="C=10 fits tighter."), encoding="utf-8")
    path = lab.notebook("failing.ipynb", FAILING_CELL)
    lab.open(path)
    lab.sidebar()
    lab.run_cell(0)
    lab.wait_cell_done(0)
    expect(lab.cell(0).locator(".jp-OutputArea-output img")).to_be_visible()
    expect(lab.cell(0).locator(".jp-OutputArea")).to_contain_text("the loss went NaN")
    outputs = lab.cell_outputs(0)
    lab.cell(0).locator(".jp-InputPrompt").click()
    lab.entry("SVC C=10").get_by_role("button", name="Attach active cell").click()
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("cell [1]")
    dialog.get_by_label("Learning").fill("the loss diverges at C=10")
    dialog.get_by_role("button", name="Attach").click()

    text = lab.wait_for_file(lambda t: "**Status**: COMPLETED" in t)
    assets = sorted(p.name for p in (lab.folder / "experiments" / "assets").glob("*.png"))
    expected = outcome_before(outputs, 1, [f"assets/{name}" for name in assets])
    # (a blank line may separate fields: how journal.md renders, issue 12)
    assert re.search(re.escape(f"**Actual outcome**: {expected}\n") + r"\n?\*\*Delta\*\*: ", text), text
    assert "\x1b" not in text and "<Figure size" not in text
    assert "accuracy = 0.96" in text and "ValueError: the loss went NaN at step 300" in text
    assert "**Learning**: the loss diverges at C=10\n" in text
    assert re.search(r"\*\*Duration\*\*: .+ wall from hypothesis to result; \d+\.\d s executing 1 cell\n", text), text
    entry = lab.entry("SVC C=10")
    expect(entry.locator(".jp-ExpJournal-badge")).to_have_text("COMPLETED")
    expect(entry).to_contain_text("Error: ValueError: the loss went NaN at step 300")
    assert not lab.dialogs


DONE = """# Experiment journal

### 2026-11-20 10:00 — SVC C=10
**Status**: COMPLETED
**Hypothesis**: A larger C fits tighter.
**Actual outcome**: accuracy = 0.975
Output of cell [3]:
```text
accuracy = 0.975
```
**Delta**: accuracy +0.025 vs expected +0.01: better than expected

### 2026-11-21 10:00 — SVC gamma=0.5
**Status**: COMPLETED
**Hypothesis**: A narrower kernel separates better.
**Actual outcome**: accuracy = 0.52
**Learning**: far too narrow
"""


def test_filter_finds_a_word_of_any_field(lab):
    lab.journal.write_text(DONE, encoding="utf-8")
    lab.open()
    sidebar = lab.sidebar()
    entries = sidebar.locator("section[aria-label='Entries'] article")
    expect(entries).to_have_count(2)
    box = sidebar.get_by_label("Filter entries")
    box.fill("0.975")  # only in an outcome: the core's search text has every field
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("aria-label", "SVC C=10")
    box.fill("better than expected")  # the Delta, every word
    expect(entries).to_have_count(1)
    box.fill("narrow 2026-11-21 completed")  # a field, the time and the status
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("aria-label", "SVC gamma=0.5")
    box.fill("0.975 narrow")
    expect(entries).to_have_count(0)
    expect(sidebar.locator("section[aria-label='Entries']")).to_contain_text("No entry matches.")


def test_config_rows_with_the_absent_marker_and_provenance(lab):
    path = lab.notebook("plan.ipynb", "x = 1")
    lab.open(path)
    sidebar = lab.sidebar()
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    expect(form.locator("legend")).to_contain_text("(none): absent")  # the core's marker, shown
    form.get_by_label("Name", exact=True).fill("warmup")
    form.get_by_label("Hypothesis", exact=True).fill("A warmup steadies the first epochs.")
    rows = [("warmup", "(none)", "100"), ("", "", ""), ("dropout", "0.1", "(none)"), ("lr", "", "0.01"), ("batch", "32", "")]
    for i, (key, old, new) in enumerate(rows, 1):
        if i > 1:
            form.get_by_role("button", name="+ Add row").click()
        form.get_by_label(f"Config key {i}").fill(key)
        form.get_by_label(f"Config old value {i}").fill(old)
        form.get_by_label(f"Config new value {i}").fill(new)
    form.get_by_label("Baseline").fill("loss = 0.5")
    gates = form.locator(".jp-ExpJournal-gates")
    expect(gates).to_contain_text("3 variables change at once (warmup, dropout, lr)")
    form.get_by_role("button", name="Log hypothesis").click()
    text = lab.wait_for_file(lambda t: "— warmup\n" in t)
    assert "**Config**:\n- warmup: (none) → 100\n- dropout: 0.1 → (none)\n- lr: (none) → 0.01\n- batch: 32 (unchanged)\n" in text
    provenance = re.search(r"\*\*Provenance\*\*: (.*)\n", text).group(1)
    assert re.match(rf"id [0-9a-f]{{8}}; notebook {re.escape(lab.rel)}/plan\.ipynb \(cell ", provenance), provenance
    assert "Python " in provenance
    card = lab.entry("warmup")
    card.locator("summary", has_text="Details").click()
    expect(card.locator(".jp-ExpJournal-configList")).to_contain_text("warmup: (none) → 100")
    expect(card).not_to_contain_text("∅")
    # The reminder of the open entry offers its ways out as buttons.
    reminder = sidebar.locator("ul[aria-label='Reminders'] li", has_text="'warmup'")
    expect(reminder.get_by_role("button", name="Attach outputs")).to_be_visible()
    expect(reminder.get_by_role("button", name="Abandon…")).to_be_visible()
    assert not lab.dialogs


# -- issue 13: details, actions in place, compare, parity, editors ------------------------------

HELD = """# Experiment journal

### 2026-11-20 10:00 — SVC C=10 with a fairly long name that has to wrap
**Status**: COMPLETED
**Hypothesis**: A larger C fits tighter.
**Provenance**: id 3f9a1c2e; notebook {rel}/held.ipynb (cell {cell}); Python 3.12
**Actual outcome**: accuracy = 0.975
Output of cell [3]:
```text
accuracy = 0.975
<img src=x onerror="window.__xss=7">
```
![cell 3 figure 1](assets/fig.png)
**Notes**: <img src=x onerror="window.__xss=8"> ran on the small split
**Duration**: 3 min 2 s wall from hypothesis to result
"""


def test_details_show_what_the_file_holds_and_open_in_lab(lab):
    import nbformat
    from testkit import png

    (lab.folder / "experiments" / "assets").mkdir()
    (lab.folder / "experiments" / "assets" / "fig.png").write_bytes(png())
    lab.notebook("held.ipynb", "x = 1", "y = 2", "z = 3")
    nb = nbformat.read(lab.folder / "held.ipynb", as_version=4)
    cell = nb.cells[2].id
    lab.journal.write_text(HELD.format(rel=lab.rel, cell=cell), encoding="utf-8")
    lab.open()
    lab.sidebar()
    card = lab.entry("SVC C=10 with a fairly long name that has to wrap")
    card.locator("summary", has_text="Details").click()
    details = card.locator(".jp-ExpJournal-fields")
    expect(details.locator("pre.jp-ExpJournal-output")).to_have_text(
        'accuracy = 0.975\n<img src=x onerror="window.__xss=7">'
    )
    expect(details).to_contain_text("Output of cell [3]:")
    expect(details).to_contain_text("ran on the small split")  # a custom field
    expect(details.locator("dt")).to_have_text(["Status", "Hypothesis", "Provenance", "Actual outcome", "Notes", "Duration"])
    expect(details).to_contain_text("3 min 2 s wall")
    expect(details).to_contain_text("id 3f9a1c2e")
    assert "```" not in card.inner_text() and "![" not in card.inner_text()
    # User text stays text.
    lab.page.wait_for_timeout(300)
    assert lab.page.evaluate("() => window.__xss") is None
    assert lab.page.locator(f"{SIDEBAR} img[src='x']").count() == 0
    # A thumbnail opens in a JupyterLab tab, not a browser tab.
    pages = len(lab.page.context.pages)
    details.locator(".jp-ExpJournal-thumb").click()
    expect(lab.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="fig.png")).to_be_visible()
    expect(lab.page.locator(".jp-ImageViewer img")).to_be_visible()
    assert len(lab.page.context.pages) == pages
    # The Provenance's notebook opens at its cell, in one click.
    details.get_by_role("button", name="Open held.ipynb at its cell").click()
    lab.page.wait_for_function(
        """(id) => {
            const panel = window.jupyterapp.shell.currentWidget;
            return panel && panel.content && panel.content.activeCell && panel.content.activeCell.model.id === id;
        }""",
        arg=cell,
        timeout=30_000,
    )
    assert not lab.dialogs


def test_every_action_answers_where_the_user_looks(lab):
    lab.journal.write_text(PLANNED.format(name="SVC C=10", hypothesis="C=10 fits tighter."), encoding="utf-8")
    path = lab.notebook("actions.ipynb", 'print("accuracy = 0.98")')
    lab.open(path)
    lab.sidebar()
    # Abandon with an empty reason: the dialog stays open and says why; typing a reason then closes it.
    lab.entry("SVC C=10").get_by_role("button", name="Abandon…").click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.get_by_role("button", name="Abandon").click()
    expect(dialog.locator(".jp-ExpJournal-dialogError")).to_contain_text("'reason' is empty")
    expect(dialog.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Reason").fill("wrong split")
    dialog.get_by_label("Reason").press("Enter")
    expect(dialog).to_have_count(0)
    lab.wait_for_file(lambda t: "**Status**: ABANDONED" in t and "wrong split" in t)

    # Attach with nothing open: a dialog that explains and offers New hypothesis.
    lab.run_cell(0)
    lab.wait_cell_done(0)
    lab.cell(0).locator(".jp-InputPrompt").click()
    lab.cell(0).locator(".jp-cell-toolbar [data-command='expjournal:attach-cell']").click()
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("no open experiment to attach cell [1]'s outputs to")
    dialog.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    # A disabled button says why, on it and beside it.
    submit = form.get_by_role("button", name="Log hypothesis")
    expect(submit).to_be_disabled()
    expect(submit).to_have_attribute("title", "Give a name and the hypothesis to log it.")
    expect(form.locator("#jp-ExpJournal-why")).to_have_text("Give a name and the hypothesis to log it.")
    form.get_by_label("Name", exact=True).fill("SVC C=100")
    expect(form.locator("#jp-ExpJournal-why")).to_have_text("Give the hypothesis to log it.")
    form.get_by_label("Hypothesis", exact=True).fill("Tighter still.")
    form.get_by_label("Baseline").fill("accuracy = 0.975")
    expect(form.locator("#jp-ExpJournal-why")).to_have_count(0)
    submit.click()
    expect(lab.entry("SVC C=100")).to_be_visible()

    # A one-click attach offers Learning/Next on its toast.
    lab.cell(0).locator(".jp-InputPrompt").click()
    lab.cell(0).locator(".jp-cell-toolbar [data-command='expjournal:attach-cell']").click()
    toast = lab.page.locator(".Toastify__toast", has_text="'SVC C=100' COMPLETED")
    toast.get_by_role("button", name="Add learning / next").click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.get_by_label("Learning").fill("C=100 is no better than C=10")
    dialog.get_by_label("Next").fill("try gamma")
    dialog.get_by_role("button", name="Add").click()
    expect(dialog).to_have_count(0)
    text = lab.wait_for_file(lambda t: "**Learning**: C=100 is no better than C=10" in t)
    assert "**Next**: try gamma" in text
    expect(lab.entry("SVC C=100")).to_contain_text("C=100 is no better than C=10")

    # An entry completed without a learning offers "Add learning…" on its card.
    lab.api("hypothesis", {"name": "gamma", "hypothesis": "Narrower.", "baseline": "accuracy = 0.98"})
    lab.api("result", {"name": "gamma", "outcome": "accuracy = 0.97"})
    card = lab.entry("gamma")
    card.get_by_role("button", name="Add learning…").click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.get_by_role("button", name="Add").click()  # nothing typed: the server's refusal, in place
    expect(dialog.locator(".jp-ExpJournal-dialogError")).to_contain_text("give a 'learning' or a 'next'")
    dialog.get_by_label("Learning").fill("too narrow")
    dialog.get_by_role("button", name="Add").click()
    expect(dialog).to_have_count(0)
    expect(card.get_by_role("button", name="Add learning…")).to_have_count(0)
    assert not lab.dialogs


COMPARED = """# Experiment journal

### 2026-11-20 10:00 — SVC baseline
**Status**: COMPLETED
**Hypothesis**: A default SVC is a strong start.
**Config**:
- C: 1 (unchanged)
**Actual outcome**: accuracy = 0.9833
**Delta**: accuracy +0.0833 vs expected +0.07

### 2026-11-20 11:00 — SVC C=10
**Status**: COMPLETED
**Hypothesis**: A larger C fits tighter.
**Change**: C 1 → 10
**Config**:
- C: 1 → 10
**Baseline**: accuracy = 0.9833
**Actual outcome**: accuracy = 0.9889
**Delta**: accuracy +0.0056 vs expected +0.005

### 2026-11-20 12:00 — SVC gamma=0.5
**Status**: ABANDONED
**Hypothesis**: A narrower kernel separates better.
**Change**: gamma scale → 0.5
**Config**:
- gamma: scale → 0.5
**Actual outcome**: Abandoned: accuracy = 0.52 at once

### 2026-11-20 13:00 — rotations
**Status**: COMPLETED
**Hypothesis**: Rotations teach invariance.
**Change**: augment none → rotate10
**Config**:
- augment: none → rotate10
**Baseline**: accuracy = 0.9889
**Actual outcome**: accuracy = 0.975
**Delta**: accuracy -0.0139 vs expected +0.004
"""


def test_filter_sort_and_compare_table(lab):
    lab.journal.write_text(COMPARED, encoding="utf-8")
    lab.open()
    sidebar = lab.sidebar()
    entries = sidebar.locator("section[aria-label='Entries'] article")
    expect(entries).to_have_count(4)
    names = lambda: entries.evaluate_all("(cards) => cards.map(c => c.getAttribute('aria-label'))")  # noqa: E731
    box = sidebar.get_by_label("Filter entries")
    box.fill("accuracy = 0.975")  # a metric as a person writes it
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("aria-label", "rotations")
    box.fill("")
    sidebar.get_by_label("Status").select_option("ABANDONED")
    expect(entries).to_have_count(1)
    sidebar.get_by_label("Status").select_option("")
    sidebar.get_by_label("Parameter").select_option("C")
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("aria-label", "SVC C=10")
    sidebar.get_by_label("Parameter").select_option("")
    assert names() == ["rotations", "SVC gamma=0.5", "SVC C=10", "SVC baseline"]  # newest first
    sidebar.get_by_label("Sort by").select_option(label="Best accuracy first")
    expect(entries.first).to_have_attribute("aria-label", "SVC C=10")
    assert names() == ["SVC C=10", "SVC baseline", "rotations", "SVC gamma=0.5"]
    # The compare table: entries as rows, what changed, each metric and its delta, the status.
    sidebar.get_by_role("button", name="Compare table").click()
    table = sidebar.get_by_role("table", name="Compare entries")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(table.locator("thead th")).to_have_text(["Entry", "Changed", re.compile("^accuracy"), "Status"])
    first = rows.first
    expect(first.locator("th")).to_contain_text("SVC C=10")
    expect(first).to_contain_text("C: 1 → 10")
    expect(first.locator(".jp-ExpJournal-metric")).to_contain_text("0.9889")
    expect(first.locator(".jp-ExpJournal-delta")).to_contain_text("+0.0056")
    expect(first).to_contain_text("COMPLETED")
    # The baseline is offered from the best result so far.
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    form.locator(".jp-ExpJournal-best").get_by_role("button", name="accuracy = 0.9889").click()
    expect(form.get_by_label("Baseline")).to_have_value("accuracy = 0.9889")
    assert not lab.dialogs


def test_strict_force_and_a_past_run_from_the_sidebar(lab):
    path = lab.notebook("retro.ipynb", 'print("loss = 0.31")')
    lab.open(path)
    sidebar = lab.sidebar()
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    form.get_by_label(re.compile("^Strict")).check()
    form.get_by_label("Name", exact=True).fill("no baseline")
    form.get_by_label("Hypothesis", exact=True).fill("Strict mode refuses this.")
    refusal = form.locator(".jp-ExpJournal-refusal")
    expect(refusal).to_contain_text("baseline")
    expect(refusal).to_contain_text("tick Force")
    form.get_by_label(re.compile("^Force")).check()
    expect(refusal).to_have_count(0)
    form.get_by_role("button", name="Log hypothesis").click()
    text = lab.wait_for_file(lambda t: "— no baseline\n" in t)
    assert "**Status**: PLANNED" in text
    lab.api("abandon", {"name": "no baseline", "reason": "only a test of strict mode"})
    # The strict choice is kept for the next form.
    sidebar.get_by_role("button", name="New hypothesis").click()
    form = lab.page.get_by_role("form", name="New hypothesis")
    expect(form.get_by_label(re.compile("^Strict"))).to_be_checked()
    # A run made without a hypothesis, recorded after the fact, with the cell's outputs.
    lab.run_cell(0)
    lab.wait_cell_done(0)
    lab.cell(0).locator(".jp-InputPrompt").click()
    form.get_by_role("button", name="Already ran it? Record a past run…").click()
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("cell [1]")
    dialog.get_by_role("button", name="Record").click()
    expect(dialog.locator(".jp-ExpJournal-dialogError")).to_contain_text("'name' is empty")
    dialog.get_by_label("Name").fill("quick loss probe")
    dialog.get_by_label("What was tried").fill("a smaller lr lowers the loss")
    dialog.get_by_role("button", name="Record").click()
    expect(dialog).to_have_count(0)
    text = lab.wait_for_file(lambda t: "— quick loss probe\n" in t)
    assert "**Logged**: retrospectively, after the run" in text and "loss = 0.31" in text
    assert f"notebook {lab.rel}/retro.ipynb (cell " in text
    expect(lab.entry("quick loss probe")).to_be_visible()
    assert not lab.dialogs


def test_shortcut_collides_with_neither_the_browser_nor_jupyterlab():
    import json
    import sys
    from pathlib import Path

    ours = json.loads((Path(__file__).resolve().parents[2] / "labextension" / "schema" / "plugin.json").read_text())
    (shortcut,) = ours["jupyter.lab.shortcuts"]
    keys = shortcut["keys"]
    # Chromium's DevTools (Ctrl+Shift+J, Cmd+Option+J), Firefox's and Edge's own keys.
    browser = [["Accel Shift J"], ["Accel Alt J"], ["Accel Shift I"], ["Accel Shift C"], ["Accel Shift Y"], ["Accel Shift R"]]
    assert keys not in browser
    schemas = Path(sys.prefix, "share", "jupyter", "lab", "schemas")
    taken = []
    for path in schemas.rglob("*.json"):
        for item in json.loads(path.read_text()).get("jupyter.lab.shortcuts", []):
            taken.append(item.get("keys"))
    assert len(taken) > 100, "JupyterLab's own shortcuts were read"
    assert keys not in taken, keys


def test_open_editor_follows_what_the_tools_write(lab):
    lab.journal.write_text(PLANNED.format(name="SVC C=10", hypothesis="C=10 fits tighter."), encoding="utf-8")
    lab.open()
    lab.sidebar()
    lab.page.evaluate(
        "(path) => window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Editor'})",
        f"{lab.rel}/experiments/journal.md",
    )
    editor = lab.page.locator(".jp-FileEditor .cm-content")
    expect(editor).to_contain_text("C=10 fits tighter.")
    # Not dirty: it reloads.
    lab.api("abandon", {"name": "SVC C=10", "reason": "the loader was wrong"})
    expect(editor).to_contain_text("Abandoned: the loader was wrong", timeout=10_000)
    # Dirty: the person is told before a save could overwrite the tools' text.
    editor.click()
    lab.page.keyboard.press("Control+End")
    lab.page.keyboard.type("\nmy unsaved note\n")
    lab.api("hypothesis", {"name": "SVC C=100", "hypothesis": "Tighter.", "baseline": "accuracy = 0.9"})
    dialog = lab.page.locator(".jp-Dialog", has_text="journal.md was changed by the journal tools")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("Saving now would overwrite what they wrote")
    dialog.get_by_role("button", name="Reload from disk").click()
    expect(editor).to_contain_text("— SVC C=100")
    expect(editor).not_to_contain_text("my unsaved note")
    assert "— SVC C=100" in lab.journal_text()
