"""A field's value as a face shows it: plain text, preformatted output, images.

The journal keeps an outcome as Markdown: ``Output of cell [3]:``, the output in
a code fence, ``![cell 3 figure 1](assets/x.png)`` links. A face that shows the
value as text would show the fences and the links as they are written; one that
renders Markdown would render whatever HTML a hand edit put there. So the core
splits a value into blocks (the fences are read by the one fence rule of
:class:`~.text.Fences`, the links by :func:`~.outcome.linked_file`) and each face
renders the blocks as inert text, ``<pre>`` and thumbnails.
"""

from __future__ import annotations

import re
from pathlib import Path

from .outcome import linked_file
from .text import Fences, iter_lines

#: A line that is only an image link: ``![alt](link)``.
IMAGE_LINE = re.compile(r"\s*!\[([^\]\n]*)\]\(([^)\s]+)\)\s*")


def blocks(value: str, directory: Path | str) -> list[dict]:
    """``value`` as ``{"kind": "text"|"code"|"image", ...}`` blocks, in order.

    ``text`` and ``code`` blocks hold ``text`` (a code block: the fence's content,
    without its fence lines); an ``image`` block holds ``path`` (relative to the
    experiments folder ``directory``) and ``alt``. An image link to anything
    outside the experiments folder stays text: no face shows or opens it.
    """
    out: list[dict] = []
    lines: list[list[str]] = []  # each block's lines, joined at the end
    fences = Fences()

    def start(block: dict) -> None:
        out.append(block)
        lines.append([])

    for _offset, line, _nl in iter_lines(value):
        was_open = fences.open is not None
        in_fence = fences.feed(line) and (was_open or fences.open is not None)  # else: an HTML comment, text
        if in_fence:
            if was_open and fences.open is not None:
                lines[-1].append(line)
            elif not was_open:  # the opening fence: a code block starts (a fence line itself is not shown)
                start({"kind": "code"})
            continue
        m = IMAGE_LINE.fullmatch(line)
        if m and linked_file(Path(directory), m.group(2)) is not None:
            start({"kind": "image", "path": m.group(2), "alt": m.group(1)})
            continue
        if not out or out[-1]["kind"] != "text":
            start({"kind": "text"})
        lines[-1].append(line)
    shown = []
    for block, block_lines in zip(out, lines):
        if block["kind"] != "image":
            block["text"] = "\n".join(block_lines)
            if block["kind"] == "text" and not block["text"].strip():
                continue
        shown.append(block)
    return shown
