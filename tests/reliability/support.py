"""Helpers for the reliability tests: subprocesses that import the working tree, a real Jupyter server.

Kernels and subprocesses would import the installed copy of the package; every
subprocess here gets ``PYTHONPATH`` pointing at the working tree instead, so
these tests test the code next to them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess: the working tree first on the path, no journal setting leaking in."""
    env = {k: v for k, v in os.environ.items() if k != "EXPJOURNAL_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``jupyter server`` subprocess on a free loopback port, with a token and our extension."""

    def __init__(self, root: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.token = os.urandom(16).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [
            sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
            f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
            "--ServerApp.jpserver_extensions=jupyter_expjournal=True",
        ]
        self.proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.request("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"jupyter server did not start:\n{log.read_text(errors='replace')[-3000:]}") from None
                time.sleep(0.1)

    def request(self, method: str, route: str, body: object = None, *, headers: dict | None = None, token: bool = True):
        """(status, JSON or None) for one request; never raises on 4xx/5xx."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + route, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {self.token}")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, raw

    def api(self, route: str, body: dict):
        return self.request("POST", f"/expjournal/api/{route}", body)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
