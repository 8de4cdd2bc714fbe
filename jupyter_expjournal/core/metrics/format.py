"""Write metric values, changes and the journal's ``Delta`` field as text.

"accuracy +0.02 vs expected +0.01: better than expected" is written by
:func:`format_delta` from :func:`compare`'s result.  Numbers are shown
compactly but never misleadingly: float noise is dropped (0.97 - 0.95 is
"0.02"), a value the user probably typed is shown exactly, and a change always
carries its sign so it does not read like a value.
"""

from __future__ import annotations

import math
from decimal import Decimal

from .delta import MetricDelta


def format_number(x: float) -> str:
    """Format a metric value compactly without lying about it.

    Parameters
    ----------
    x : float

    Returns
    -------
    str
        Float noise is removed first (12 significant digits), so 0.02 stays
        "0.02".  A value that is then short (at most 6 significant digits) is
        shown exactly -- "1234.5", "0.97125", "1e-05" -- because the user
        probably typed it.  Longer values are rounded to 4 significant
        digits, but never losing integer digits ("0.9733", "123457"), with
        exponent notation outside [1e-4, 1e16) like Python's ``repr``.
        Integers lose the ".0"; "nan", "inf" and "-inf" are spelled out;
        -0.0 is "0".

    Examples
    --------
    >>> [format_number(v) for v in (0.97 - 0.95, 0.9733333, 1234.5, 3.0)]
    ['0.02', '0.9733', '1234.5', '3']
    """
    try:
        x = float(x)
    except (TypeError, ValueError, OverflowError):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    y = float(f"{x:.12g}")
    if math.isinf(y):  # rounding pushed a value next to the float maximum over it
        y = x
    text = repr(y)
    if len(Decimal(text).normalize().as_tuple().digits) > 6:
        magnitude = abs(y)
        if 1e-4 <= magnitude < 1e16:
            integer_digits = max(0, math.floor(math.log10(magnitude)) + 1)
            text = f"{y:.{max(4, integer_digits)}g}"
        else:
            text = f"{y:.4g}"
        if math.isinf(float(text)):  # same, for 4 significant digits
            text = repr(y)
    if text.endswith(".0"):
        text = text[:-2]
    return text


def format_change(x: float) -> str:
    """Format a change with an explicit sign: "+0.02", "-0.1", "+0", "nan".

    Why: a change without "+" reads like a value.
    """
    text = format_number(x)
    if text == "nan" or text.startswith("-"):
        return text
    return "+" + text


def format_delta(deltas: list[MetricDelta]) -> str:
    """Write the journal's Delta field from :func:`compare`'s result.

    Parameters
    ----------
    deltas : list of MetricDelta

    Returns
    -------
    str
        One clause per metric, joined with "; " ("" for an empty list):

        * baseline and expectation: "accuracy +0.02 vs expected +0.01:
          better than expected";
        * baseline only: "accuracy +0.02 (0.95 → 0.97)";
        * target only: "accuracy 0.97 vs target 0.96: better than expected";
        * change expected but no baseline: "accuracy 0.97 (expected +0.01,
          no baseline)";
        * NaN actual: "loss nan (baseline 0.5): not a number" (the
          parenthesis lists baseline and/or target when known);
        * NaN baseline: "loss 0.4 (baseline nan)".
    """
    return "; ".join(_format_one(d) for d in deltas)


def _format_one(d: MetricDelta) -> str:
    name = d.metric
    actual = format_number(d.actual)
    if isinstance(d.actual, float) and math.isnan(d.actual):
        known = []
        if d.baseline is not None:
            known.append(f"baseline {format_number(d.baseline)}")
        if d.target is not None:
            known.append(f"target {format_number(d.target)}")
        detail = f" ({', '.join(known)})" if known else ""
        return f"{name} nan{detail}: not a number"
    if d.change is not None and math.isnan(d.change):
        text = f"{name} {actual} (baseline {format_number(d.baseline)})"
    elif d.change is not None:
        text = f"{name} {format_change(d.change)}"
        if d.expected_change is not None:
            text += f" vs expected {format_change(d.expected_change)}"
        else:
            text += f" ({format_number(d.baseline)} \u2192 {actual})"
    elif d.target is not None:
        text = f"{name} {actual} vs target {format_number(d.target)}"
    elif d.expected_change is not None:
        text = f"{name} {actual} (expected {format_change(d.expected_change)}, no baseline)"
    else:
        text = f"{name} {actual}"
    if d.verdict:
        text += f": {d.verdict}"
    return text
