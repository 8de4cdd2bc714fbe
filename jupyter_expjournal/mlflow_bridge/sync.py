"""Mirror the journal into an MLflow tracking server: one run per entry (the client side).

A team that already runs MLflow sees every experiment of the journal there, next to its
training runs: the hypothesis as the run's description, the config as params, the
baseline, actual and delta metrics, the journal's status as the run's status, linked
images of the experiments folder (and the entry itself, as ``entry.md``) as artifacts.
journal.md stays the source of truth; MLflow gets a copy, and syncing again brings the
copy up to date. What each entry should look like as a run is :mod:`.mapping`'s (pure);
this module makes the server agree with it.

Idempotency
-----------
Every run carries ``expjournal.hash``, the spec's digest (images' bytes included,
machine-specific paths excluded, so teammates syncing the same journal agree). One
search lists the experiment's journal runs; a run whose hash matches is left alone, so a
second sync writes nothing. A changed entry updates its run in place: new metric values
are logged at the next step (``expjournal.revision``) so they become the latest; tags are
rewritten or removed. MLflow never changes a logged param, so a param whose value changed
keeps its first value and the new one goes to the tag ``expjournal.param.<key>``
(``(none)`` when the key left the config); the summary says so. A metric no longer in the
entry is marked the same way with ``expjournal.metric.<name>``. The hash is written last:
a sync cut short is finished by the next one.

mlflow itself is imported only when a sync runs.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..core.config import ABSENT
from ..core.errors import InputError, JournalError
from ..core.journal import Journal
from .mapping import MAX_KEY, NOTE_TAG, PREFIX, TERMINAL, RunSpec, default_experiment, journal_label, plan

ID_TAG, HASH_TAG, REVISION_TAG = PREFIX + "id", PREFIX + "hash", PREFIX + "revision"
FILES_TAG = PREFIX + "files"  # digest of the artifacts last uploaded
PARAM_TAG, METRIC_TAG = PREFIX + "param.", PREFIX + "metric."
#: Tags that record the sync itself, not the entry: never removed as stale.
BOOKKEEPING = (ID_TAG, HASH_TAG, REVISION_TAG, FILES_TAG)
INSTALL_HINT = "pip install 'jupyter_expjournal[mlflow]'"
# MLflow's per-request limits.
BATCH_PARAMS, BATCH_METRICS = 100, 1000


class TrackingError(JournalError):
    """The tracking server cannot be reached or refused a request (exit code 4)."""


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
    line = next((t.strip() for t in text.splitlines() if t.strip()), type(exc).__name__)
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
        for link in spec.skipped:
            report.notes.append(f"'{spec.name}' ({spec.entry.timestamp}) links {link}, "
                                "which is not a file of the experiments folder: not uploaded")
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
