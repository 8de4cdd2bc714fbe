"""One version of a file as the store's cache holds it: its bytes, its text, and their parse.

A hypothesis adds a few hundred bytes to a journal that may hold 8 MB, and a
result changes one entry of it. Making the new text by joining or slicing the
old one copies 16 MB (the file's first non-ASCII character makes every
character two bytes wide) and faults in as many fresh pages, each time: half
the cost of a hypothesis, a third of a result. So a snapshot keeps its text as
views of the texts it came from, ``(text, start, end)``, hands out the end of
it (all that an append or a result near the end needs) and joins it only when
someone asks for the whole text. Its bytes, which every read compares with
the file, are kept in the pieces appends added and compared piece by piece
(``bytes.startswith`` at an offset copies nothing).
"""

from __future__ import annotations

#: Pieces kept apart before they are joined anyway (each costs a comparison per read).
MAX_PIECES = 64
#: How much of each end of a large text tells its line endings (:func:`~.text.newline_of` looks at no more).
SAMPLE = 1 << 16


class Snapshot:
    """The bytes a parse came from (in pieces), their text (as views) and the parse."""

    __slots__ = ("_data", "_text", "size", "length", "value")

    def __init__(self, data: bytes, text: str, value: object = None) -> None:
        self._data = [data]
        self._text = [(text, 0, len(text))]
        self.size = len(data)  # bytes
        self.length = len(text)  # characters
        self.value = value

    @classmethod
    def _made(cls, data: list[bytes], text: list[tuple[str, int, int]], value: object) -> Snapshot:
        made = cls.__new__(cls)
        made._data, made._text, made.value = data, text, value
        made.size = sum(len(piece) for piece in data)
        made.length = sum(hi - lo for _, lo, hi in text)
        if len(data) > MAX_PIECES or len(text) > MAX_PIECES:
            _ = made.data, made.text
        return made

    # -- the bytes: what every read compares with the file ----------------------

    def matches(self, data: bytes) -> bool:
        """Whether ``data`` is exactly the bytes of this snapshot."""
        return len(data) == self.size and self._starts(data)

    def matches_start_of(self, buffer: bytes | bytearray) -> bool:
        """Whether ``buffer`` begins with the bytes of this snapshot (what follows them is not looked at)."""
        return len(buffer) >= self.size and self._starts(buffer)

    def starts(self, data: bytes) -> bool:
        """Whether ``data`` begins with the bytes of this snapshot and goes on (an append)."""
        return len(data) > self.size and self._starts(data)

    def _starts(self, data: bytes | bytearray) -> bool:
        offset = 0
        for piece in self._data:
            if not data.startswith(piece, offset):
                return False
            offset += len(piece)
        return True

    def chunks(self, size: int):
        """The bytes in views of at most ``size`` bytes, in order: what a check compares a file with as it reads."""
        for piece in self._data:
            whole = memoryview(piece)
            for start in range(0, len(piece), size):
                yield whole[start : start + size]

    def same_bytes(self, other: Snapshot) -> bool:
        """Whether ``other`` keeps these very bytes objects: the same bytes, told without comparing them (what a
        watch proved of one snapshot holds for its copies with another parse)."""
        mine, theirs = self._data, other._data
        return mine is theirs or (len(mine) == len(theirs) and all(a is b for a, b in zip(mine, theirs, strict=True)))

    @property
    def pieces(self) -> int:
        """How many pieces the bytes are kept in (one per append since they were last joined)."""
        return len(self._data)

    @property
    def data(self) -> bytes:
        if len(self._data) > 1:
            self._data = [b"".join(self._data)]
        return self._data[0]

    # -- the text -----------------------------------------------------------------

    @property
    def text(self) -> str:
        if len(self._text) > 1 or self._text[0][1] != 0 or self._text[0][2] != len(self._text[0][0]):
            joined = self.slice(0, self.length)
            self._text = [(joined, 0, len(joined))]
        return self._text[0][0]

    def slice(self, start: int, end: int) -> str:
        """``text[start:end]``, joining only the pieces it spans."""
        out, at = [], 0
        for text, lo, hi in self._text:
            size = hi - lo
            if at + size > start and at < end:
                out.append(text[lo + max(0, start - at) : lo + min(size, end - at)])
            at += size
            if at >= end:
                break
        return out[0] if len(out) == 1 else "".join(out)

    def tail(self, start: int) -> str:
        """``text[start:]``."""
        return self.slice(start, self.length)

    def sample(self) -> str:
        """The text, or for a large one its first and last :data:`SAMPLE` characters: enough to tell its style."""
        if self.length <= 2 * SAMPLE:
            return self.text
        return self.slice(0, SAMPLE) + self.tail(self.length - SAMPLE)

    # -- new versions -------------------------------------------------------------

    def appended(self, data: bytes, text: str, value: object) -> Snapshot:
        """This snapshot with ``data`` (whose text is ``text``) added at its end, parsed as ``value``."""
        return Snapshot._made([*self._data, data], [*self._text, (text, 0, len(text))], value)

    def spliced(self, start: int, end: int, piece: str, data: bytes, value: object = None) -> Snapshot:
        """This text with ``[start, end)`` replaced by ``piece``; ``data`` is the new text's bytes, whole."""
        return Snapshot._made([data], [*self._views(0, start), (piece, 0, len(piece)), *self._views(end, self.length)],
                              value)

    def rebuilt(self, data: bytes, built) -> Snapshot:
        """What a rewrite of this snapshot (whose bytes are ``data``) writes: ``built`` is the new text, or a
        :class:`~.text.Splice` of it, of which only the text from its start on is encoded (the bytes before it
        are ``data``'s, as many as the rest does not take)."""
        if isinstance(built, str):
            return Snapshot(built.encode("utf-8"), built)
        start = len(data) - len(self.tail(built.start).encode("utf-8"))
        end = start + len(self.slice(built.start, built.end).encode("utf-8"))
        view = memoryview(data)
        new = b"".join((view[:start], built.piece.encode("utf-8"), view[end:]))
        return self.spliced(built.start, built.end, built.piece, new)

    def with_value(self, value: object) -> Snapshot:
        return Snapshot._made(list(self._data), list(self._text), value)

    def _views(self, start: int, end: int) -> list[tuple[str, int, int]]:
        out, at = [], 0
        for text, lo, hi in self._text:
            size = hi - lo
            if at + size > start and at < end:
                out.append((text, lo + max(0, start - at), lo + min(size, end - at)))
            at += size
        return out
