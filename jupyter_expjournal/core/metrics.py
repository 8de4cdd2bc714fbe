"""Read metric values and expectations from free text, and say how a run did.

A journal entry keeps three human-facing pieces of text about one metric or
more: the *Baseline* ("accuracy = 0.95"), the *Expected outcome* ("accuracy
+0.01") and, once the cell has run, the *actual* outcome taken from whatever
the cell printed or returned.  This module turns those into numbers and writes
the entry's ``Delta`` field ("accuracy +0.02 vs expected +0.01: better than
expected").

It is part of the pure core: standard library only, no I/O, deterministic, and
no function here raises on odd input -- cell output is arbitrary text, and a
journal must never lose an entry because a regular expression disliked it.

Design decisions (the ones a reader would otherwise have to reverse-engineer):

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
* **NaN** actual values get no verdict: "worse than expected" would claim a
  comparison that did not happen.  ``format_delta`` writes "not a number".
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

__all__ = [
    "Expectation",
    "MetricDelta",
    "compare",
    "format_change",
    "format_delta",
    "format_number",
    "is_lower_better",
    "metrics_from_value",
    "parse_expected",
    "parse_metrics",
]

BETTER = "better than expected"
AS_EXPECTED = "as expected"
WORSE = "worse than expected"

#: Relative tolerance for "as expected": a change within 10 % of the expected
#: change counts as hitting it.
RELATIVE_TOLERANCE = 0.1
#: Absolute slack added to every tolerance so that float noise (and an
#: expected change of exactly 0) behaves predictably.
ABSOLUTE_TOLERANCE = 1e-12


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
    r"(?P<qname>[^\s'\"\\](?:[^'\"\\\n]{0,98}[^\s'\"\\])?)"
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

_COMPARISON_OPS = frozenset({">=", "<=", ">", "<", "\u2265", "\u2264"})

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

# Metric names (or name parts) for which a lower value is better.
_LOWER_IS_BETTER = frozenset(
    {
        "loss", "losses", "error", "errors", "err", "mse", "rmse", "mae",
        "mape", "nll", "perplexity", "ppl", "latency", "time", "runtime",
        "duration", "wer", "cer",
    }
)
_LOWER_IS_BETTER_SUFFIXES = ("loss", "error", "time", "latency")


# --------------------------------------------------------------------------
# Data types
# --------------------------------------------------------------------------


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


@dataclass(frozen=True)
class MetricDelta:
    """How one metric of a run compares with its baseline and expectation.

    Parameters
    ----------
    metric : str
        Metric name, spelled as in the expectation, else the baseline, else
        the actual output (the user's own vocabulary reads best in the entry).
    baseline : float or None
        Baseline value, if the Baseline field named one.
    actual : float
        Value the run produced.
    change : float or None
        ``actual - baseline`` (float noise removed), or None without baseline.
    expected_change : float or None
        ``Expectation.delta``, or ``target - baseline``; None if neither is
        known.
    verdict : str or None
        "better than expected", "as expected", "worse than expected", or None
        when there is nothing to judge against or the actual value is NaN.
    target : float or None
        ``Expectation.target``.  An addition to the brief's field list:
        without it a target-only comparison ("accuracy 0.97 vs target 0.96")
        could not be written.  It has a default, so positional construction
        with the six documented fields still works.
    """

    metric: str
    baseline: float | None
    actual: float
    change: float | None
    expected_change: float | None
    verdict: str | None
    target: float | None = None


# --------------------------------------------------------------------------
# Parsing
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
        found[name] = value
    return found


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


@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "num", "op" or "break"
    text: str
    value: float = 0.0
    signed: bool = False
    quoted: bool = False


def _tokenize(text: str) -> list[_Token]:
    """Split free text into names, numbers, operators and breaks.

    Why a tokeniser rather than one regex: expectations come in several
    word orders ("acc +0.02", "+0.02 acc") and deciding which name a signed
    number belongs to needs its neighbours, with prose words skipped.
    Blanks are dropped; every other unrecognised character (comma, newline,
    bracket, ...) becomes a "break" so that only adjacent tokens pair up.
    """
    tokens: list[_Token] = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        if m.group("qname") is not None:
            tokens.append(_Token("name", m.group("qname"), quoted=True))
        elif m.group("name") is not None:
            tokens.append(_Token("name", m.group("name")))
        elif m.group("num") is not None:
            value = float(m.group("body"))
            if m.group("unit"):
                value /= 100.0
            sign = m.group("sign")
            if sign and sign != "+":
                value = -value
            tokens.append(_Token("num", m.group("num"), value, signed=bool(sign)))
        elif m.group("op") is not None:
            tokens.append(_Token("op", m.group("op")))
        else:
            tokens.append(_Token("break", m.group()))
    return tokens


def _is_metric_word(token: _Token | None) -> bool:
    """Whether *token* can name a metric (a name that is not a prose word)."""
    return (
        token is not None
        and token.kind == "name"
        and (token.quoted or token.text.lower() not in _STOPWORDS)
    )


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
    tokens = _tokenize(text)
    used = [False] * len(tokens)
    # (position of the number token, name, "delta" or "target", value)
    found: list[tuple[int, str, str, float]] = []

    def at(i: int) -> _Token | None:
        return tokens[i] if 0 <= i < len(tokens) and not used[i] else None

    # Pass 1: "name <op> number" -- the operator makes these unambiguous.
    for i in range(len(tokens) - 2):
        name, op, num = at(i), at(i + 1), at(i + 2)
        if not (_is_metric_word(name) and op and op.kind == "op" and num and num.kind == "num"):
            continue
        kind = "target" if op.text in _COMPARISON_OPS or not num.signed else "delta"
        found.append((i + 2, name.text, kind, num.value))
        used[i] = used[i + 1] = used[i + 2] = True

    # Pass 2: a signed number next to a name, preferring the name before it.
    for i, num in enumerate(tokens):
        if used[i] or num.kind != "num" or not num.signed:
            continue
        for j in (i - 1, i + 1):
            if _is_metric_word(at(j)):
                found.append((i, tokens[j].text, "delta", num.value))
                used[i] = used[j] = True
                break

    out: dict[str, Expectation] = {}
    for _, name, kind, value in sorted(found, key=lambda item: item[0]):
        _merge(out, name, **{kind: value})
    return out


def _loose_values(text: str) -> dict[str, float]:
    """``name number`` pairs without ``=``/``:`` (e.g. Baseline "acc 0.95").

    Why separate from :func:`parse_metrics`: in a log "epoch 3" is not a
    metric, but in a Baseline field "accuracy 0.95" clearly is.  :func:`compare`
    uses these only for metrics that also have an expectation.
    """
    tokens = _tokenize(text or "")
    out: dict[str, float] = {}
    for prev, tok in zip(tokens, tokens[1:]):
        if tok.kind == "num" and _is_metric_word(prev):
            out[prev.text] = tok.value
    return out


def _lone_number(text: str, *, signed_or_op: bool) -> tuple[float, str | None] | None:
    """The single number in *text*, if it has exactly one.

    Why: a Baseline of just "0.95" or an Expected outcome of just "+0.01" is
    unambiguous when only one metric is in play.  With ``signed_or_op`` only
    signed numbers or numbers after an operator count (an Expected outcome
    "within 3 epochs" must not become a target of 3).  Returns the value and
    the preceding operator (None if there is none).
    """
    tokens = _tokenize(text or "")
    nums = [i for i, t in enumerate(tokens) if t.kind == "num"]
    if len(nums) != 1:
        return None
    i = nums[0]
    op = tokens[i - 1].text if i > 0 and tokens[i - 1].kind == "op" else None
    if signed_or_op and not tokens[i].signed and op not in _COMPARISON_OPS:
        return None
    return tokens[i].value, op


# --------------------------------------------------------------------------
# Python values
# --------------------------------------------------------------------------


def _as_number(value) -> float | None:
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
    number = _as_number(value)
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


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # a review asks once per effect, for a handful of names
def is_lower_better(name: str) -> bool:
    """Guess from a metric's name whether lower values are better.

    Why: with no sign in the expectation ("acc +0", or only a target) the
    name is the only hint.  The name is split at non-alphanumerics (so
    ``val_loss``, ``eval/err`` and ``test-wer`` match); parts ending in
    loss/error/time/latency also count (``logloss``, ``runtime``).  A ``neg``
    part flips the answer, as in scikit-learn's ``neg_mean_squared_error``.
    """
    parts = [p for p in re.split(r"[^a-z0-9]+", name.lower()) if p]
    lower = any(
        p in _LOWER_IS_BETTER or p.endswith(_LOWER_IS_BETTER_SUFFIXES) for p in parts
    )
    return lower != ("neg" in parts)


def _sub(a: float, b: float) -> float:
    """``a - b`` with float noise removed (0.97 - 0.95 gives 0.02, not 0.0200..18).

    Why: the difference is shown to users and compared against tolerances;
    digits beyond ~12 significant digits of the operands are noise.
    """
    d = a - b
    if not math.isfinite(d):
        return d
    scale = max(abs(a), abs(b))
    if scale == 0:
        return d
    return round(d, 12 - math.floor(math.log10(scale)))


def _judge(change: float, expected: float, lower_better: bool) -> str | None:
    if math.isnan(change) or math.isnan(expected):
        return None
    if expected > 0:
        direction = 1
    elif expected < 0:
        direction = -1
    else:
        direction = -1 if lower_better else 1
    diff = change - expected
    if math.isnan(diff):  # inf - inf
        return None
    tolerance = RELATIVE_TOLERANCE * abs(expected) + ABSOLUTE_TOLERANCE
    if abs(diff) <= tolerance:
        return AS_EXPECTED
    return BETTER if diff * direction > 0 else WORSE


def _target_tolerance(target: float) -> float:
    """Half a unit in the last decimal place the target was written with.

    Why: without a baseline there is no expected change to take 10 % of.
    "accuracy = 0.96" is stated to two decimals, so any actual value that
    rounds to 0.96 (0.955..0.965) met it.  Capped at 10 % of the target so a
    one-digit target ("1e-05", "0.9") does not become absurdly loose.
    """
    if target == 0 or not math.isfinite(target):
        return 0.0
    exponent = Decimal(f"{target:.12g}").as_tuple().exponent
    half_unit = 0.5 * 10.0**exponent
    return min(half_unit, RELATIVE_TOLERANCE * abs(target))


def _judge_target(actual: float, target: float, lower_better: bool) -> str | None:
    if math.isnan(actual) or math.isnan(target):
        return None
    diff = _sub(actual, target)
    if math.isnan(diff):
        return None
    if abs(diff) <= _target_tolerance(target) + ABSOLUTE_TOLERANCE:
        return AS_EXPECTED
    return BETTER if (diff < 0) == lower_better else WORSE


def _by_lower(items) -> dict[str, tuple[str, object]]:
    out: dict[str, tuple[str, object]] = {}
    for name, value in items:
        out[name.lower()] = (name, value)
    return out


def compare(
    baseline_text: str, expected_text: str, actual: dict[str, float]
) -> list[MetricDelta]:
    """Compare a run's metrics with the entry's Baseline and Expected outcome.

    Parameters
    ----------
    baseline_text : str
        The Baseline field, read with :func:`parse_metrics`; "acc 0.95"
        (no ``=``) is also accepted for metrics that have an expectation.
    expected_text : str
        The Expected outcome field, read with :func:`parse_expected`.
    actual : dict of str to float
        The run's metrics (from :func:`parse_metrics` or
        :func:`metrics_from_value`).

    Returns
    -------
    list of MetricDelta
        One per metric present in *actual* and in the baseline or the
        expectation, ordered as the expectations, then the baseline, name
        it.  Names match case-insensitively but otherwise exactly.

    Notes
    -----
    Verdicts:

    * With a baseline and an expected change (``delta``, or ``target -
      baseline``): the sign of the expected change gives the direction
      (negative: lower is better, as for a loss); an expected change of 0
      falls back to :func:`is_lower_better`.  Within 10 % of the expected
      change (1e-12 when it is 0) is "as expected"; beyond it, in the good
      direction, "better than expected", else "worse than expected".  Note
      the sign rule also applies to a tolerated drop: "acc -0.01" makes lower
      accuracy count as better.
    * With a target and no baseline: the actual value is compared with the
      target, direction from :func:`is_lower_better`; "as expected" when the
      actual value equals the target at the precision it was written with
      (within half a unit of its last decimal, at most 10 % of the target).
    * Without any expectation, or with only a delta and no baseline: None.
    * NaN actual (or an undefined change such as inf - inf): None, since no
      comparison is possible; infinite values are compared normally (a loss
      of +inf is worse than expected).

    A lone number is attributed when that is unambiguous: a Baseline of just
    "0.95" belongs to the only expected metric (or, with no expectations, to
    the only actual metric), and an Expected outcome of just "+0.01" or
    ">= 0.96" to the only baseline metric (or the only actual metric).
    Never raises.
    """
    actual_by = _by_lower(
        (str(k), v)
        for k, v in (actual.items() if isinstance(actual, Mapping) else ())
        if _as_number(v) is not None
    )
    expectations: dict[str, Expectation] = {}
    for exp in parse_expected(expected_text).values():
        key = exp.metric.lower()
        old = expectations.get(key)
        if old is not None:
            exp = Expectation(
                old.metric,
                exp.delta if exp.delta is not None else old.delta,
                exp.target if exp.target is not None else old.target,
            )
        expectations[key] = exp

    baseline = _by_lower(parse_metrics(baseline_text).items())
    for key, (name, value) in _by_lower(_loose_values(baseline_text).items()).items():
        if key in expectations and key not in baseline:
            baseline[key] = (name, value)

    if not expectations:
        lone = _lone_number(expected_text, signed_or_op=True)
        owner = _single_owner(baseline, actual_by)
        if lone is not None and owner is not None:
            value, op = lone
            if op in _COMPARISON_OPS:
                expectations[owner.lower()] = Expectation(owner, target=value)
            else:
                expectations[owner.lower()] = Expectation(owner, delta=value)
    if not baseline:
        lone = _lone_number(baseline_text, signed_or_op=False)
        owner = _single_owner(
            {k: (e.metric, None) for k, e in expectations.items()}, actual_by
        )
        if lone is not None and owner is not None:
            baseline[owner.lower()] = (owner, lone[0])

    order = list(expectations) + [k for k in baseline if k not in expectations]
    deltas = []
    for key in order:
        if key not in actual_by:
            continue
        exp = expectations.get(key)
        base = baseline.get(key)
        name = exp.metric if exp else base[0] if base else actual_by[key][0]
        deltas.append(
            _metric_delta(
                name,
                float(base[1]) if base else None,
                _as_number(actual_by[key][1]),
                exp,
            )
        )
    return deltas


def _single_owner(named: dict, actual_by: dict) -> str | None:
    """Which metric an unnamed number belongs to, if that is unambiguous."""
    if len(named) == 1:
        return next(iter(named.values()))[0]
    if not named and len(actual_by) == 1:
        return next(iter(actual_by.values()))[0]
    return None


def _metric_delta(
    name: str, baseline: float | None, actual: float, exp: Expectation | None
) -> MetricDelta:
    delta = exp.delta if exp else None
    target = exp.target if exp else None
    change = _sub(actual, baseline) if baseline is not None else None
    if delta is not None:
        expected_change = delta
    elif target is not None and baseline is not None:
        expected_change = _sub(target, baseline)
    else:
        expected_change = None
    lower_better = is_lower_better(name)
    verdict = None
    if math.isnan(actual):
        verdict = None
    elif change is not None and expected_change is not None:
        verdict = _judge(change, expected_change, lower_better)
    elif change is None and target is not None:
        verdict = _judge_target(actual, target, lower_better)
    return MetricDelta(name, baseline, actual, change, expected_change, verdict, target)


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def format_number(x: float) -> str:
    """Format a metric value compactly without lying about it.

    Parameters
    ----------
    x : float

    Returns
    -------
    str
        Float noise is removed first (12 significant digits), so 0.02 stays
        "0.02".  A value that is then short (at most 6 significant digits) is
        shown exactly -- "1234.5", "0.97125", "1e-05" -- because the user
        probably typed it.  Longer values are rounded to 4 significant
        digits, but never losing integer digits ("0.9733", "123457"), with
        exponent notation outside [1e-4, 1e16) like Python's ``repr``.
        Integers lose the ".0"; "nan", "inf" and "-inf" are spelled out;
        -0.0 is "0".

    Examples
    --------
    >>> [format_number(v) for v in (0.97 - 0.95, 0.9733333, 1234.5, 3.0)]
    ['0.02', '0.9733', '1234.5', '3']
    """
    try:
        x = float(x)
    except (TypeError, ValueError, OverflowError):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    y = float(f"{x:.12g}")
    if math.isinf(y):  # rounding pushed a value next to the float maximum over it
        y = x
    text = repr(y)
    if len(Decimal(text).normalize().as_tuple().digits) > 6:
        magnitude = abs(y)
        if 1e-4 <= magnitude < 1e16:
            integer_digits = max(0, math.floor(math.log10(magnitude)) + 1)
            text = f"{y:.{max(4, integer_digits)}g}"
        else:
            text = f"{y:.4g}"
        if math.isinf(float(text)):  # same, for 4 significant digits
            text = repr(y)
    if text.endswith(".0"):
        text = text[:-2]
    return text


def format_change(x: float) -> str:
    """Format a change with an explicit sign: "+0.02", "-0.1", "+0", "nan".

    Why: a change without "+" reads like a value.
    """
    text = format_number(x)
    if text == "nan" or text.startswith("-"):
        return text
    return "+" + text


def format_delta(deltas: list[MetricDelta]) -> str:
    """Write the journal's Delta field from :func:`compare`'s result.

    Parameters
    ----------
    deltas : list of MetricDelta

    Returns
    -------
    str
        One clause per metric, joined with "; " ("" for an empty list):

        * baseline and expectation: "accuracy +0.02 vs expected +0.01:
          better than expected";
        * baseline only: "accuracy +0.02 (0.95 → 0.97)";
        * target only: "accuracy 0.97 vs target 0.96: better than expected";
        * change expected but no baseline: "accuracy 0.97 (expected +0.01,
          no baseline)";
        * NaN actual: "loss nan (baseline 0.5): not a number" (the
          parenthesis lists baseline and/or target when known);
        * NaN baseline: "loss 0.4 (baseline nan)".
    """
    return "; ".join(_format_one(d) for d in deltas)


def _format_one(d: MetricDelta) -> str:
    name = d.metric
    actual = format_number(d.actual)
    if isinstance(d.actual, float) and math.isnan(d.actual):
        known = []
        if d.baseline is not None:
            known.append(f"baseline {format_number(d.baseline)}")
        if d.target is not None:
            known.append(f"target {format_number(d.target)}")
        detail = f" ({', '.join(known)})" if known else ""
        return f"{name} nan{detail}: not a number"
    if d.change is not None and math.isnan(d.change):
        text = f"{name} {actual} (baseline {format_number(d.baseline)})"
    elif d.change is not None:
        text = f"{name} {format_change(d.change)}"
        if d.expected_change is not None:
            text += f" vs expected {format_change(d.expected_change)}"
        else:
            text += f" ({format_number(d.baseline)} \u2192 {actual})"
    elif d.target is not None:
        text = f"{name} {actual} vs target {format_number(d.target)}"
    elif d.expected_change is not None:
        text = f"{name} {actual} (expected {format_change(d.expected_change)}, no baseline)"
    else:
        text = f"{name} {actual}"
    if d.verdict:
        text += f": {d.verdict}"
    return text
