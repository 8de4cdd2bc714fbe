"""Metrics from the Python values a cell returned: dicts, histories, dataclasses, DataFrames.

Why apart from the text scan in :mod:`.parse`: an object says what its numbers
are called (its keys, its fields, its columns), so nothing needs guessing; the
rules only decide how nested names are joined and which of several values is
*the* result.  pandas and numpy objects are recognised by their shape (duck
typing), never imported: the core stays standard-library only.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from decimal import Decimal

from .frames import series_metrics, table_metrics


def as_number(value) -> float | None:
    """*value* as a float if it is a real number (bools excluded), else None.

    Why duck-typed: numpy/torch scalars must work without importing them.
    """
    if isinstance(value, bool) or type(value).__name__ in {"bool_", "bool"}:
        return None
    if isinstance(value, (str, bytes, bytearray, Mapping, list, tuple)):
        return None
    try:
        if isinstance(value, numbers.Real):
            try:
                return float(value)
            except OverflowError:  # int too large for a float
                return math.inf if value > 0 else -math.inf
        if isinstance(value, numbers.Complex):
            return None
        if isinstance(value, Decimal) or (
            getattr(value, "ndim", None) == 0 and hasattr(value, "__float__")
        ):
            return float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    return None


def metrics_from_value(value) -> dict[str, float]:
    """Metrics from a Python object a cell returned.

    Parameters
    ----------
    value : object
        Typically a dict of metric name to number.  Nested mappings are
        flattened with "." (``{"val": {"acc": 0.9}}`` -> ``val.acc``);
        dataclasses and named tuples are treated like mappings of their
        fields.  A list/tuple is read in order with the last value winning,
        so a Keras ``history.history`` (``{"loss": [0.9, 0.5]}``) gives the
        final epoch and a list of per-epoch dicts merges into the last one.
        A pandas DataFrame or Series is read by the table rules of
        :mod:`.frames` (a one-row frame gives its columns, a frame with a
        metric/value layout its names, word-labelled rows ``label.column``,
        a history with an ``epoch``/``step`` column its last values).

    Returns
    -------
    dict of str to float
        Bools, strings, ``None`` and other non-numbers are ignored (a bool is
        a flag, not a metric); numpy/torch scalars and ``Decimal`` are
        accepted.  Non-string keys are converted with ``str``.  Never raises.
    """
    out: dict[str, float] = {}
    _flatten(value, "", out, 0, set())
    return out


def _flatten(value, prefix: str, out: dict[str, float], depth: int, active: set[int]) -> None:
    if depth > 50:
        return
    number = as_number(value)
    if number is not None:
        if prefix:
            out[prefix] = number
        return
    frame = _frame_items(value)
    if frame is not None:
        for key, number in frame:
            out[f"{prefix}.{key}" if prefix else key] = number
        return
    if isinstance(value, Mapping):
        items_of = lambda v: list(v.items())  # noqa: E731
    elif isinstance(value, tuple) and hasattr(type(value), "_fields"):
        items_of = lambda v: list(zip(type(v)._fields, v))  # noqa: E731
    elif is_dataclass(value) and not isinstance(value, type):
        items_of = lambda v: [(f.name, getattr(v, f.name)) for f in fields(v)]  # noqa: E731
    elif isinstance(value, (list, tuple)):
        items_of = None
    else:
        return
    if id(value) in active:  # self-referencing containers
        return
    active.add(id(value))
    try:
        if items_of is None:
            for item in list(value):
                _flatten(item, prefix, out, depth + 1, active)
        else:
            for key, item in items_of(value):
                key = key if isinstance(key, str) else str(key)
                _flatten(item, f"{prefix}.{key}" if prefix else key, out, depth + 1, active)
    except Exception:  # noqa: BLE001 - exotic mappings must not break a journal
        pass
    finally:
        active.discard(id(value))


def _frame_items(value) -> list[tuple[str, float]] | None:
    """The metrics of a pandas DataFrame or Series (recognised by shape), or None for anything else."""
    kind = type(value).__name__
    if kind not in ("DataFrame", "Series") or not hasattr(value, "to_dict") or not hasattr(value, "index"):
        return None
    try:
        index_name = getattr(value.index, "name", None)
        index_name = index_name if isinstance(index_name, str) else None
        if kind == "Series":
            items = [(str(label), _cell(cell)) for label, cell in value.to_dict().items()]
            name = value.name if isinstance(getattr(value, "name", None), str) else None
            return series_metrics(items, name, index_name)
        split = value.to_dict(orient="split")
        columns = [str(c) for c in split["columns"]]
        rows = [(str(label), [_cell(c) for c in cells]) for label, cells in zip(split["index"], split["data"])]
        return table_metrics(columns, rows, index_name)
    except Exception:  # noqa: BLE001 - an exotic frame must not break a journal
        return []


def _cell(cell):
    """A frame's cell as the table rules take it: a float, a str, or None."""
    number = as_number(cell)
    if number is not None:
        return number
    return cell if isinstance(cell, str) else None
