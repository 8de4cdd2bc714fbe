"""Fixtures of the reliability tests (helpers live in support.py)."""

from pathlib import Path

import pytest

from .support import Server, child_env


@pytest.fixture
def jupyter_server(tmp_path):
    """``start(root, **env)`` -> a running :class:`Server`; stopped at the end of the test."""
    servers = []

    def start(root: Path, **env: str) -> Server:
        server = Server(root, child_env(**env), tmp_path / f"server-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
