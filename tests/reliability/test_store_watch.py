"""A large journal is not compared at every magic, yet every change anyone makes to it is seen.

Past 256 kB the store keeps a kernel watch on journal.md (core/watch.py): once
its bytes were compared, or written by the store itself, the next read trusts
the watch instead of comparing 8 MB. Each case here proves the watch first
(through the magics in a real IPython shell: a hypothesis appended, a result
swapped in), then changes the file behind the shell's back in a way stat cannot
see (same size, mtime put back) or through a door the watch must not miss (a
descriptor opened before, a shared mapping, a hard link, a rename over it, a
truncation by path, another process's append), and asks the magics what the
journal holds now.
"""

from __future__ import annotations

import mmap
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_expjournal.core import unchanged
from jupyter_expjournal.core.journal_format import render_entry
from jupyter_expjournal.core.watch import local

from .support import child_env

BODY = "Higher C fits tighter.\nchange: C 1 → 10\nbaseline: accuracy = 0.95\nexpected: accuracy +0.01"


def old_entry(i: int) -> str:
    fields = [
        ("Status", "COMPLETED"),
        ("Hypothesis", f"A learning rate of {i % 7 + 1}e-4 trains the model better (run {i})."),
        ("Baseline", "accuracy = 0.80"),
        ("Actual outcome", f"accuracy = 0.8{i % 10}\nOutput of cell [3]:\n```text\n" + "epoch loss 0.5\n" * 20 + "```"),
        ("Learning", f"noted {i}"),
    ]
    return render_entry(f"2026-01-{i % 28 + 1:02d} 10:00", f"old {i}", fields, "\n")


@pytest.fixture
def big(journal):
    """A journal past the watch's threshold (about 400 kB), with an open entry 'run 1' written by the magics."""
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text("# Journal\n\n" + "\n".join(old_entry(i) for i in range(700)), encoding="utf-8")
    assert journal.journal_path.stat().st_size > 256 * 1024
    return journal


def open_entries(ip, capsys) -> list[str]:
    capsys.readouterr()
    ip.run_line_magic("journal", "")
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("open: ")]


def comparisons(monkeypatch) -> list:
    """Every byte comparison of a cached file the store makes from now on."""
    calls = []
    real = unchanged.holds

    def counted(path, snapshot):
        calls.append(path)
        return real(path, snapshot)

    monkeypatch.setattr(unchanged, "holds", counted)
    return calls


def proven(ip, how: str) -> None:
    """The watch proven by the store's own write: an append ('hypothesis') or a swap ('result')."""
    ip.run_cell_magic("hypothesis", "run 0 --parallel", BODY)  # the first read compares, or parses
    ip.run_cell_magic("hypothesis", "run 1 --parallel", BODY)  # an append: claimed
    if how == "result":
        ip.run_cell("print('accuracy = 0.97')")
        ip.run_line_magic("result", "--name run 0")  # a swap: claimed


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change bytes where they are, same size, and put mtime back: stat sees nothing."""
    assert len(old) == len(new)
    before = os.stat(path)
    data = path.read_bytes()
    at = data.rindex(old)
    with open(path, "r+b") as fh:
        fh.seek(at)
        fh.write(new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_the_folder_of_these_tests_is_one_the_watch_trusts(tmp_path):
    assert local(tmp_path)
    assert not local("/proc/self/status")  # a file system whose changes are not all seen: compared instead


@pytest.mark.parametrize("how", ["hypothesis", "result"])
def test_once_proven_the_next_magic_compares_nothing(ip, big, monkeypatch, how):
    proven(ip, how)
    calls = comparisons(monkeypatch)
    ip.run_cell_magic("hypothesis", "run 2 --parallel", BODY)
    assert calls == []
    assert "### " in big.journal_path.read_text(encoding="utf-8").rsplit("run 2", 1)[0][-40:]


@pytest.mark.parametrize("how", ["hypothesis", "result"])
def test_an_in_place_edit_that_keeps_size_and_mtime_is_seen(ip, big, capsys, how):
    proven(ip, how)
    edit_in_place(big.journal_path, b"run 1\n", b"RUN 1\n")
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")
    ip.run_cell_magic("hypothesis", "run 2 --parallel", BODY)
    text = big.journal_path.read_text(encoding="utf-8")
    assert "RUN 1\n" in text and "run 1\n" not in text and text.count("### ") == 703


def test_a_writer_that_opened_the_file_before_the_proof_is_seen(ip, big, capsys):
    with open(big.journal_path, "r+b") as held:  # an editor keeping its descriptor open all along
        proven(ip, "hypothesis")  # appends: the file stays the one the descriptor names
        data = big.journal_path.read_bytes()
        held.seek(data.rindex(b"run 1\n"))
        held.write(b"RUN 1\n")
        held.flush()
        assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")


@pytest.mark.parametrize("unmapped", [False, True])
def test_a_write_through_a_shared_mapping_is_seen(ip, big, capsys, unmapped):
    proven(ip, "hypothesis")
    fd = os.open(big.journal_path, os.O_RDWR)
    mapping = mmap.mmap(fd, 0)
    os.close(fd)  # the mapping keeps the file open for writing; writes through it make no event
    at = mapping.rfind(b"run 1\n")
    mapping[at : at + 6] = b"RUN 1\n"
    if unmapped:
        mapping.close()
    try:
        assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")
        assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")
    finally:
        if not unmapped:
            mapping.close()
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")


def test_a_write_through_a_hard_link_is_seen(ip, big, capsys, tmp_path):
    proven(ip, "hypothesis")
    other = tmp_path / "linked.md"
    os.link(big.journal_path, other)
    edit_in_place(other, b"run 1\n", b"RUN 1\n")
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")


def test_a_file_renamed_over_it_with_the_same_size_and_mtime_is_seen(ip, big, capsys):
    proven(ip, "result")
    path = big.journal_path
    new = path.with_name("journal.md.new")
    new.write_bytes(path.read_bytes())
    os.utime(new, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    edit_in_place(new, b"run 1\n", b"RUN 1\n")
    os.replace(new, path)
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")


def test_a_truncation_by_path_and_the_same_size_written_back_is_seen(ip, big, capsys):
    proven(ip, "hypothesis")
    path = big.journal_path
    before = os.stat(path)
    data = path.read_bytes()
    at = data.rindex(b"run 1\n")
    os.truncate(path, at)  # no descriptor opened: a modification all the same
    with open(path, "ab") as fh:
        fh.write(b"RUN 1\n" + data[at + 6 :])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")


def test_another_process_appending_is_seen(ip, big, capsys):
    proven(ip, "result")
    done = subprocess.run(
        [sys.executable, "-m", "jupyter_expjournal.cli.main", "--dir", str(big.directory), "hypothesis", "from cli",
         "--hypothesis", "h", "--baseline", "acc = 0.5", "--parallel"],
        env=child_env(), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [line.split("'")[1] for line in open_entries(ip, capsys)] == ["run 1", "from cli"]
    ip.run_cell_magic("hypothesis", "run 2 --parallel", BODY)
    text = big.journal_path.read_text(encoding="utf-8")
    assert text.count("### ") == 704 and text.index("from cli") < text.index("run 2\n")


def test_a_forked_child_reading_the_journal_leaves_the_parents_watch_to_the_parent(ip, big, capsys):
    """A child forked after the proof (multiprocessing's default here) shares the watch's descriptor: it must not
    read it, or the parent would never hear of the child's own edit."""
    proven(ip, "hypothesis")
    journal = ip._expjournal.session.journal()
    pid = os.fork()
    if pid == 0:  # the child: edit, then read through the inherited store (as a worker calling the core would)
        try:
            edit_in_place(big.journal_path, b"run 1\n", b"RUN 1\n")
            code = 0 if [e.name for e in journal.open_entries()][-1] == "RUN 1" else 3
        except BaseException:
            code = 4
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert open_entries(ip, capsys)[-1].startswith("open: 'RUN 1'")


def test_an_editor_saving_in_place_while_the_magics_append_and_complete_keeps_every_word(ip, big):
    """The claims under load: an editor saves the large journal in place every 60 ms (read, truncate, write,
    adding a note) while the shell appends hypotheses (claimed under a write lease) and swaps results in
    (claimed through the new file): every note and every entry is there at the end."""
    from .test_store_truth import EDITOR

    # A save of this 400 kB file every 60 ms (the editor of test_store_truth saves a small one every 30 ms): busier
    # than any person, yet leaving a result (read, temp file fsynced, compare, rename) room to land between saves.
    editor_code = EDITOR.replace("time.sleep(0.03)", "time.sleep(0.06)")
    assert editor_code != EDITOR
    proven(ip, "result")
    editor = subprocess.Popen([sys.executable, "-c", editor_code, str(big.journal_path), "40"], env=child_env())
    try:
        for n in range(2, 22):
            ip.run_cell_magic("hypothesis", f"run {n} --parallel", BODY)
            ip.run_cell(f"print('accuracy = 0.9{n}')")
            ip.run_line_magic("result", f"--name run {n}")
    finally:
        editor.wait(timeout=120)
    text = big.journal_path.read_text(encoding="utf-8")
    missing = [n for n in range(40) if f"note {n}\n" not in text]
    assert not missing, f"the editor's saves lost: notes {missing[:10]}"
    names = [line.rsplit("— ", 1)[-1] for line in text.splitlines() if line.startswith("### ")]
    assert names[700:] == [f"run {n}" for n in range(22)]
    assert text.count("**Status**: COMPLETED") == 700 + 21
