"""What one journal entry looks like as an MLflow run: pure, no mlflow, testable without a server.

:func:`plan` turns the journal into one :class:`RunSpec` per entry; :mod:`.sync`
makes the tracking server agree with those specs.

How an entry maps to a run
--------------------------
- The run is found again by the tag ``expjournal.id``: a hash of the entry's id (the
  ``id 3f9a1c2e`` its Provenance line starts with), so a heading edited by hand keeps its
  run. An entry without an id (written by hand, or before ids) is hashed by its heading
  (``timestamp — name``) and its position among entries with that same heading: editing
  such a heading makes a new run; the old one is reported, never deleted.
- Params: each config key with its NEW value; for a changed key also ``<key>.old`` with
  the old value. A key added or removed by the change has ``(none)`` on that side.
- Metrics: what the Actual outcome reports (``parse_metrics``) as ``<name>``; the
  Baseline's numbers as ``baseline.<name>``; actual minus baseline as ``delta.<name>``.
- Status: COMPLETED → FINISHED (FAILED when the outcome is an ``Error:``, as the
  journal writes a crash), ABANDONED → KILLED, PLANNED (or a status that cannot be
  read) → RUNNING. The run starts at the entry's timestamp and ends after the Duration's
  wall time when it can be read (else at its start).
- Tags ``expjournal.name``, ``.status``, ``.change``, ``.expected``, ``.baseline``,
  ``.outcome`` (first line), ``.delta``, ``.duration``, ``.learning``, ``.next``,
  ``.provenance``, ``.logged``, ``.journal`` (journal.md's path inside the project),
  ``.heading``; fields of your own as ``expjournal.field.<Name>``; ``mlflow.source.name``
  is the journal's path too, which MLflow's run list shows as the source.
- Artifacts: the images the entry links, but only files of the experiments folder
  (``core.outcome.linked_file``, links resolved): a link to ``../secret.txt``, to an
  absolute path or through a symlink leading out never leaves the machine; the sync
  summary names it. And the entry as written, ``entry.md``.
- Digests: ``files_digest`` covers the artifacts' bytes, ``digest`` everything the entry
  maps to (machine-specific paths excluded, so teammates syncing the same journal agree).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.config import ABSENT
from ..core.durations import duration_seconds
from ..core.errors import InputError
from ..core.identity import ref
from ..core.journal import Journal
from ..core.location import git_root
from ..core.metrics import compare, parse_metrics
from ..core.model import ABANDONED, COMPLETED, PLANNED, Entry
from ..core.outcome import linked_file

#: Bump when the mapping changes, so that the next sync rewrites every run.
MAPPING_VERSION = 1
PREFIX = "expjournal."
NOTE_TAG = "mlflow.note.content"

# MLflow's limits (the server refuses longer values; older servers allow less than 8000
# characters in a tag, so tags stay under 5000).
MAX_PARAM, MAX_TAG, MAX_KEY = 6000, 5000, 250
CUT = " […]"

STATUS = {COMPLETED: "FINISHED", ABANDONED: "KILLED", PLANNED: "RUNNING"}
TERMINAL = ("FINISHED", "KILLED", "FAILED")

# Tags for the seed's fields; any other field becomes expjournal.field.<Name>.
FIELD_TAGS = {
    "status": "status",
    "change": "change",
    "expected outcome": "expected",
    "expected": "expected",
    "baseline": "baseline",
    "delta": "delta",
    "duration": "duration",
    "learning": "learning",
    "next": "next",
    "provenance": "provenance",
    "logged": "logged",
}
# Fields that map elsewhere (description, params, metrics and the outcome tag).
MAPPED_ELSEWHERE = {"hypothesis", "config", "actual outcome"}


@dataclass
class RunSpec:
    """What one journal entry should look like as an MLflow run."""

    entry: Entry
    key: str
    name: str
    status: str
    start_ms: int
    end_ms: int | None
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    artifacts: list[tuple[Path, str]]  # (local file, artifact folder)
    entry_text: str
    missing: list[str] = field(default_factory=list)  # images linked inside the folder but not found
    skipped: list[str] = field(default_factory=list)  # links that are not files of the experiments folder
    files_digest: str = ""  # the artifacts' content
    digest: str = ""  # everything


def entry_key(entry: Entry, occurrence: int) -> str:
    """The run's stable identity: the entry's id (else its heading) and its rank among entries that share it."""
    return hashlib.sha256(f"{ref(entry)}\n{occurrence}".encode()).hexdigest()[:20]


def mlflow_name(text: str, *, slashes: bool = False) -> str:
    """A param or metric key MLflow accepts: letters, digits, ``_ - . : /`` and spaces.

    ``acc@5`` becomes ``acc_5``; ``eval/acc`` keeps its slash for metrics (MLflow groups
    them) when ``slashes`` is set.
    """
    allowed = r"[^\w.\- :/]" if slashes else r"[^\w.\- :]"
    key = re.sub(allowed, "_", text.strip())
    if slashes:
        key = re.sub(r"/{2,}", "/", key).strip("/")
        if any(part in (".", "..") for part in key.split("/")):
            key = key.replace("/", "_")
    if not key or set(key) <= {"."}:
        key = "_" + key
    return key[:MAX_KEY]


def _unique(key: str, taken: set[str]) -> str:
    out, n = key, 2
    while out in taken:
        out = f"{key}_{n}"[:MAX_KEY]
        n += 1
    taken.add(out)
    return out


def cut(text: str, limit: int) -> str:
    """``text`` within an MLflow length limit, marked where it was cut."""
    return text if len(text) <= limit else text[: limit - len(CUT)] + CUT


def start_millis(timestamp: str) -> int:
    """The entry's timestamp (local time, as the journal writes it) in epoch milliseconds."""
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return int(datetime.strptime(timestamp, fmt).timestamp() * 1000)
        except ValueError:
            continue
    raise InputError(f"cannot read the timestamp {timestamp!r}")


def run_status(entry: Entry) -> str:
    status = STATUS.get(entry.status, "RUNNING")
    if status == "FINISHED" and entry.summary_outcome().startswith("Error: "):
        return "FAILED"
    return status


def journal_label(journal: Journal) -> str:
    """journal.md's path inside the project: the same on every machine that syncs it."""
    path = journal.journal_path.resolve()
    root = git_root(path.parent) or path.parent.parent
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def default_experiment(journal: Journal) -> str:
    """The project folder's name (the git root, else the folder holding experiments/)."""
    folder = journal.directory.resolve()
    root = git_root(folder) or folder.parent
    return root.name or "expjournal"


def metrics_of(entry: Entry) -> dict[str, float]:
    """``<name>`` from the Actual outcome, ``baseline.<name>`` and ``delta.<name>``."""
    actual = parse_metrics(entry.actual)
    baseline = dict(parse_metrics(entry.baseline))
    deltas = compare(entry.baseline, entry.expected, actual) if actual else []
    for d in deltas:  # the Baseline may also say "accuracy 0.95", which compare reads
        if d.baseline is not None and d.metric.lower() not in {k.lower() for k in baseline}:
            baseline[d.metric] = d.baseline
    out: dict[str, float] = {}
    taken: set[str] = set()
    for name, value in actual.items():
        out[_unique(mlflow_name(name, slashes=True), taken)] = float(value)
    for name, value in baseline.items():
        out[_unique(mlflow_name("baseline." + name, slashes=True), taken)] = float(value)
    for d in deltas:
        if d.change is not None:
            out[_unique(mlflow_name("delta." + d.metric, slashes=True), taken)] = float(d.change)
    return out


def params_of(entry: Entry) -> dict[str, str]:
    """Each config key's new value; ``<key>.old`` for a changed key."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for item in entry.config:
        new = item.new if item.new is not None else ABSENT
        out[_unique(mlflow_name(item.key), taken)] = cut(new, MAX_PARAM)
    for item in entry.config:
        if item.changed:
            old = item.old if item.old is not None else ABSENT
            out[_unique(mlflow_name(item.key + ".old"), taken)] = cut(old, MAX_PARAM)
    return out


def tags_of(entry: Entry, journal: Journal) -> dict[str, str]:
    tags = {
        PREFIX + "heading": entry.heading,
        PREFIX + "timestamp": entry.timestamp,
        PREFIX + "name": entry.name,
        PREFIX + "journal": journal_label(journal),
        NOTE_TAG: entry.hypothesis,
        PREFIX + "outcome": entry.summary_outcome(),
        "mlflow.source.name": journal_label(journal),
    }
    for name, value in entry.fields.items():
        key = name.strip().casefold()
        if key in MAPPED_ELSEWHERE:
            continue
        tag = PREFIX + FIELD_TAGS[key] if key in FIELD_TAGS else PREFIX + "field." + mlflow_name(name)
        tags.setdefault(tag, value)
    return {k[:MAX_KEY]: cut(v.strip(), MAX_TAG) for k, v in tags.items() if v and v.strip()}


def artifacts_of(journal: Journal, entry: Entry) -> tuple[list[tuple[Path, str]], list[str], list[str]]:
    """The linked files to upload, as (file, artifact folder); the links missing; the links skipped.

    Only files of the experiments folder are uploaded (the core's rule for which
    linked files belong to it); a link anywhere else is skipped, and said.
    """
    artifacts, missing, skipped = [], [], []
    base = journal.directory.resolve()
    for link in dict.fromkeys(entry.images):
        path = linked_file(base, link)
        if path is None:
            skipped.append(link)
        elif not path.is_file():
            missing.append(link)
        else:
            folder = path.parent.relative_to(base).as_posix()
            artifacts.append((path, "" if folder == "." else folder))
    return artifacts, missing, skipped


def spec_for(journal: Journal, entry: Entry, occurrence: int, text: str) -> RunSpec:
    """The run an entry should be; ``text`` is journal.md as the entries were read from."""
    start = start_millis(entry.timestamp)
    status = run_status(entry)
    end = None
    if status in TERMINAL:
        wall = duration_seconds(entry.duration)
        end = start + int(round((wall or 0) * 1000))
    artifacts, missing, skipped = artifacts_of(journal, entry)
    entry_text = text[entry.span[0] : entry.span[1]].replace("\r\n", "\n").rstrip() + "\n"
    spec = RunSpec(entry, entry_key(entry, occurrence), entry.name, status, start, end, params_of(entry),
                   metrics_of(entry), tags_of(entry, journal), artifacts, entry_text, missing, skipped)
    files = [(folder, path.name, hashlib.sha256(path.read_bytes()).hexdigest()) for path, folder in artifacts]
    spec.files_digest = _hash([entry_text, files])
    spec.digest = _hash({
        "version": MAPPING_VERSION, "status": status, "start": start, "end": end, "params": spec.params,
        "metrics": {k: repr(v) for k, v in spec.metrics.items()}, "tags": spec.tags, "files": spec.files_digest,
    })
    return spec


def _hash(state) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def plan(journal: Journal) -> list[RunSpec]:
    """Every entry's run, in journal order."""
    text, entries = journal.parsed()
    seen: dict[str, int] = {}
    specs = []
    for entry in entries:
        occurrence = seen.get(ref(entry), 0)
        seen[ref(entry)] = occurrence + 1
        specs.append(spec_for(journal, entry, occurrence, text))
    return specs
