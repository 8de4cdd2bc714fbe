"""The agents' face words every way out as its own controls: a tool to call or an argument to pass.

In-process (no server): the vocabulary itself, and that the tools it names exist
and the arguments it names are theirs, so a refusal never sends an agent to a
magic, a CLI flag or a button it does not have.
"""

import re

from jupyter_expjournal.core import notices
from jupyter_expjournal.mcp_server.tools import BY_NAME
from jupyter_expjournal.mcp_server.words import WORDS

OTHER_FACES = re.compile(r"%%?[a-z]|--[a-z]|\btab\b|\btick\b|jupyter expjournal", re.I)


def test_every_way_out_has_words_naming_tools_or_arguments():
    assert set(WORDS) == set(notices.NEUTRAL)
    arguments = {a.name for tool in BY_NAME.values() for a in tool.args}
    for way, words in WORDS.items():
        assert not OTHER_FACES.search(words), words
        named_tools = set(re.findall(r"\b[a-z]+_[a-z_]+\b", words))
        named_args = set(re.findall(r"\b([a-z]+)=", words))
        assert named_tools or named_args, (way, words)
        assert named_tools <= set(BY_NAME), (way, words)
        assert named_args <= arguments, (way, words)
