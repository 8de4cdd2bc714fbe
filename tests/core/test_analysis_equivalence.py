"""The fast analysis and its text say exactly what a plain reading of the journal says.

``analyze`` keeps each entry's facts with the entry and adds them up in two
passes; ``ParamSummary`` keeps its best, worst and verdicts once found; the
text folds 10,000 changes into one line without joining them all. Each of
those is a shortcut, so this module keeps the straightforward computation
beside them (``reference`` and ``reference_lines``, written from the rules, one
entry at a time, nothing kept) and checks both on varied journals: several
parameters spelled differently, the same key twice in one entry, repeated
changes, lower-is-better metrics, NaN, failures, open and abandoned entries,
narrowing by parameter and by date, and entries read back from a cached parse.
"""

from __future__ import annotations

import math
import pickle
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jupyter_expjournal.render as render
from jupyter_expjournal.core import gates
from jupyter_expjournal.core.analysis import FACTS, VERDICTS, Effect, analyze, failures_of, measured_effects
from jupyter_expjournal.core.config import ABSENT
from jupyter_expjournal.core.journal_format import parse_journal, render_entry
from jupyter_expjournal.core.lessons_format import parse_lessons
from jupyter_expjournal.core.metrics import format_change, format_number
from jupyter_expjournal.core.model import ABANDONED, COMPLETED, Entry, normalize_key

KEYS = ["lr", "LR", "learning  rate", "Learning Rate", "batch_size", "dropout", "warmup"]
METRICS = ["accuracy", "val_loss", "loss", "f1", "eval/err"]
LESSONS = parse_lessons(
    "## Lessons\n- 2026-03-02 depth matters. Source: runs 1-4\n\n## Rules (hard-won)\n"
    "- NEVER raise lr above 1e-3 because it diverges. Learned: 2026-01-03\n"
    "- ALWAYS set the seed when comparing batch_size. Learned: 2026-01-04\n"
)


@st.composite
def entry_texts(draw, i: int) -> str:
    status = draw(st.sampled_from(["COMPLETED"] * 6 + ["ABANDONED", "PLANNED", "completed (rerun)"]))
    rows = []
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3)):  # may name one key twice, spelled two ways
        old, new = draw(st.sampled_from(["1e-4", "3e-4", "(none)", "  "])), draw(st.sampled_from(["1e-4", "3e-4", "(none)"]))
        rows.append(f"- {key}: {old} → {new}" if draw(st.booleans()) else f"- {key}: {new}")
    metric = draw(st.sampled_from(METRICS))
    base = draw(st.sampled_from([0.5, 0.8, 0.0]))
    fields = [
        ("Status", status),
        ("Change", draw(st.sampled_from(["", "lr 1e-4 → 3e-4", "LR 1e-4->3e-4", "a   longer\tchange " * 4]))),
        ("Config", "\n".join(rows)),
        ("Expected outcome", draw(st.sampled_from(["", f"{metric} +0.01", f"{metric} -0.02", f"{metric} 0.9"]))),
        ("Baseline", draw(st.sampled_from(["", f"{metric} = {base}", f"{metric} = {base}, f1 = 0.5"]))),
    ]
    if status != "PLANNED" and status != "ABANDONED":
        delta = draw(st.sampled_from([0.0, 0.01, -0.03, 0.2]))
        actual = draw(st.sampled_from([
            f"{metric} = {base + delta:.3f}",
            f"{metric} = {base + delta:.3f}\nf1 = {0.5 + delta:.2f}",
            f"{metric} = nan",
            "loss = 0.5\nloss = 1.2\nloss = 4.0",
            "CUDA out of memory",
            "Traceback (most recent call last):\n  x\nValueError: bad",
            "",
        ]))
        fields.append(("Actual outcome", actual))
    month = draw(st.integers(1, 12))
    return render_entry(f"2026-{month:02d}-{i % 28 + 1:02d} 10:00", f"run {i % 5}", fields)


@st.composite
def journals(draw):
    n = draw(st.integers(0, 14))
    return parse_journal("# Experiment journal\n\n" + "\n".join(draw(entry_texts(i)) for i in range(n)))


narrowing = st.fixed_dictionaries({}, optional={
    "param": st.sampled_from(["lr", "LR ", "learning rate", "batch_size", "nothing"]),
    "since": st.sampled_from(["2026-06", "2026-11-03", "2027"]),
})

examples = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
fewer = settings(examples, max_examples=40)  # the same journals, for what one property of them decides


# -- the plain reading -----------------------------------------------------------------------------

def reference(entries, lessons, param=None, since=None):
    """Every figure of the analysis, read entry by entry from the public fields, nothing kept."""
    chosen = [e for e in entries
              if (not since or e.timestamp[: len(since)] >= since)
              and (not param or normalize_key(param) in [normalize_key(k) for k in e.changed_keys])]
    params = {}
    for entry in chosen:
        for item in entry.changed_items:
            p = params.setdefault(normalize_key(item.key), {"key": item.key, "changes": [], "effects": {}})
            p["changes"].append((entry, item.old, item.new))
            for effect in (measured_effects(entry) if entry.status == COMPLETED else []):
                p["effects"].setdefault(effect.metric, []).append(effect)
    for p in params.values():
        counted = set()
        p["verdicts"] = dict.fromkeys(VERDICTS, 0)
        for effects in p["effects"].values():
            for effect in effects:
                if effect.verdict in VERDICTS and (id(effect.entry), effect.metric) not in counted:
                    counted.add((id(effect.entry), effect.metric))
                    p["verdicts"][effect.verdict] += 1
        p["best"] = {m: max(es, key=lambda e: e.gain) for m, es in p["effects"].items()}
        p["worst"] = {m: min(es, key=lambda e: e.gain) for m, es in p["effects"].items()}
    calibration = dict.fromkeys(VERDICTS, 0) | {"not compared": 0}
    series = {}
    for entry in chosen:
        if entry.status == COMPLETED:
            verdicts = [e.verdict for e in measured_effects(entry) if e.verdict]
            for v in verdicts:
                calibration[v] += 1
            if not verdicts:
                calibration["not compared"] += 1
            for name, value in entry.measured.items():
                if math.isfinite(value):
                    series.setdefault(name, []).append((entry, value))
    firsts, repeats = {}, []
    for entry in entries:
        if entry.signature and entry.signature in firsts and any(entry is c for c in chosen):
            repeats.append((entry, firsts[entry.signature]))
        if entry.signature:
            firsts.setdefault(entry.signature, entry)
    spelled, changed = {}, set()
    for entry in entries:
        for item in entry.config:
            spelled.setdefault(normalize_key(item.key), item.key)
        changed.update(normalize_key(item.key) for item in entry.changed_items)
    failures = {}
    for entry in chosen:
        for failure in failures_of(entry):
            failures.setdefault(failure.kind, []).append(failure)
    open_entries = [e for e in entries if e.is_open]
    ahead = sorted({k for e in open_entries for k in e.changed_keys})
    best = None
    for p in sorted(params.values(), key=lambda p: (-len(p["changes"]), p["key"])):
        for effect in p["best"].values():
            if effect.gain > 0 and (best is None or effect.relative_gain > best[1].relative_gain):
                best = (p, effect)
    return {
        "entries": chosen,
        "parameters": sorted(params.values(), key=lambda p: (-len(p["changes"]), p["key"])),
        "calibration": calibration, "repeats": repeats, "series": series, "failures": failures,
        "untested": sorted(name for key, name in spelled.items() if key not in changed),
        "abandoned": sum(1 for e in chosen if e.status == ABANDONED), "open": open_entries,
        "lessons_due": gates.completed_since_lessons(entries, lessons, None),
        "rules_ahead": [(r, [k for k in ahead if gates.rules_about([r], [k])]) for r in gates.rules_about(lessons.rules, ahead)],
        "helped_most": best,
    }


def ref(entry):
    return f"'{entry.name}' ({entry.timestamp})"


def reference_lines(r):
    """The analysis' text, each line built whole (every change joined, every reference written out)."""
    n = len(r["entries"])
    out = [f"Analysis of {n} experiment{'s' if n != 1 else ''}:"]
    if r["helped_most"]:
        p, effect = r["helped_most"]
        old, new = next(((o, nw) for e, o, nw in p["changes"] if e is effect.entry), (None, None))
        out.append(f"  helped most: {p['key']} {old} → {new} in {ref(effect.entry)}: {effect.metric} "
                   f"{format_change(effect.change)}")
    if r["parameters"]:
        out.append("  parameters:")
    for p in r["parameters"]:
        changes = ", ".join(f"{ABSENT if o is None else o} → {ABSENT if nw is None else nw}" for _, o, nw in p["changes"])
        out.append(f"    {p['key']}: changed {len(p['changes'])}× ({render.first_line(changes, 120)})")
        for metric in p["effects"]:
            b, w = p["best"][metric], p["worst"][metric]
            text = f"      {metric}: best {format_change(b.change)} in {ref(b.entry)}"
            if w is not b:
                text += f", worst {format_change(w.change)} in {ref(w.entry)}"
            out.append(text)
        v = p["verdicts"]
        if any(v.values()):
            out.append(f"      vs expected: {v['better than expected']} better, {v['as expected']} as expected, "
                       f"{v['worse than expected']} worse")
    c = r["calibration"]
    if any(c.values()):
        out.append(f"  calibration: {c['better than expected']} better than expected, {c['as expected']} as expected, "
                   f"{c['worse than expected']} worse than expected, {c['not compared']} not compared")
    for metric, points in list(r["series"].items())[:3]:
        if len(points) >= 2:
            out.append(f"  {metric} over experiments: " + " → ".join(format_number(v) for _, v in points[-12:]))
    if len(r["repeats"]) > 10:  # the newest ten named, after a count of all
        out.append(f"  repeats: {len(r['repeats']):,} experiments tried a change tried before; the newest 10:")
    out.extend(f"  repeat: {ref(later)} tried the change of {ref(earlier)} again" for later, earlier in r["repeats"][-10:])
    if r["untested"]:
        out.append(f"  untested: {', '.join(r['untested'])} (in configs, never the changed variable)")
    for kind, failures in r["failures"].items():
        more = f" ({len(failures):,} in all; the newest 10)" if len(failures) > 10 else ""
        out.append(f"  failures, {kind}{more}: " + "; ".join(
            f"{ref(f.entry)} [{render.first_line(f.entry.change, 60) or 'no change recorded'}]: "
            f"{render.first_line(f.evidence, 80)}" for f in failures[-10:]))
    if r["abandoned"]:
        out.append(f"  abandoned: {r['abandoned']}")
    out.extend(f"  rule for {', '.join(keys)}: {render.first_line(rule.text, 140)}" for rule, keys in r["rules_ahead"])
    return out


def same(entries, a, r):
    """The analysis ``a`` holds exactly the figures of the plain reading ``r`` (entries by identity)."""
    ids = lambda es: [id(e) for e in es]  # noqa: E731
    pairs = lambda ps: [(id(x), id(y)) for x, y in ps]  # noqa: E731
    assert ids(a.entries) == ids(r["entries"])
    assert [p.key for p in a.parameters] == [p["key"] for p in r["parameters"]]
    for got, want in zip(a.parameters, r["parameters"]):
        assert [(id(e), o, n) for e, o, n in got.changes] == [(id(e), o, n) for e, o, n in want["changes"]]
        assert {m: ids(es) for m, es in got.effects.items()} == {m: ids(es) for m, es in want["effects"].items()}
        assert list(got.effects) == list(want["effects"])
        assert got.verdicts() == want["verdicts"]
        assert got.times_changed == len(want["changes"])
        for metric in want["effects"]:
            assert got.best(metric) is want["best"][metric] and got.worst(metric) is want["worst"][metric]
    assert a.calibration == r["calibration"] and list(a.calibration) == list(r["calibration"])
    assert pairs(a.repeats) == pairs(r["repeats"])
    assert {m: [(id(e), v) for e, v in ps] for m, ps in a.series.items()} == \
        {m: [(id(e), v) for e, v in ps] for m, ps in r["series"].items()}
    assert list(a.series) == list(r["series"])
    assert {k: ids(f.entry for f in fs) for k, fs in a.failures.items()} == \
        {k: ids(f.entry for f in fs) for k, fs in r["failures"].items()}
    assert a.untested == r["untested"] and a.abandoned == r["abandoned"] and ids(a.open) == ids(r["open"])
    assert a.lessons_due == r["lessons_due"] and a.rules_ahead == r["rules_ahead"]
    if r["helped_most"] is None:
        assert a.helped_most is None
    else:
        assert (a.helped_most[0].key, a.helped_most[1]) == (r["helped_most"][0]["key"], r["helped_most"][1])


# -- the checks ------------------------------------------------------------------------------------

@examples
@given(journals(), narrowing)
def test_analysis_equals_the_plain_reading(entries, narrow):
    r = reference(entries, LESSONS, **narrow)
    for _ in range(2):  # the second time from the facts the first one kept with each entry
        a = analyze(entries, LESSONS, **narrow)
        same(entries, a, r)
        assert render.analysis_lines(a) == reference_lines(r)


@fewer
@given(journals(), narrowing)
def test_a_cached_parse_analyses_as_the_fresh_one(entries, narrow):
    analyze(entries, LESSONS)  # every entry's facts kept ...
    again = pickle.loads(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))  # ... and carried as the parse cache does
    assert all(FACTS in e.derived for e in again)
    a = analyze(again, LESSONS, **narrow)
    same(again, a, reference(again, LESSONS, **narrow))
    assert render.analysis_lines(a) == render.analysis_lines(analyze(entries, LESSONS, **narrow))


@fewer
@given(journals())
def test_an_entry_listed_twice_counts_once_in_the_verdicts(entries):
    twice = entries + entries[:3]
    same(twice, analyze(twice, LESSONS), reference(twice, LESSONS))


@fewer
@given(journals())
def test_the_html_shows_the_text_lines(entries):
    a = analyze(entries, LESSONS)
    lines = render.analysis_lines(a)
    items = "".join(f"<div style='padding-left:{(len(line) - len(line.lstrip())) // 2 * 0.8}em'>{escape(line.strip())}</div>"
                    for line in lines[1:])
    assert render.analysis_html(a) == f"<div class='expjournal-analysis'><b>{escape(lines[0])}</b>{items}</div>"


def test_a_line_break_in_a_name_is_escaped_in_its_own_line():
    fields = {"Status": "COMPLETED", "Change": "lr 1 → 2"}
    entries = [Entry("2026-01-01 10:00", "first", dict(fields)), Entry("2026-01-02 10:00", "two\n<lines>", dict(fields))]
    a = analyze(entries, LESSONS)
    lines = render.analysis_lines(a)
    assert any("\n" in line for line in lines)
    items = "".join(f"<div style='padding-left:{(len(line) - len(line.lstrip())) // 2 * 0.8}em'>{escape(line.strip())}</div>"
                    for line in lines[1:])
    assert render.analysis_html(a) == f"<div class='expjournal-analysis'><b>{escape(lines[0])}</b>{items}</div>"


pieces = st.lists(st.one_of(st.sampled_from(["", " ", "  \t ", "a", "1e-4 → 3e-4", "(none) → x", "\n", "é  "]),
                            st.text(max_size=12)), max_size=60)


@settings(max_examples=500, deadline=None)
@given(pieces, st.sampled_from([", ", " ", "", "; "]), st.integers(1, 130))
def test_a_line_folded_from_some_pieces_is_the_line_folded_from_all(parts, sep, width):
    assert render.first_line_of(iter(parts), sep, width) == render.first_line(sep.join(parts), width)


def three_runs():
    """Three completed runs changing lr, each compared with its expectation (lower loss is better)."""
    return parse_journal("".join(render_entry(f"2026-01-0{i} 10:00", f"r{i}", [
        ("Status", "COMPLETED"), ("Config", f"- lr: 1e-4 → {i}e-4"), ("Expected outcome", "loss -0.1"),
        ("Baseline", "loss = 0.5"), ("Actual outcome", f"loss = {0.5 - i / 10:.2f}")]) for i in range(1, 4)))


def test_runs_listed_twice_count_once_in_the_verdicts():
    entries = three_runs()
    twice = entries + entries[:2]
    a = analyze(twice, LESSONS)
    same(twice, a, reference(twice, LESSONS))
    assert sum(a.parameters[0].verdicts().values()) == 3


def test_a_summary_added_to_after_the_analysis_answers_afresh():
    entries = three_runs()
    p = analyze(entries, LESSONS).parameters[0]
    assert (p.best("loss").entry.name, p.worst("loss").entry.name) == ("r3", "r1")  # loss: lower is better
    before = p.verdicts()
    better = Effect(entries[0], "loss", -9.0, "better than expected", 0.5)
    p.effects["loss"].append(better)
    assert p.best("loss") is better
    assert p.verdicts() == before  # r1 already counted for loss
    p.effects["loss"].append(Effect(entries[0], "acc", 1.0, "as expected", 0.5))
    assert p.verdicts()["as expected"] == before["as expected"] + 1


@pytest.mark.parametrize("n", [0, 1, 2])
def test_few_entries_say_what_they_always_said(n):
    entries = parse_journal("".join(render_entry(f"2026-01-0{i + 1} 10:00", f"r{i}", [
        ("Status", "COMPLETED"), ("Config", "- lr: 1 → 2"), ("Actual outcome", "acc = 0.5")]) for i in range(n)))
    a = analyze(entries, LESSONS)
    assert render.analysis_lines(a) == reference_lines(reference(entries, LESSONS))
