"""Mirror the journal into an MLflow tracking server: one run per entry.

A team that already runs MLflow sees every experiment of the journal there, next to its
training runs: the hypothesis as the run's description, the config as params, the
baseline, actual and delta metrics, the journal's status as the run's status, linked
images (and the entry itself, as ``entry.md``) as artifacts. journal.md stays the source
of truth; MLflow gets a copy, and syncing again brings the copy up to date.

How an entry maps to a run
--------------------------
- The run is found again by the tag ``expjournal.id``: a hash of the entry heading
  (``timestamp — name``) and its position among entries with that same heading. A
  heading edited by hand is therefore a new run; the old one is reported, never deleted.
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

Idempotency
-----------
Every run carries ``expjournal.hash``, a digest of everything the entry maps to (images'
bytes included, machine-specific paths excluded, so teammates syncing the same journal
agree). One search lists the experiment's journal runs; a run whose hash matches is left
alone, so a second sync writes nothing. A changed entry updates its run in place: new
metric values are logged at the next step (``expjournal.revision``) so they become the
latest; tags are rewritten or removed. MLflow never changes a logged param, so a param
whose value changed keeps its first value and the new one goes to the tag
``expjournal.param.<key>`` (``(none)`` when the key left the config); the summary says
so. A metric no longer in the entry is marked the same way with ``expjournal.metric.<name>``.
The hash is written last: a sync cut short is finished by the next one.

mlflow itself is imported only when a sync runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.durations import duration_seconds
from ..core.errors import InputError, JournalError
from ..core.journal import Journal
from ..core.location import git_root
from ..core.metrics import compare, parse_metrics
from ..core.config import ABSENT
from ..core.model import ABANDONED, COMPLETED, PLANNED, Entry

#: Bump when the mapping changes, so that the next sync rewrites every run.
MAPPING_VERSION = 1
PREFIX = "expjournal."
ID_TAG, HASH_TAG, REVISION_TAG = PREFIX + "id", PREFIX + "hash", PREFIX + "revision"
FILES_TAG = PREFIX + "files"  # digest of the artifacts last uploaded
PARAM_TAG, METRIC_TAG = PREFIX + "param.", PREFIX + "metric."
NOTE_TAG = "mlflow.note.content"
#: Tags that record the sync itself, not the entry: never removed as stale.
BOOKKEEPING = (ID_TAG, HASH_TAG, REVISION_TAG, FILES_TAG)
INSTALL_HINT = "pip install 'jupyter_expjournal[mlflow]'"

# MLflow's limits (the server refuses longer values; older servers allow less than 8000
# characters in a tag, so tags stay under 5000).
MAX_PARAM, MAX_TAG, MAX_KEY = 6000, 5000, 250
BATCH_PARAMS, BATCH_METRICS = 100, 1000
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


class TrackingError(JournalError):
    """The tracking server cannot be reached or refused a request (exit code 4)."""


# -- the mapping (pure: no mlflow) ------------------------------------------------------


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
    missing: list[str] = field(default_factory=list)  # images linked but not found
    files_digest: str = ""  # the artifacts' content
    digest: str = ""  # everything


def entry_key(entry: Entry, occurrence: int) -> str:
    """The run's stable identity: the heading and its rank among identical headings."""
    return hashlib.sha256(f"{entry.heading}\n{occurrence}".encode()).hexdigest()[:20]


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


def _cut(text: str, limit: int) -> str:
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
        out[_unique(mlflow_name(item.key), taken)] = _cut(new, MAX_PARAM)
    for item in entry.config:
        if item.changed:
            old = item.old if item.old is not None else ABSENT
            out[_unique(mlflow_name(item.key + ".old"), taken)] = _cut(old, MAX_PARAM)
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
    return {k[:MAX_KEY]: _cut(v.strip(), MAX_TAG) for k, v in tags.items() if v and v.strip()}


def spec_for(journal: Journal, entry: Entry, occurrence: int, text: str) -> RunSpec:
    """The run an entry should be; ``text`` is journal.md as the entries were read from."""
    start = start_millis(entry.timestamp)
    status = run_status(entry)
    end = None
    if status in TERMINAL:
        wall = duration_seconds(entry.duration)
        end = start + int(round((wall or 0) * 1000))
    artifacts, missing = [], []
    base = journal.directory.resolve()
    for link in dict.fromkeys(entry.images):
        if re.match(r"[a-z][a-z0-9+.-]*:", link, re.I):  # http:, data: ... not a local file
            continue
        path = (journal.directory / link).resolve()
        if not path.is_file():
            missing.append(link)
            continue
        try:
            folder = path.parent.relative_to(base).as_posix()
        except ValueError:
            folder = "images"
        artifacts.append((path, "" if folder == "." else folder))
    entry_text = text[entry.span[0] : entry.span[1]].replace("\r\n", "\n").rstrip() + "\n"
    spec = RunSpec(entry, entry_key(entry, occurrence), entry.name, status, start, end, params_of(entry),
                   metrics_of(entry), tags_of(entry, journal), artifacts, entry_text, missing)
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
        occurrence = seen.get(entry.heading, 0)
        seen[entry.heading] = occurrence + 1
        specs.append(spec_for(journal, entry, occurrence, text))
    return specs


# -- talking to MLflow ------------------------------------------------------------------


@dataclass
class SyncReport:
    """What a sync did."""

    experiment: str
    experiment_id: str
    tracking_uri: str
    created: list[tuple[RunSpec, str]] = field(default_factory=list)
    updated: list[tuple[RunSpec, str, list[str]]] = field(default_factory=list)  # (spec, run id, what changed)
    unchanged: list[tuple[RunSpec, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        if self.tracking_uri.startswith(("http://", "https://")):
            return f"{self.tracking_uri.rstrip('/')}/#/experiments/{self.experiment_id}"
        return ""

    def lines(self) -> list[str]:
        out = [f"MLflow experiment '{self.experiment}' (id {self.experiment_id}) at {self.tracking_uri}: "
               f"created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}"]
        for spec, _, changes in self.updated:
            out.append(f"  updated '{spec.name}' ({spec.entry.timestamp}): {', '.join(changes) or 'bookkeeping'}")
        out += [f"  note: {note}" for note in self.notes]
        if self.url:
            out.append(f"  {self.url}")
        return out


def require_mlflow():
    """The mlflow module, or an InputError naming the install command."""
    try:
        import mlflow
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "mlflow":
            raise InputError(f"mlflow is installed but cannot be imported ({exc}): {INSTALL_HINT}") from None
        raise InputError(f"mlflow-sync needs mlflow, which is not installed: {INSTALL_HINT}") from None
    except ImportError as exc:
        raise InputError(f"mlflow cannot be imported ({exc}): {INSTALL_HINT}") from None
    return mlflow


@contextmanager
def _http_settings(**values: str):
    """MLflow's HTTP settings for a while, unless the user set them in the environment."""
    saved = {}
    for key, value in values.items():
        if key not in os.environ:
            saved[key] = None
            os.environ[key] = value
    try:
        yield
    finally:
        for key in saved:
            os.environ.pop(key, None)


def _reason(exc: BaseException) -> str:
    """One line out of MLflow's (often very long) error text."""
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if errno:
        return errno.group(1).strip().rstrip(".").lower()
    if "unsupported URI" in text or "Could not find a registered" in text:
        return "not a tracking URI MLflow knows (http://host:port, https://..., databricks, sqlite:///file.db, file:///folder)"
    status = re.search(r"error code (\d{3})", text)
    if status and status.group(1) in ("401", "403"):
        return (f"not authorized (HTTP {status.group(1)}): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME "
                "and MLFLOW_TRACKING_PASSWORD")
    if status and status.group(1) == "404":
        return "no MLflow tracking API there (HTTP 404): check the URI"
    line = next((l.strip() for l in text.splitlines() if l.strip()), type(exc).__name__)
    return line if len(line) <= 300 else line[:297] + "..."


def _check_uri(uri: str) -> None:
    if not uri:
        raise InputError("give the tracking server with --tracking-uri URI (or set MLFLOW_TRACKING_URI)")
    if re.fullmatch(r"[\w.\-]+:\d+/?", uri):  # MLflow would take it as a local folder
        raise TrackingError(f"{uri!r} is not a tracking URI: did you mean http://{uri}?")


def sync(journal: Journal, tracking_uri: str | None = None, experiment: str | None = None) -> SyncReport:
    """Create or update one MLflow run per journal entry; see the module docstring.

    ``tracking_uri`` defaults to ``$MLFLOW_TRACKING_URI``; ``experiment`` to the project
    folder's name. Raises :class:`InputError` without mlflow or a URI, :class:`TrackingError`
    when the server cannot be reached or refuses a request.
    """
    require_mlflow()
    tracking_uri = (tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or "").strip()
    _check_uri(tracking_uri)
    specs = plan(journal)  # a journal that cannot be read fails here, before the network
    name = (experiment or "").strip() or default_experiment(journal)
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    report: SyncReport | None = None
    stage = "connect"
    try:
        # Fail fast on a dead server (MLflow's default retries take minutes); the user's
        # MLFLOW_HTTP_REQUEST_* settings win.
        with _http_settings(MLFLOW_HTTP_REQUEST_MAX_RETRIES="0", MLFLOW_HTTP_REQUEST_TIMEOUT="15"):
            client = MlflowClient(tracking_uri=tracking_uri)
            found = client.get_experiment_by_name(name)
        stage = "sync"
        with _http_settings(MLFLOW_HTTP_REQUEST_MAX_RETRIES="3", MLFLOW_HTTP_REQUEST_TIMEOUT="60",
                            MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT="true"):
            if found is None:
                experiment_id = client.create_experiment(name, tags={PREFIX + "journal": journal_label(journal)})
            elif found.lifecycle_stage == "deleted":
                raise InputError(f"the MLflow experiment '{name}' is deleted: restore it (mlflow experiments restore "
                                 f"--experiment-id {found.experiment_id}) or choose another --experiment")
            else:
                experiment_id = found.experiment_id
            report = SyncReport(name, experiment_id, tracking_uri)
            _sync_runs(client, journal, specs, report)
    except (MlflowException, OSError) as exc:  # OSError includes requests' errors
        where = "cannot reach the MLflow tracking server at" if stage == "connect" else "MLflow at"
        done = ""
        if report and (report.created or report.updated):
            done = f" (after creating {len(report.created)} and updating {len(report.updated)} runs: sync again to finish)"
        raise TrackingError(f"{where} {tracking_uri}: {_reason(exc)}{done}") from None
    return report


def _journal_runs(client, experiment_id: str) -> dict[str, list]:
    """The experiment's runs made by a sync, by entry key (oldest first)."""
    runs: dict[str, list] = {}
    token = None
    while True:
        page = client.search_runs([experiment_id], filter_string=f"tags.`{ID_TAG}` LIKE '%'",
                                  max_results=1000, order_by=["attributes.start_time ASC"], page_token=token)
        for run in page:
            runs.setdefault(run.data.tags.get(ID_TAG, ""), []).append(run)
        token = page.token
        if not token:
            return runs


def _sync_runs(client, journal: Journal, specs: list[RunSpec], report: SyncReport) -> None:
    existing = _journal_runs(client, report.experiment_id)
    label = journal_label(journal)
    for spec in specs:
        runs = existing.pop(spec.key, [])
        for link in spec.missing:
            report.notes.append(f"'{spec.name}' ({spec.entry.timestamp}) links {link}, which is not there: not uploaded")
        if len(runs) > 1:
            report.notes.append(f"'{spec.name}' ({spec.entry.timestamp}) has {len(runs)} runs (two syncs at once?): "
                                f"updating the oldest, {runs[0].info.run_id}")
        if not runs:
            report.created.append((spec, _create(client, report.experiment_id, spec)))
        elif runs[0].data.tags.get(HASH_TAG) == spec.digest:
            report.unchanged.append((spec, runs[0].info.run_id))
        else:
            changes = _update(client, runs[0], spec, report)
            report.updated.append((spec, runs[0].info.run_id, changes))
    orphans = [run for runs in existing.values() for run in runs if run.data.tags.get(PREFIX + "journal") == label]
    if orphans:
        names = ", ".join(f"'{r.data.tags.get(PREFIX + 'heading', r.info.run_name)}'" for r in orphans[:5])
        report.notes.append(f"{len(orphans)} run{'s' if len(orphans) != 1 else ''} of this journal match no entry "
                            f"any more (a heading edited?), left as they are: {names}{' ...' if len(orphans) > 5 else ''}")


def _log(client, run_id: str, params=(), metrics=(), tags=()) -> None:
    """log_batch within MLflow's per-request limits."""
    params, metrics, tags = list(params), list(metrics), list(tags)
    while params or metrics or tags:
        p, params = params[:BATCH_PARAMS], params[BATCH_PARAMS:]
        t, tags = tags[:BATCH_PARAMS - len(p)], tags[BATCH_PARAMS - len(p):]
        m, metrics = metrics[:BATCH_METRICS - len(p) - len(t)], metrics[BATCH_METRICS - len(p) - len(t):]
        client.log_batch(run_id, metrics=m, params=p, tags=t, synchronous=True)


def _metric_list(spec: RunSpec, keys, step: int):
    from mlflow.entities import Metric

    stamp = spec.end_ms or spec.start_ms
    return [Metric(k, spec.metrics[k], stamp, step) for k in keys]


def _upload(client, run_id: str, spec: RunSpec) -> None:
    """The linked images, and the entry as written (``entry.md``)."""
    for path, folder in spec.artifacts:
        client.log_artifact(run_id, str(path), folder or None)
    with tempfile.TemporaryDirectory(prefix="expjournal-") as tmp:
        md = Path(tmp) / "entry.md"
        md.write_text(spec.entry_text, encoding="utf-8")
        client.log_artifact(run_id, str(md))


def _seal(client, run_id: str, spec: RunSpec) -> None:
    """Write the digests last, in one request: a sync cut short before this is redone."""
    from mlflow.entities import RunTag

    _log(client, run_id, tags=[RunTag(FILES_TAG, spec.files_digest), RunTag(HASH_TAG, spec.digest)])


def _create(client, experiment_id: str, spec: RunSpec) -> str:
    from mlflow.entities import Param, RunTag

    run = client.create_run(experiment_id, start_time=spec.start_ms, run_name=spec.name,
                            tags={ID_TAG: spec.key, REVISION_TAG: "0"})
    run_id = run.info.run_id
    _log(client, run_id, [Param(k, v) for k, v in spec.params.items()], _metric_list(spec, spec.metrics, 0),
         [RunTag(k, v) for k, v in spec.tags.items()])
    _upload(client, run_id, spec)
    if spec.status in TERMINAL:
        client.set_terminated(run_id, spec.status, spec.end_ms)
    _seal(client, run_id, spec)
    return run_id


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _update(client, run, spec: RunSpec, report: SyncReport) -> list[str]:
    from mlflow.entities import Param, RunTag

    run_id, data = run.info.run_id, run.data
    changes: list[str] = []
    revision = int(data.tags.get(REVISION_TAG, "0") or 0) + 1

    new_params = {k: v for k, v in spec.params.items() if k not in data.params}
    tags = dict(spec.tags)
    superseded = []
    for key, logged in data.params.items():
        want = spec.params.get(key, ABSENT)
        if want != logged:
            tags[(PARAM_TAG + key)[:MAX_KEY]] = want
            superseded.append((key, logged, want))
    for key in data.metrics:
        if key not in spec.metrics:
            tags[(METRIC_TAG + key)[:MAX_KEY]] = ABSENT
    metric_keys = [k for k, v in spec.metrics.items() if k not in data.metrics or not _same(data.metrics[k], v)]
    tags[REVISION_TAG] = str(revision)
    set_tags = {k: v for k, v in tags.items() if data.tags.get(k) != v}
    stale = [k for k in data.tags if (k.startswith(PREFIX) or k == NOTE_TAG) and k not in tags and k not in BOOKKEEPING]

    _log(client, run_id, [Param(k, v) for k, v in new_params.items()], _metric_list(spec, metric_keys, revision),
         [RunTag(k, v) for k, v in set_tags.items()])
    for key in stale:
        client.delete_tag(run_id, key)
    if data.tags.get(FILES_TAG) != spec.files_digest:
        _upload(client, run_id, spec)
        changes.append("artifacts")
    if run.info.status != spec.status or (spec.end_ms is not None and run.info.end_time != spec.end_ms):
        if spec.status in TERMINAL:
            client.set_terminated(run_id, spec.status, spec.end_ms)
        else:
            client.update_run(run_id, status=spec.status)
        changes.insert(0, f"status {run.info.status} → {spec.status}")
    _seal(client, run_id, spec)

    if new_params:
        changes.append(f"{len(new_params)} new param{'s' if len(new_params) != 1 else ''}")
    if metric_keys:
        changes.append(f"{len(metric_keys)} metric{'s' if len(metric_keys) != 1 else ''}")
    changed_tags = [k for k in set_tags if k not in (REVISION_TAG,) and not k.startswith(PARAM_TAG)] + stale
    if changed_tags:
        changes.append(f"{len(changed_tags)} tag{'s' if len(changed_tags) != 1 else ''}")
    for key, logged, want in superseded:
        if data.tags.get((PARAM_TAG + key)[:MAX_KEY]) != want:
            report.notes.append(
                f"'{spec.name}' ({spec.entry.timestamp}): param {key} was logged as {logged!r} and is now {want!r}; "
                f"MLflow never changes a logged param, so the new value is in the tag {PARAM_TAG}{key}")
    return changes
