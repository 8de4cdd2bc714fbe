"""The gates' index: extended after each write, it must equal the index built from scratch."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_expjournal.core.index import Index, index_of
from jupyter_expjournal.core.journal_format import extend_journal, parse_journal, render_entry, splice_result

STATUSES = ["PLANNED", "COMPLETED", "ABANDONED", "COMPLETED (rerun)", ""]
CHANGES = ["lr 1e-3 → 1e-4", "depth 2 → 3", "", "lr 1e-3 → 1e-4"]
STAMPS = ["2026-01-01 10:00", "2026-02-01 09:30", "2026-03-01", "2026-13-99 25:00"]


def entry_text(i: int, status: str, change: str, stamp: str) -> str:
    fields = [("Status", status), ("Hypothesis", f"h{i}"), ("Change", change)]
    return render_entry(stamp, f"run {i}", fields) + "\n"


def facts(index: Index) -> tuple:
    return (
        [id(e) for e in index.open],
        {sig: [id(e) for e in entries] for sig, entries in index.by_signature.items()},
        index.completed,
        index.undated,
    )


write = st.tuples(
    st.sampled_from(["append", "complete"]),
    st.sampled_from(STATUSES),
    st.sampled_from(CHANGES),
    st.sampled_from(STAMPS),
)


@settings(max_examples=60, deadline=None)
@given(start=st.lists(write, max_size=6), writes=st.lists(write, min_size=1, max_size=8))
def test_an_index_carried_over_writes_equals_one_built_afresh(start, writes):
    text = "# Experiment journal\n\n" + "".join(entry_text(i, s, c, t) for i, (_, s, c, t) in enumerate(start))
    entries = parse_journal(text)
    index_of(entries)
    for n, (kind, status, change, stamp) in enumerate(writes):
        open_ = [e for e in entries if e.is_open]
        if kind == "complete" and open_:
            target = open_[0]
            text = splice_result(text, target, "COMPLETED", [("Actual outcome", "accuracy = 0.9")])
            entries = extend_journal(entries, text, keep=target.index)
        else:
            text += entry_text(100 + n, status, change, stamp)
            entries = extend_journal(entries, text)
        carried = index_of(entries)
        assert facts(carried) == facts(Index(entries))
        since = sorted(carried.completed)[len(carried.completed) // 2] if carried.completed else None
        assert carried.completed_since(since) == Index(entries).completed_since(since)


def test_a_list_parsed_afresh_gets_its_own_index():
    text = entry_text(0, "PLANNED", "lr 1 → 2", STAMPS[0])
    first = parse_journal(text)
    assert index_of(first).open == first
    again = parse_journal(text.replace("PLANNED", "COMPLETED"))  # a hand edit read back: new objects
    assert index_of(again).open == []
    assert index_of(again).completed_since(None) == 1
