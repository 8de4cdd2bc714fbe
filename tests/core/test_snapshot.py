"""A snapshot in pieces answers as the joined text and bytes would."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_expjournal.core import snapshot
from jupyter_expjournal.core.snapshot import Snapshot

pieces = st.lists(st.text(alphabet=st.sampled_from("a—\r\n🙂 "), max_size=12), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(parts=pieces, start=st.integers(0, 120), flip=st.integers(0, 200))
def test_a_snapshot_in_pieces_is_its_joined_text(parts, start, flip):
    whole = "".join(parts)
    snap = Snapshot(parts[0].encode(), parts[0], None)
    for part in parts[1:]:
        snap = snap.appended(part.encode(), part, None)
    data = whole.encode()
    assert snap.length == len(whole) and snap.size == len(data)
    assert snap.tail(start) == whole[start:]
    assert snap.matches(data) and not snap.starts(data) and snap.starts(data + b"x")
    if data:  # any one byte changed, at any place in any piece, is seen
        i = flip % len(data)
        changed = data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]
        assert not snap.matches(changed) and not snap.starts(changed + b"x")
    assert snap.text == whole and snap.data == data


def test_a_large_snapshot_samples_both_ends_and_joins_its_pieces_in_time():
    head = "a\r\n" * snapshot.SAMPLE
    snap = Snapshot(head.encode(), head, None)
    for _ in range(snapshot.MAX_PIECES + 1):
        snap = snap.appended(b"b\n", "b\n", None)
    sample = snap.sample()
    assert len(sample) == 2 * snapshot.SAMPLE and sample.startswith("a\r\n") and sample.endswith("b\n")
    assert snap.pieces <= snapshot.MAX_PIECES  # joined before the pieces grow without bound


@settings(max_examples=200, deadline=None)
@given(parts=pieces, cut=st.tuples(st.integers(0, 100), st.integers(0, 100)), piece=st.text(max_size=8),
       window=st.tuples(st.integers(0, 120), st.integers(0, 120)))
def test_a_spliced_snapshot_reads_as_the_spliced_text(parts, cut, piece, window):
    snap = Snapshot(parts[0].encode(), parts[0], None)
    for part in parts[1:]:
        snap = snap.appended(part.encode(), part, None)
    whole = "".join(parts)
    lo, hi = sorted(min(c, len(whole)) for c in cut)
    expected = whole[:lo] + piece + whole[hi:]
    spliced = snap.spliced(lo, hi, piece, expected.encode())
    a, b = sorted(window)
    assert spliced.length == len(expected) and spliced.slice(a, b) == expected[a:b]
    assert spliced.tail(a) == expected[a:] and spliced.text == expected
    assert spliced.matches(expected.encode())
