"""One version of a file as the store's cache holds it: its bytes, its text, and their parse.

An append adds a few hundred bytes to a journal that may hold 8 MB. Joining
them to the old text and bytes would copy 24 MB (16 MB of text, for the file's
first non-ASCII character makes every character two bytes wide) and fault in
as many fresh pages: half the cost of a hypothesis. So a snapshot keeps the
pieces that appends added, compares the file against them piece by piece
(``bytes.startswith`` at an offset copies nothing), hands out the end of the
text (all that the next append needs) without joining it, and joins the pieces
only when someone asks for the whole text or the whole bytes.
"""

from __future__ import annotations

#: Pieces kept apart before they are joined anyway (each costs a comparison per read).
MAX_PIECES = 64
#: How much of each end of a large text tells its line endings (:func:`~.text.newline_of` looks at no more).
SAMPLE = 1 << 16


class Snapshot:
    """The bytes a parse came from (in pieces), their text (in the same pieces) and the parse."""

    __slots__ = ("_data", "_text", "size", "length", "value")

    def __init__(self, data: bytes, text: str, value: object) -> None:
        self._data = [data]
        self._text = [text]
        self.size = len(data)  # bytes
        self.length = len(text)  # characters
        self.value = value

    def matches(self, data: bytes) -> bool:
        """Whether ``data`` is exactly the bytes of this snapshot."""
        return len(data) == self.size and self._starts(data)

    def starts(self, data: bytes) -> bool:
        """Whether ``data`` begins with the bytes of this snapshot and goes on (an append)."""
        return len(data) > self.size and self._starts(data)

    def _starts(self, data: bytes) -> bool:
        offset = 0
        for piece in self._data:
            if not data.startswith(piece, offset):
                return False
            offset += len(piece)
        return True

    @property
    def pieces(self) -> int:
        return len(self._data)

    @property
    def data(self) -> bytes:
        if len(self._data) > 1:
            self._data = [b"".join(self._data)]
        return self._data[0]

    @property
    def text(self) -> str:
        if len(self._text) > 1:
            self._text = ["".join(self._text)]
        return self._text[0]

    def tail(self, start: int) -> str:
        """``text[start:]``, joining only the pieces it spans."""
        skipped, pieces = 0, []
        for piece in self._text:
            if skipped + len(piece) > start:
                pieces.append(piece[max(0, start - skipped) :])
            skipped += len(piece)
        return "".join(pieces)

    def sample(self) -> str:
        """The text, or for a large one its first and last :data:`SAMPLE` characters: enough to tell its style."""
        if self.length <= 2 * SAMPLE:
            return self.text
        return self._text[0][:SAMPLE] + self.tail(self.length - SAMPLE)

    def appended(self, data: bytes, text: str, value: object) -> Snapshot:
        """This snapshot with ``data`` (whose text is ``text``) added at its end, parsed as ``value``."""
        grown = Snapshot.__new__(Snapshot)
        grown._data = [*self._data, data]
        grown._text = [*self._text, text]
        grown.size = self.size + len(data)
        grown.length = self.length + len(text)
        grown.value = value
        if len(grown._data) > MAX_PIECES:
            _ = grown.data, grown.text
        return grown
