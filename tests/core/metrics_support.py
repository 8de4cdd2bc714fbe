"""What the metrics tests share: the Delta of a baseline, an expectation and measured values,
and the strategies for metric names and values."""

from hypothesis import strategies as st

from jupyter_expjournal.core.metrics import compare, format_delta


def fd(baseline, expected, actual):
    return format_delta(compare(baseline, expected, actual))


segment = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
names = st.builds(
    lambda first, rest: first + "".join(sep + seg for sep, seg in rest),
    segment,
    st.lists(st.tuples(st.sampled_from(".-/"), segment), max_size=3),
)
finite = st.floats(allow_nan=False, allow_infinity=False)
