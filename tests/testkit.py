"""Helpers every test folder shares (the fixtures are in conftest.py beside this file).

Importable as ``testkit`` from any test: pytest puts this folder on the path
for its conftest.py.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG (grey pixels), built without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def tree(folder: str | os.PathLike) -> dict[str, bytes | str | None]:
    """Everything under ``folder``: a file's bytes, a link's target, None for a folder (lock files aside).

    "Nothing was written" is ``tree(folder) == before``; a folder that does not exist is ``{}``.
    """
    out: dict[str, bytes | str | None] = {}
    if not Path(folder).exists():
        return out
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + dirnames:
            path = os.path.join(dirpath, name)
            if name.endswith(".lock"):
                continue
            key = Path(os.path.relpath(path, folder)).as_posix()
            if os.path.islink(path):
                out[key] = os.readlink(path)
            else:
                out[key] = None if os.path.isdir(path) else open(path, "rb").read()
    return out
