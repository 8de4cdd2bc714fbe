"""The errors every face turns into one clear message.

A face (magic, widget, REST handler, CLI) catches :class:`JournalError`, shows its
text, and knows that nothing was written: the core raises before it writes.
"""


class JournalError(Exception):
    """Something about the journal or the request is wrong; nothing was written."""


class InputError(JournalError):
    """The user's input is malformed (empty hypothesis, a name on two lines, ...)."""


class GateError(JournalError):
    """One of the seed's gates refused the action (an open entry, strict mode)."""
