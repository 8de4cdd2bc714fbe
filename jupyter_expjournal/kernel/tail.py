"""A stream's last part, kept in a ring once its cell's head budget ran out, and what it dropped.

A cell's record (:mod:`.cell`) keeps the first half of its budget for its
outputs in order; past that, each stream keeps its last part here, so the last
line of a long log (usually the final metric) survives. What falls out of the
ring is counted exactly, for the marker that stands where it was, and read for
metrics as it goes (:class:`~jupyter_expjournal.core.metrics.stream.MetricStream`),
so a metric printed only in the dropped middle still counts.
"""

from __future__ import annotations

from collections import deque

from ..core.outcome import cut_marker

__all__ = ["Tail", "cut_text", "metric_stream", "text_size"]


class Tail:
    """The last ``room`` bytes a stream printed after the cell's head budget ran out, and what it dropped.

    A ring of the chunks as written: adding one drops the oldest while the
    ring is over its room, the last of them cut to a line start, so the text
    kept is whole lines (but for a single line longer than the room). What was
    dropped is counted exactly, in lines and characters, for the marker that
    stands where it was (:func:`~jupyter_expjournal.core.outcome.cut_marker`).
    Memory stays bounded however long the cell prints.
    """

    __slots__ = ("room", "chunks", "size", "lines", "chars", "dropped_bytes", "at_line_start", "lead", "metrics")

    def __init__(self, room: int, head: str = "") -> None:
        self.room = max(room, 1)
        self.chunks: deque[str] = deque()
        self.size = 0  # bytes kept
        self.lines = self.chars = self.dropped_bytes = 0  # dropped: newlines, characters, bytes
        self.at_line_start = True  # the text kept begins a line
        self.lead = _last_line(head)  # the head's unfinished last line: read with the dropped text that continues it
        self.metrics = None  # MetricStream of the dropped text, from the first drop on

    def add(self, s: str) -> int:
        """Keep ``s`` as the newest text; the bytes this dropped."""
        before = self.dropped_bytes
        chunks = self.chunks
        chunks.append(s)
        self.size += text_size(s)
        while self.size > self.room:  # the oldest text goes, to the byte
            oldest = chunks[0]
            over, size = self.size - self.room, text_size(oldest)
            if size <= over:
                chunks.popleft()
                self._drop(oldest, size)
            else:
                cut = cut_text(oldest, over) if not oldest.isascii() else oldest[:over]
                cut = cut or oldest[:1]
                chunks[0] = oldest[len(cut) :]
                self._drop(cut, text_size(cut))
        if not self.at_line_start:  # then the rest of a line cut in two, when a whole line follows it
            self._to_line_start()
        return self.dropped_bytes - before

    def _to_line_start(self) -> None:
        chunks, seen = self.chunks, 0
        for i, chunk in enumerate(chunks):
            newline = chunk.find("\n")
            if newline < 0:
                seen += 1
                continue
            if newline == len(chunk) - 1 and i == len(chunks) - 1:
                return  # the line's end is all that is kept: keep it, cut as it is
            for _ in range(seen):
                oldest = chunks.popleft()
                self._drop(oldest, text_size(oldest))
            head = chunks[0]
            cut = head[: newline + 1]
            if len(cut) == len(head):
                chunks.popleft()
            else:
                chunks[0] = head[newline + 1 :]
            self._drop(cut, text_size(cut))
            return

    def _drop(self, s: str, size: int) -> None:
        self.size -= size
        self.dropped_bytes += size
        self.lines += s.count("\n")
        self.chars += len(s)
        self.at_line_start = s.endswith("\n")
        metrics = self.metrics
        if metrics is None:
            metrics = self.metrics = metric_stream()
            metrics.feed(self.lead)  # the dropped text starts a line: the one the head ended in goes in whole
            self.lead = ""
        metrics.feed(s)

    def last_metrics(self, final: bool) -> dict[str, float]:
        """The metrics whose last value is in the dropped text (not shown again in the kept tail)."""
        metrics = self.metrics
        if metrics is None:
            return {}
        if final:
            metrics.close()
        kept = metric_stream()
        kept.feed("".join(self.chunks))
        kept.close()
        again = kept.values
        return {name: value for name, value in metrics.values.items() if name not in again}

    def after(self, head: str) -> str:
        """``head`` (what the cell kept first), then the marker of what was cut, then this tail."""
        text = "".join(self.chunks)
        if not self.chars:
            return head + text
        lines, chars = self.lines, self.chars
        if head and not head.endswith("\n"):
            newline = head.rfind("\n")
            if newline >= 0:  # the head's last line, cut short, goes with the cut: whole lines on both sides
                chars += len(head) - newline - 1
                head = head[: newline + 1]
            else:  # one line longer than the head: shown in part, not counted as cut
                head, lines = head + "\n", max(lines - 1, 0)
        return f"{head}{cut_marker(lines, chars)}\n{text}"


def text_size(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8", "replace"))


def cut_text(s: str, room: int) -> str:
    """The longest prefix of ``s`` that fits in ``room`` UTF-8 bytes."""
    if s.isascii():
        return s[:room]
    return s.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")


class _NoMetrics:
    """Stands for a MetricStream when the metrics package cannot be imported: recording never fails for it."""

    values: dict = {}

    def feed(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def metric_stream():
    """A :class:`~jupyter_expjournal.core.metrics.stream.MetricStream`, imported the first time text is dropped."""
    try:
        from ..core.metrics.stream import MetricStream
    except Exception:  # a broken install must not break the user's print
        return _NoMetrics()
    return MetricStream()


def _last_line(text: str, longest: int = 65_536) -> str:
    """The unfinished last line of ``text``; of a very long one, its end from a word start (bounded memory)."""
    line = text[text.rfind("\n") + 1 :]
    if len(line) > longest:
        words = line[-longest:].split(None, 1)
        line = words[1] if len(words) == 2 else ""
    return line
