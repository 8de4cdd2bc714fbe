"""A real ipykernel on this checkout, driven message by message (what a front end is sent, read off iopub).

Importable as ``live_kernel`` from the tests of this folder; it needs the ``venv_kernelspec`` fixture
(conftest.py) to have run, so the kernel is this venv's interpreter importing this checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupyter_client


def without_vscode() -> dict[str, str]:
    """This process's environment, less what says the kernel runs under VS Code."""
    return {k: v for k, v in os.environ.items() if not k.startswith("VSCODE_") and k != "TERM_PROGRAM"}


def messages(client, code: str, status: str = "ok") -> list[dict]:
    """Run ``code``; the display_data, stream and error messages it sent, after checking the reply's status."""
    got: list[dict] = []
    reply = client.execute_interactive(code, timeout=60, output_hook=got.append)
    assert reply["content"]["status"] == status, reply["content"]
    return [m for m in got if m["msg_type"] in ("display_data", "stream", "error")]


def displayed(client, code: str) -> list[dict]:
    """The MIME bundles of the display_data messages ``code`` sent."""
    return [m["content"]["data"] for m in messages(client, code) if m["msg_type"] == "display_data"]


class Kernels:
    """Kernels started in ``folder`` over its ``experiments/`` (the extension loaded), shut down by :meth:`close`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple] = []

    def start(self, **env: str):
        manager, client = jupyter_client.manager.start_new_kernel(
            kernel_name="python3", cwd=str(self.folder), env=env or without_vscode()
        )
        self.started.append((manager, client))
        messages(client, f"%load_ext jupyter_expjournal\n%journal --dir {self.folder / 'experiments'}")
        return client

    def close(self) -> None:
        for manager, client in self.started:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
