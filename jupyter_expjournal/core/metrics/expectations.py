"""Read what the user expected from the hand-written Expected outcome field.

"expect acc +0.02 because the augmentation helps; loss <= 0.3" becomes one
:class:`Expectation` per metric: a *change* from the baseline (a signed number)
and/or a *target* value (a number after ``=``, ``:`` or a comparison
operator).  The text is read as tokens (:func:`.parse.tokenize`) rather than
with one regular expression, because expectations come in several word orders
and a signed number belongs to whichever neighbouring word can name a metric.

A percentage is a change in percentage *points*: ``acc +2%`` expects +0.02, not
a 2 % relative gain (see :mod:`.parse` for why percentages are fractions).
"""

from __future__ import annotations

from dataclasses import dataclass

from .parse import COMPARISON_OPS, Token, is_metric_word, tokenize


@dataclass(frozen=True)
class Expectation:
    """What the user expected one metric to do.

    Parameters
    ----------
    metric : str
        Metric name as the user wrote it.
    delta : float or None
        Expected change from the baseline ("accuracy +0.01", "loss -0.1";
        "accuracy +2%" is stored as 0.02).
    target : float or None
        Expected value ("accuracy = 0.96", "accuracy >= 0.96").

    Notes
    -----
    Both may be set when the user wrote both ("acc +0.01, acc >= 0.96");
    :func:`compare` then measures the change against ``delta`` when there is
    a baseline and falls back to ``target`` when there is not.
    """

    metric: str
    delta: float | None = None
    target: float | None = None


def _merge(out: dict[str, Expectation], name: str, delta=None, target=None) -> None:
    old = out.get(name)
    if old is not None:
        delta = old.delta if delta is None else delta
        target = old.target if target is None else target
    out[name] = Expectation(name, delta=delta, target=target)


def parse_expected(text: str) -> dict[str, Expectation]:
    """Extract expectations from the hand-written Expected outcome field.

    Parameters
    ----------
    text : str
        Free text such as "expect acc +0.02 because the augmentation helps;
        loss -0.1".

    Returns
    -------
    dict of str to Expectation
        Keyed by the metric name as written.  A metric mentioned twice keeps
        the latest delta and the latest target (so "acc +0.01 and acc >= 0.96"
        sets both).

    Notes
    -----
    Recognised forms (``%`` and ``pp`` mean percentage points, /100):

    * change: ``acc +0.02``, ``acc+2%``, ``loss -0.1``, ``+0.02 acc``,
      ``acc: +0.02``, ``acc = -0.1`` -- a *sign is required*, an explicit sign
      after ``=``/``:`` means a change;
    * target: ``acc = 0.96``, ``acc: 96%``, ``acc == 0.96``, ``acc ~ 0.96``,
      ``acc >= 0.96``, ``acc ≥ 0.96``, ``acc > 0.96`` (and ``<=``, ``≤``,
      ``<``); after a comparison operator a signed number is still a target
      (``log_lik >= -0.5``).

    Several may be separated by commas, semicolons, "and" or newlines, and
    prose around them is ignored.  When a signed number has a candidate name
    on both sides the one before it wins ("acc +0.02 loss -0.1"), except that
    common English words ("expect", "about", "because", ...) never name a
    metric, so "expect +0.02 acc" is about ``acc``.  An unsigned number
    without an operator ("acc 0.96", "within 3 epochs") is ignored: it is too
    often not an expectation.  Never raises.

    Examples
    --------
    >>> parse_expected("accuracy +2%, loss <= 0.3")
    {'accuracy': Expectation(metric='accuracy', delta=0.02, target=None), \
'loss': Expectation(metric='loss', delta=None, target=0.3)}
    """
    if not isinstance(text, str) or not text:
        return {}
    tokens = tokenize(text)
    used = [False] * len(tokens)
    # (position of the number token, name, "delta" or "target", value)
    found: list[tuple[int, str, str, float]] = []

    def at(i: int) -> Token | None:
        return tokens[i] if 0 <= i < len(tokens) and not used[i] else None

    # Pass 1: "name <op> number" -- the operator makes these unambiguous.
    for i in range(len(tokens) - 2):
        name, op, num = at(i), at(i + 1), at(i + 2)
        if not (is_metric_word(name) and op and op.kind == "op" and num and num.kind == "num"):
            continue
        kind = "target" if op.text in COMPARISON_OPS or not num.signed else "delta"
        found.append((i + 2, name.text, kind, num.value))
        used[i] = used[i + 1] = used[i + 2] = True

    # Pass 2: a signed number next to a name, preferring the name before it.
    for i, num in enumerate(tokens):
        if used[i] or num.kind != "num" or not num.signed:
            continue
        for j in (i - 1, i + 1):
            if is_metric_word(at(j)):
                found.append((i, tokens[j].text, "delta", num.value))
                used[i] = used[j] = True
                break

    out: dict[str, Expectation] = {}
    for _, name, kind, value in sorted(found, key=lambda item: item[0]):
        _merge(out, name, **{kind: value})
    return out
