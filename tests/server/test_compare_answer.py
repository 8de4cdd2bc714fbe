"""GET journal carries the compare table's data the core makes (core/compare.py via core/export.py)."""

from jupyter_expjournal.core import export
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome


async def test_the_journal_answer_has_each_entrys_compare_row_and_the_columns(api, root):
    journal = Journal(root / "experiments")
    for name, output in (("C 10", "accuracy = 0.97\nloss = 0.3"), ("C 100", "loss = 0.2"), ("nan", "loss = nan")):
        journal.hypothesize(parse_body(name, "h\nchange: C 1 → 10\nexpected: loss -0.1\nbaseline: loss = 0.4"), force=True)
        journal.complete(Outcome(output=output))
    code, data, response = await api("journal", params={"path": ""})
    assert code == 200
    # the same bytes the core's export would write for each entry and for the columns
    assert [e["compare"] for e in data["entries"]] == [export.entry(e)["compare"] for e in journal.entries()]
    assert data["entries"][0]["compare"]["delta"] == {"loss": -0.1}
    assert data["entries"][2]["compare"]["metrics"] == {"loss": None}  # NaN: JSON has no such number
    assert b"NaN" not in response.body
    assert data["metric_names"] == ["loss", "accuracy"]
    assert data["metric_higher_is_better"] == {"loss": False, "accuracy": True}
    assert data["search_keys"] == list(export.SEARCH_KEYS)
    assert "loss=0.2" in data["entries"][1]["search_terms"]
    journal.hypothesize(parse_body("later", "h\nchange: C 1 → 2"), force=True)  # an append: kept parts used again
    code, again, _ = await api("journal", params={"path": ""})
    assert again["metric_names"] == ["loss", "accuracy"] and again["entries"][:3] == data["entries"]
