"""The panel fixtures: panels over the shell's session, closed after each test."""

import pytest

from jupyter_expjournal.widgets.journal_panel import JournalPanel


@pytest.fixture
def make_panel(ip, journal):
    made = []

    def make(poll_seconds=0.05):
        panel = JournalPanel(ip._expjournal.session, poll_seconds=poll_seconds)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.close()


@pytest.fixture
def panel(make_panel):
    return make_panel()
