"""The points of a sweep: which value of the swept key gave which metrics, from whatever the run left.

A sweep's loop leaves its results in one of a few shapes, and each is read
here, by the metric rules of :mod:`.metrics` (no second metric parser):

* **printed lines** naming ``KEY=value`` (or ``KEY: value``, ``'KEY': value``)
  beside metrics in any form the project reads (``accuracy=0.99``, a dict
  repr, Keras' ``- accuracy: 0.99``, ``Accuracy: 99%``), or followed by lines
  holding them (a training log or a classification report under a
  ``gamma=0.001`` line), or a printed table with a KEY column (``print(df)``,
  a Markdown table): :func:`from_text`;
* **a returned value**: a dict ``{value: metrics}`` (metrics a dict, or one
  number), a list of rows (dicts holding the key), a dict of columns (the key's
  column beside metric columns, as scikit-learn's ``cv_results_`` with its
  ``param_KEY``), a pandas DataFrame with a KEY column or index, a Series
  ``{value: number}``: :func:`from_value`;
* **a CSV table** (``%result --table FILE``): :func:`csv_rows` makes rows of it,
  read as a list of rows.

A point is (the value as the run named it, its metrics); a value named twice
keeps its last metrics, as a log's last epoch is its result.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from .errors import InputError
from .metrics import format_number, metrics_from_value, parse_metrics
from .metrics.frames import table_metrics
from .metrics.values import as_number
from .model import normalize_key
from .sweep import value_key

Point = tuple[str, dict[str, float]]

#: What a value a line names ends at.
_VALUE = r"""(?P<value>'[^'\n]*'|"[^"\n]*"|[^\s,;)\]}|'"]+)"""


def _mention(key: str) -> re.Pattern:
    """``KEY=value``, ``KEY: value``, ``'KEY': value``, ``param_KEY=value`` in a line (not inside a longer name)."""
    name = rf"(?:param_)?{re.escape(key)}"
    return re.compile(rf"(?<![\w.\-/@])(?P<q>['\"]?){name}(?P=q)[ \t]*(?:=(?!=)|:(?![:=]))[ \t]*{_VALUE}", re.I)


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.rstrip(":.") or value


def _without_key(metrics: dict[str, float], key: str) -> dict[str, float]:
    names = {normalize_key(key), normalize_key(f"param_{key}")}
    return {k: v for k, v in metrics.items() if normalize_key(k) not in names}


def _merge(points: dict[str, dict[str, float]], order: list[str], value: str, metrics: dict[str, float]) -> None:
    """Add a point; a value named again (``1e-3`` after ``0.001``) updates it, its last metrics winning."""
    wanted = value_key(value)
    for known in order:
        if value_key(known) == wanted:
            points[known].update(metrics)
            return
    order.append(value)
    points[value] = dict(metrics)


def from_text(text: str, key: str) -> list[Point]:
    """The points printed lines name: each ``KEY=value`` with the metrics beside it (or below it).

    A line naming the key several times holds several points (each with the
    metrics up to the next mention). A line naming the key and no metric starts
    a block: the lines after it, up to the next mention, hold its metrics (a
    training log: the last value wins; a printed table). Text before the first
    mention is no point's.
    """
    if not text or key.casefold() not in text.casefold():
        return []
    pattern = _mention(key)
    points: dict[str, dict[str, float]] = {}
    order: list[str] = []
    block: list[str] | None = None  # lines under a mention that named no metric
    block_value = ""

    def close_block() -> None:
        if block is not None:
            _merge(points, order, block_value, _without_key(parse_metrics("\n".join(block)), key))

    for line in text.replace("\r\n", "\n").split("\n"):
        found = list(pattern.finditer(line))
        if not found:
            if block is not None:
                block.append(line)
            continue
        close_block()
        block = None
        for i, mention in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(line)
            piece = line[mention.end() : end]
            metrics = _without_key(parse_metrics(piece), key)
            if not metrics and i == 0:  # "accuracy = 0.99 at gamma=0.001": the metrics before it
                metrics = _without_key(parse_metrics(line[: mention.start()]), key)
            value = _clean(mention.group("value"))
            if metrics or len(found) > 1:
                _merge(points, order, value, metrics)
            else:
                block, block_value = [], value
    close_block()
    found = [(value, points[value]) for value in order if points[value]]
    return found or from_printed_table(text, key)


#: A rule line of a printed table (``---``, ``| --- | :---: |``, ``═══``).
_RULE_LINE = re.compile(r"[\s|:+\-=─━═]*[-─━═]{3}[\s|:+\-=─━═]*")


def from_printed_table(text: str, key: str) -> list[Point]:
    """The rows of a printed table with a column titled ``key`` (``print(df)``, ``df.to_markdown()``, a
    piped or aligned table): each row a point, its other columns named by the table rule of
    :mod:`.metrics.frames`. Cells are apart by ``|`` or by blanks; a row with one cell more than its
    header starts with a row label (pandas' index), which is dropped."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        header = _split_row(line)
        if not header or _key_of({title: None for title in header}, key) is None:
            continue
        rows = []
        for row_line in lines[i + 1 :]:
            if _RULE_LINE.fullmatch(row_line) and not rows:
                continue
            cells = _split_row(row_line)
            if len(cells) == len(header) + 1:
                cells = cells[1:]
            if not cells or len(cells) != len(header):
                break
            rows.append({title: _number(cell) for title, cell in zip(header, cells)})
        points = _rows_points(rows, key)
        if points:
            return points
    return []


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if "|" in line:
        return [cell.strip() for cell in line.strip("|").split("|")]
    return line.split()


def from_value(value: object, key: str, name: str = "score") -> list[Point]:
    """The points a returned value holds (see the module's docstring); ``name`` names lone numbers."""
    frame = _frame_rows(value, key)
    if frame is not None:
        return _rows_points(frame, key)
    if type(value).__name__ == "Series" and hasattr(value, "to_dict"):
        try:
            series_name = value.name if isinstance(getattr(value, "name", None), str) else name
            return _mapping_points(value.to_dict(), key, series_name)
        except Exception:  # noqa: BLE001 - an exotic series must not break a journal
            return []
    if isinstance(value, Mapping):
        columns = _columns(value, key)
        if columns is not None:
            return _rows_points(columns, key)
        return _mapping_points(value, key, name)
    if isinstance(value, (list, tuple)) and value and all(isinstance(row, Mapping) for row in value):
        return _rows_points(list(value), key)
    return []


def _key_of(row: Mapping, key: str) -> object | None:
    """The name ``row`` (or a frame) holds the key's values under: KEY, or ``param_KEY`` (cv_results_)."""
    wanted = {normalize_key(key), normalize_key(f"param_{key}")}
    return next((k for k in row if isinstance(k, str) and normalize_key(k) in wanted), None)


def _shown(value: object) -> str:
    number = as_number(value)
    return format_number(number) if number is not None else _clean(str(value))


def _rows_points(rows: list[Mapping], key: str) -> list[Point]:
    points: dict[str, dict[str, float]] = {}
    order: list[str] = []
    for row in rows:
        at = _key_of(row, key)
        if at is None or row[at] is None:
            continue
        columns = [str(k) for k in row if k != at]
        cells = [_cell(row[k]) for k in row if k != at]
        metrics = dict(table_metrics(columns, [(None, cells)]))  # a row of a table: its numeric columns
        if metrics:
            _merge(points, order, _shown(row[at]), metrics)
    return [(v, points[v]) for v in order]


def _cell(cell: object):
    number = as_number(cell)
    if number is not None:
        return number
    return cell if isinstance(cell, str) else None


def _mapping_points(mapping: Mapping, key: str, name: str) -> list[Point]:
    """``{value: metrics}``: metrics a dict (or any value :func:`metrics_from_value` reads) or one number."""
    points: dict[str, dict[str, float]] = {}
    order: list[str] = []
    prefix = re.compile(rf"\s*(?:param_)?{re.escape(key)}\s*[=:]\s*", re.I)
    for label, metrics in mapping.items():
        number = as_number(metrics)
        found = {name: number} if number is not None else _without_key(metrics_from_value(metrics), key)
        if found:
            text = prefix.sub("", label, count=1) if isinstance(label, str) else _shown(label)
            _merge(points, order, _clean(text), found)
    return [(v, points[v]) for v in order]


def _columns(mapping: Mapping, key: str) -> list[dict] | None:
    """A dict of columns (``{"gamma": [...], "accuracy": [...]}``, ``cv_results_``) as rows, or None."""
    at = _key_of(mapping, key)
    if at is None:
        return None
    column = _listed(mapping[at])
    if column is None:
        return None
    listed = {k: cells for k, v in mapping.items() if (cells := _listed(v)) is not None and len(cells) == len(column)}
    return [{k: cells[i] for k, cells in listed.items()} for i in range(len(column))]


def _listed(value: object) -> list | None:
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and getattr(value, "ndim", None) == 1:  # numpy arrays, masked ones too
        try:
            return list(value.tolist())
        except Exception:  # noqa: BLE001
            return None
    return None


def _frame_rows(value: object, key: str) -> list[dict] | None:
    """A pandas DataFrame (recognised by shape, never imported) as rows holding the key, or None."""
    if type(value).__name__ != "DataFrame" or not hasattr(value, "to_dict") or not hasattr(value, "index"):
        return None
    try:
        split = value.to_dict(orient="split")
        columns = [str(c) for c in split["columns"]]
        index_name = getattr(value.index, "name", None)
        if _key_of({c: None for c in columns}, key) is not None:
            return [dict(zip(columns, cells)) for cells in split["data"]]
        labels = list(split["index"])
        by_index = (isinstance(index_name, str) and _key_of({index_name: None}, key) is not None) or (
            index_name is None and labels != list(range(len(labels))))
        if by_index:
            return [{key: label, **dict(zip(columns, cells))} for label, cells in zip(labels, split["data"])]
    except Exception:  # noqa: BLE001 - an exotic frame must not break a journal
        return []
    return []


def csv_rows(text: str, where: str = "the table") -> list[dict[str, object]]:
    """A CSV table's rows (numbers read as numbers, with a header row naming the columns). Bad: InputError."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{where} is empty: it needs a header row (the key, then the metrics) and a row per value")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        table = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"{where} is not a CSV table: {exc}") from None
    header, body = table[0], table[1:]
    if not body:
        raise InputError(f"{where} has a header row and no rows: a row per value swept is needed")
    rows = []
    for cells in body:
        rows.append({title.strip(): _number(cell) for title, cell in zip(header, cells)})
    return rows


def _number(cell: str) -> object:
    cell = cell.strip()
    try:
        return float(cell)
    except ValueError:
        return cell


def table_points(rows: list[dict[str, object]], key: str, where: str = "the table") -> list[Point]:
    """The points of a table's rows (:func:`csv_rows`); a table without the key's column: InputError naming its columns."""
    if rows and _key_of(rows[0], key) is None:
        columns = ", ".join(str(c) for c in rows[0])
        raise InputError(f"{where} has no column '{key}' (the key swept): its columns are {columns}")
    points = _rows_points(rows, key)
    if not points:
        raise InputError(f"{where} holds no number beside '{key}': a metric column is needed")
    return points
