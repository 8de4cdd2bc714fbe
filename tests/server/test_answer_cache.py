"""The answer of GET journal kept between server processes is never trusted over the files.

A real Jupyter server (pytest-jupyter) answers the journal; "an earlier server
process" is the same code (``Answers``) run here before the server's first
request, with its answer kept on disk. The truth is the answer built with the
cache turned off (``EXPJOURNAL_CACHE=0``): whatever the server sends must be
byte for byte that, after the kept answer was made, after an in-place edit
that keeps size and mtime, after an append, a link changed, or the kept file
damaged; and an unwritable cache folder never fails a request.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest

import jupyter_expjournal.core.export as export
from jupyter_expjournal.core import parse_cache
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.store import PERSIST_FROM
from jupyter_expjournal.server import answer_cache
from jupyter_expjournal.server.answers import SHAPE_VERSION, Answers, etag

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import journals  # noqa: E402  (benchmarks/journals.py: realistic entries, written by the core's own renderer)

OPEN = ("\n### 2026-12-01 10:00 — open one\n**Status**: PLANNED\n**Hypothesis**: h\n"
        "**Notes**: ![a](assets/ok.png) ![b](../../etc/hostname)\n")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """This test's own cache folder, the cache on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("EXPJOURNAL_CACHE", "1")
    return tmp_path / "cache" / "jupyter_expjournal"


@pytest.fixture
def folder(root, cache):
    """A journal large enough to be kept (400 entries), and an open entry with an image of its own and one not."""
    folder = journals.write(root / "experiments", 400)
    (folder / "assets").mkdir()
    (folder / "assets" / "ok.png").write_bytes(b"png")
    with open(folder / "journal.md", "a", encoding="utf-8") as fh:
        fh.write(OPEN)
    assert (folder / "journal.md").stat().st_size > PERSIST_FROM
    return Path(os.path.realpath(folder))


@pytest.fixture
def exported(monkeypatch):
    """The names of the entries the core's export.entry is asked for (the real function answers)."""
    names: list[str] = []
    entry = export.entry

    def counted(e):
        names.append(e.name)
        return entry(e)

    monkeypatch.setattr(export, "entry", counted)
    return names


def build(folder: Path) -> bytes:
    """The answer as a server process that keeps nothing builds it: the truth.

    The cache's thread is waited for first: it reads EXPJOURNAL_CACHE too, and a
    save still running while this turns the cache off would keep nothing.
    """
    answer_cache.wait()
    before = os.environ.get("EXPJOURNAL_CACHE")
    os.environ["EXPJOURNAL_CACHE"] = "0"
    try:
        journal = Journal(folder)
        return Answers().answer(journal, "experiments", etag(journal), nullcontext())
    finally:
        os.environ["EXPJOURNAL_CACHE"] = before


def keep(folder: Path) -> bytes:
    """What an earlier server process did: build the answer, and keep it on disk."""
    journal = Journal(folder)
    answer = Answers().answer(journal, "experiments", etag(journal), nullcontext())
    answer_cache.wait()
    assert answer_cache.file_for(folder).is_file()
    return answer


def kept_now(folder: Path) -> bytes | None:
    journal = Journal(folder)
    return answer_cache.load(answer_cache.Source.read(journal, "experiments", SHAPE_VERSION))


async def get(api) -> bytes:
    code, data, response = await api("journal", params={"path": ""})
    assert code == 200, data
    return response.body


async def test_the_first_get_ever_builds_and_keeps_what_building_gives(api, folder, cache):
    truth = build(folder)
    assert not cache.exists()
    assert await get(api) == truth
    answer_cache.wait()
    assert kept_now(folder) == truth
    assert json.loads(truth)["open"][0]["images"] == ["assets/ok.png"]


async def test_a_fresh_server_sends_the_kept_answer_byte_for_byte(api, folder, exported):
    truth = build(folder)
    assert keep(folder) == truth
    exported.clear()
    assert await get(api) == truth
    assert exported == [], "the kept answer is sent as it is: no entry is exported again"


@pytest.mark.parametrize("name, old, new", [
    ("journal.md", "depth here (run 7)", "DEPTH here (run 7)"),
    ("lessons.md", "depth matters more than rate", "DEPTH matters more than rate"),
])
async def test_an_in_place_edit_that_keeps_size_and_mtime_is_not_sent_from_the_kept_answer(api, folder, name, old, new):
    stale = keep(folder)
    path = folder / name
    before = path.stat()
    data = path.read_bytes()
    assert data.count(old.encode()) == 1
    with open(path, "r+b") as fh:  # in place, as `rsync --inplace` or an editor's save does
        fh.write(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)

    body = await get(api)
    assert body != stale and new.encode() in body
    assert body == build(folder)
    answer_cache.wait()
    assert kept_now(folder) == body  # the kept answer was replaced by the new one


@pytest.mark.parametrize("first", ["the append", "the kept answer was sent"])
async def test_after_an_append_a_fresh_server_exports_only_the_new_entries(api, folder, exported, first):
    keep(folder)
    if first == "the kept answer was sent":
        await get(api)  # sent as kept; the server then reads the journal and recalls each entry's JSON
        answer_cache.wait()
    with open(folder / "journal.md", "a", encoding="utf-8") as fh:
        fh.write("\n" + journals.entry(401))
    truth = build(folder)
    exported.clear()
    body = await get(api)
    # the new entry and the one before it (an append may continue it): the others' JSON was kept
    assert 1 <= len(exported) <= 3, exported[:5]
    assert body == truth


async def test_a_link_that_now_leads_outside_is_not_sent_from_the_kept_answer(api, folder, tmp_path):
    assert json.loads(keep(folder))["open"][0]["images"] == ["assets/ok.png"]
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"not the journal's")
    (folder / "assets" / "ok.png").unlink()
    (folder / "assets" / "ok.png").symlink_to(outside)  # journal.md and lessons.md are unchanged

    body = await get(api)
    assert json.loads(body)["open"][0]["images"] == []
    assert body == build(folder)


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(b"not a kept answer at all")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # one byte changed, in the answer or in the entries' index
        at = len(data) // 2 if how == "a byte of the answer" else len(data) - 40
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :])


@pytest.mark.parametrize("how", ["empty", "garbage", "truncated", "a byte of the answer", "a byte of the index"])
async def test_a_damaged_kept_file_is_only_a_miss(api, folder, how):
    keep(folder)
    with open(folder / "journal.md", "a", encoding="utf-8") as fh:  # the index is used for the entries' JSON
        fh.write("\n" + journals.entry(401))
    damage(answer_cache.file_for(folder), how)
    assert await get(api) == build(folder)


@pytest.mark.parametrize("how", ["empty", "garbage", "truncated", "a byte of the answer"])
async def test_a_damaged_answer_for_unchanged_files_is_not_sent(api, folder, how):
    keep(folder)
    damage(answer_cache.file_for(folder), how)
    assert await get(api) == build(folder)


async def test_a_cache_folder_that_cannot_be_written_never_fails_the_request(api, folder, tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert await get(api) == build(folder)
    answer_cache.wait()
    assert blocked.read_text() == "x"


async def test_nothing_is_kept_with_the_cache_off(api, folder, cache, monkeypatch):
    monkeypatch.setenv("EXPJOURNAL_CACHE", "0")
    assert await get(api) == build(folder)
    answer_cache.wait()
    assert not cache.exists()


def test_one_file_per_folder_and_the_cache_folder_stays_bounded(folder, cache):
    keep(folder)
    with open(folder / "journal.md", "a", encoding="utf-8") as fh:
        fh.write("\n" + journals.entry(401))
    others = []
    for i in range(parse_cache.KEEP + 3):  # other journals' files, used longer ago
        other = cache / f"other{i:02d}{answer_cache.SUFFIX}"
        other.write_bytes(b"x")
        os.utime(other, (1_000_000 + i, 1_000_000 + i))
        others.append(other)
    assert keep(folder) == build(folder)
    assert len(list(cache.iterdir())) == parse_cache.KEEP
    assert answer_cache.file_for(folder).is_file() and len(list(cache.glob(f"*{answer_cache.SUFFIX}"))) <= parse_cache.KEEP
    assert not others[0].exists() and others[-1].exists()  # the oldest went first
    assert not list(cache.glob("*.tmp"))
