"""The journal's objects: entries, config changes, lessons and rules.

They are plain data parsed out of (and rendered into) the two Markdown files. Each
object remembers where it came from in the file (``span``) so that the writer can
change one entry in place and leave every other byte alone.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .config import ConfigItem, parse_change, parse_config

#: The seed's fields, in the order a new entry writes them.
PLANNED_FIELDS = ("Status", "Hypothesis", "Change", "Config", "Expected outcome", "Baseline")
#: Fields a result adds at the end of its entry.
RESULT_FIELDS = ("Actual outcome", "Delta", "Duration", "Learning", "Next")

PLANNED, COMPLETED, ABANDONED = "PLANNED", "COMPLETED", "ABANDONED"
STATUSES = (PLANNED, COMPLETED, ABANDONED)

#: An entry's id, as :mod:`.identity` writes it at the start of the Provenance value.
_LEADING_ID = re.compile(r"id ([0-9a-f]{8})(?![0-9A-Za-z])")


def normalize_key(text: str) -> str:
    """Compare names the way a person would: case and spacing do not matter."""
    # str.split() splits on exactly what re's \s matches (str.isspace), at a fraction of the cost
    return " ".join(text.split()).casefold()


#: normalize_key of the field names seen: a journal has a dozen, 10,000 times each.
_FIELD_KEYS: dict[str, str] = {}


def _field_key(name: str) -> str:
    key = _FIELD_KEYS.get(name)
    if key is None:
        key = sys.intern(normalize_key(name))
        if len(_FIELD_KEYS) < 4096:  # hand-made field names are not many either; never grow without bound
            _FIELD_KEYS[name] = key
    return key


@dataclass
class Entry:
    """One ``### date — name`` section of journal.md.

    ``fields`` maps each ``**Field**`` name, as written, to its value as the user
    wrote it (escapes removed). ``span`` is the entry's [start, end) in the file
    text, trailing blank lines included.
    """

    timestamp: str
    name: str
    fields: dict[str, str] = field(default_factory=dict)
    span: tuple[int, int] = (0, 0)
    index: int = 0
    repeated: list[str] = field(default_factory=list)  # field names written again after their first line
    #: What other core modules derive from the fields (the analysis' effects and failures), kept
    #: with the entry: its fields never change once parsed, and a cached parse carries these along.
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    #: What a cached parse loads at once: enough to list, find and gate entries. The rest (what the
    #: analysis and the cached properties derived) comes with :meth:`join_state` when asked for.
    LIGHT = ("timestamp", "name", "fields", "span", "index", "repeated", "status", "signature")
    #: Not kept at all: the parsed Config (30,000 objects, 36 ms to load at 10,000 entries) is asked of
    #: every entry only by an export (the server keeps its own answer); the analysis keeps what it needs.
    #: The fields by normalised name are made again as quickly as they load, and only for entries asked.
    UNKEPT = ("config", "changed_items", "_by_key")

    def split_state(self) -> tuple[Entry, dict]:
        """(a copy of this entry with only its light state, the rest of its state): how a cache keeps it."""
        light = Entry.__new__(Entry)
        light.__dict__.update({k: v for k, v in self.__dict__.items() if k in Entry.LIGHT}, derived={})
        rest = {k: v for k, v in self.__dict__.items() if k not in Entry.LIGHT and k not in Entry.UNKEPT}
        return light, rest

    def join_state(self, rest: dict) -> None:
        """Take back the rest of the state :meth:`split_state` kept apart; what was computed meanwhile stays."""
        for key, value in rest.items():
            if key == "derived":
                for name, fact in value.items():
                    self.derived.setdefault(name, fact)
            else:
                self.__dict__.setdefault(key, value)

    def get(self, name: str, default: str = "") -> str:
        """A field's value by name, as a person would look it up (case and spacing ignored)."""
        return self._by_key.get(_field_key(name), default)

    @cached_property
    def _by_key(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in self.fields.items():
            out.setdefault(_field_key(key), value)
        return out

    @property
    def heading(self) -> str:
        return f"{self.timestamp} — {self.name}"

    @cached_property
    def id(self) -> str:
        """The short id its Provenance line starts with (``id 3f9a1c2e``), or '' (written by hand, or before ids)."""
        value = self.fields.get("Provenance")  # as the core writes it; else as a person may spell it
        found = _LEADING_ID.match((self.get("Provenance") if value is None else value).lstrip())
        return found.group(1) if found else ""

    @cached_property  # like _by_key: fields do not change once parsed; gates and reviews ask for every entry
    def status(self) -> str:
        word = self.get("Status").split()
        return word[0].upper() if word else ""

    @property
    def is_open(self) -> bool:
        return self.status == PLANNED

    @property
    def hypothesis(self) -> str:
        return self.get("Hypothesis")

    @property
    def change(self) -> str:
        return self.get("Change")

    @cached_property
    def config(self) -> list[ConfigItem]:
        return parse_config(self.get("Config"))

    @cached_property
    def changed_items(self) -> list[ConfigItem]:
        """The variables this experiment changed: from Config, else from Change."""
        return _changed(self.config, self.change)

    @cached_property
    def signature(self) -> frozenset | str:
        """What makes two experiments 'the same change' (cached: reviews compare many)."""
        return change_signature(self.changed_items, self.change)

    @property
    def changed_keys(self) -> list[str]:
        return [item.key for item in self.changed_items]

    @property
    def expected(self) -> str:
        return self.get("Expected outcome") or self.get("Expected")

    @property
    def baseline(self) -> str:
        return self.get("Baseline")

    @property
    def actual(self) -> str:
        return self.get("Actual outcome")

    @property
    def delta(self) -> str:
        return self.get("Delta")

    @property
    def learning(self) -> str:
        return self.get("Learning")

    @property
    def next(self) -> str:
        return self.get("Next")

    @property
    def duration(self) -> str:
        return self.get("Duration")

    @cached_property
    def measured(self) -> dict[str, float]:
        """The metrics its actual outcome names (``accuracy = 0.97``), last value of each."""
        from .metrics.parse import parse_metrics  # %load_ext needs no metrics: imported on first use

        return parse_metrics(self.actual)

    @property
    def images(self) -> list[str]:
        """Image files linked from the entry, relative to the experiments folder."""
        return re.findall(r"!\[[^\]\n]*\]\(([^)\s]+)\)", "\n".join(self.fields.values()))

    def summary_outcome(self) -> str:
        """The first line of the actual outcome: what a review quotes."""
        for line in self.actual.splitlines():
            if line.strip() and not line.startswith("```"):
                return line.strip()
        return ""


@dataclass
class Lesson:
    """``- 2026-03-15 QLoRA: alpha/r matters more than rank. Source: runs 3-5``."""

    date: str
    text: str
    source: str = ""
    span: tuple[int, int] = (0, 0)

    @property
    def context(self) -> str:
        head, sep, _ = self.text.partition(": ")
        return head if sep and len(head) <= 40 and "\n" not in head else ""


@dataclass
class Rule:
    """``- NEVER x because y. Learned: date`` or ``- ALWAYS x when y. Learned: date``."""

    kind: str  # NEVER | ALWAYS
    action: str
    reason: str = ""
    connective: str = ""  # because | when
    date: str = ""
    span: tuple[int, int] = (0, 0)

    @property
    def text(self) -> str:
        reason = f" {self.connective} {self.reason}" if self.reason else ""
        return f"{self.kind} {self.action}{reason}"


@dataclass
class Lessons:
    """What lessons.md holds, plus the raw text it came from."""

    lessons: list[Lesson] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    text: str = ""


@dataclass
class Draft:
    """A hypothesis about to be logged, as any face collects it."""

    name: str
    hypothesis: str
    change: str = ""
    config: list[ConfigItem] = field(default_factory=list)
    expected: str = ""
    baseline: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # other **Fields** pasted from a journal

    @property
    def changed(self) -> list[ConfigItem]:
        return _changed(self.config, self.change)


def change_signature(changed: list[ConfigItem], change_text: str) -> frozenset | str:
    """Changed keys with their new values, or else the Change text, normalised."""
    if changed:
        return frozenset((normalize_key(i.key), normalize_key(str(i.new))) for i in changed)
    return re.sub(r"\s*(?:→|->)\s*", " → ", normalize_key(change_text))


def _changed(config: list[ConfigItem], change: str) -> list[ConfigItem]:
    return [item for item in config if item.changed] or parse_change(change)


@dataclass
class Outcome:
    """A result about to be attached to an entry.

    ``output`` is captured text (already cut to size by the caller or not: the
    journal cuts it), ``images`` are (mime, data) pairs, ``metrics`` what parsed
    out of the output or a dict result.
    """

    summary: str = ""
    output: str = ""
    images: list[tuple[str, bytes | str]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    #: metrics of output the capture cut before it reached ``output`` (the middle of a long log), in order
    cut_metrics: dict[str, float] = field(default_factory=dict)
    error: str = ""
    delta: str = ""
    learning: str = ""
    next: str = ""
    duration: str = ""
    source: str = ""  # "cell [12]": where the output came from
    #: what each image shows, by position, for its link's alt text ("" or missing: "<source> figure i")
    captions: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """Whether it holds anything a cell showed: text, a figure or an error."""
        return bool(self.output.strip() or self.images or self.error)


@dataclass
class Logged:
    """What a write did: the entry as now in the file, and what the gates said."""

    entry: Entry
    warnings: list = field(default_factory=list)  # Notice
    report: object = None  # gates.GateReport
    assets: list[Path] = field(default_factory=list)
    #: The journal's entries just after the write, as the writer parsed them: what a face shows
    #: next (reminders, a preview) without reading the file again.
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Review:
    """Everything a review shows, computed once for every face."""

    directory: Path
    entries: list[Entry]
    shown: list[Entry]
    open: list[Entry]
    lessons: Lessons
    reminders: list  # Notice
    counts: dict[str, int]
    analysis: object = None  # analysis.Analysis, when asked for
