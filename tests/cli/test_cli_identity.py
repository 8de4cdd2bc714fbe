"""Entries told apart by their ids on the command line: a copied entry, a shared name, an import of a sweep."""

from __future__ import annotations

import json
import re

from jupyter_expjournal.core.journal import Journal


def ids(run) -> list[str]:
    return [e.id for e in Journal(run.dir).entries()]


def test_hypothesis_prints_the_id_it_gave_and_a_result_takes_it(run):
    code, out, _ = run("hypothesis", "svc", "--hypothesis", "h", "--baseline", "acc = 0.5")
    (made,) = ids(run)
    assert code == 0 and "logged PLANNED 'svc' (" in out and f", id {made}) in " in out
    assert re.fullmatch(r"[0-9a-f]{8}", made)
    assert run("result", "--name", f"id {made}", "--outcome", "acc = 0.6")[0] == 0  # 'id X', '#X' or 'X'
    assert Journal(run.dir).entries()[0].status == "COMPLETED"


def test_a_name_shared_by_two_open_entries_asks_which_and_writes_nothing(run):
    for _ in range(2):
        assert run("hypothesis", "seed", "--hypothesis", "h", "--baseline", "acc = 0.5", "--parallel")[0] == 0
    first, second = ids(run)
    before = (run.dir / "journal.md").read_bytes()
    code, out, err = run("result", "--name", "seed", "--outcome", "acc = 0.6")
    assert code == 3 and out == "" and f"2 open experiments match 'seed' ('seed' id {first}, 'seed' id {second})" in err
    assert "--name NAME" in err
    assert (run.dir / "journal.md").read_bytes() == before
    assert run("result", "--name", f"#{second}", "--outcome", "acc = 0.6")[0] == 0
    assert [e.status for e in Journal(run.dir).entries()] == ["PLANNED", "COMPLETED"]
    code, _, err = run("result", "--name", second, "--outcome", "again")
    assert code == 2 and f"'seed' id {second} is not open: it is COMPLETED (open: 'seed' id {first})" in err


def test_check_names_a_copied_entry_whose_id_is_another_entrys(run):
    run("hypothesis", "original", "--hypothesis", "h", "--change", "lr 1 → 2", "--baseline", "acc = 0.5")
    (made,) = ids(run)
    path = run.dir / "journal.md"
    text = path.read_text(encoding="utf-8")
    entry = text[text.index("### ") :]
    path.write_text(text + "\n" + entry.replace("— original", "— copy as a template"), encoding="utf-8")
    code, out, _ = run("check")
    assert code == 1
    assert f"has the id {made} of 'original'" in out and "copy as a template" in out
    assert run("hypothesis", "third", "--hypothesis", "h", "--baseline", "acc = 0.5", "--parallel")[0] == 0
    assert len(set(ids(run))) == 2  # the new one has its own id


def test_an_import_adds_the_entry_of_a_sweep_that_shares_a_heading(run, tmp_path):
    for _ in range(2):
        run("hypothesis", "seed", "--hypothesis", "h", "--baseline", "acc = 0.5", "--parallel")
    assert run("export", "--format", "json", "--output", str(tmp_path / "all.json"))[0] == 0
    doc = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    copy = tmp_path / "copy"
    one = {**doc, "entries": doc["entries"][:1]}
    (tmp_path / "one.json").write_text(json.dumps(one), encoding="utf-8")
    assert run("--dir", str(copy), "import", str(tmp_path / "one.json"))[0] == 0
    code, out, _ = run("--dir", str(copy), "import", str(tmp_path / "all.json"))
    assert code == 0 and "imported 1 entry" in out  # the other of the two, not skipped for its heading
    assert [e.id for e in Journal(copy).entries()] == ids(run)
