"""Experiments side by side: the compare table every face shows, and its filters and sorts.

Deciding "what next" means reading runs against each other: what each one
changed (old → new), what it measured, how far it moved each metric from its
baseline, whether it finished. The sidebar, ``%review --table``, the CLI's
``list --table`` and the panel all show that one table, so it is computed here,
once, from rules that already live in the core: the changed config rows
(:attr:`~.model.Entry.changed_items`, the Config/Change rule of :mod:`.config`),
the metrics the outcome names (:attr:`~.model.Entry.measured`, :mod:`.metrics`)
and each metric's change from the baseline, as the entry's Delta computes it
(:func:`.analysis.measured_effects` over :func:`.metrics.compare`).

A face filters (:func:`filtered`: by status, by ``key=value`` of the config;
:func:`matches` of :func:`search_text`: the full-text search, outcomes and
metrics included), sorts (:func:`ordered`: by time or by a metric, best first
in the metric's own direction, :func:`.metrics.is_lower_better`) and renders
:func:`table`'s rows; :func:`select` does all of it in the one order every
face keeps.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .analysis import Effect, measured_effects, narrow
from .config import ConfigItem
from .errors import InputError
from .metrics import format_change, format_number, is_lower_better
from .model import STATUSES, Entry, normalize_key
from .sweep import planned
from .sweep_evidence import points_and_best

#: What :func:`ordered` sorts by when no metric is named: the journal's own order (time).
TIME = "time"


@dataclass(frozen=True)
class Row:
    """One entry as the compare table shows it."""

    entry: Entry
    changed: list[ConfigItem]  # what it changed, old → new (old/new None: absent on that side)
    metrics: dict[str, float]  # what its outcome measured (last value of each), by metric_key
    delta: dict[str, float] = field(default_factory=dict)  # by metric_key: change from its baseline (only where known)
    #: a sweep's points, the row expanded: (the value swept, its metrics by metric_key), as its table holds them;
    #: the row's own metrics are its best point's. Empty for any other entry.
    points: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    best: str | None = None  # the value of the best point, as the sweep's table marks it (in bold)


@dataclass(frozen=True)
class Table:
    """Rows and their metric columns: the union of the rows' metrics, most common first."""

    rows: list[Row]
    metrics: list[str]

    @property
    def higher_is_better(self) -> dict[str, bool]:
        return higher_is_better(self.metrics)


def metric_key(name: str) -> str:
    """What names a metric's column: its name casefolded, so that ``Accuracy: 96%`` and ``accuracy = 0.97`` compare."""
    return name.casefold()


def row(entry: Entry) -> Row:
    """An entry's row: its changed config rows, its metrics and the delta of each (the Delta's own numbers).

    Metrics are keyed by :func:`metric_key` (a name as written can be read again in the entry's outcome).
    """
    measured = entry.measured
    delta: dict[str, float] = {}
    # a change needs a baseline: without one there is no Delta to read (and no compare() to pay for)
    for effect in measured_effects(entry) if measured and entry.baseline.strip() else ():
        delta.setdefault(metric_key(_column_of(effect, measured)), effect.change)
    found, best = points_and_best(entry)
    points = [(value, {metric_key(k): v for k, v in m.items()}) for value, m in found]
    metrics = {metric_key(name): value for name, value in measured.items()}
    if points:  # a sweep: the key it printed beside each run's metrics is the parameter swept, not a metric
        for some in (metrics, delta):
            some.pop(metric_key(planned(entry).key), None)
    return Row(entry, list(entry.changed_items), metrics, delta, points, best)


def _column_of(effect: Effect, measured: dict[str, float]) -> str:
    """The measured metric a delta is about: a Delta names a metric as the expectation spelled it.

    "accuracy +0.01" expected of an output saying "test accuracy = 0.97" is
    the Delta of "test accuracy": found by the name (case ignored), else by
    the one measured metric whose value the baseline and the change give.
    """
    name = effect.metric
    if metric_key(name) in {metric_key(key) for key in measured}:
        return name
    if effect.baseline is not None:
        actual = effect.baseline + effect.change
        near = [key for key, value in measured.items() if math.isclose(value, actual, rel_tol=1e-9, abs_tol=1e-12)]
        if len(near) == 1:
            return near[0]
    return name


def metric_columns(names: Iterable[Iterable[str]]) -> list[str]:
    """The union of each row's metric names (each a :func:`metric_key`), most common first (ties: first seen first).

    Takes names rather than rows so that a face keeping each entry's names
    (the server keeps each entry's JSON) orders its columns by the same rule.
    """
    counts: Counter[str] = Counter()
    for some in names:
        counts.update(list(dict.fromkeys(map(metric_key, some))))  # a name counts once per row
    return [name for name, _ in counts.most_common()]  # most_common keeps first-seen order among equals


def higher_is_better(names: Iterable[str]) -> dict[str, bool]:
    """Each metric's direction, from its name (a loss or an error is better lower)."""
    return {name: not is_lower_better(name) for name in names}


def table(entries: Sequence[Entry]) -> Table:
    """The compare table of ``entries``, in the order given (filter and sort with :func:`filtered`, :func:`ordered`)."""
    rows = [row(e) for e in entries]
    return Table(rows, metric_columns(r.metrics for r in rows))


# -- filters -------------------------------------------------------------------


def statuses(text: str | Iterable[str] | None) -> frozenset[str]:
    """The statuses a filter names (``"completed"``, ``"PLANNED,COMPLETED"``); empty: all. Bad: InputError."""
    if text is None:
        return frozenset()
    parts = [text] if isinstance(text, str) else list(text)
    words = [word for part in parts for word in part.replace(",", " ").split()]
    out = set()
    for word in words:
        status = word.upper()
        if status not in STATUSES:
            raise InputError(f"status {word!r} is not one of {', '.join(s.lower() for s in STATUSES)}")
        out.add(status)
    return frozenset(out)


def parameter(text: str) -> tuple[str, str]:
    """``"C=10"`` as (key, value): the parameter filter's syntax. Bad: InputError naming it."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise InputError(f"a parameter filter is key=value (for example C=10), not {text!r}")
    return key.strip(), value.strip()


def value_of(entry: Entry, key: str) -> str | None:
    """The value ``key`` had in this run: its Config row's new value (or unchanged value), else its Change."""
    wanted = normalize_key(key)
    for item in (*entry.config, *entry.changed_items):
        if normalize_key(item.key) == wanted:
            return item.value
    return None


def same_value(written: str | None, wanted: str) -> bool:
    """Whether a config value is the one a filter asks for: as text, or as the same number (``1e-3`` is ``0.001``)."""
    if written is None:
        return False
    written, wanted = written.strip().strip("'\""), wanted.strip().strip("'\"")
    if written.casefold() == wanted.casefold():
        return True
    try:
        return float(written) == float(wanted)
    except ValueError:
        return False


def filtered(
    entries: Iterable[Entry],
    *,
    status: str | Iterable[str] | None = None,
    params: Iterable[str | tuple[str, str]] = (),
) -> list[Entry]:
    """The entries whose status is one of ``status`` (all when none) and whose config has every ``key=value``."""
    wanted = statuses(status)
    pairs = [parameter(p) if isinstance(p, str) else p for p in params]
    out = []
    for e in entries:
        if wanted and e.status not in wanted:
            continue
        if any(not same_value(value_of(e, key), value) for key, value in pairs):
            continue
        out.append(e)
    return out


# -- sort ------------------------------------------------------------------------


def ordered(rows: Sequence[Row], by: str | None = TIME, *, reverse: bool = False) -> list[Row]:
    """Rows by time (the journal's order, oldest first; a hand edit may date an entry back) or by a metric, best first.

    A metric's best is its highest value, or its lowest for a loss or an error
    (:func:`higher_is_better`); rows without that metric (or with NaN) come
    last, in time order. ``reverse`` turns the order round (the rows without
    the metric stay last). An unknown metric is an InputError naming the ones known.
    """
    by = (by or TIME).strip()
    timed = sorted(rows, key=lambda r: r.entry.index)  # the file's order: an append-only journal's is time's
    if by.casefold() == TIME:
        return timed[::-1] if reverse else timed
    names = metric_columns(r.metrics for r in rows)
    name = metric_key(by)
    if name not in names:
        known = ", ".join(names) or "none"
        raise InputError(f"cannot sort by {by!r}: it is {TIME!r} or a metric (measured here: {known})")
    sign = 1 if is_lower_better(name) else -1  # best first
    valued = [r for r in timed if name in r.metrics and not math.isnan(r.metrics[name])]
    has = {id(r) for r in valued}
    rest = [r for r in timed if id(r) not in has]
    valued.sort(key=lambda r: sign * r.metrics[name], reverse=reverse)
    return valued + rest


def _by_time(sort: str | None) -> bool:
    return (sort or TIME).strip().casefold() == TIME


def _cut(items: list, limit: int | None, by_time: bool, reverse: bool) -> list:
    """``limit`` items at most: by time the latest ones (still oldest first, or newest first with ``reverse``),
    by a metric the best ones."""
    if limit is None:
        return items
    return (items[-limit:] if limit else []) if by_time and not reverse else items[:limit]


def choose(entries: Sequence[Entry], **how) -> list[Entry]:
    """The entries :func:`select` would show (the same keywords), without a compare row each.

    A list needs no rows: they are made only to sort by a metric (a row reads
    the entry's outcome and compares its metrics: 10,000 of them cost a second).
    """
    return _choose(entries, **how)[0]


def select(entries: Sequence[Entry], **how) -> Table:
    """The compare table a face asks for: the entries narrowed (``param`` changed, ``since``), filtered
    (``status``, ``params`` key=value, ``text``), sorted (``sort``: time or a metric; ``reverse``) and cut
    (``limit``: by time the latest ones, by a metric the best ones); see :func:`_choose`."""
    chosen, rows = _choose(entries, **how)
    rows = rows if rows is not None else [row(e) for e in chosen]
    return Table(rows, metric_columns(r.metrics for r in rows))


def _choose(
    entries: Sequence[Entry],
    *,
    status: str | Iterable[str] | None = None,
    params: Iterable[str | tuple[str, str]] = (),
    text: str | None = None,
    param: str | None = None,
    since: str | None = None,
    sort: str | None = TIME,
    reverse: bool = False,
    limit: int | None = None,
) -> tuple[list[Entry], list[Row] | None]:
    """(the entries chosen, their rows when a sort by a metric made them): every face's one selection."""
    chosen = filtered(narrow(list(entries), param=param, since=since), status=status, params=params)
    if text and text.strip():
        chosen = [e for e in chosen if matches(search_text(e), text)]
    if _by_time(sort):
        timed = sorted(chosen, key=lambda e: e.index)  # the file's order, as :func:`ordered` keeps it
        return _cut(timed[::-1] if reverse else timed, limit, True, reverse), None
    rows = _cut(ordered([row(e) for e in chosen], sort, reverse=reverse), limit, False, reverse)
    return [r.entry for r in rows], rows


# -- search ------------------------------------------------------------------------


def search_text(e: Entry) -> str:
    """The text a filter query is matched against (casefolded): name, time, status, every field, the search terms.

    The sidebar builds the same text from the JSON keys :data:`.export.SEARCH_KEYS` names.
    """
    return "\n".join((e.name, e.timestamp, e.status, *e.fields.values(), search_terms(e))).casefold()


def matches(text: str, query: str) -> bool:
    """Whether every word of ``query`` is in ``text`` (a :func:`search_text`), case ignored."""
    return all(word in text for word in query.casefold().split())


# -- shown as text -----------------------------------------------------------------


def shown_value(value: float | None) -> str:
    """A metric's value as every face writes it (the journal's own number format)."""
    return "" if value is None else format_number(value)


def shown_delta(value: float | None) -> str:
    """A delta as every face writes it: always signed (``+0.012``)."""
    return "" if value is None else format_change(value)


def search_terms(entry: Entry) -> str:
    """What a search finds an entry's measurements and parameters by: ``accuracy = 0.975`` and ``accuracy=0.975``.

    An outcome says its numbers in many ways (``Accuracy: 97.5%``, a table,
    a dict); a query says ``accuracy = 0.975`` or ``accuracy=0.975`` or
    ``lr=0.001``. Both spellings of each measured metric (the value as read,
    percentages as fractions) and each config value are searched besides the
    fields, so every word of such a query is found.
    """
    terms = []
    for name, value in entry.measured.items():
        number = _plain(value)
        terms.append(f"{name} = {number}\n{name}={number}")
    for item in entry.config or entry.changed_items:
        if item.value is not None:
            terms.append(f"{item.key} = {item.value}\n{item.key}={item.value}")
    return "\n".join(terms)


def _plain(value: float) -> str:
    """A number with its digits (noise dropped), so that a query's shorter spelling is found in it."""
    if math.isnan(value) or math.isinf(value):
        return format_number(value)
    text = f"{value:.12g}"
    return text[:-2] if text.endswith(".0") else text
