"""The errors every face turns into one clear message.

A face (magic, widget, REST handler, CLI) catches :class:`JournalError`, shows its
text, and knows that nothing was written: the core raises before it writes.
The text names no face's controls; where there is a way out, ``exc.notice``
holds it as data, for the face to word (``exc.words(vocabulary)``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping

from .notices import Notice


class JournalError(Exception):
    """Something about the journal or the request is wrong; nothing was written."""

    def __init__(self, message: str | Notice = "") -> None:
        self.notice = message if isinstance(message, Notice) else Notice(str(message))
        super().__init__(str(self.notice))

    def words(self, vocabulary: Mapping[str, str] | None = None) -> str:
        """The message with its ways out in a face's words."""
        return self.notice.words(vocabulary)


class InputError(JournalError):
    """The user's input is malformed (empty hypothesis, a name on two lines, ...)."""


class GateError(JournalError):
    """One of the seed's gates refused the action (an open entry, strict mode).

    ``refusals`` lists every gate that refused, each a :class:`Notice`.
    """

    def __init__(self, refusals: list[Notice] | Notice | str) -> None:
        if isinstance(refusals, (str, Notice)):
            refusals = [refusals if isinstance(refusals, Notice) else Notice(refusals)]
        self.refusals = list(refusals)
        super().__init__(self.refusals[0] if len(self.refusals) == 1 else Notice(self._joined(None)))

    def _joined(self, vocabulary: Mapping[str, str] | None) -> str:
        return "; ".join(r.words(vocabulary) for r in self.refusals)

    def words(self, vocabulary: Mapping[str, str] | None = None) -> str:
        return self._joined(vocabulary)


def describe_os_error(path: os.PathLike | str, exc: OSError) -> str:
    """One clear sentence for an OS error on a path: what the user can act on."""
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.EISDIR: "it is a directory",
        errno.ENOTDIR: "a parent is not a directory",
    }.get(exc.errno, exc.strerror or str(exc))
    return f"cannot write {path}: {reason}"
