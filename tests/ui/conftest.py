"""A real ``jupyter lab`` (the installed package: server extension and prebuilt sidebar) and
Debian's Chromium driven by Playwright. One server for the session, a fresh page per test,
a folder of its own per test under the server's temporary root."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]' brings Playwright")

from .lab import Lab  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LABEXTENSION = Path(sys.prefix, "share", "jupyter", "labextensions", "jupyter-expjournal", "package.json")


@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    """pytest-jupyter's autouse loop fixtures (tests/conftest.py) would grab and close
    Playwright's running loop: these browser tests need no loop of their own."""
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup():
    yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")  # torn down after tests/ui: playwright's event loop must not outlive it
def lab_server(tmp_path_factory):
    """``jupyter lab`` on a free localhost port with a token, rooted in a temporary folder."""
    if not LABEXTENSION.exists():
        pytest.fail(f"the sidebar is not installed ({LABEXTENSION} is missing): run `make install`")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs Debian's)")
    base = tmp_path_factory.mktemp("lab")
    root, state = base / "root", base / "state"
    root.mkdir()
    settings = state / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news or update toasts over the panel under test.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # Cells keep their timing (the "execution" metadata): an attach's Duration counts the cell's run.
    notebook_settings = state / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"recordTiming": True}))
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "EXPJOURNAL_DIR"}
    env.update(
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
    )
    log = open(base / "server.log", "w")
    # cwd is the root, so the installed package is imported, as a user's server does.
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
            "--ServerApp.allow_root=True", f"--ServerApp.root_dir={root}",
            "--ServerApp.port_retries=0", "--LabApp.news_url=None",
            # window.jupyterapp: lets the tests wait for the kernel to be connected
            "--LabApp.expose_app_in_browser=True",
        ],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"jupyter lab did not start:\n{(base / 'server.log').read_text()[-3000:]}")
            time.sleep(0.25)
    yield {"url": url, "token": token, "root": root, "log": base / "server.log"}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="package")
def browser(lab_server):
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def lab(browser, lab_server, request):
    """A fresh JupyterLab page, and a folder for this test (with its own experiments/)."""
    folder_name = request.node.name.replace("[", "-").replace("]", "")
    folder = lab_server["root"] / folder_name
    (folder / "experiments").mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    lab = Lab(page, lab_server, folder)
    yield lab
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        out = Path(__file__).parent / "artifacts"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{folder_name}.png"))
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
