"""Figures under ``experiments/assets/``: saved before the journal names them, removed only if it never does.

A result's images are written first, then the journal entry that links them,
so a crash leaves at worst a file nobody links, never a link to nothing. A
failed or interrupted write removes its files unless the journal names them
after all (the interrupt came after the commit). A new file never takes a
name some entry links to, even when that file has gone missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import JournalError
from .lock import DirLock
from .model import Entry
from .outcome import IMAGE_EXTENSION
from .store import TextFile


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "entry"


class Assets:
    """The assets folder of one experiments folder, written under its lock."""

    def __init__(self, folder: Path, lock: DirLock, journal_file: TextFile) -> None:
        self.folder = Path(folder)
        self.lock = lock
        self.journal_file = journal_file

    def save(self, entry: Entry, images: list[tuple[str, bytes | str]]) -> list[Path]:
        """Write ``images`` (mime, data) as files named for ``entry``; the paths, in order."""
        if not images:
            return []
        saved: list[Path] = []
        stem = f"{re.sub(r'[^0-9]', '', entry.timestamp)[:12]}-{slug(entry.name)}"
        linked = self.journal_file.read_bytes()  # a name an entry links to is taken, even when its file is gone
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for mime, data in images:
                ext = IMAGE_EXTENSION.get(mime)
                if ext is None:
                    continue
                k = 1
                while (path := self.folder / f"{stem}-{k}.{ext}").exists() or f"assets/{path.name}".encode() in linked:
                    k += 1
                raw = data.encode("utf-8") if isinstance(data, str) else data
                TextFile(path, self.lock).replace_bytes(raw)
                saved.append(path)
        except BaseException:
            remove(saved)
            raise
        return saved

    def remove_unnamed(self, paths: list[Path]) -> None:
        """Remove figures of a write that failed, unless the journal names them (it was interrupted after the commit)."""
        if not paths:
            return
        try:
            text = self.journal_file.read()
        except JournalError:
            return  # cannot tell: keeping a stray file beats losing a figure
        remove([p for p in paths if f"assets/{p.name}" not in text])


def remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass
