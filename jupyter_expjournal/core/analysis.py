"""What the whole journal says about the next experiment.

The seed's review step ("what should we try next?") needs more than a list of
entries: which parameter moved which metric and by how much, how well the
expectations were calibrated, what was tried twice, what was never tried, and
which changes broke runs. It is computed here, once, so the magic, the widget,
the sidebar and the CLI all show the same numbers.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

from . import gates
from .errors import InputError
from .metrics import compare, is_lower_better, parse_metrics
from .model import ABANDONED, COMPLETED, Entry, Lessons, Rule, normalize_key
from .sweep_evidence import SweepEvidence, sweeps_of

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
    """Everything the journal knows about one parameter.

    A parameter changed in 10,000 experiments has 10,000 effects, and a review
    asks for the best, the worst and the verdicts of each metric several times
    (the text, the HTML, the plots, ``helped_most``). So each answer is kept once
    found, beside the number of effects it was found from: an effect added
    later makes it be found afresh, never served stale.
    """

    key: str
    changes: list[tuple[Entry, str | None, str | None]] = field(default_factory=list)
    effects: dict[str, list[Effect]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._extremes: dict[str, tuple[list[Effect], int, Effect, Effect]] = {}  # metric -> (effects, how many, best, worst)
        self._verdicts: tuple[int, dict[str, int]] | None = None  # (effects counted, counts), see _counted

    @property
    def times_changed(self) -> int:
        return len(self.changes)

    def best(self, metric: str) -> Effect | None:
        """The effect with the largest gain (the first of equals, as ``max`` picks it)."""
        found = self._extreme(metric)
        return found[2] if found else None

    def worst(self, metric: str) -> Effect | None:
        """The effect with the smallest gain (the first of equals, as ``min`` picks it)."""
        found = self._extreme(metric)
        return found[3] if found else None

    def _extreme(self, metric: str) -> tuple[list[Effect], int, Effect, Effect] | None:
        effects = self.effects.get(metric)
        if not effects:
            return None
        known = self._extremes.get(metric)
        if known is not None and known[0] is effects and known[1] == len(effects):
            return known
        lower = is_lower_better(metric)  # Effect.gain, with the name's direction asked once, not per effect
        best = worst = effects[0]
        high = low = best.gain
        for effect in effects:  # (analyze files each effect under its own metric)
            gain = (-effect.change if lower else effect.change) if effect.metric == metric else effect.gain
            if gain > high:
                best, high = effect, gain
            if gain < low:
                worst, low = effect, gain
        known = self._extremes[metric] = (effects, len(effects), best, worst)
        return known

    def verdicts(self) -> dict[str, int]:
        """How many experiments changing it came out better, as, or worse than expected (once per entry and metric)."""
        total = sum(map(len, self.effects.values()))
        if self._verdicts is None or self._verdicts[0] != total:
            counts = {v: 0 for v in VERDICTS}
            seen = set()
            for effects in self.effects.values():
                for effect in effects:
                    if effect.verdict in counts and (id(effect.entry), effect.metric) not in seen:
                        seen.add((id(effect.entry), effect.metric))
                        counts[effect.verdict] += 1
            self._verdicts = (total, counts)
        return dict(self._verdicts[1])

    def _counted(self, counts: list[int]) -> None:
        """Take the verdicts ``analyze`` counted while it collected the effects (``counts`` in VERDICTS order)."""
        self._verdicts = (sum(map(len, self.effects.values())), dict(zip(VERDICTS, counts)))


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
    #: each completed sweep: its points as evidence for its parameter's effect (best value, the curve's shape)
    sweeps: list[SweepEvidence] = field(default_factory=list)

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


#: Where an entry keeps what the analysis takes from it (see :func:`_facts`). The parse cache
#: carries it between processes: the number changes with the layout, so no other layout is read.
FACTS = "analysis:2"


def _facts(entry: Entry) -> tuple:
    """Everything ``analyze`` takes from one entry, read once and kept with it (:func:`_kept`).

    A plain tuple: a cached parse stores 10,000 of them and a review unpacks
    10,000 of them. In order: the Config rows as (normalised key, key as
    written); the normalised changed keys; the change signature or None; open?;
    the status; per changed item (normalised key, key as written, first time
    in this entry?, (entry, old, new) as ``ParamSummary.changes`` lists it), a
    key written twice counting once in the verdicts; the effects; their
    verdicts, which the calibration counts; their tally in VERDICTS order, once
    per metric, which each changed parameter adds, or None; the names of the
    finite measured values; the failures.

    What is not the entry's own is shared between entries (:func:`_shared`):
    the cached parse then stores it once (loading it is loading a reference),
    and the analysis' dict lookups find it by identity.
    """
    config = []
    for item in entry.config:
        config.append((_normal(item.key), item.key))
    changed, changes = [], []
    for item in entry.changed_items:
        key = _normal(item.key)
        changes.append((key, item.key, key not in changed, (entry, item.old, item.new)))
        changed.append(key)
    signature = entry.signature
    status = entry.status
    effects: list[Effect] | tuple = ()
    verdicts: tuple[str, ...] = ()
    tally = None
    finite: tuple[str, ...] = ()
    if status == COMPLETED:
        effects = measured_effects(entry)
        counts = dict.fromkeys(VERDICTS, 0)
        seen = set()
        for effect in effects:  # once per metric, as ParamSummary.verdicts counts
            if effect.verdict in counts and effect.metric not in seen:
                seen.add(effect.metric)
                counts[effect.verdict] += 1
        verdicts = tuple([effect.verdict for effect in effects if effect.verdict])
        tally = tuple(counts.values()) if any(counts.values()) else None
        finite = tuple([name for name, value in entry.measured.items() if math.isfinite(value)])
    return (_shared(tuple(config)), _shared(tuple(changed)), _shared(signature) if signature else None, entry.is_open,
            status, tuple(changes), effects, _shared(verdicts), _shared(tally), _shared(finite),
            failures_of(entry))


_SHARED: dict = {}


def _shared(value):
    """One object for equal keys, key lists and signatures; only ever faster, never different (bounded)."""
    if len(_SHARED) > 100_000:  # a server reading many journals: start afresh
        _SHARED.clear()
    return _SHARED.setdefault(value, value)


@functools.lru_cache(maxsize=4096)
def _normal(key: str) -> str:
    return sys.intern(normalize_key(key))


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
        entries = [e for e in entries if wanted in _kept(e, FACTS, _facts)[1]]
    return entries


def analyze(
    entries: list[Entry],
    lessons: Lessons,
    *,
    lessons_mtime: float | None = None,
    param: str | None = None,
    since: str | None = None,
) -> Analysis:
    """Analyse the journal, narrowed to entries changing ``param`` and/or dated ``since`` on.

    One pass over the entries, adding up each one's facts (:func:`_facts`, kept
    with the entry and carried by the parse cache): a review of 10,000 entries
    costs a couple of microseconds an entry, not a re-reading of each.
    """
    chosen = narrow(entries, param=param, since=since)
    total = Sums(chosen, whole=chosen is entries)
    total.add(entries)
    return total.analysis(entries, lessons, lessons_mtime)


class Sums:
    """The analysis of the entries added so far, added up one entry at a time.

    What :func:`analyze` makes in one pass, and what a fresh process keeps on
    disk for the whole journal but its last entry: after an append it adds the
    entries that are new (and the last one, which the append may have
    continued) instead of reading 10,000 entries' facts again. ``chosen``
    (entries of a narrowed analysis, in file order; ``whole``: all of them) or
    None for all the entries of a parse.
    """

    def __init__(self, chosen: list[Entry] | None = None, *, whole: bool = False) -> None:
        self.count = 0  # entries added
        self.end = 0  # where the last entry added ends in the text: where the next one begins
        self.params: dict[str, ParamSummary] = {}
        self.tallies: dict[str, list[tuple[int, int, int]]] = {}  # parameter -> the verdict tallies of its entries
        self.series: dict[str, list[tuple[Entry, float]]] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.seen_config: dict[str, str] = {}
        self.changed_ever: set[str] = set()
        self.repeats: list[tuple[Entry, Entry]] = []
        self.by_signature: dict = {}
        self.open: list[Entry] = []
        self.abandoned = 0
        self.compared: list[tuple[str, ...]] = []  # each chosen completed entry's verdicts (shared tuples)
        # by identity: `entry in chosen` on a list compares dataclasses field by field, O(n²) in all
        ids = None if chosen is None else set(map(id, chosen))
        self._chosen = None if whole else ids
        # an entry listed twice (never so in a parse) counts once in a parameter's verdicts: verdicts() counts those
        self.tally_here = ids is None or len(ids) == len(chosen)

    def add(self, entries: list[Entry]) -> None:
        """Add these entries, the next ones of the journal in file order."""
        params, tallies, series, failures = self.params, self.tallies, self.series, self.failures
        seen_config, changed_ever, by_signature, chosen = self.seen_config, self.changed_ever, self.by_signature, self._chosen
        last_config = last_changed = None
        configs: set[int] = set()  # Config key lists already taken (shared objects, alive while entries are)
        for entry in entries:  # untested, repeats and open entries look at the whole journal; the rest at the chosen
            facts = entry.derived.get(FACTS) or _kept(entry, FACTS, _facts)  # _kept, its call saved when kept
            config, changed, signature, is_open, status, changes, effects, verdicts, tally, finite, failed = facts
            if config is not last_config:  # most entries have the rows of the one before, or of one before it
                last_config = config
                if id(config) not in configs:
                    configs.add(id(config))
                    for key, name in config:
                        seen_config.setdefault(key, name)
            if changed is not last_changed:
                last_changed = changed
                changed_ever.update(changed)
            if is_open:
                self.open.append(entry)
            is_chosen = chosen is None or id(entry) in chosen  # narrow() keeps the order: chosen is a sub-sequence
            if signature is not None:
                first = by_signature.get(signature)
                if first is None:
                    by_signature[signature] = entry
                elif is_chosen:
                    self.repeats.append((entry, first))
            if not is_chosen:
                continue
            for key, name, first_time, change in changes:
                summary = params.get(key)
                if summary is None:
                    summary = params[key] = ParamSummary(name)
                    tallies[key] = []
                summary.changes.append(change)
                if effects:
                    by_metric = summary.effects
                    for effect in effects:
                        found = by_metric.get(effect.metric)
                        if found is None:  # (setdefault would make a list per effect)
                            found = by_metric[effect.metric] = []
                        found.append(effect)
                    if tally is not None and first_time:
                        tallies[key].append(tally)
            if status == COMPLETED:
                self.compared.append(verdicts)
                if finite:
                    measured = entry.measured
                    for name in finite:
                        values = series.get(name)
                        if values is None:
                            values = series[name] = []
                        values.append((entry, measured[name]))
            elif status == ABANDONED:
                self.abandoned += 1
            for failure in failed:
                failures.setdefault(failure.kind, []).append(failure)
        self.count += len(entries)
        if entries:
            self.end = entries[-1].span[1]

    def fits(self, entries: list[Entry]) -> bool:
        """Whether these sums are of the first entries of ``entries`` (a parse of a text that starts with
        the text they were made from: the next entry begins where the last one added ended)."""
        return 0 < self.count < len(entries) and entries[self.count].span[0] == self.end

    def analysis(self, entries: list[Entry], lessons: Lessons, lessons_mtime: float | None) -> Analysis:
        """The analysis of what was added (``entries``: the whole journal, what the lessons due count);
        these sums stay as they are, to be added to."""
        calibration = {v: 0 for v in VERDICTS} | {"not compared": 0}
        for verdicts, times in Counter(self.compared).items():
            for verdict in verdicts or ("not compared",):
                calibration[verdict] += times
        parameters = []
        for key, kept in self.params.items():
            summary = ParamSummary(kept.key, list(kept.changes), {m: list(e) for m, e in kept.effects.items()})
            if self.tally_here:  # a few distinct tallies (shared tuples), each counted once
                counts = [0, 0, 0]
                for tally, times in Counter(self.tallies[key]).items():
                    for i in range(3):
                        counts[i] += tally[i] * times
                summary._counted(counts)
            parameters.append(summary)
        chosen = entries if self._chosen is None else [e for e in entries if id(e) in self._chosen]
        sweeps = sweeps_of(chosen)
        return Analysis(
            entries=chosen,
            parameters=sorted(parameters, key=lambda s: (-s.times_changed, s.key)),
            calibration=calibration,
            repeats=list(self.repeats),
            untested=sorted(name for key, name in self.seen_config.items() if key not in self.changed_ever),
            failures={kind: list(found) for kind, found in self.failures.items()},
            abandoned=self.abandoned,
            open=list(self.open),
            lessons_due=gates.completed_since_lessons(entries, lessons, lessons_mtime),
            rules_ahead=rules_ahead(self.open, lessons),
            series=_without_swept_keys(self.series, sweeps),
            sweeps=sweeps,
        )


def _without_swept_keys(series: dict[str, list[tuple[Entry, float]]], sweeps: list[SweepEvidence]):
    """The series, less the value a sweep printed of its own key beside each run (a parameter, not a metric)."""
    keys = {id(found.entry): _normal(found.key) for found in sweeps}
    out = {}
    for name, values in series.items():
        kept = [(e, v) for e, v in values if keys.get(id(e)) != _normal(name)] if keys else list(values)
        if kept:
            out[name] = kept
    return out


def rules_ahead(open_entries: list[Entry], lessons: Lessons) -> list[tuple[Rule, list[str]]]:
    """The rules that name a parameter an open entry changes, each with those parameters."""
    ahead_keys = sorted({k for e in open_entries for k in e.changed_keys})
    return [(rule, [k for k in ahead_keys if gates.rules_about([rule], [k])])
            for rule in gates.rules_about(lessons.rules, ahead_keys)]
