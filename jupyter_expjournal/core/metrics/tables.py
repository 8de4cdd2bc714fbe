"""Metrics from printed tables: scikit-learn reports, Lightning and Hugging Face tables, pandas reprs.

A table's numbers have no ``name =`` before them: the names are its column
titles and row labels.  Only layouts that say what they are get read, each
found by a cheap, specific sign (precision over recall):

* **scikit-learn's** ``classification_report`` (its ``precision recall
  f1-score support`` header): ``setosa.precision``, ``macro avg.f1-score``,
  ``accuracy`` -- the names ``output_dict=True`` gives through
  :func:`~.values.metrics_from_value`.
* **Boxed and piped tables** (a header line, then a rule line with a column
  separator): rich's box tables as PyTorch Lightning prints its ``trainer.test``
  / ``validate`` results (``┃ Test metric ┃ DataLoader 0 ┃`` then ``│ test_acc
  │ 0.977 │``), Markdown tables as Hugging Face writes its "Training results"
  (``| Epoch | Step | Validation Loss | Accuracy |``).
* **Lightning's plain table** (without rich): a ``Test metric`` /
  ``Validate metric`` header between ``───`` rules, centred columns.
* **pandas' repr** of a DataFrame (titles over right-aligned columns, row
  labels at the line start) and of a Series (``label  value`` lines ending in
  ``dtype: float64``).

What a table's cells are called is decided by :func:`~.frames.table_metrics`,
the same rule as for a DataFrame object.  :func:`held_from` tells
:class:`~.stream.MetricStream` where a table that may still go on begins, so
that a table fed in pieces is read whole.
"""

from __future__ import annotations

import re

from .frames import series_metrics, table_metrics
from .names import NUM_BODY

_CELL_RE = re.compile(r"\S+(?: \S+)*")  # cells are two blanks or more apart
_NUMBER_RE = re.compile(r"(?P<num>[+\-]?" + NUM_BODY + r"|[+\-]?(?i:nan|inf))(?P<pct>[ ]?%)?")
_RULE_CHARS = frozenset(" \t─━-=:+|│┃┡┩╇├┤┼╞╡╪┏┓┳┗┛┻└┘┴┌┐┬╭╮╰╯")
_PIPES = "|│┃"
_PIPE_SPLIT_RE = re.compile(r"[|│┃]")

_REPORT_RE = re.compile(r"(?m)^[ \t]*precision[ \t]+recall[ \t]+f1-score[ \t]+support[ \t]*$")
# A rule line under a header: dashes with at least one column separator.
_RULE_RE = re.compile(
    r"(?m)^[ \t]*[|│┃┡├╞+]?[ \t]*:?[━─\-=]{3,}:?[ \t]*(?:[|│┃╇┼╪+][ \t]*:?[━─\-=]{3,}:?[ \t]*)+[|│┃┩┤╡+]?[ \t]*$"
)
_METRIC_HEADER_RE = re.compile(r"(?mi)^[ \t]*(?:test|validate|validation|predict|train) metric(?:[ \t]{2,}\S[^\n]*)$")
_SERIES_END_RE = re.compile(r"(?m)^(?:Name: (?P<name>[^\n]*?), )?(?:Length: [0-9]+, )?dtype: \w+$")
# A pandas frame: an indented title line, maybe an index-name line, then a row that starts a line.
_FRAME_RE = re.compile(r"(?m)^[ \t]+\S[^\n]*\n(?:[^\s0-9][^\s]*[ \t]*\n)?[^\s][^\n]*?[ \t]{2}[^\n]*[0-9][^\n]*$")
_TRAILER_RE = re.compile(r"\[[0-9]+ rows x [0-9]+ columns\]")

Table = tuple[int, int, list[tuple[int, str, float]]]  # (start, end, items)


def table_items(text: str) -> list[tuple[int, str, float]]:
    """``(position, name, value)`` of the cells of every table in *text* (usually none)."""
    return [item for _, _, items in tables_in(text) for item in items]


def held_from(text: str) -> int:
    """Where the part of *text* (whole lines) that may belong to an unfinished table starts.

    The last three lines (a header and its rules may come before any row),
    any table reaching the end of *text* and any table that ends in those
    lines are held back by a stream until more text shows where they end.
    """
    at = len(text)
    for _ in range(3):
        at = max(text.rfind("\n", 0, at - 1), text.rfind("\r", 0, at - 1)) + 1
        if at <= 0:
            return 0
    for start, end, _ in tables_in(text):
        if start < at and (end > at or end >= len(text) - 2):  # held in part, or maybe not over
            at = start
    return at


def tables_in(text: str) -> list[Table]:
    """Every table of a known layout in *text*, as ``(start, end, items)``, in order (items may be none)."""
    found: list[Table] = []
    if "f1-score" in text:
        found += [_report(text, m) for m in _REPORT_RE.finditer(text)]
    if ("|" in text or "│" in text or "┃" in text) and ("---" in text or "───" in text or "━━━" in text):
        found += [t for m in _RULE_RE.finditer(text) if (t := _piped(text, m.start()))]
    if " metric" in text or " Metric" in text:
        found += [_aligned(text, m.start(), kind="metric") for m in _METRIC_HEADER_RE.finditer(text)]
    if "dtype: " in text:
        found += [t for m in _SERIES_END_RE.finditer(text) if (t := _series(text, m))]
    if "  " in text and "\n" in text:
        taken = {start for start, _, _ in found}
        for m in _FRAME_RE.finditer(text):
            if m.start() not in taken and not _inside(found, m.start()):
                found.append(_aligned(text, m.start(), kind="frame"))
    if not found:
        return found
    found = [t for t in found if t]  # a table without metrics yet may get them from its next rows
    found.sort(key=lambda t: t[0])
    return found


def _inside(tables: list[Table], at: int) -> bool:
    return any(start <= at < end for start, end, _ in tables if end > start)


def _number(cell: str) -> float | None:
    m = _NUMBER_RE.fullmatch(cell.strip())
    if not m:
        return None
    value = float(m.group("num"))
    return value / 100.0 if m.group("pct") else value


def _cell(cell: str):
    number = _number(cell)
    return number if number is not None else cell.strip()


def _lines(text: str, start: int):
    """``(line start, line)`` from *start* on (``\\r\\n`` and ``\\r`` end lines too)."""
    at, size = start, len(text)
    while at < size:
        end = text.find("\n", at)
        end = size if end < 0 else end
        line = text[at:end]
        if "\r" in line:  # a carriage return ends a line as well
            cr = line.find("\r")
            if cr < len(line) - 1:
                end = at + cr
                line = line[:cr]
            else:
                line = line[:-1]
        yield at, line
        at = end + 1


def _is_rule(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 3 and set(stripped) <= _RULE_CHARS and any(c in stripped for c in "─━-=")


def _spans(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _CELL_RE.finditer(line)]


def _column_of(span: tuple[int, int], titles: list[tuple[int, int, str]]) -> int | None:
    """The title a cell stands under: the one it overlaps most, else None."""
    best, best_overlap = None, 0
    for i, (ts, te, _) in enumerate(titles):
        overlap = min(te, span[1]) - max(ts, span[0])
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best


def _aligned(text: str, start: int, kind: str) -> Table:
    """A table of columns aligned under titles (pandas, scikit-learn, Lightning's plain one)."""
    lines = _lines(text, start)
    _, header = next(lines)
    titles = _spans(header)
    columns = [title for _, _, title in titles]
    if not titles or any(_number(title) is not None for title in columns):
        return start, start, []  # numbers are no titles: the rows of a table whose header was cut off
    rows: list[tuple[str | None, list]] = []
    index_name = None
    end = start + len(header)
    blanks = 0
    for at, line in lines:
        if not line.strip():
            blanks += 1
            if blanks > 1:
                break
            continue
        blanks = 0
        if _is_rule(line):
            if rows:
                end = at + len(line)
                break
            continue
        if _TRAILER_RE.fullmatch(line.strip()):
            end = at + len(line)
            break
        spans = _spans(line)
        if kind == "frame" and not rows and index_name is None and len(spans) == 1 and spans[0][0] == 0:
            if _number(spans[0][2]) is None:
                index_name = spans[0][2]
                end = at + len(line)
                continue
        if all(cell.strip(".") == "" for _, _, cell in spans):  # pandas' "..." rows of a long frame
            continue
        row = _row(spans, titles, labelled=kind != "metric")
        if row is None:
            break
        rows.append(row)
        end = at + len(line)
    return start, end, [(start, name, value) for name, value in table_metrics(columns, rows, index_name)]


def _row(spans, titles, labelled: bool):
    """``(label, cells)`` of a line under *titles*, or None when it is not a row of that table.

    A row label (pandas' index, the report's class) is a first cell that ends
    before the first title starts; every other cell must stand under a title
    of its own, and one of them at least must be a number.
    """
    cells: list = [None] * len(titles)
    label = None
    numbers = 0
    for k, (s, e, text) in enumerate(spans):
        if k == 0 and labelled and e <= titles[0][0]:
            label = text
            continue
        column = _column_of((s, e), titles)
        if column is None or cells[column] is not None:
            return None
        value = _cell(text)
        numbers += isinstance(value, float)
        cells[column] = value
    return (label, cells) if numbers else None


def _report(text: str, m: re.Match) -> Table:
    return _aligned(text, m.start(), kind="report")


def _piped(text: str, rule_at: int) -> Table | None:
    """A table of ``|``/``│`` separated cells whose header line is right above the rule at *rule_at*."""
    header_end = rule_at - 1
    if header_end <= 0:
        return None
    header_start = max(text.rfind("\n", 0, header_end), text.rfind("\r", 0, header_end)) + 1
    header = text[header_start:header_end].rstrip("\r")
    if not any(pipe in header for pipe in _PIPES) or _is_rule(header):
        return None
    columns = _pipe_cells(header)
    if len(columns) < 2:
        return None
    lines = _lines(text, rule_at)
    _, rule = next(lines)
    end = rule_at + len(rule)
    rows = []
    for at, line in lines:
        if _is_rule(line) or not any(pipe in line for pipe in _PIPES):
            if _is_rule(line) and rows:
                end = at + len(line)
            break
        cells = _pipe_cells(line)
        if len(cells) != len(columns):
            break
        rows.append((None, [_cell(c) if c.strip() else None for c in cells]))
        end = at + len(line)
    items = table_metrics(columns, rows)
    return header_start, end, [(header_start, name, value) for name, value in items]


def _pipe_cells(line: str) -> list[str]:
    cells = _PIPE_SPLIT_RE.split(line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [c.strip() for c in cells]


def _series(text: str, m: re.Match) -> Table | None:
    """A pandas Series' repr: ``label  value`` lines up to its ``dtype:`` line."""
    items = []
    at = m.start()
    start = at
    while at > 0:
        line_start = max(text.rfind("\n", 0, at - 1), text.rfind("\r", 0, at - 1)) + 1
        line = text[line_start : at - 1]
        spans = _spans(line)
        if len(spans) != 2 or spans[0][0] != 0:
            break
        items.append((spans[0][2], _cell(spans[1][2])))
        start = line_start
        at = line_start
    if not items:
        return None
    items.reverse()
    pairs = series_metrics(items, m.group("name"))
    return start, m.end(), [(start, name, value) for name, value in pairs]
