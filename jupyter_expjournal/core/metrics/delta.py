"""Compare a run's metrics with the entry's Baseline and Expected outcome.

:func:`compare` reads both fields (with :mod:`.parse` and :mod:`.expectations`)
and gives one :class:`MetricDelta` per metric: the change from the baseline,
the change that was expected, and a verdict -- :data:`BETTER`,
:data:`AS_EXPECTED` or :data:`WORSE` than expected.  The direction of "better"
comes from the sign of the expected change, else from the metric's name
(:func:`is_lower_better`).

Design decisions:

* **Tolerances.**  A change within :data:`RELATIVE_TOLERANCE` (10 %) of the
  expected change is "as expected"; a target without a baseline is met at the
  precision it was written with.  :data:`ABSOLUTE_TOLERANCE` absorbs float
  noise.
* **NaN** actual values get no verdict: "worse than expected" would claim a
  comparison that did not happen.  ``format_delta`` writes "not a number".
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .expectations import Expectation, parse_expected
from .names import tails, word_tail
from .parse import COMPARISON_OPS, lone_number, loose_values, parse_metrics
from .values import as_number

BETTER = "better than expected"
AS_EXPECTED = "as expected"
WORSE = "worse than expected"

#: Relative tolerance for "as expected": a change within 10 % of the expected
#: change counts as hitting it.
RELATIVE_TOLERANCE = 0.1
#: Absolute slack added to every tolerance so that float noise (and an
#: expected change of exactly 0) behaves predictably.
ABSOLUTE_TOLERANCE = 1e-12

# Metric names (or name parts) for which a lower value is better.
_LOWER_IS_BETTER = frozenset(
    {
        "loss", "losses", "error", "errors", "err", "mse", "rmse", "mae",
        "mape", "nll", "perplexity", "ppl", "latency", "time", "runtime",
        "duration", "wer", "cer",
    }
)
_LOWER_IS_BETTER_SUFFIXES = ("loss", "error", "time", "latency")


@dataclass(frozen=True)
class MetricDelta:
    """How one metric of a run compares with its baseline and expectation.

    Parameters
    ----------
    metric : str
        Metric name, spelled as in the expectation, else the baseline, else
        the actual output (the user's own vocabulary reads best in the entry).
    baseline : float or None
        Baseline value, if the Baseline field named one.
    actual : float
        Value the run produced.
    change : float or None
        ``actual - baseline`` (float noise removed), or None without baseline.
    expected_change : float or None
        ``Expectation.delta``, or ``target - baseline``; None if neither is
        known.
    verdict : str or None
        "better than expected", "as expected", "worse than expected", or None
        when there is nothing to judge against or the actual value is NaN.
    target : float or None
        ``Expectation.target``.  An addition to the brief's field list:
        without it a target-only comparison ("accuracy 0.97 vs target 0.96")
        could not be written.  It has a default, so positional construction
        with the six documented fields still works.
    """

    metric: str
    baseline: float | None
    actual: float
    change: float | None
    expected_change: float | None
    verdict: str | None
    target: float | None = None


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # a review asks once per effect, for a handful of names
def is_lower_better(name: str) -> bool:
    """Guess from a metric's name whether lower values are better.

    Why: with no sign in the expectation ("acc +0", or only a target) the
    name is the only hint.  The name is split at non-alphanumerics (so
    ``val_loss``, ``eval/err`` and ``test-wer`` match); parts ending in
    loss/error/time/latency also count (``logloss``, ``runtime``).  A ``neg``
    part flips the answer, as in scikit-learn's ``neg_mean_squared_error``.
    """
    parts = [p for p in re.split(r"[^a-z0-9]+", name.lower()) if p]
    lower = any(
        p in _LOWER_IS_BETTER or p.endswith(_LOWER_IS_BETTER_SUFFIXES) for p in parts
    )
    return lower != ("neg" in parts)


def _sub(a: float, b: float) -> float:
    """``a - b`` with float noise removed (0.97 - 0.95 gives 0.02, not 0.0200..18).

    Why: the difference is shown to users and compared against tolerances;
    digits beyond ~12 significant digits of the operands are noise.
    """
    d = a - b
    if not math.isfinite(d):
        return d
    scale = max(abs(a), abs(b))
    if scale == 0:
        return d
    return round(d, 12 - math.floor(math.log10(scale)))


def _judge(change: float, expected: float, lower_better: bool) -> str | None:
    if math.isnan(change) or math.isnan(expected):
        return None
    if expected > 0:
        direction = 1
    elif expected < 0:
        direction = -1
    else:
        direction = -1 if lower_better else 1
    diff = change - expected
    if math.isnan(diff):  # inf - inf
        return None
    tolerance = RELATIVE_TOLERANCE * abs(expected) + ABSOLUTE_TOLERANCE
    if abs(diff) <= tolerance:
        return AS_EXPECTED
    return BETTER if diff * direction > 0 else WORSE


def _target_tolerance(target: float) -> float:
    """Half a unit in the last decimal place the target was written with.

    Why: without a baseline there is no expected change to take 10 % of.
    "accuracy = 0.96" is stated to two decimals, so any actual value that
    rounds to 0.96 (0.955..0.965) met it.  Capped at 10 % of the target so a
    one-digit target ("1e-05", "0.9") does not become absurdly loose.
    """
    if target == 0 or not math.isfinite(target):
        return 0.0
    exponent = Decimal(f"{target:.12g}").as_tuple().exponent
    half_unit = 0.5 * 10.0**exponent
    return min(half_unit, RELATIVE_TOLERANCE * abs(target))


def _judge_target(actual: float, target: float, lower_better: bool) -> str | None:
    if math.isnan(actual) or math.isnan(target):
        return None
    diff = _sub(actual, target)
    if math.isnan(diff):
        return None
    if abs(diff) <= _target_tolerance(target) + ABSOLUTE_TOLERANCE:
        return AS_EXPECTED
    return BETTER if (diff < 0) == lower_better else WORSE


def _by_lower(items) -> dict[str, tuple[str, object]]:
    out: dict[str, tuple[str, object]] = {}
    for name, value in items:
        out[name.lower()] = (name, value)
    return out


@functools.lru_cache(maxsize=4096)
def _expectations(expected_text: str) -> tuple[Expectation, ...]:
    """The Expected outcome read once per text: a journal repeats the same few, and every face compares each entry."""
    return tuple(parse_expected(expected_text).values())


@functools.lru_cache(maxsize=4096)
def _baseline_values(baseline_text: str) -> tuple[tuple[tuple[str, object], ...], tuple[tuple[str, object], ...]]:
    """The Baseline's metrics and its loose "name value" pairs, read once per text (as :func:`_expectations`)."""
    return tuple(parse_metrics(baseline_text).items()), tuple(loose_values(baseline_text).items())


@functools.lru_cache(maxsize=4096)
def _lone(text: str, signed_or_op: bool):
    return lone_number(text, signed_or_op=signed_or_op)


def compare(
    baseline_text: str, expected_text: str, actual: dict[str, float]
) -> list[MetricDelta]:
    """Compare a run's metrics with the entry's Baseline and Expected outcome.

    Parameters
    ----------
    baseline_text : str
        The Baseline field, read with :func:`parse_metrics`; "acc 0.95"
        (no ``=``) is also accepted for metrics that have an expectation.
    expected_text : str
        The Expected outcome field, read with :func:`parse_expected`.
    actual : dict of str to float
        The run's metrics (from :func:`parse_metrics` or
        :func:`metrics_from_value`).

    Returns
    -------
    list of MetricDelta
        One per metric present in *actual* and in the baseline or the
        expectation, ordered as the expectations, then the baseline, name
        it.  Names match case-insensitively, exactly or by their last words
        (an expected "accuracy" finds the output's only "test accuracy"; an
        expected "dropout helps accuracy" finds "accuracy"), never by
        characters.

    Notes
    -----
    Verdicts:

    * With a baseline and an expected change (``delta``, or ``target -
      baseline``): the sign of the expected change gives the direction
      (negative: lower is better, as for a loss); an expected change of 0
      falls back to :func:`is_lower_better`.  Within 10 % of the expected
      change (1e-12 when it is 0) is "as expected"; beyond it, in the good
      direction, "better than expected", else "worse than expected".  Note
      the sign rule also applies to a tolerated drop: "acc -0.01" makes lower
      accuracy count as better.
    * With a target and no baseline: the actual value is compared with the
      target, direction from :func:`is_lower_better`; "as expected" when the
      actual value equals the target at the precision it was written with
      (within half a unit of its last decimal, at most 10 % of the target).
    * Without any expectation, or with only a delta and no baseline: None.
    * NaN actual (or an undefined change such as inf - inf): None, since no
      comparison is possible; infinite values are compared normally (a loss
      of +inf is worse than expected).

    A lone number is attributed when that is unambiguous: a Baseline of just
    "0.95" belongs to the only expected metric (or, with no expectations, to
    the only actual metric), and an Expected outcome of just "+0.01" or
    ">= 0.96" to the only baseline metric (or the only actual metric).
    Never raises.
    """
    actual_by = _by_lower(
        (str(k), v)
        for k, v in (actual.items() if isinstance(actual, Mapping) else ())
        if as_number(v) is not None
    )
    expectations: dict[str, Expectation] = {}
    for exp in _expectations(expected_text):
        key = exp.metric.lower()
        old = expectations.get(key)
        if old is not None:
            exp = Expectation(
                old.metric,
                exp.delta if exp.delta is not None else old.delta,
                exp.target if exp.target is not None else old.target,
            )
        expectations[key] = exp

    metrics, loose = _baseline_values(baseline_text)
    baseline = _by_lower(metrics)
    for key, (name, value) in _by_lower(loose).items():
        if key in expectations and key not in baseline:
            baseline[key] = (name, value)

    if not expectations:
        lone = _lone(expected_text, True)
        owner = _single_owner(baseline, actual_by)
        if lone is not None and owner is not None:
            value, op = lone
            if op in COMPARISON_OPS:
                expectations[owner.lower()] = Expectation(owner, target=value)
            else:
                expectations[owner.lower()] = Expectation(owner, delta=value)
    if not baseline:
        lone = _lone(baseline_text, False)
        owner = _single_owner(
            {k: (e.metric, None) for k, e in expectations.items()}, actual_by
        )
        if lone is not None and owner is not None:
            baseline[owner.lower()] = (owner, lone[0])

    deltas = []
    used_baseline: set[str] = set()
    for exp in expectations.values():
        found = _find(exp.metric, actual_by)
        if found is None:
            continue
        actual_key, name = found
        base_found = _find(name, baseline) or _find(exp.metric, baseline)
        base = baseline[base_found[0]] if base_found else None
        if base_found:
            used_baseline.add(base_found[0])
        deltas.append(_metric_delta(name, float(base[1]) if base else None, as_number(actual_by[actual_key][1]), exp))
    for key, base in baseline.items():
        if key in expectations or key in used_baseline:
            continue
        found = _find(base[0], actual_by)
        if found is None:
            continue
        deltas.append(_metric_delta(base[0], float(base[1]), as_number(actual_by[found[0]][1]), None))
    return deltas


def _find(name: str, by: dict[str, tuple[str, object]]) -> tuple[str, str] | None:
    """The key in *by* that the hand-written metric *name* stands for, and the name to show.

    Exactly (case-insensitively) first; else the only longer name ending with
    its words (the output's "test accuracy" for "accuracy", "previous accuracy"
    in a Baseline); else its own last words ("dropout helps accuracy" in an
    Expected outcome is about "accuracy").  Never by characters: "acc" does
    not find "accuracy".
    """
    key = name.lower()
    if key in by:
        return key, name
    longer = [k for k in by if word_tail(k, name)]
    if len(longer) == 1:
        return longer[0], name
    for tail in tails(name)[1:]:
        if tail.lower() in by:
            return tail.lower(), tail
    return None


def _single_owner(named: dict, actual_by: dict) -> str | None:
    """Which metric an unnamed number belongs to, if that is unambiguous."""
    if len(named) == 1:
        return next(iter(named.values()))[0]
    if not named and len(actual_by) == 1:
        return next(iter(actual_by.values()))[0]
    return None


def _metric_delta(
    name: str, baseline: float | None, actual: float, exp: Expectation | None
) -> MetricDelta:
    delta = exp.delta if exp else None
    target = exp.target if exp else None
    change = _sub(actual, baseline) if baseline is not None else None
    if delta is not None:
        expected_change = delta
    elif target is not None and baseline is not None:
        expected_change = _sub(target, baseline)
    else:
        expected_change = None
    lower_better = is_lower_better(name)
    verdict = None
    if math.isnan(actual):
        verdict = None
    elif change is not None and expected_change is not None:
        verdict = _judge(change, expected_change, lower_better)
    elif change is None and target is not None:
        verdict = _judge_target(actual, target, lower_better)
    return MetricDelta(name, baseline, actual, change, expected_change, verdict, target)

