"""Shared test setup: the jupyter_server fixtures (jp_fetch, jp_serverapp, ...), and one real IPython shell
with the extension loaded, its journal in a fresh folder per test."""

import pytest
from IPython.testing import globalipapp

from jupyter_expjournal.core.journal import Journal

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture(scope="module")
def ip():
    shell = globalipapp.get_ipython()
    shell.run_line_magic("load_ext", "jupyter_expjournal")
    yield shell
    shell.run_line_magic("unload_ext", "jupyter_expjournal")


@pytest.fixture
def journal(ip, tmp_path, monkeypatch):
    folder = tmp_path / "experiments"
    monkeypatch.setenv("EXPJOURNAL_DIR", str(folder))
    magics = ip._expjournal
    magics.session.opened.clear()
    magics.strict = False
    magics.directory = ""
    return Journal(folder)
