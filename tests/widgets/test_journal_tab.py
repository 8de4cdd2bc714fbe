"""The Journal tab: newest first, open on top, the core's search text, details and images on demand, speed."""

import time

import ipywidgets as W
from panel_support import entries_text, fill

from jupyter_expjournal.widgets.journal_panel import PAGE


def test_newest_first_open_on_top_and_show_more(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(entries_text(120), encoding="utf-8")
    panel = make_panel()
    names = [e.name for e in panel.shown_entries]
    assert len(names) == PAGE == len(panel.entries_box.children)
    assert names[:3] == ["run 119 C", "run 118 C", "run 117 C"]  # the open one on top
    assert panel.shown_entries[0].is_open
    assert panel.count.value == "120 entries, newest first, open ones on top; showing 50"
    assert panel.more.layout.display is None and panel.more.description == "show 50 more (70 not shown)"
    panel.more.click()
    panel.more.click()
    assert len(panel.shown_entries) == 120 and panel.more.layout.display == "none"


def test_the_filter_narrows_the_list(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(entries_text(120), encoding="utf-8")
    panel = make_panel()
    panel.filter.value = "gamma"
    assert [e.name for e in panel.shown_entries][:2] == ["run 110 gamma", "run 100 gamma"]
    assert len(panel.shown_entries) == 12 and len(panel.entries_box.children) == 12
    assert panel.count.value == "12 of 120 entries match"
    panel.filter.value = "LEARNED 77 run"  # every word, any case, any field (run 76 changed C 76 → 77)
    assert [e.name for e in panel.shown_entries] == ["run 77 C", "run 76 C"]
    panel.filter.value = "completed gamma 110"
    assert [e.name for e in panel.shown_entries] == ["run 110 gamma"]
    panel.filter.value = "nothing like this"
    assert panel.shown_entries == [] and panel.count.value == "0 of 120 entries match"
    panel.filter.value = ""
    assert len(panel.shown_entries) == PAGE


def test_the_filter_searches_every_field_outcomes_and_metrics_too(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(
        entries_text(3) + "\n### 2026-02-01 10:00 — measured\n**Status**: COMPLETED\n**Hypothesis**: h\n"
        "**Actual outcome**: accuracy = 0.975\n**Delta**: accuracy +0.02\n**Mine**: zebra crossing\n",
        encoding="utf-8",
    )
    panel = make_panel()
    panel.filter.value = "accuracy = 0.975"  # the core's search text: every field, the same as the sidebar's
    assert [e.name for e in panel.shown_entries] == ["measured"]
    panel.filter.value = "ZEBRA"
    assert [e.name for e in panel.shown_entries] == ["measured"]


def test_details_open_on_demand_with_images_from_the_experiments_folder(make_panel, journal, tmp_path):
    journal.directory.mkdir(parents=True)
    (journal.directory / "assets").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 16
    (journal.directory / "assets" / "fig.png").write_bytes(png)
    (tmp_path / "secret.png").write_bytes(b"not yours")
    journal.journal_path.write_text(
        "### 2026-01-01 10:00 — with a figure\n**Status**: COMPLETED\n**Hypothesis**: h\n"
        "**Config**:\n- C: 1 → 10\n**Actual outcome**: accuracy = 0.97\n![cell 3 figure 1](assets/fig.png)\n"
        "![outside](../secret.png)\n**Delta**: accuracy +0.02\n**Duration**: 3 s\n**Mine**: a field of my own\n",
        encoding="utf-8",
    )
    panel = make_panel()
    row = panel.shown_rows[0]  # the one entry
    assert row.details.children == () and row.details.layout.display == "none"  # built when first opened
    row.toggle.value = True
    table = row.details.children[0].value
    for text in ("accuracy +0.02", "- C: 1 → 10", "a field of my own", "3 s"):
        assert text in table
    images = [w for w in row.details.children if isinstance(w, W.Image)]
    assert [(i.value, i.format) for i in images] == [(png, "png")]  # ../secret.png is not read
    row.toggle.value = False
    assert row.details.layout.display == "none"


def test_details_show_the_image_types_of_the_core_only(make_panel, journal):
    journal.directory.mkdir(parents=True)
    assets = journal.directory / "assets"
    assets.mkdir()
    files = {
        "fig.png": b"\x89PNG\r\n\x1a\n" + b"0" * 16,
        "fig.jpg": b"\xff\xd8\xff" + b"0" * 16,
        "fig.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "fig.gif": b"GIF89a" + b"0" * 16,  # not a type that can be attached: not shown either
    }
    for name, data in files.items():
        (assets / name).write_bytes(data)
    links = "".join(f"![{name}](assets/{name})\n" for name in files)
    journal.journal_path.write_text(
        f"### 2026-01-01 10:00 — figures\n**Status**: COMPLETED\n**Hypothesis**: h\n**Actual outcome**: done\n{links}",
        encoding="utf-8",
    )
    panel = make_panel()
    row = panel.shown_rows[0]
    row.toggle.value = True
    images = [(w.value, w.format) for w in row.details.children if isinstance(w, W.Image)]
    assert images == [(files["fig.png"], "png"), (files["fig.jpg"], "jpeg"), (files["fig.svg"], "svg+xml")]


def test_hundreds_of_entries_stay_fast(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(entries_text(1000), encoding="utf-8")
    t0 = time.perf_counter()
    panel = make_panel()
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    for text in ("g", "ga", "gam", "gamm", "gamma", "gamma 9", "gamma", ""):
        panel.filter.value = text
    typed = time.perf_counter() - t0
    t0 = time.perf_counter()
    fill(panel)
    gates = time.perf_counter() - t0
    print(f"\n1000 entries: panel built in {built:.2f} s; 8 filter keystrokes {typed:.2f} s; form filled {gates:.2f} s")
    assert built < 3 and typed < 3 and gates < 2
