"""The REST API tests run with no $EXPJOURNAL_DIR: each finds its journal from the server root."""

import pytest


@pytest.fixture(autouse=True)
def _no_env(no_env_journal):
    """Every test here, as if the variable were never set (the fixtures are in tests/conftest.py)."""
