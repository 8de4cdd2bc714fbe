"""``jupyter expjournal mlflow-sync`` against a real MLflow tracking server.

The server runs as a subprocess on a free loopback port, with an SQLite store and
artifacts proxied through it (as a team server serves them); everything is checked
through MLflow's own client.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime

import pytest
from testkit import png

from jupyter_expjournal.cli import main
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import ConfigItem, Draft, Outcome

NEEDS_MLFLOW = "mlflow is not installed (pip install 'jupyter_expjournal[mlflow]'; `make test` installs it)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    pytest.importorskip("mlflow", reason=NEEDS_MLFLOW)
    root = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{root}/mlflow.db",
         "--artifacts-destination", str(root / "artifacts"), "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,  # its own group: the workers go with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started, deadline = time.monotonic(), time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the MLflow server did not start:\n{(root / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        print(f"MLflow server up in {time.monotonic() - started:.1f} s at {url}")
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
        log.close()


def at(hour, minute=0) -> datetime:
    return datetime(2026, 11, 25, hour, minute)


def millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def build_journal(folder) -> tuple[Journal, bytes]:
    """Three completed entries (two sharing a heading), one abandoned, one planned."""
    j = Journal(folder)
    image = png(4, 3)
    j.hypothesize(Draft("SVC C=10", "A larger C fits the digits data more tightly.", "",
                        [ConfigItem.change("C", "1", "10"), ConfigItem.same("kernel", "rbf")],
                        "accuracy +0.01", "accuracy = 0.95", {"Provenance": "git 1a2b3c4; host box"}), now=at(14, 3))
    j.complete(Outcome(output="epoch 1: loss = 0.9\naccuracy = 0.97\nf1: 0.96\n", images=[("image/png", image)],
                       learning="C matters less than gamma", next="sweep gamma", source="cell [5]",
                       duration="3 min 12 s wall from hypothesis to result; 41.2 s executing 5 cells"))
    for gamma, acc in (("0.1", "0.975"), ("0.01", "0.96")):  # the same heading twice: two runs
        j.hypothesize(Draft("SVC gamma", "A narrower kernel draws finer boundaries.", "",
                            [ConfigItem.change("gamma", "scale", gamma)], "accuracy +0.005", "accuracy = 0.97"), now=at(15))
        j.complete(Outcome(output=f"accuracy = {acc}\n", learning=f"gamma {gamma}", duration="45.5 s wall"))
    j.hypothesize(Draft("RF depth", "Deeper trees overfit less than expected.", "max_depth 8 → 16", [],
                        "accuracy +0.01", "accuracy = 0.97"), now=at(16))
    j.abandon("found a data leak in the split")
    j.hypothesize(Draft("SVC C=100", "Even larger C keeps helping.", "",
                        [ConfigItem.change("C", "10", "100"), ConfigItem.same("kernel", "rbf")],
                        "accuracy +0.005", "accuracy = 0.97"), now=at(17))
    return j, image


def sync(folder, url, capsys, experiment="team"):
    code = main(["--dir", str(folder), "mlflow-sync", "--tracking-uri", url, "--experiment", experiment])
    out, err = capsys.readouterr()
    return code, out, err


def runs_by_entry(client, experiment_id):
    """{(heading, gamma or None): run} for every run of the experiment."""
    out = {}
    for run in client.search_runs([experiment_id]):
        key = (run.data.tags["expjournal.heading"], run.data.params.get("gamma"))
        assert key not in out
        out[key] = run
    return out


def snapshot(run):
    return (run.info.run_id, run.info.status, run.info.start_time, run.info.end_time,
            dict(run.data.params), dict(run.data.metrics), dict(run.data.tags))


def test_sync_mirrors_the_journal_idempotently_and_follows_changes(mlflow_server, tmp_path, capsys):
    from mlflow.tracking import MlflowClient

    folder = tmp_path / "experiments"
    journal, image = build_journal(folder)
    client = MlflowClient(mlflow_server)

    code, out, err = sync(folder, mlflow_server, capsys)
    assert code == 0, err
    assert "MLflow experiment 'team'" in out and "created 5, updated 0, unchanged 0" in out
    experiment = client.get_experiment_by_name("team")
    runs = runs_by_entry(client, experiment.experiment_id)
    assert len(runs) == 5

    svc = runs[("2026-11-25 14:03 — SVC C=10", None)]
    assert svc.info.run_name == "SVC C=10"
    assert svc.info.status == "FINISHED"
    assert svc.info.start_time == millis(at(14, 3))
    assert svc.info.end_time == millis(at(14, 3)) + 192_000  # the Duration's wall time
    assert svc.data.params == {"C": "10", "C.old": "1", "kernel": "rbf"}
    metrics = svc.data.metrics
    assert metrics["accuracy"] == 0.97 and metrics["f1"] == 0.96 and metrics["loss"] == 0.9
    assert metrics["baseline.accuracy"] == 0.95
    assert metrics["delta.accuracy"] == pytest.approx(0.02)
    tags = svc.data.tags
    assert tags["mlflow.note.content"] == "A larger C fits the digits data more tightly."
    assert tags["expjournal.name"] == "SVC C=10" and tags["expjournal.status"] == "COMPLETED"
    assert tags["expjournal.change"] == "C 1 → 10"
    assert tags["expjournal.expected"] == "accuracy +0.01"
    assert tags["expjournal.delta"] == "accuracy +0.02 vs expected +0.01: better than expected"
    assert tags["expjournal.duration"].startswith("3 min 12 s wall")
    assert tags["expjournal.learning"] == "C matters less than gamma"
    assert tags["expjournal.next"] == "sweep gamma"
    assert re.fullmatch(r"id [0-9a-f]{8}; git 1a2b3c4; host box", tags["expjournal.provenance"])
    assert tags["expjournal.journal"] == "experiments/journal.md"
    assert tags["expjournal.outcome"] == "loss = 0.9, accuracy = 0.97, f1 = 0.96"

    # the image, byte for byte, and the entry as written
    [linked] = journal.entries()[0].images
    assert [a.path for a in client.list_artifacts(svc.info.run_id, "assets")] == [linked]
    got = client.download_artifacts(svc.info.run_id, linked, str(tmp_path / "download"))
    assert open(got, "rb").read() == image
    entry_md = open(client.download_artifacts(svc.info.run_id, "entry.md", str(tmp_path / "download")), encoding="utf-8").read()
    assert entry_md.startswith("### 2026-11-25 14:03 — SVC C=10\n**Status**: COMPLETED") and f"]({linked})" in entry_md

    gamma_a, gamma_b = runs[("2026-11-25 15:00 — SVC gamma", "0.1")], runs[("2026-11-25 15:00 — SVC gamma", "0.01")]
    assert gamma_a.data.tags["expjournal.id"] != gamma_b.data.tags["expjournal.id"]
    assert gamma_a.data.metrics["accuracy"] == 0.975 and gamma_b.data.metrics["accuracy"] == 0.96
    assert gamma_a.info.end_time - gamma_a.info.start_time == 45_500

    abandoned = runs[("2026-11-25 16:00 — RF depth", None)]
    assert abandoned.info.status == "KILLED"
    assert abandoned.data.tags["expjournal.status"] == "ABANDONED"
    assert abandoned.data.tags["expjournal.outcome"] == "Abandoned: found a data leak in the split"
    assert abandoned.data.tags["expjournal.change"] == "max_depth 8 → 16" and abandoned.data.params == {}

    planned = runs[("2026-11-25 17:00 — SVC C=100", None)]
    assert planned.info.status == "RUNNING" and planned.info.end_time is None
    assert planned.data.params == {"C": "100", "C.old": "10", "kernel": "rbf"}
    assert planned.data.metrics == {"baseline.accuracy": 0.97}
    assert "expjournal.learning" not in planned.data.tags

    # a second sync writes nothing
    before = {key: snapshot(run) for key, run in runs.items()}
    code, out, err = sync(folder, mlflow_server, capsys)
    assert code == 0, err
    assert "created 0, updated 0, unchanged 5" in out
    again = runs_by_entry(client, experiment.experiment_id)
    assert {key: snapshot(run) for key, run in again.items()} == before
    assert len(client.get_metric_history(svc.info.run_id, "accuracy")) == 1

    # completing the planned entry updates its run, and only that one
    journal.complete(Outcome(output="accuracy = 0.98\n", learning="C=100 still helps", duration="2 min 00 s wall"))
    code, out, err = sync(folder, mlflow_server, capsys)
    assert code == 0, err
    assert "created 0, updated 1, unchanged 4" in out
    assert "updated 'SVC C=100' (2026-11-25 17:00): status RUNNING → FINISHED" in out
    after = runs_by_entry(client, experiment.experiment_id)
    done = after[("2026-11-25 17:00 — SVC C=100", None)]
    assert done.info.run_id == planned.info.run_id
    assert done.info.status == "FINISHED" and done.info.end_time == millis(at(17)) + 120_000
    assert done.data.metrics["accuracy"] == 0.98
    assert done.data.metrics["delta.accuracy"] == pytest.approx(0.01)
    assert done.data.tags["expjournal.learning"] == "C=100 still helps"
    assert done.data.tags["expjournal.status"] == "COMPLETED"
    assert {k: snapshot(r) for k, r in after.items() if r.info.run_id != done.info.run_id} == {
        k: v for k, v in before.items() if v[0] != done.info.run_id}

    # a hand edit changes a param value: MLflow keeps the logged one, the tag and the summary say the new one
    text = journal.journal_path.read_text(encoding="utf-8")
    journal.journal_path.write_text(
        text.replace("- C: 1 → 10\n", "- C: 1 → 20\n", 1).replace("C matters less than gamma", "C matters, a little", 1),
        encoding="utf-8")
    code, out, err = sync(folder, mlflow_server, capsys)
    assert code == 0, err
    assert "created 0, updated 1, unchanged 4" in out
    assert "param C was logged as '10' and is now '20'" in out and "expjournal.param.C" in out
    edited = client.get_run(svc.info.run_id)
    assert edited.data.params["C"] == "10" and edited.data.tags["expjournal.param.C"] == "20"
    assert edited.data.tags["expjournal.learning"] == "C matters, a little"
    assert len(client.get_metric_history(svc.info.run_id, "accuracy")) == 1  # unchanged metrics are not logged again
    entry_md = open(client.download_artifacts(svc.info.run_id, "entry.md", str(tmp_path / "download2")), encoding="utf-8").read()
    assert "- C: 1 → 20" in entry_md

    code, out, err = sync(folder, mlflow_server, capsys)
    assert "created 0, updated 0, unchanged 5" in out and code == 0
    assert len(client.search_runs([experiment.experiment_id])) == 5


def test_default_experiment_is_the_project_folder(mlflow_server, tmp_path, capsys):
    from mlflow.tracking import MlflowClient

    folder = tmp_path / "digits-project" / "experiments"
    Journal(folder).hypothesize(Draft("first", "it works", baseline="accuracy = 0.9"), now=at(9))
    code = main(["mlflow-sync", "--tracking-uri", mlflow_server, "--dir", str(folder)])  # --dir after the command too
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "MLflow experiment 'digits-project'" in out and "created 1" in out
    client = MlflowClient(mlflow_server)
    [run] = client.search_runs([client.get_experiment_by_name("digits-project").experiment_id])
    assert run.data.tags["expjournal.journal"] == "experiments/journal.md"


@pytest.fixture
def not_mlflow(tmp_path):
    """A web server that is not MLflow: every API path is a 404."""
    import http.server
    import threading

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(404)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_bad_or_unreachable_tracking_uri_exits_4(tmp_path, capsys, not_mlflow):
    pytest.importorskip("mlflow", reason=NEEDS_MLFLOW)
    folder = tmp_path / "experiments"
    Journal(folder).hypothesize(Draft("x", "h", baseline="a = 1"))
    port = free_port()  # nothing listens there
    for uri, says in (
        (f"http://127.0.0.1:{port}", f"cannot reach the MLflow tracking server at http://127.0.0.1:{port}: connection refused"),
        (not_mlflow, "no MLflow tracking API there (HTTP 404)"),
        ("nosuchscheme://server", "not a tracking URI MLflow knows"),
        ("127.0.0.1:5000", "did you mean http://127.0.0.1:5000?"),
    ):
        started = time.monotonic()
        code, out, err = sync(folder, uri, capsys)
        assert code == 4 and says in err, err
        assert len(err.strip().splitlines()) == 1 and out == ""
        assert time.monotonic() - started < 10
    assert not (tmp_path / "127.0.0.1:5000").exists()


def test_without_mlflow_the_message_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # what an environment without mlflow looks like to import
    code = main(["--dir", str(tmp_path / "experiments"), "mlflow-sync", "--tracking-uri", "http://127.0.0.1:1"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.strip() == ("jupyter expjournal: mlflow-sync needs mlflow, which is not installed: "
                           "pip install 'jupyter_expjournal[mlflow]'")


def test_only_files_of_the_experiments_folder_are_uploaded(mlflow_server, leaky_journal, tmp_path, capsys):
    """A journal linking ../secret.txt, an absolute path, a symlink leading outside: none leaves the machine."""
    from mlflow.tracking import MlflowClient

    folder, inside, skipped = leaky_journal
    code, out, err = sync(folder, mlflow_server, capsys, experiment="leaky")
    assert code == 0, err
    client = MlflowClient(mlflow_server)
    [run] = client.search_runs([client.get_experiment_by_name("leaky").experiment_id])

    def every_artifact(path=None):
        for item in client.list_artifacts(run.info.run_id, path):
            yield from every_artifact(item.path) if item.is_dir else [item.path]

    assert sorted(every_artifact()) == sorted([*inside, "entry.md"])
    for link in skipped:
        assert f"'leaky' (2026-11-25 14:03) links {link}, which is not a file of the experiments folder: not uploaded" in out
    downloaded = tmp_path / "download"
    client.download_artifacts(run.info.run_id, "", str(downloaded))
    assert not any(b"s3cr3t" in p.read_bytes() for p in downloaded.rglob("*") if p.is_file())
