"""What a table of numbers means as metrics: one rule for a pandas DataFrame and for a printed table.

A cell that ends with ``df`` (a DataFrame) or prints a table (scikit-learn's
``classification_report``, a Lightning test table, a Hugging Face results
table) gives rows and columns, not ``name = value`` pairs.  Whether a table is
read from the object (:mod:`.values`) or from its text (:mod:`.tables`), the
same :func:`table_metrics` decides what its cells are called, so a frame and
its ``text/plain`` repr give the same metrics.

The rules, first match wins (NaN cells are missing values, never metrics):

1. **A metric/value layout** -- a column titled ``metric``, ``name`` or
   ``... metric`` (Lightning's ``Test metric``) holds the names: each row is
   ``name -> its number``.  With several numeric columns the name is
   qualified: ``name.column``, or Lightning's ``name/dataloader_idx_1`` for
   its ``DataLoader 1`` columns (as ``trainer.test()`` names them).
2. **One row** -- each numeric column is a metric: ``accuracy``, ``f1``.
3. **Rows with word labels** (``macro avg``, ``setosa``) -- ``label.column``,
   as :func:`~.values.metrics_from_value` names a dict of dicts
   (``classification_report(output_dict=True)``); in a classification
   report's columns the ``accuracy`` row is ``accuracy``, its one number, as
   that dict holds it.
4. **A history** -- several rows and a counter column or index (``epoch``,
   ``step``, ``iteration``, ``round``): read in order, the last value wins, as
   for a training log.
5. Otherwise (several rows numbered 0, 1, 2 with no counter: a grid of
   candidates, a dataset) nothing: no row is *the* result.

A summary of data (``df.describe()``: rows ``count``, ``mean``, ``std``,
``min``, ``max``) describes the inputs, not a result: it gives nothing.
"""

from __future__ import annotations

import math
import re

#: Column or index titles that count rows (a history: the last row is the result).
COUNTERS = frozenset({"epoch", "epochs", "step", "steps", "global_step", "iteration", "iter", "round", "rounds"})
_NAME_COLUMNS = frozenset({"metric", "metrics", "name", "metric_name", "metric name"})
_VALUE_COLUMNS = frozenset({"value", "values", "score", "result"})
_REPORT_COLUMNS = ["precision", "recall", "f1-score", "support"]  # scikit-learn's classification_report
_DESCRIBE = frozenset({"count", "mean", "std", "min", "max"})  # df.describe()'s rows
_INTEGER_RE = re.compile(r"[+\-]?[0-9]+")
_DATALOADER_RE = re.compile(r"DataLoader ([0-9]+)")


def _number(cell) -> float | None:
    if isinstance(cell, float) and not math.isnan(cell):
        return cell
    return None


def _is_name_column(title: str) -> bool:
    title = title.strip().lower()
    return title in _NAME_COLUMNS or title.endswith(" metric")


def table_metrics(
    columns: list[str],
    rows: list[tuple[str | None, list]],
    index_name: str | None = None,
) -> list[tuple[str, float]]:
    """``(name, value)`` pairs of a table, in reading order (later ones win).

    Parameters
    ----------
    columns : list of str
        Column titles.
    rows : list of (label, cells)
        ``label`` is the row's index label (None when the table has no
        index); ``cells`` line up with *columns*: a float, a str, or None.
    index_name : str, optional
        The index's own title (pandas' ``df.set_index("epoch")``).
    """
    if not columns or not rows:
        return []
    names = [i for i, title in enumerate(columns) if _is_name_column(title)]
    if names:
        return _named_rows(columns, rows, names[0])
    if len(rows) == 1:
        label, cells = rows[0]
        return [(columns[i], v) for i, v in _numbers(cells)]
    labels = [label for label, _ in rows if label is not None and label.strip()]
    if _DESCRIBE <= {label.strip() for label in labels}:
        return []
    if labels and not all(_INTEGER_RE.fullmatch(label.strip()) for label in labels):
        report = [title.strip() for title in columns] == _REPORT_COLUMNS
        out = []
        for label, cells in rows:
            label = (label or "").strip()
            if report and label == "accuracy":  # as output_dict=True holds it: one number, its f1-score
                out += [("accuracy", v) for i, v in _numbers(cells) if i == 2]
                continue
            out += [(f"{label}.{columns[i]}" if label else columns[i], v) for i, v in _numbers(cells)]
        return out
    counted = (index_name or "").strip().lower() in COUNTERS or any(
        title.strip().lower() in COUNTERS for title in columns
    )
    if counted:
        return [(columns[i], v) for _, cells in rows for i, v in _numbers(cells)]
    return []


def series_metrics(items: list[tuple[str, object]], name: str | None = None, index_name: str | None = None):
    """``(name, value)`` pairs of a pandas Series (or its printed repr): ``label -> value``.

    Word labels name their values (``df.mean()`` gives ``loss``, ``acc``);
    integer labels are positions, read as a history only under a counter
    index, and then named after the series.
    """
    labels = [str(label).strip() for label, _ in items]
    if _DESCRIBE <= set(labels):
        return []
    if labels and not all(_INTEGER_RE.fullmatch(label) for label in labels):
        return [(label, v) for label, (_, cell) in zip(labels, items) if (v := _number(cell)) is not None]
    if name and (index_name or "").strip().lower() in COUNTERS:
        return [(name, v) for _, cell in items if (v := _number(cell)) is not None]
    return []


def _numbers(cells: list) -> list[tuple[int, float]]:
    return [(i, v) for i, cell in enumerate(cells) if (v := _number(cell)) is not None]


def _named_rows(columns: list[str], rows, at: int) -> list[tuple[str, float]]:
    numeric = sorted({i for _, cells in rows for i, _ in _numbers(cells) if i != at})
    loaders = {i: m.group(1) for i in numeric if (m := _DATALOADER_RE.fullmatch(columns[i].strip()))}
    values = [i for i in numeric if columns[i].strip().lower() in _VALUE_COLUMNS]
    out = []
    for _, cells in rows:
        name = cells[at] if at < len(cells) else None
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip()
        for i, v in _numbers(cells):
            if i == at:
                continue
            if len(numeric) == 1 or (values and i == values[0]):
                out.append((name, v))
            elif values:
                continue
            elif len(loaders) == len(numeric):
                out.append((f"{name}/dataloader_idx_{loaders[i]}", v))
            else:
                out.append((f"{name}.{columns[i]}", v))
    return out
