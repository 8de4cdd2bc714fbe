"""What the whole journal says about the next experiment.

The seed's review step ("what should we try next?") needs more than a list of
entries: which parameter moved which metric and by how much, how well the
expectations were calibrated, what was tried twice, what was never tried, and
which changes broke runs. It is computed here, once, so the magic, the widget,
the sidebar and the CLI all show the same numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from . import gates
from .errors import InputError
from .metrics import compare, is_lower_better, parse_metrics
from .model import ABANDONED, COMPLETED, Entry, Lessons, Rule, normalize_key

VERDICTS = ("better than expected", "as expected", "worse than expected")

OOM = re.compile(r"out of memory|OutOfMemoryError|MemoryError|\bOOM\b|Cannot allocate memory|std::bad_alloc", re.I)
CRASH = re.compile(r"Traceback \(most recent call last\)|Segmentation fault|core dumped|Killed|^Error: ", re.M)
LOSS = re.compile(r"(?<![\w.])['\"]?((?:[\w./-]*[_/.-])?loss)['\"]?\s*[:=]\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)",
                  re.I)


@dataclass
class Effect:
    """One experiment's measured effect on one metric: actual minus baseline."""

    entry: Entry
    metric: str
    change: float
    verdict: str | None
    baseline: float | None = None

    @property
    def gain(self) -> float:
        """The change signed so that bigger is better (loss going down is a gain)."""
        return -self.change if is_lower_better(self.metric) else self.change

    @property
    def relative_gain(self) -> float:
        """Gain as a share of the baseline, so that gains on different metrics compare."""
        return self.gain / abs(self.baseline) if self.baseline else self.gain


@dataclass
class ParamSummary:
    """Everything the journal knows about one parameter."""

    key: str
    changes: list[tuple[Entry, str | None, str | None]] = field(default_factory=list)
    effects: dict[str, list[Effect]] = field(default_factory=dict)

    @property
    def times_changed(self) -> int:
        return len(self.changes)

    def best(self, metric: str) -> Effect | None:
        return max(self.effects.get(metric, []), key=lambda e: e.gain, default=None)

    def worst(self, metric: str) -> Effect | None:
        return min(self.effects.get(metric, []), key=lambda e: e.gain, default=None)

    def verdicts(self) -> dict[str, int]:
        counts = {v: 0 for v in VERDICTS}
        seen = set()
        for effects in self.effects.values():
            for effect in effects:
                if effect.verdict in counts and (id(effect.entry), effect.metric) not in seen:
                    seen.add((id(effect.entry), effect.metric))
                    counts[effect.verdict] += 1
        return counts


@dataclass
class Failure:
    entry: Entry
    kind: str  # "out of memory" | "NaN or inf metric" | "diverging loss" | "crash"
    evidence: str


@dataclass
class Analysis:
    entries: list[Entry]
    parameters: list[ParamSummary]
    calibration: dict[str, int]
    repeats: list[tuple[Entry, Entry]]  # (later, earlier)
    untested: list[str]
    failures: dict[str, list[Failure]]
    abandoned: int
    open: list[Entry]
    lessons_due: int
    rules_ahead: list[tuple[Rule, list[str]]]  # rules naming a parameter an open entry changes
    series: dict[str, list[tuple[Entry, float]]]  # metric -> actual value per completed entry

    @property
    def helped_most(self) -> tuple[ParamSummary, Effect] | None:
        """The parameter change with the largest gain on any metric (where metrics compare)."""
        best = None
        for summary in self.parameters:
            for metric in summary.effects:
                effect = summary.best(metric)
                if effect and effect.gain > 0 and (best is None or effect.relative_gain > best[1].relative_gain):
                    best = (summary, effect)
        return best


def _kept(entry: Entry, key: str, compute):
    """``compute(entry)``, kept with the entry (computed once per parse, carried by the parse cache)."""
    known = entry.derived.get(key)
    if known is None:
        known = entry.derived[key] = compute(entry)
    return known


def measured_effects(entry: Entry) -> list[Effect]:
    """The entry's effect on each metric it names."""
    return _kept(entry, "effects", _effects)


def _effects(entry: Entry) -> list[Effect]:
    actual = entry.measured
    out = []
    for d in compare(entry.baseline, entry.expected, actual):
        if d.change is not None and not math.isnan(d.change):
            out.append(Effect(entry, d.metric, d.change, d.verdict, d.baseline))
    return out


def failures_of(entry: Entry) -> list[Failure]:
    """Recognise runs that broke: OOM, NaN/inf metrics, a diverging loss, a crash."""
    return _kept(entry, "failures", _failures)


def _failures(entry: Entry) -> list[Failure]:
    text = entry.actual
    found = []
    m = OOM.search(text)
    if m:
        found.append(Failure(entry, "out of memory", _line_at(text, m.start())))
    bad = [name for name, value in parse_metrics(text).items() if math.isnan(value) or math.isinf(value)]
    if bad:
        found.append(Failure(entry, "NaN or inf metric", ", ".join(f"{n} = {parse_metrics(text)[n]}" for n in bad)))
    losses = [float(v) for _, v in LOSS.findall(text)]
    finite = [v for v in losses if math.isfinite(v)]
    if len(finite) >= 3 and finite[-1] > finite[0] and finite[-1] > 2 * max(min(finite), 1e-12):
        found.append(Failure(entry, "diverging loss", f"loss {finite[0]:g} → {finite[-1]:g} over {len(finite)} values"))
    m = CRASH.search(text)
    if m and not any(f.kind == "out of memory" for f in found):
        found.append(Failure(entry, "crash", _line_at(text, m.start())))
    return found


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)].strip()
    return line[:160]


def check_since(since: str | None) -> str | None:
    """A ``since`` date as every face takes it (2026, 2026-11, 2026-11-25, 2026-11-25 14:03); InputError otherwise."""
    if since is None or not since.strip():
        return None
    since = since.strip()
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2}([ T]\d{2}:\d{2})?)?)?", since):
        raise InputError(f"since takes a date like 2026-11-25 or 2026-11, not {since!r}")
    return since.replace("T", " ")


def narrow(entries: list[Entry], *, param: str | None = None, since: str | None = None) -> list[Entry]:
    """Entries dated ``since`` (a date prefix, e.g. 2026-11) on that changed ``param``."""
    since = check_since(since)
    if since:
        entries = [e for e in entries if e.timestamp[: len(since)] >= since]
    if param:
        wanted = normalize_key(param)
        entries = [e for e in entries if any(normalize_key(k) == wanted for k in e.changed_keys)]
    return entries


def analyze(
    entries: list[Entry],
    lessons: Lessons,
    *,
    lessons_mtime: float | None = None,
    param: str | None = None,
    since: str | None = None,
) -> Analysis:
    """Analyse the journal, narrowed to entries changing ``param`` and/or dated ``since`` on."""
    chosen = narrow(entries, param=param, since=since)

    params: dict[str, ParamSummary] = {}
    calibration = {v: 0 for v in VERDICTS} | {"not compared": 0}
    series: dict[str, list[tuple[Entry, float]]] = {}
    failures: dict[str, list[Failure]] = {}
    seen_config: dict[str, str] = {}
    changed_ever: set[str] = set()
    repeats: list[tuple[Entry, Entry]] = []
    by_signature: dict = {}
    # by identity: `entry in chosen` on a list compares dataclasses field by field, O(n²) in all
    chosen_ids = {id(e) for e in chosen}

    for entry in entries:  # untested and repeats look at the whole journal
        for item in entry.config:
            seen_config.setdefault(normalize_key(item.key), item.key)
        for item in entry.changed_items:
            changed_ever.add(normalize_key(item.key))
        sig = entry.signature
        if sig:
            if sig in by_signature and id(entry) in chosen_ids:
                repeats.append((entry, by_signature[sig]))
            by_signature.setdefault(sig, entry)

    for entry in chosen:
        effects = measured_effects(entry) if entry.status == COMPLETED else []
        for item in entry.changed_items:
            summary = params.setdefault(normalize_key(item.key), ParamSummary(item.key))
            summary.changes.append((entry, item.old, item.new))
            for effect in effects:
                summary.effects.setdefault(effect.metric, []).append(effect)
        if entry.status == COMPLETED:
            verdicts = [e.verdict for e in effects if e.verdict]
            if verdicts:
                for v in verdicts:
                    calibration[v] += 1
            else:
                calibration["not compared"] += 1
            for name, value in entry.measured.items():
                if math.isfinite(value):
                    series.setdefault(name, []).append((entry, value))
        for failure in failures_of(entry):
            failures.setdefault(failure.kind, []).append(failure)

    open_entries = [e for e in entries if e.is_open]
    ahead_keys = sorted({k for e in open_entries for k in e.changed_keys})
    rules_ahead = [(rule, [k for k in ahead_keys if gates.rules_about([rule], [k])])
                   for rule in gates.rules_about(lessons.rules, ahead_keys)]
    return Analysis(
        entries=chosen,
        parameters=sorted(params.values(), key=lambda s: (-s.times_changed, s.key)),
        calibration=calibration,
        repeats=repeats,
        untested=sorted(name for key, name in seen_config.items() if key not in changed_ever),
        failures=failures,
        abandoned=sum(1 for e in chosen if e.status == ABANDONED),
        open=open_entries,
        lessons_due=gates.completed_since_lessons(entries, lessons, lessons_mtime),
        rules_ahead=rules_ahead,
        series={k: v for k, v in series.items() if len(v) >= 1},
    )
