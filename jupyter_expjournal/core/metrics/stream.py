"""Read metrics from text that passes once, in pieces, and is then dropped.

A cell that prints a 100,000-line training log keeps only a head and a tail of
it (the kernel's capture); the middle is dropped to keep memory bounded.  A
metric printed in that middle must still count, so the capture feeds each
piece it is about to drop to a :class:`MetricStream`, which keeps only the last
value of each name it saw.

Design decisions:

* **The same rules as** :func:`~.parse.parse_metrics`' line scan
  (:func:`~.parse.scan_lines`), not its whole-text JSON/literal path: a
  dropped middle is never one whole literal.  No match spans a line break, so
  the stream scans whole lines only and holds back the unfinished last line of
  each piece until the rest of it arrives, and the last lines while they may
  be part of a table (:func:`~.tables.held_from`); pieces cut anywhere give
  the values one scan of the joined text gives.
* **Bounded memory.**  At most :data:`MAX_NAMES` names are kept (later new
  names are ignored; known ones still update, so the last value still wins),
  and an unfinished line is held up to :data:`MAX_PARTIAL` characters: past
  that only its last part is kept, from just after a blank, so no word is read
  from its middle.
* **Cheap per call**: pieces are held and their complete lines scanned in
  batches of about :data:`BATCH` characters, no cache (these texts are seen
  once); the cost is that of one scan of the whole text.
"""

from __future__ import annotations

import re

from .parse import scan_lines
from .tables import held_from

#: How many distinct metric names a stream keeps.
MAX_NAMES = 256
#: How many characters of an unfinished line a stream holds back (64 Ki).
MAX_PARTIAL = 65_536
#: How many characters a stream holds before it scans their complete lines (16 Ki).
BATCH = 16_384

_BLANK_RE = re.compile(r"[ \t\r\n]")


def _last_break(text: str) -> int:
    """Index of the last line break (``\\n`` or ``\\r``) in *text*, or -1."""
    return max(text.rfind("\n"), text.rfind("\r"))


class MetricStream:
    """The last value of each metric in text fed to it piece by piece.

    Feed, in order, exactly the text that leaves the kept output, starting at
    a line start (a line the kept head ended in the middle of goes in first,
    whole), then :meth:`close`.  :attr:`values` then holds what
    :func:`~.parse.parse_metrics`' line scan finds in the joined text (for at
    most :data:`MAX_NAMES` names), the last value winning.

    Pieces are held until :data:`BATCH` characters have come, then their
    complete lines are scanned at once: a ``print`` arrives as two writes (the
    text, then ``"\\n"``), and one scan per write would cost more than the
    scan itself.  Reading :attr:`values` scans what is held first.

    Examples
    --------
    >>> s = MetricStream()
    >>> s.feed("epoch 1: loss = 0.9\\nepoch 2: lo")
    >>> s.feed("ss = 0.5, acc=81%")
    >>> s.close()
    >>> s.values
    {'loss': 0.5, 'acc': 0.81}
    """

    __slots__ = ("_values", "_held", "_held_size", "_cut")

    def __init__(self) -> None:
        self._values: dict[str, float] = {}
        self._held: list[str] = []  # text fed and not yet scanned, in the pieces it came in
        self._held_size = 0
        self._cut = False  # the held text lost its start: read it from after a blank

    @property
    def values(self) -> dict[str, float]:
        """The last value of each name in the complete lines fed so far."""
        if not self._held:
            return self._values
        text = "".join(self._held)
        end = _last_break(text) + 1
        values = dict(self._values)
        if end:
            scan_lines(_after_blank(text[:end]) if self._cut else text[:end], values, MAX_NAMES)
        return values

    def feed(self, text: str) -> None:
        """Take the next piece of the dropped text (any length, cut anywhere)."""
        if not text or not isinstance(text, str):
            return
        self._held.append(text)
        self._held_size += len(text)
        if self._held_size >= BATCH:
            self._scan(final=False)

    def close(self) -> None:
        """Read all that is held, the unfinished last line too (the stream may be fed again after)."""
        if self._held:
            self._scan(final=True)
            self._values = self.values  # nothing is held now: the dict itself

    def _scan(self, final: bool) -> None:
        """Scan the held complete lines (all held text when *final*); hold the rest, bounded.

        The last lines are held too while they may belong to a table whose
        end has not come yet (:func:`~.tables.held_from`), up to
        :data:`MAX_PARTIAL` characters: a table is read whole.
        """
        held = self._held
        text = held[0] if len(held) == 1 else "".join(held)
        held.clear()
        complete = _last_break(text) + 1
        end = len(text) if final else complete
        if not final and end:
            hold = held_from(text[:end])
            if end - hold <= MAX_PARTIAL and len(text) - hold <= MAX_PARTIAL + BATCH:
                end = hold
        rest = text[end:]
        if end:
            lines = text[:end] if rest else text
            if self._cut:
                lines = _after_blank(lines)
                self._cut = False
            scan_lines(lines, self._values, MAX_NAMES)
        if len(rest) > MAX_PARTIAL + BATCH:
            rest = rest[-MAX_PARTIAL:]
            self._cut = True
        if rest:
            held.append(rest)
        self._held_size = len(rest)


def _after_blank(text: str) -> str:
    """*text* from just after its first blank: a line that lost its start is not read mid-word."""
    blank = _BLANK_RE.search(text)
    return text[blank.end() :] if blank else ""
