"""The CLI run in-process: ``run(*argv)`` gives (exit code, stdout, stderr); the journal in a fresh folder."""

import io
import sys

import pytest

from jupyter_expjournal.cli import main


@pytest.fixture
def run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EXPJOURNAL_DIR", str(tmp_path / "experiments"))

    def run(*argv, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    run.dir = tmp_path / "experiments"
    return run
