"""Shared test setup: the jupyter_server fixtures (jp_fetch, jp_serverapp, ...) for tests/test_handlers.py."""

pytest_plugins = ["pytest_jupyter.jupyter_server"]
