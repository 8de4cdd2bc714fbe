"""The agents' face under test: a real server process per module, driven by the SDK's own stdio client."""

import pytest
from mcp_client import Agent


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A fresh project folder; its journal goes to project/experiments/ (created by the first write)."""
    return tmp_path_factory.mktemp("project")


@pytest.fixture(scope="module")
def agent(project):
    agent = Agent(project / "experiments")
    yield agent
    agent.close()
