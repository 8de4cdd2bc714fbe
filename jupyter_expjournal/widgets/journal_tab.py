"""The Journal tab: the entries, newest first and open ones on top, a filter, details on demand.

A journal of thousands of entries stays quick: the filter matches the core's
search text of each entry (:func:`~jupyter_expjournal.core.export.search_text`,
the same text the sidebar searches), built once per parse; one page of rows is
drawn at a time; rows are kept built across refreshes and filters, and an
entry's details (its fields and figures) are built when first opened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from html import escape
from pathlib import Path

import ipywidgets as W

import jupyter_expjournal.render as render

from ..core.compare import matches, search_text
from ..core.config import render_config
from ..core.model import Entry
from ..core.notices import NEW_HYPOTHESIS
from ..core.outcome import IMAGE_FILE_TYPES, linked_file
from .common import NO_MATH, WRAP, badge, close_tree, inert, left, plain, wide
from .words import WORDS

#: Entries rendered at once; "show more" adds as many again.
PAGE = 50
#: Entry rows kept built (expanded details included) across refreshes and filters.
ROW_CACHE = 300
#: The least width of an entry's name in its row: narrower, the time and the button go under it.
NAME_WIDTH = "10em"
#: Images larger than this are linked by name, not shown.
MAX_IMAGE_BYTES = 5_000_000
#: Shown as written, in a fixed-width font.
MONO = {"config", "actual"}
#: Fields the details table shows under their own label; any other field follows, as named in the file.
KNOWN = {
    "status", "hypothesis", "change", "config", "expected outcome", "expected", "baseline",
    "actual outcome", "delta", "duration", "learning", "next",
}  # fmt: skip


def image_format(mime: str) -> str:
    """What ``ipywidgets.Image`` calls an image type: ``image/svg+xml`` -> ``svg+xml``."""
    return mime.partition("/")[2]


def row_key(entry: Entry, directory: Path) -> tuple:
    """What makes a built row reusable: the same entry, with the same fields, in the same folder."""
    return (str(directory), entry.index, entry.heading, tuple(entry.fields.items()))


def name_html(name: str) -> str:
    """An entry's name in its row: whole, wrapping at word boundaries (anywhere in a word longer than the row).

    Wrapping, not an ellipsis: a text that cannot wrap is as wide as the HTML widget's
    content, which does not shrink, so the row's time and button were pushed out of the panel.
    """
    return f"<span class='{NO_MATH}' style='display:block;{WRAP};font-weight:bold'>{inert(name)}</span>"


class EntryRow:
    """One entry in the list: status badge, name, time; details built when first opened.

    The row wraps: in a narrow panel the time and the button go under the name, at the right,
    and the name keeps at least :data:`NAME_WIDTH` (the sidebar's rule: never a character a line).
    """

    def __init__(self, entry: Entry, directory: Path) -> None:
        self.entry = entry
        self.directory = directory
        self.badge = W.HTML(badge(entry.status), layout=W.Layout(width="7.5em", flex="0 0 auto"))
        self.name = W.HTML(
            name_html(entry.name),
            layout=W.Layout(flex=f"1 1 {NAME_WIDTH}", width="auto", min_width=f"min({NAME_WIDTH}, 100%)", overflow="hidden"),
        )
        self.name.add_class("expjournal-name")
        self.time = W.HTML(
            f"<span class='{NO_MATH}' style='white-space:nowrap'>{inert(entry.timestamp)}</span>",
            layout=W.Layout(flex="0 0 auto", width="auto"),
        )
        self.toggle = W.ToggleButton(
            value=False,
            description="details",
            icon="chevron-down",
            tooltip=f"details of '{entry.name}'",
            layout=W.Layout(width="90px", flex="0 0 auto"),
        )
        # the time and the button go together: at the right of the name, or under it at the right
        when = W.HBox(
            [self.time, self.toggle], layout=W.Layout(flex="0 0 auto", width="auto", margin="0 0 0 auto", align_items="center")
        )
        self.header = W.HBox([self.badge, self.name, when], layout=wide(align_items="center", flex_flow="row wrap"))
        self.details = W.VBox([], layout=wide(display="none", padding="0 0 .4em 1em"))
        self.widget = W.VBox([self.header, self.details], layout=wide(border_bottom="1px solid #ddd"))
        self.widget.add_class("expjournal-entry")  # a hook for UI tests and user CSS, no styling shipped
        self.toggle.observe(self._toggled, "value")

    def _toggled(self, change) -> None:
        if change["new"] and not self.details.children:
            self.details.children = self._build_details()
        self.details.layout.display = "flex" if change["new"] else "none"
        self.toggle.icon = "chevron-up" if change["new"] else "chevron-down"

    def _build_details(self) -> list[W.Widget]:
        e = self.entry
        rows = [
            ("name", e.name),
            ("hypothesis", e.hypothesis),
            ("change", e.change),
            ("config", render_config(e.config) if e.config else e.get("Config")),
            ("expected", e.expected),
            ("baseline", e.baseline),
            ("actual", e.actual),
            ("delta", e.delta),
            ("duration", e.duration),
            ("learning", e.learning),
            ("next", e.next),
            *((k, v) for k, v in e.fields.items() if k.strip().casefold() not in KNOWN),
        ]
        table = "".join(
            f"<tr><th style='text-align:left;vertical-align:top;font-weight:normal;opacity:.7;padding-right:1em'>"
            f"{escape(label)}</th><td style='text-align:left;{WRAP}{';font-family:monospace' if label in MONO else ''}'>"
            f"{inert(value)}</td></tr>"
            for label, value in rows
            if value.strip()
        )
        table = f"<table class='{NO_MATH}' style='width:100%;table-layout:auto'>{table}</table>"
        return [W.HTML(table, layout=wide()), *self._images()]

    def _images(self) -> list[W.Widget]:
        out = []
        for link in self.entry.images:
            # The core's rules: only image types a face may attach, only files of the
            # experiments folder (a hand-edited link must not make the panel read any file).
            mime = IMAGE_FILE_TYPES.get(Path(link).suffix.lower())
            path = linked_file(self.directory, link)
            if mime is None or path is None:
                continue
            try:
                if path.stat().st_size > MAX_IMAGE_BYTES:
                    out.append(W.HTML(plain(f"{link} (too large to show here)")))
                    continue
                data = path.read_bytes()
            except OSError:
                out.append(W.HTML(plain(f"{link} (missing)")))
                continue
            out.append(W.Image(value=data, format=image_format(mime), layout=W.Layout(max_width="100%", width="auto")))
        return out


class JournalTab:
    """The entry list with its filter, one page at a time.

    ``lock`` is the panel's: typing in the filter redraws while the poll thread may refresh.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._entries: list[Entry] | None = None  # the parse shown, to notice a new one
        self._index: list[tuple[Entry, str]] = []  # (entry, search text), in display order
        self._directory = Path()
        self._limit = PAGE
        #: Built rows by :func:`row_key`, least recently shown first.
        self.rows: OrderedDict[tuple, EntryRow] = OrderedDict()
        #: The entries listed now (filter and "show more" applied), and their rows.
        self.shown_entries: list[Entry] = []
        self.shown_rows: list[EntryRow] = []

        self.filter = W.Text(
            placeholder="filter: any words, in any field (name, outcome, metric, status…)", layout=wide()
        )
        self.count = W.Label("", layout=wide())  # cut with an ellipsis in a narrow panel, never out of it
        self.entries_box = W.VBox([], layout=wide())
        self.more = W.Button(description="show more", layout=left(display="none"))
        self.filter.observe(self._filtered, "value")
        self.more.on_click(self._show_more)
        self.widget = W.VBox([self.filter, self.count, self.entries_box, self.more], layout=wide())

    def show(self, entries: list[Entry], directory: Path) -> None:
        """List a journal's entries; nothing is redrawn when the parse is the one shown."""
        if entries is self._entries and directory == self._directory:
            return
        self._entries, self._directory = entries, directory
        ordered = [e for e in reversed(entries) if e.is_open] + [e for e in reversed(entries) if not e.is_open]
        self._index = [(e, search_text(e)) for e in ordered]
        self.render()

    def render(self) -> None:
        """Draw the page of entries the filter and "show more" select, reusing built rows."""
        query = self.filter.value
        found = [e for e, text in self._index if matches(text, query)] if query.strip() else [e for e, _ in self._index]
        shown = found[: self._limit]
        rows = []
        for entry in shown:
            key = row_key(entry, self._directory)
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = EntryRow(entry, self._directory)
            self.rows.move_to_end(key)
            rows.append(row)
        self.entries_box.children = [r.widget for r in rows]
        self.shown_entries, self.shown_rows = shown, rows
        self._forget_old_rows({id(r) for r in rows})
        self._count(len(found), len(shown), bool(query.strip()))

    def _forget_old_rows(self, in_use: set[int]) -> None:
        while len(self.rows) > max(ROW_CACHE, len(in_use)):
            key, row = next(iter(self.rows.items()))
            if id(row) in in_use:  # pragma: no cover - the oldest are never the ones just used
                break
            del self.rows[key]
            close_tree(row.widget)

    def _count(self, found: int, shown: int, filtered: bool) -> None:
        total = len(self._index)
        showing = f"; showing {shown}" if shown < found else ""
        if not total:
            self.count.value = f"No entries yet: {WORDS[NEW_HYPOTHESIS]}."
        elif filtered:
            self.count.value = f"{found} of {render.entries_count(total)} {'matches' if found == 1 else 'match'}{showing}"
        else:
            self.count.value = f"{render.entries_count(total)}, newest first, open ones on top{showing}"
        rest = found - shown
        self.more.description = f"show {min(PAGE, rest)} more ({rest} not shown)"
        self.more.layout.display = None if rest > 0 else "none"

    def _filtered(self, _change) -> None:
        with self._lock:
            self._limit = PAGE
            self.render()

    def _show_more(self, _button=None) -> None:
        with self._lock:
            self._limit += PAGE
            self.render()

    def close(self) -> None:
        """Close every row kept built (those not shown are in no widget tree)."""
        for row in self.rows.values():
            close_tree(row.widget)
        self.rows.clear()
