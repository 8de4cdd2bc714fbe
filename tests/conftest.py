"""Shared test setup: the jupyter_server fixtures (jp_fetch, jp_serverapp, ...), and one real IPython shell
with the extension loaded, its journal in a fresh folder per test."""

import atexit
import json
import os
import shutil
import tempfile

import pytest
from IPython.testing import globalipapp

from jupyter_expjournal.core.journal import Journal

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# The parse cache of the suite's journals (hundreds of temp folders) lives in the suite's own cache
# folder, not the user's; kernels and servers the tests start inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="expjournal-test-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)


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


# -- a real Jupyter server with the extension (pytest-jupyter's jp_* fixtures) -------------------


@pytest.fixture
def jp_server_config():
    # allow_unauthenticated_access=True is the default; set it so that the
    # server does not enforce auth by itself and the auth test proves ours.
    return {"ServerApp": {"jpserver_extensions": {"jupyter_expjournal": True}, "allow_unauthenticated_access": True}}


@pytest.fixture
def no_env_journal(monkeypatch):
    """No $EXPJOURNAL_DIR: the server finds each journal from its root."""
    monkeypatch.delenv("EXPJOURNAL_DIR", raising=False)


@pytest.fixture
def root(jp_root_dir):
    """The server root as a project: a git root, so the journal search stops here."""
    (jp_root_dir / ".git").mkdir()
    (jp_root_dir / "nb" / "deep").mkdir(parents=True)
    return jp_root_dir


@pytest.fixture
def api(jp_fetch):
    """``await api(route, body)`` -> (status, JSON or None, response); never raises on 4xx/5xx."""

    async def call(route, body=None, *, method=None, params=None, headers=None, raw=None):
        method = method or ("GET" if body is None and raw is None else "POST")
        kwargs = {}
        if method == "POST":
            kwargs["body"] = raw if raw is not None else json.dumps(body)
        response = await jp_fetch(
            "expjournal", "api", route, method=method, params=params, headers=headers, raise_error=False, **kwargs
        )
        data = json.loads(response.body) if response.body else None
        return response.code, data, response

    return call
