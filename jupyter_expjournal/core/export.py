"""The journal as plain JSON-ready dicts: what the sidebar, the REST API and exports get.

A front end never parses Markdown: it gets these dicts. Keeping them in the core
means the server, the CLI's ``export`` and the widget all agree on one shape.
"""

from __future__ import annotations

from .journal import Journal, Review
from .model import ConfigItem, Entry, Lesson, Rule


def config_item(item: ConfigItem) -> dict:
    return {"key": item.key, "old": item.old, "new": item.new, "changed": item.changed}


def entry(e: Entry) -> dict:
    """Every field of an entry, plus the parsed pieces a UI needs."""
    return {
        "id": f"{e.index}:{e.heading}",
        "index": e.index,
        "heading": e.heading,
        "timestamp": e.timestamp,
        "name": e.name,
        "status": e.status,
        "hypothesis": e.hypothesis,
        "change": e.change,
        "config": [config_item(i) for i in e.config],
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
    }


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


def review(r: Review) -> dict:
    return {
        "directory": str(r.directory),
        "counts": r.counts,
        "entries": [entry(e) for e in r.entries],
        "open": [entry(e) for e in r.open],
        "lessons": [lesson(x) for x in r.lessons.lessons],
        "rules": [rule(x) for x in r.lessons.rules],
        "reminders": r.reminders,
        "parameters": parameters(r.entries),
    }


def journal(j: Journal) -> dict:
    """The whole journal as one dict (what ``GET /expjournal/api/journal`` answers)."""
    return review(j.review(all=True, analysis=False))


# -- tables and files ------------------------------------------------------------

FORMAT_VERSION = 1


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


def document(j: Journal) -> dict:
    """The JSON export: every entry with all its fields in file order, lessons and rules."""
    lessons = j.lessons()
    return {
        "format": "jupyter_expjournal",
        "version": FORMAT_VERSION,
        "entries": [
            {"timestamp": e.timestamp, "name": e.name, "fields": [[k, v] for k, v in e.fields.items()]} for e in j.entries()
        ],
        "lessons": [lesson(x) for x in lessons.lessons],
        "rules": [rule(x) for x in lessons.rules],
    }
