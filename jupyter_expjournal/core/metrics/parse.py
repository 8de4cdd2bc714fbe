"""Read metric values from free text and from Python values.

Two kinds of text come in.  *Cell output* (log lines, dict and JSON reprs) is
read by :func:`parse_metrics`, which only trusts an explicit ``name =`` /
``name:``.  *Hand-written fields* (Baseline, Expected outcome) are split into
tokens by :func:`tokenize`, because they come in several word orders; the
expectation grammar built on those tokens lives in
:mod:`~jupyter_expjournal.core.metrics.expectations`, and :func:`loose_values`
and :func:`lone_number` read the forms :func:`compare` also accepts there.
Values a cell *returned* are read by :func:`metrics_from_value`.

Design decisions:

* **Precision over recall.**  Training logs are full of numbers that are not
  metrics (timestamps, versions, IP addresses, dates, step counters, device
  ids).  A value is only taken when it follows an explicit ``name =`` /
  ``name:`` (or a quoted dict/JSON key), and only when the number is a whole
  token: ``12:30``, ``v1.2.3``, ``2026-11-25``, ``192.168.0.1``, ``1,000``,
  ``3s`` and ``0x1F`` yield nothing.  Extra harmless matches (``epoch: 3``,
  ``step=100``) are kept; :func:`compare` only looks at metrics the user named.
* **The last occurrence wins**, because logs print one line per epoch and the
  final value is the result.
* **Percentages are fractions**: ``acc=81%`` is 0.81 and ``acc +2%`` is a
  change of +0.02 (percentage *points*, not a relative change), since metrics
  such as accuracy are conventionally stored as fractions.
* **Names** are identifiers in which ``.``, ``-``, ``/`` and ``@`` may join
  parts (``eval/acc``, ``val-loss``, ``f1.macro``, ``top-1``, ``acc@5``); a
  quoted dict/JSON key may be any short single-line string.  Case is kept as
  written; :func:`compare` matches names case-insensitively but otherwise
  exactly (``acc`` never matches ``accuracy``).
"""

from __future__ import annotations

import ast
import functools
import json
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal

# --------------------------------------------------------------------------
# Regular-expression building blocks
# --------------------------------------------------------------------------

# A metric name: an identifier, optionally followed by parts joined with
# . - / @.  A part must contain a letter/underscore, or be all digits and not
# run into ".<digit>" -- so "top-1" and "acc@5" are names, while in "loss-0.1"
# the name stops at "loss" (leaving "-0.1" to be read as a signed number) and
# "v1.2.3" never becomes a name with a value.
_NAME = (
    r"[^\W\d]\w*"
    r"(?:[./@\-](?:(?=[0-9]*[^\W\d])\w+|[0-9]+(?!\w)(?!\.[0-9])))*"
)
# An unquoted name must start a token: not inside a word ("myacc" is not
# "acc"), not after "." or "@", and not after "x-" / "x/" (a later part of a
# compound word).  "--lr" still yields "lr".
_NAME_START = r"(?<![\w.@])(?<!\w[-/])"
# A quoted dict/JSON key.  The opening quote must not follow a letter (so the
# apostrophe in "model's" does not open a key) and the key may not start or
# end with whitespace.
_QUOTED = (
    r"(?<!\w)(?P<q>['\"])"
    r"(?P<qname>[^\s'\"\\](?:[^'\"\\\n\r]{0,98}[^\s'\"\\])?)"
    r"(?P=q)(?!\w)"
)
_NUM_BODY = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+\-]?[0-9]+)?"
# A number must end its token: "0.5" in "0.5.1", "12" in "12:30", "2026" in
# "2026-11-25", "1" in "1,000", "3" in "3s" and "5" in "5/10" are all rejected.
# A sentence-ending "." and a "," before the next "name=" are fine.
_NUM_END = r"(?![\w@/])(?![.:\-][\w])(?!,[0-9])"
_SIGN = "+\\-\u2212"  # includes the typographic minus sign

_METRIC_RE = re.compile(
    "(?:" + _QUOTED + "|" + _NAME_START + "(?P<name>" + _NAME + "))"
    # "=" or ":" but not "==", ":=", "::" (and ">=" never gets here because
    # only blanks may sit between the name and the separator).
    r"[ \t]*(?:=(?!=)|:(?![:=]))[ \t]*"
    # Reprs of scalar wrappers, e.g. numpy 2's {'acc': np.float64(0.97)} or
    # torch's tensor(0.9700, device='cuda:0').
    r"(?:(?P<wrap>(?:np|numpy)\.(?:float|int|uint)[0-9]*|(?:torch\.)?tensor)"
    r"\([ \t]*)?"
    "(?P<value>[" + _SIGN + "]?(?:" + _NUM_BODY + r"|(?i:nan|inf(?:inity)?)))"
    "(?(wrap)" + _NUM_END + r"(?=[ \t]*[,)])"
    r"|(?:(?P<pct>[ \t]?%)(?!\w)|" + _NUM_END + "))"
)

# Tokeniser for the hand-written Expected outcome / Baseline fields.
_TOKEN_RE = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)"
    "|" + _QUOTED
    + "|" + _NAME_START + "(?P<name>" + _NAME + ")"
    # A sign may follow a letter ("acc+0.02") but not a digit or "." (that
    # would be arithmetic or part of a date); an unsigned number must start
    # its own token and not continue "12:" / "2026-" / "1.".
    + "|(?P<num>(?:(?<![0-9.])(?P<sign>[" + _SIGN + "])"
    r"|(?<![\w.])(?<![0-9][-/:.]))"
    "(?P<body>" + _NUM_BODY + ")"
    r"(?:(?P<unit>[ \t]?(?:%|pp))(?!\w)|" + _NUM_END + "))"
    r"|(?P<op>>=|<=|==|~=|[\u2265\u2264\u2248]|[><=:~])"
    r"|(?P<other>.)",
    re.DOTALL,
)

#: Operators after which a number is a target ("acc >= 0.96"), even a signed one.
COMPARISON_OPS = frozenset({">=", "<=", ">", "<", "\u2265", "\u2264"})

# Words that sit next to numbers in prose but are never the metric meant:
# "expect +0.02 acc" is about acc, not about a metric called "expect".
_STOPWORDS = frozenset(
    """
    a about above achieve after again all also an and approx approximately
    are around as at baseline be because been before below between but by
    can change could decrease delta down drop due each estimate expect
    expectation expected expecting expects for from gain get give goal
    guess hope hopefully hypothesis i if improve improved improvement
    improves in increase into is it least like likely maybe may might minus
    more most much my no not note of on only or our outcome over overall
    perhaps plus prediction probably rather reach reduce reduction result
    results roughly see should since so some than that the then there this
    to target total under up versus vs want was we were which while will
    with within without would
    """.split()
)


# --------------------------------------------------------------------------
# Cell output
# --------------------------------------------------------------------------


def parse_metrics(text: str) -> dict[str, float]:
    """Extract ``name -> value`` pairs from captured cell output.

    Parameters
    ----------
    text : str
        Anything a cell printed or displayed: log lines (``loss = 0.31``,
        ``acc: 97.3%``, Keras' ``- loss: 0.29 - accuracy: 0.91``), dict or
        JSON reprs (``{'accuracy': 0.97, "f1": 0.95}``), numpy/torch scalar
        reprs (``np.float64(0.97)``, ``tensor(0.97)``).

    Returns
    -------
    dict of str to float
        Names as written (case kept).  When a name occurs several times the
        last value wins (a training log's final epoch is the result); keys
        keep the position of their first occurrence.  ``nan``/``inf`` are
        returned as ``float('nan')`` / ``float('inf')``.

    Notes
    -----
    When the whole text is a JSON object or a Python literal dict/list, it is
    parsed as such and flattened with :func:`metrics_from_value`, so nested
    keys come out qualified (``val.acc``).  Otherwise the text is scanned
    line-agnostically and nested keys appear under their own leaf name.

    Only numbers that are whole tokens after an explicit ``=``/``:`` are
    taken; see the module docstring for what is deliberately ignored.
    ``epoch: 3`` is returned as metric ``epoch``; ``epoch 3: loss = 0.5``
    gives only ``loss``.  Never raises.

    Examples
    --------
    >>> parse_metrics("epoch 1: loss = 0.9\\nepoch 2: loss = 0.5, acc=81%")
    {'loss': 0.5, 'acc': 0.81}
    """
    if not isinstance(text, str) or not text:
        return {}
    literal = _parse_literal(text)
    if literal:
        return literal
    found: dict[str, float] = {}
    scan_lines(text, found)
    return found


def scan_lines(text: str, found: dict[str, float], limit: int | None = None) -> None:
    """Add the ``name = value`` pairs of *text* to *found*, the last value winning.

    Why apart from :func:`parse_metrics`: it is the line scan alone, without
    the whole-text literal path, so :class:`~.stream.MetricStream` reads text
    that passes in pieces by the very same rules.  No match spans a line
    break (``\n`` or ``\r``), so scanning whole lines piece by piece finds what
    one scan of the whole text finds.  With *limit*, names beyond the first
    *limit* in *found* are not added (existing ones still update).
    """
    for match in _METRIC_RE.finditer(text):
        name = match.group("qname") or match.group("name")
        start, end = match.span()
        if (
            match.group("name")
            and start > 0
            and text[start - 1] in "'\""
            and text[end : end + 1] == text[start - 1]
        ):
            # A whole string literal such as device='cuda:0' is a value, not
            # a metric line.
            continue
        value = float(match.group("value").replace("\u2212", "-"))
        if match.group("pct"):
            value /= 100.0
        if limit is not None and name not in found and len(found) >= limit:
            continue
        found[name] = value


_parse_metrics_uncached = parse_metrics


@functools.lru_cache(maxsize=512)
def _parse_metrics_cached(text: str) -> tuple[tuple[str, float], ...]:
    return tuple(_parse_metrics_uncached(text).items())


def parse_metrics(text: str) -> dict[str, float]:  # noqa: F811  (the same, memoised)
    # A review parses each entry's outcome and the shared baselines several times over:
    # remember recent short texts (long ones are cell outputs seen once, not worth keeping).
    if not isinstance(text, str) or len(text) > 16_384:
        return _parse_metrics_uncached(text)
    return dict(_parse_metrics_cached(text))


parse_metrics.__doc__ = _parse_metrics_uncached.__doc__


def _parse_literal(text: str) -> dict[str, float]:
    """Flatten *text* if it is exactly one JSON/Python dict or list literal.

    Why: a cell that displays a nested result dict deserves qualified names
    (``val.acc``) rather than the regex scan's leaf names.  Anything that is
    not a single clean literal returns ``{}`` and falls back to the scan.
    """
    stripped = text.strip()
    if len(stripped) > 1_000_000 or not (
        (stripped.startswith("{") and stripped.endswith("}"))
        or (stripped.startswith("[") and stripped.endswith("]"))
    ):
        return {}
    for loader in (json.loads, ast.literal_eval):
        try:
            value = loader(stripped)
        except Exception:  # noqa: BLE001 - any failure means "not a literal"
            continue
        return metrics_from_value(value)
    return {}


# --------------------------------------------------------------------------
# Hand-written fields: tokens
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One token of a hand-written field, as :func:`tokenize` returns it."""

    kind: str  # "name", "num", "op" or "break"
    text: str
    value: float = 0.0
    signed: bool = False
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    """Split free text into names, numbers, operators and breaks.

    Why a tokeniser rather than one regex: expectations come in several
    word orders ("acc +0.02", "+0.02 acc") and deciding which name a signed
    number belongs to needs its neighbours, with prose words skipped.
    Blanks are dropped; every other unrecognised character (comma, newline,
    bracket, ...) becomes a "break" so that only adjacent tokens pair up.
    """
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        if m.group("qname") is not None:
            tokens.append(Token("name", m.group("qname"), quoted=True))
        elif m.group("name") is not None:
            tokens.append(Token("name", m.group("name")))
        elif m.group("num") is not None:
            value = float(m.group("body"))
            if m.group("unit"):
                value /= 100.0
            sign = m.group("sign")
            if sign and sign != "+":
                value = -value
            tokens.append(Token("num", m.group("num"), value, signed=bool(sign)))
        elif m.group("op") is not None:
            tokens.append(Token("op", m.group("op")))
        else:
            tokens.append(Token("break", m.group()))
    return tokens


def is_metric_word(token: Token | None) -> bool:
    """Whether *token* can name a metric (a name that is not a prose word)."""
    return (
        token is not None
        and token.kind == "name"
        and (token.quoted or token.text.lower() not in _STOPWORDS)
    )


def loose_values(text: str) -> dict[str, float]:
    """``name number`` pairs without ``=``/``:`` (e.g. Baseline "acc 0.95").

    Why separate from :func:`parse_metrics`: in a log "epoch 3" is not a
    metric, but in a Baseline field "accuracy 0.95" clearly is.  :func:`compare`
    uses these only for metrics that also have an expectation.
    """
    tokens = tokenize(text or "")
    out: dict[str, float] = {}
    for prev, tok in zip(tokens, tokens[1:]):
        if tok.kind == "num" and is_metric_word(prev):
            out[prev.text] = tok.value
    return out


def lone_number(text: str, *, signed_or_op: bool) -> tuple[float, str | None] | None:
    """The single number in *text*, if it has exactly one.

    Why: a Baseline of just "0.95" or an Expected outcome of just "+0.01" is
    unambiguous when only one metric is in play.  With ``signed_or_op`` only
    signed numbers or numbers after an operator count (an Expected outcome
    "within 3 epochs" must not become a target of 3).  Returns the value and
    the preceding operator (None if there is none).
    """
    tokens = tokenize(text or "")
    nums = [i for i, t in enumerate(tokens) if t.kind == "num"]
    if len(nums) != 1:
        return None
    i = nums[0]
    op = tokens[i - 1].text if i > 0 and tokens[i - 1].kind == "op" else None
    if signed_or_op and not tokens[i].signed and op not in COMPARISON_OPS:
        return None
    return tokens[i].value, op


# --------------------------------------------------------------------------
# Python values
# --------------------------------------------------------------------------


def as_number(value) -> float | None:
    """*value* as a float if it is a real number (bools excluded), else None.

    Why duck-typed: numpy/torch scalars must work without importing them.
    """
    if isinstance(value, bool) or type(value).__name__ in {"bool_", "bool"}:
        return None
    if isinstance(value, (str, bytes, bytearray, Mapping, list, tuple)):
        return None
    try:
        if isinstance(value, numbers.Real):
            try:
                return float(value)
            except OverflowError:  # int too large for a float
                return math.inf if value > 0 else -math.inf
        if isinstance(value, numbers.Complex):
            return None
        if isinstance(value, Decimal) or (
            getattr(value, "ndim", None) == 0 and hasattr(value, "__float__")
        ):
            return float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    return None


def metrics_from_value(value) -> dict[str, float]:
    """Metrics from a Python object a cell returned.

    Parameters
    ----------
    value : object
        Typically a dict of metric name to number.  Nested mappings are
        flattened with "." (``{"val": {"acc": 0.9}}`` -> ``val.acc``);
        dataclasses and named tuples are treated like mappings of their
        fields.  A list/tuple is read in order with the last value winning,
        so a Keras ``history.history`` (``{"loss": [0.9, 0.5]}``) gives the
        final epoch and a list of per-epoch dicts merges into the last one.

    Returns
    -------
    dict of str to float
        Bools, strings, ``None`` and other non-numbers are ignored (a bool is
        a flag, not a metric); numpy/torch scalars and ``Decimal`` are
        accepted.  Non-string keys are converted with ``str``.  Never raises.
    """
    out: dict[str, float] = {}
    _flatten(value, "", out, 0, set())
    return out


def _flatten(value, prefix: str, out: dict[str, float], depth: int, active: set[int]) -> None:
    if depth > 50:
        return
    number = as_number(value)
    if number is not None:
        if prefix:
            out[prefix] = number
        return
    if isinstance(value, Mapping):
        items_of = lambda v: list(v.items())  # noqa: E731
    elif isinstance(value, tuple) and hasattr(type(value), "_fields"):
        items_of = lambda v: list(zip(type(v)._fields, v))  # noqa: E731
    elif is_dataclass(value) and not isinstance(value, type):
        items_of = lambda v: [(f.name, getattr(v, f.name)) for f in fields(v)]  # noqa: E731
    elif isinstance(value, (list, tuple)):
        items_of = None
    else:
        return
    if id(value) in active:  # self-referencing containers
        return
    active.add(id(value))
    try:
        if items_of is None:
            for item in list(value):
                _flatten(item, prefix, out, depth + 1, active)
        else:
            for key, item in items_of(value):
                key = key if isinstance(key, str) else str(key)
                _flatten(item, f"{prefix}.{key}" if prefix else key, out, depth + 1, active)
    except Exception:  # noqa: BLE001 - exotic mappings must not break a journal
        pass
    finally:
        active.discard(id(value))
