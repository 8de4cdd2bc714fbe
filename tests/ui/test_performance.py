"""Speed as a person feels it, measured in the browser: a big journal (2,000 and 10,000 entries)
opening and filtering, and the time from a write on disk (the kernel's, or a hand edit) to the sidebar.

Speed targets live in ``make bench``; these tests print what they measure and assert bounds a few
times the target, so that a slow machine does not fail them but a regression by a multiple does.
The target printed here (issue 10): the sidebar's first paint at 10,000 entries within 500 ms of
the click; what is asserted of it exactly is that the first paint builds a screenful of cards, not
every row."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab import SIDEBAR

N = 2000
PAGE = 100  # the sidebar shows this many entries, then "show more"
FIRST_PAINT_MS = 500  # click to first paint at 10,000 entries (issue 10)
MARGIN = 4  # the bound asserted: a few times the target (the 2,000-entry bound has always been 2 s)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TOPICS = ["digits", "cifar", "speech", "tabular", "text"]


def big_journal(n: int = N) -> str:
    """``n`` closed entries; every 7th learned about a 'plateau' (a word found nowhere else)."""
    start = datetime(2025, 1, 1, 9, 0)
    parts = ["# Experiment journal\n"]
    for i in range(n):
        stamp = (start + timedelta(minutes=37 * i)).strftime("%Y-%m-%d %H:%M")
        status = "ABANDONED" if i % 10 == 9 else "COMPLETED"
        old, new = round(0.001 * (1 + i % 9), 4), round(0.001 * (2 + i % 9), 4)
        learning = "the loss hits a plateau after warmup" if i % 7 == 0 else "steady gains with this learning rate"
        parts.append(
            f"\n### {stamp} — run {i:04d} lr {new}\n"
            f"**Status**: {status}\n"
            f"**Hypothesis**: A learning rate of {new} should improve accuracy on the {TOPICS[i % 5]} split "
            f"because the previous one ({old}) converged slowly.\n"
            f"**Change**: lr {old} → {new}\n"
            f"**Config**:\n- lr: {old} → {new}\n- batch_size: 64 (unchanged)\n"
            f"**Expected outcome**: accuracy +0.01\n"
            f"**Baseline**: accuracy = 0.9\n"
            f"**Actual outcome**: accuracy = {0.9 + (i % 13) / 1000:.3f}\n"
            f"**Delta**: accuracy {(i % 13) / 1000:+.3f} vs expected +0.01\n"
            f"**Learning**: {learning}\n"
            f"**Next**: try lr {round(new * 2, 4)}\n"
        )
    return "".join(parts)


def entries_in_list(lab):
    return lab.page.locator(f"{SIDEBAR} section[aria-label='Entries'] article")


# In the page: set the filter box as typing does (one input event a keystroke) and time each
# keystroke to the next painted frame.
FILTER_TIMING = """async (queries) => {
    const input = document.querySelector('#expjournal-sidebar input[aria-label="Filter entries"]');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    const times = [];
    for (const q of queries) {
        const t0 = performance.now();
        setValue.call(input, q);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await painted();
        times.push(performance.now() - t0);
    }
    return times;
}"""

# Before the click: note when the pointer goes down, and count the cards in the list at every frame
# (an animation frame sees what the previous one painted) until a page of them is there.
WATCH_CLICK = """(page) => {
    window.__click = null;
    window.__frames = [];
    window.__page = page;
    addEventListener('pointerdown', () => { window.__click = performance.now(); }, { capture: true, once: true });
    const cards = () => document.querySelectorAll(
        '#expjournal-sidebar section[aria-label="Entries"] article').length;
    const tick = () => {
        const n = cards();
        window.__frames.push([performance.now(), n]);
        if (n < page && window.__frames.length < 3000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""

# The last full answer for this folder: from the click (when one was watched) to the request, the
# server's answer (waiting for its first byte, then the download), JSON.parse and the rest of the
# model's work (to the `expjournal:data` mark), and the render to the first paint after it
# (`expjournal:painted`, set after the frame that shows it).
LOAD_TIMING = """(folder) => {
    const requests = performance.getEntriesByType('resource').filter(e =>
        e.name.includes('/expjournal/api/journal?path=' + encodeURIComponent(folder)) && e.responseStatus === 200);
    const req = requests[requests.length - 1];
    if (!req) return null;
    const after = (name, t) => performance.getEntriesByName(name).map(m => m.startTime).find(s => s >= t);
    const data = after('expjournal:data', req.responseEnd - 1);
    const painted = data === undefined ? undefined : after('expjournal:painted', data);
    const click = window.__click === null || window.__click === undefined ? req.startTime : window.__click;
    return { toRequest: req.startTime - click, wait: req.responseStart - req.startTime,
             download: req.responseEnd - req.responseStart, request: req.responseEnd - req.startTime,
             parsed: data - req.responseEnd, rendered: painted - data, total: painted - req.startTime,
             fromClick: painted - click, bytes: req.encodedBodySize,
             firstCards: ((window.__frames || []).find(([, n]) => n > 0) || [])[1],
             fullPage: ((window.__frames || []).find(([, n]) => n >= window.__page) || [NaN])[0] - click };
}"""


def open_sidebar(lab) -> tuple[dict, float]:
    """JupyterLab afresh on the test's folder, then one click on the sidebar's tab: what the page
    timed of the click to the first paint, and the seconds until the driver saw a page of cards."""
    lab.open()
    lab.page.wait_for_timeout(1000)  # let the page settle: this times the panel, not JupyterLab's start
    lab.page.evaluate(WATCH_CLICK, PAGE)
    t0 = time.monotonic()
    lab.sidebar()  # the hidden panel fetched nothing: the click starts its first GET
    entries_in_list(lab).nth(PAGE - 1).wait_for()
    opened = time.monotonic() - t0
    load = lab.page.evaluate(LOAD_TIMING, lab.rel)
    assert load is not None, "no journal request was timed"
    return load, opened


def split(load: dict) -> str:
    client = load["toRequest"] + load["parsed"] + load["rendered"]
    return (
        f"{load['fromClick']:.0f} ms, {load['firstCards']} cards built; {PAGE} cards at {load['fullPage']:.0f} ms"
        f"\n      = panel shown, GET sent {load['toRequest']:.0f} ms"
        f" + server's answer {load['request']:.0f} ms (first byte {load['wait']:.0f}, download {load['download']:.0f})"
        f" + JSON.parse and model {load['parsed']:.0f} ms + render to paint {load['rendered']:.0f} ms"
        f"\n      the server's part {load['request']:.0f} ms, the sidebar's {client:.0f} ms"
    )


@pytest.mark.parametrize("n", [N, 10_000])
def test_a_big_journal_opens_and_filters_without_lag(lab, n):
    lab.journal.write_text(big_journal(n), encoding="utf-8")
    # The server's first answer on this journal includes its first parse of the file (timed on
    # its own by `make bench`); the page opened again gets the answer the server keeps.
    cold, opened = open_sidebar(lab)
    load, _ = open_sidebar(lab)
    if n == 10_000:
        ARTIFACTS.mkdir(exist_ok=True)
        lab.page.screenshot(path=str(ARTIFACTS / "sidebar-10000-entries.png"))
    tab = lab.page.locator('.jp-SideBar [data-id="expjournal-sidebar"]')
    tab.click()
    expect(lab.page.locator(SIDEBAR)).to_be_hidden()
    t0 = time.monotonic()
    tab.click()
    entries_in_list(lab).nth(PAGE - 1).wait_for()
    reopened = time.monotonic() - t0
    expect(entries_in_list(lab)).to_have_count(PAGE)
    expect(lab.page.locator(f"{SIDEBAR} section[aria-label='Entries'] h3")).to_have_text(f"Entries ({n})")
    # Newest first.
    newest = f"run {n - 1:04d} lr {round(0.001 * (2 + (n - 1) % 9), 4)}"
    expect(entries_in_list(lab).first).to_have_attribute("aria-label", newest)

    word = "plateau"
    keystrokes = [word[: k + 1] for k in range(len(word))]
    times = lab.page.evaluate(FILTER_TIMING, keystrokes)
    expected = len([i for i in range(n) if i % 7 == 0])
    expect(lab.page.locator(f"{SIDEBAR} section[aria-label='Entries'] h3")).to_have_text(f"Entries ({expected} of {n})")
    clear = lab.page.evaluate(FILTER_TIMING, [""])[0]
    expect(entries_in_list(lab)).to_have_count(PAGE)

    # The same with real key presses through the browser (includes the driver's round trips).
    box = lab.page.get_by_label("Filter entries")
    t0 = time.monotonic()
    box.press_sequentially("cifar split", delay=0)
    expect(lab.page.locator(f"{SIDEBAR} section[aria-label='Entries'] h3")).to_have_text(f"Entries ({n // 5} of {n})")
    typed = time.monotonic() - t0

    # A live update of the big journal: one entry appended on disk.
    box.fill("")
    expect(entries_in_list(lab)).to_have_count(PAGE)
    written = time.time() * 1000
    with lab.journal.open("a", encoding="utf-8") as f:
        f.write("\n### 2026-01-01 00:00 — appended to the big journal\n**Status**: PLANNED\n**Hypothesis**: h\n")
    lab.entry("appended to the big journal").wait_for(timeout=10_000)
    appeared = lab.page.evaluate("() => performance.timeOrigin + performance.now()") - written
    reload = lab.page.evaluate(LOAD_TIMING, lab.rel)

    lab.page.get_by_role("button", name=f"Show {PAGE} more ({n - PAGE} not shown)").click()
    expect(entries_in_list(lab)).to_have_count(2 * PAGE)

    verdict = "met" if load["fromClick"] <= FIRST_PAINT_MS else "NOT met"
    print(
        f"\n  {n}-entry journal ({load['bytes'] / 1e6:.1f} MB of JSON):"
        f"\n    click -> first paint, the server's first answer on this journal: {split(cold)}"
        f"\n    click -> first paint, the page opened again: {split(load)}"
        + (f"\n      target {FIRST_PAINT_MS} ms: {verdict}" if n == 10_000 else "")
        + f"\n    the driver saw {PAGE} cards {opened * 1000:.0f} ms after the first click; hide and show again:"
        f" {reopened * 1000:.0f} ms"
        f"\n    filter keystroke -> repaint: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        f" ({len(times)} keystrokes); clearing {clear:.1f} ms"
        f"\n    typing 'cifar split' with real key presses: {typed * 1000:.0f} ms for 11 keys"
        f"\n    append on disk -> visible: {appeared:.0f} ms (poll every 1 s; GET {reload['request']:.0f} ms,"
        f" render {reload['rendered']:.0f} ms)"
    )
    for timed in cold, load:
        # The first paint builds a screenful of cards, not the page and not every entry...
        assert 0 < timed["firstCards"] < PAGE
        # ...and the sidebar's own work (all but the server's answer) is not a multiple of the target (the
        # target itself is printed above: on 2 busy cores JSON.parse of 20 MB alone swings by 200 ms).
        assert timed["toRequest"] + timed["parsed"] + timed["rendered"] < FIRST_PAINT_MS * MARGIN / 2
    assert load["fromClick"] < FIRST_PAINT_MS * MARGIN, f"click to first paint at {n} entries is slow"
    if n == N:
        assert cold["total"] < 2000
    assert opened < 5, f"opening the sidebar on {n} entries is slow"
    assert reload["total"] < 2000
    assert max(times) < 2000 and clear < 2000 and statistics.median(times) < 200
    assert appeared < 4000


def test_a_write_on_disk_shows_within_two_seconds(lab):
    lab.journal.write_text(big_journal(3), encoding="utf-8")
    lab.open()
    lab.sidebar()
    expect(entries_in_list(lab)).to_have_count(3)
    lab.page.evaluate(
        """() => {
            window.__seen = {};
            const panel = document.querySelector('#expjournal-sidebar');
            new MutationObserver(() => {
                for (const a of panel.querySelectorAll('article')) {
                    const name = a.getAttribute('aria-label');
                    if (!(name in window.__seen)) window.__seen[name] = performance.timeOrigin + performance.now();
                }
            }).observe(panel, { childList: true, subtree: true });
        }"""
    )
    latencies = []
    for k in range(5):
        time.sleep(0.37 * k)  # land at different points of the poll cycle
        name = f"written by the kernel {k}"
        written = time.time() * 1000
        with lab.journal.open("a", encoding="utf-8") as f:
            f.write(f"\n### 2026-01-02 10:0{k} — {name}\n**Status**: COMPLETED\n**Hypothesis**: h\n**Learning**: l\n")
        lab.page.wait_for_function("(n) => n in window.__seen", arg=name, timeout=10_000)
        latencies.append(lab.page.evaluate("(n) => window.__seen[n]", name) - written)
    print(
        "\n  write to journal.md -> visible in the sidebar: "
        + ", ".join(f"{t:.0f}" for t in latencies)
        + f" ms (mean {statistics.mean(latencies):.0f}, max {max(latencies):.0f})"
    )
    assert max(latencies) < 2500
