"""The watch's own rules (core/watch.py): what keeps a proof, what ends it, and what it gives back."""

from __future__ import annotations

import gc
import os

import pytest

from jupyter_expjournal.core.snapshot import Snapshot
from jupyter_expjournal.core.watch import Watch


def watched(tmp_path, data: bytes = b"# Journal\n" * 100):
    path = tmp_path / "journal.md"
    path.write_bytes(data)
    watch = Watch(path)
    snapshot = Snapshot(data, data.decode())
    watch.prove(watch.begin(), snapshot)
    return path, watch, snapshot


def test_a_proof_holds_while_no_one_writes_and_for_copies_with_another_parse(tmp_path):
    path, watch, snapshot = watched(tmp_path)
    assert watch.quiet(snapshot) and watch.quiet(snapshot)
    assert watch.quiet(snapshot.with_value("another parse"))
    assert not watch.quiet(Snapshot(path.read_bytes(), path.read_text()))  # equal bytes, but not proven ones


def test_readers_keep_the_proof_a_writer_ends_it(tmp_path):
    path, watch, snapshot = watched(tmp_path)
    with open(path, "rb") as reader:
        reader.read()
        assert watch.quiet(snapshot)
    with open(path, "r+b"):  # opened for writing, nothing written yet: still open, so not proven
        assert not watch.quiet(snapshot)
    assert not watch.quiet(snapshot)  # and a proof once ended stays ended


def test_a_write_of_the_same_bytes_ends_the_proof(tmp_path):
    path, watch, snapshot = watched(tmp_path)
    with open(path, "r+b") as fh:
        fh.write(b"#")
    assert not watch.quiet(snapshot)


@pytest.mark.parametrize("another_read", [False, True])
def test_a_proof_is_not_given_when_a_change_came_between_begin_and_prove(tmp_path, another_read):
    """Also when another thread's read began meanwhile: it drains the change the first read must still hear of."""
    path = tmp_path / "journal.md"
    path.write_bytes(b"one\n")
    watch = Watch(path)
    token = watch.begin()
    path.write_bytes(b"two\n")
    if another_read:
        watch.begin()
    snapshot = Snapshot(b"one\n", "one\n")
    watch.prove(token, snapshot)
    assert not watch.quiet(snapshot)


def test_watches_give_their_inotify_instance_back(tmp_path):
    """A user has 128 instances by default, editors and file managers need theirs: a dropped watch frees its own."""
    path = tmp_path / "journal.md"
    path.write_bytes(b"x\n")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(300):
        watch = Watch(path)
        assert watch.begin() is not None
        del watch
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= before
