"""core/unchanged.py: the proof that a file still holds a cached snapshot's bytes, with and without a writer."""

from __future__ import annotations

import os

import pytest

from jupyter_expjournal.core import lease, unchanged
from jupyter_expjournal.core.snapshot import Snapshot

BIG = b"".join(b"### 2026-01-01 00:00 \xe2\x80\x94 run %d\n**Status**: PLANNED\n\n" % i for i in range(20_000))


def snapshot_in_pieces(data: bytes) -> Snapshot:
    """A snapshot as appends leave it: the bytes in several pieces."""
    third = len(data) // 3
    first = Snapshot(data[:third], data[:third].decode())
    second = first.appended(data[third : 2 * third], data[third : 2 * third].decode(), None)
    return second.appended(data[2 * third :], data[2 * third :].decode(), None)


@pytest.fixture(params=["no writer", "the file open for writing"])
def way(request, tmp_path):
    """Each test runs both ways: with no writer, and while another descriptor has the file open for
    writing (as an editor saving in place has it)."""
    path = tmp_path / "journal.md"
    path.write_bytes(BIG)
    writer = None
    if request.param != "no writer":
        writer = os.open(path, os.O_WRONLY | os.O_APPEND)
        fd = os.open(path, os.O_RDONLY)
        try:
            assert lease.hold(fd) in (False, None)
        finally:
            os.close(fd)
    yield path
    if writer is not None:
        os.close(writer)


def test_the_same_bytes_hold_in_one_piece_and_in_pieces(way):
    assert unchanged.holds(way, Snapshot(BIG, BIG.decode()))
    assert unchanged.holds(way, snapshot_in_pieces(BIG))


@pytest.mark.parametrize("at", [0, len(BIG) // 2, len(BIG) - 1])
def test_one_byte_changed_in_place_at_the_same_size_does_not_hold(way, at):
    with open(way, "r+b") as fh:
        fh.seek(at)
        fh.write(b"X" if BIG[at : at + 1] != b"X" else b"Y")
    assert not unchanged.holds(way, snapshot_in_pieces(BIG))


def test_a_longer_or_shorter_file_does_not_hold(way):
    snap = Snapshot(BIG, BIG.decode())
    with open(way, "ab") as fh:
        fh.write(b"\n")
    assert not unchanged.holds(way, snap)
    os.truncate(way, len(BIG) - 1)
    assert not unchanged.holds(way, snap)


def test_a_missing_file_does_not_hold(tmp_path):
    assert not unchanged.holds(tmp_path / "gone.md", Snapshot(b"x", "x"))
