"""The journal as plain JSON-ready dicts: what the sidebar, the REST API and exports get.

A front end never parses Markdown: it gets these dicts. Keeping them in the core
means the server, the CLI's ``export`` and the widget all agree on one shape.
"""

from __future__ import annotations

import math

from . import compare as comparing
from .compare import matches as matches  # the search rule (compare.py holds it), where every face found it
from .compare import search_text as search_text
from .config import ABSENT, ConfigItem, render_config
from .draft import validate_name
from .errors import InputError, JournalError
from .identity import ref
from .journal_format import HEADING
from .model import Entry, Lesson, Lessons, Review, Rule
from .sweep import Sweep, planned


def config_item(item: ConfigItem) -> dict:
    return {"key": item.key, "old": item.old, "new": item.new, "changed": item.changed}


def entry(e: Entry) -> dict:
    """Every field of an entry, plus the parsed pieces a UI needs."""
    return {
        "id": e.id,  # the entry's own id ('' when written by hand without one)
        "ref": ref(e),  # what names it back to the API: its id, else its heading
        "key": f"{e.index}:{e.heading}",  # unique within one answer (a list's key)
        "index": e.index,
        "heading": e.heading,
        "timestamp": e.timestamp,
        "name": e.name,
        "status": e.status,
        "hypothesis": e.hypothesis,
        "change": e.change,
        # what the Change says, or what the config rows changed when a hand-written entry has no Change
        "change_shown": e.change or "; ".join(item.describe() for item in e.changed_items),
        "config": [config_item(i) for i in e.config],
        # each row as the journal writes it (``C: 1 → 10``, ``kernel: rbf (unchanged)``), for a front end to show
        "config_lines": [line[2:] for line in render_config(e.config).split("\n")] if e.config else [],
        "changed_keys": e.changed_keys,
        "expected": e.expected,
        "baseline": e.baseline,
        "actual": e.actual,
        "actual_summary": e.summary_outcome(),
        "delta": e.delta,
        "duration": e.duration,
        "learning": e.learning,
        "next": e.next,
        "images": e.images,
        "fields": dict(e.fields),
        "compare": compare_row(comparing.row(e)),
        "search_terms": comparing.search_terms(e),
        "sweep": sweep(planned(e)),  # null for any entry that planned no sweep
    }


def sweep(s: Sweep | None) -> dict | None:
    """The sweep an entry planned: the key, its values in the order planned, as written, and the value before."""
    return None if s is None else {"key": s.key, "values": list(s.values), "old": s.old}


def _number(value: float) -> float | None:
    """A JSON number; None for NaN and infinities, which JSON cannot hold (the text in "shown" says them)."""
    return value if math.isfinite(value) else None


def compare_row(row: comparing.Row) -> dict:
    """An entry's line of the compare table (:mod:`.compare`), for a front end to show and sort.

    ``changed``: the config rows it changed (old/new None where absent on that
    side: the review's ``absent`` says how to write it); ``metrics``: what the
    outcome measured; ``delta``: each metric's change from the baseline, only
    where the entry's Delta has one; ``shown``: both as every face writes them
    (``0.975``, ``+0.012``, ``nan``). ``points``: a sweep's row expanded, each
    value swept with its metrics (the row's own are its best point's, the
    one with ``best``); empty for any other entry.
    """
    return {
        "changed": [{"key": i.key, "old": i.old, "new": i.new} for i in row.changed],
        "metrics": {name: _number(v) for name, v in row.metrics.items()},
        "delta": {name: _number(v) for name, v in row.delta.items()},
        "shown": {
            "metrics": {name: comparing.shown_value(v) for name, v in row.metrics.items()},
            "delta": {name: comparing.shown_delta(v) for name, v in row.delta.items()},
        },
        "points": [
            {
                "value": value,
                "metrics": {name: _number(v) for name, v in metrics.items()},
                "shown": {name: comparing.shown_value(v) for name, v in metrics.items()},
                "best": value == row.best,
            }
            for value, metrics in row.points
        ],
    }


#: What a filter searches, in every face: these keys of :func:`entry` ("fields": every field's value;
#: "search_terms": each metric and config value as a query says it, ``accuracy = 0.975``).
SEARCH_KEYS = ("name", "timestamp", "status", "fields", "search_terms")
#: (:func:`search_text` and :func:`matches`, the rule that searches them, are :mod:`.compare`'s.)


def lesson(item: Lesson) -> dict:
    return {"date": item.date, "text": item.text, "context": item.context, "source": item.source}


def rule(item: Rule) -> dict:
    return {
        "kind": item.kind,
        "action": item.action,
        "reason": item.reason,
        "connective": item.connective,
        "date": item.date,
        "text": item.text,
    }


def parameters(entries: list[Entry]) -> dict[str, list[dict]]:
    """For each changed config key: the experiments that changed it, in order."""
    out: dict[str, list[dict]] = {}
    for e in entries:
        for item in e.changed_items:
            out.setdefault(item.key, []).append(
                {"entry": e.heading, "old": item.old, "new": item.new, "status": e.status, "delta": e.delta}
            )
    return out


def metric_summary(names: list[str]) -> dict:
    """The compare table's columns (``metric_names``) and each one's direction (``metric_higher_is_better``)."""
    return {"metric_names": names, "metric_higher_is_better": comparing.higher_is_better(names)}


def review(r: Review) -> dict:
    columns = comparing.metric_columns(e.measured for e in r.entries)
    return {
        "directory": str(r.directory),
        "counts": r.counts,
        "entries": [entry(e) for e in r.entries],
        "open": [entry(e) for e in r.open],
        "lessons": [lesson(x) for x in r.lessons.lessons],
        "rules": [rule(x) for x in r.lessons.rules],
        "reminders": [n.to_json() for n in r.reminders],
        "parameters": parameters(r.entries),
        # the core's vocabulary, so that a front end applies these rules rather than copying them
        "absent": ABSENT,
        "search_keys": list(SEARCH_KEYS),  # searched as compare.search_text searches an Entry
        **metric_summary(columns),
    }


# -- tables and files ------------------------------------------------------------

FORMAT_VERSION = 1


def dataframe(entries: list[Entry]):
    """:func:`rows` as a pandas DataFrame (pandas is not a dependency: a clear error without it)."""
    try:
        import pandas as pd
    except ImportError:
        raise JournalError("to_dataframe needs pandas: pip install pandas") from None
    return pd.DataFrame(rows(entries))


def rows(entries: list[Entry]) -> list[dict]:
    """One flat row per entry, config values and measured metrics as columns (CSV, pandas)."""
    from .metrics import parse_metrics

    out = []
    for e in entries:
        row = {
            "timestamp": e.timestamp,
            "name": e.name,
            "status": e.status,
            "hypothesis": e.hypothesis,
            "change": e.change,
            "expected": e.expected,
            "baseline": e.baseline,
            "actual": e.summary_outcome(),
            "delta": e.delta,
            "duration": e.duration,
            "learning": e.learning,
            "next": e.next,
        }
        for item in e.config:
            row[f"config.{item.key}"] = item.value
        for name, value in parse_metrics(e.actual).items():
            row[f"metric.{name}"] = value
        out.append(row)
    return out


def document(entries: list[Entry], lessons: Lessons) -> dict:
    """The JSON export: every entry with all its fields in file order, lessons and rules."""
    return {
        "format": "jupyter_expjournal",
        "version": FORMAT_VERSION,
        "entries": [
            {"timestamp": e.timestamp, "name": e.name, "fields": [[k, v] for k, v in e.fields.items()]} for e in entries
        ],
        "lessons": [lesson(x) for x in lessons.lessons],
        "rules": [rule(x) for x in lessons.rules],
    }


def validate_document(doc: object):
    """Check a JSON export's shape; raise InputError naming the first thing wrong."""
    if not isinstance(doc, dict) or doc.get("format") != "jupyter_expjournal":
        raise InputError("not a jupyter_expjournal export (expected a JSON object with \"format\": \"jupyter_expjournal\")")
    def strings(item, keys, where):
        if not isinstance(item, dict):
            raise InputError(f"{where} is not an object")
        out = []
        for key in keys:
            value = item.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InputError(f"{where}.{key} is not text")
            out.append(value)
        return out
    entries = []
    for i, item in enumerate(doc.get("entries") or []):
        stamp, name = strings(item, ("timestamp", "name"), f"entries[{i}]")
        if not HEADING.fullmatch(f"### {stamp} — x"):
            raise InputError(f"entries[{i}].timestamp {stamp!r} is not YYYY-MM-DD HH:MM")
        fields = item.get("fields")
        if not isinstance(fields, list) or not all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in fields
        ):
            raise InputError(f"entries[{i}].fields must be a list of [name, value] pairs of text")
        for key, _ in fields:
            if not key.strip() or "*" in key or "\n" in key:
                raise InputError(f"entries[{i}] has a field name {key!r} that cannot be written")
        entries.append((stamp, validate_name(name), [tuple(f) for f in fields]))
    lessons = [tuple(strings(item, ("date", "text", "source"), f"lessons[{i}]"))
               for i, item in enumerate(doc.get("lessons") or [])]
    rules = []
    for i, item in enumerate(doc.get("rules") or []):
        kind, action, reason, connective, date = strings(item, ("kind", "action", "reason", "connective", "date"), f"rules[{i}]")
        if kind not in ("NEVER", "ALWAYS"):
            raise InputError(f"rules[{i}].kind must be NEVER or ALWAYS")
        rules.append((kind, action, reason, connective, date))
    return entries, lessons, rules
