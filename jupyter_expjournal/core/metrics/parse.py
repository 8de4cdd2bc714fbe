"""Read metric values from free text.

Two kinds of text come in.  *Cell output* (log lines, dict and JSON reprs,
printed tables) is read by :func:`parse_metrics`, which only trusts an explicit
``name =`` / ``name:`` and the table layouts of :mod:`.tables`.  *Hand-written
fields* (Baseline, Expected outcome) are split into tokens by :func:`tokenize`,
because they come in several word orders; the expectation grammar built on
those tokens lives in :mod:`~jupyter_expjournal.core.metrics.expectations`, and
:func:`loose_values` and :func:`lone_number` read the forms :func:`compare`
also accepts there.  Values a cell *returned* are read by
:func:`~.values.metrics_from_value`.

Design decisions:

* **Precision over recall.**  Training logs are full of numbers that are not
  metrics (timestamps, versions, IP addresses, dates, step counters, device
  ids).  A value is only taken when it follows an explicit ``name =`` /
  ``name:`` (or a quoted dict/JSON key, or sits in a table of a known layout),
  and only when the number is a whole token: ``12:30``, ``v1.2.3``,
  ``2026-11-25``, ``192.168.0.1``, ``1,000``, ``3s`` and ``0x1F`` yield
  nothing, nor does a progress bar's ``100%|``.  Extra harmless matches
  (``epoch: 3``, ``step=100``) are kept; :func:`compare` only looks at
  metrics the user named.
* **The last occurrence wins**, because logs print one line per epoch and the
  final value is the result.
* **Percentages are fractions**: ``acc=81%`` is 0.81 and ``acc +2%`` is a
  change of +0.02 (percentage *points*, not a relative change), since metrics
  such as accuracy are conventionally stored as fractions.
* **Times are seconds**, for the same reason: ``latency = 12 ms`` is 0.012,
  ``fit time = 0.42 s`` is 0.42 and ``350 µs`` (or ``us``) is 0.00035, in
  output and in hand-written fields alike, so a Baseline in ms and an output
  in s compare.  The unit must stand apart (one blank): a glued ``3s`` or
  ``12ms`` is not a whole number token and yields nothing, as before.
* **Names** are identifiers in which ``.``, ``-``, ``/`` and ``@`` may join
  parts (``eval/acc``, ``val-loss``, ``f1.macro``, ``top-1``, ``acc@5``), of
  up to three words (``F1 score``, ``top-1 accuracy``, ``mean cv score``; the
  rule is in :mod:`.names`); a quoted dict/JSON key may be any short
  single-line string.  Case is kept as written; :func:`compare` matches names
  case-insensitively, exactly or by their last words (``accuracy`` finds the
  only ``test accuracy``), never by characters (``acc`` never matches
  ``accuracy``).
* **Terminal colours** (ANSI escapes, as Keras 3 prints them) are ignored.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass

from .formats import format_items
from .names import NAME as _NAME
from .names import NUM_BODY, STOPWORDS, is_joinable, run_length, words_before
from .names import NUM_END as _NUM_END
from .tables import table_items
from .values import as_number, metrics_from_value  # noqa: F401  (read from here before they had a module)

# --------------------------------------------------------------------------
# Regular-expression building blocks
# --------------------------------------------------------------------------

# An unquoted name must start a token: not inside a word ("myacc" is not
# "acc"), not after "." or "@", and not after "x-" / "x/" (a later part of a
# compound word).  "--lr" still yields "lr".
_NAME_START = r"(?<![\w.@])(?<!\w[-/])"
# A quoted dict/JSON key.  The opening quote must not follow a letter (so the
# apostrophe in "model's" does not open a key) and the key may not start or
# end with whitespace, nor hold a line break.
_QUOTED = (
    r"(?<!\w)(?P<q>['\"])"
    r"(?P<qname>[^\s'\"\\](?:[^'\"\\\n\r]{0,98}[^\s'\"\\])?)"
    r"(?P=q)(?!\w)"
)
_SIGN = "+\\-\u2212"  # includes the typographic minus sign
# A time unit, apart from its number by one blank ("0.42 s", not "3s"), and not
# the start of a rate ("s/it").
_TIME_UNIT = r"[ \t](?P<time>ms|s|sec|\u00b5s|\u03bcs|us)(?![\w/])"
#: Seconds in one of each time unit.
TIME_UNITS = {"s": 1.0, "sec": 1.0, "ms": 1e-3, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "us": 1e-6}

_METRIC_RE = re.compile(
    "(?:" + _QUOTED + "|" + _NAME_START + "(?P<name>" + _NAME + "))"
    # "=" or ":" but not "==", ":=", "::" (and ">=" never gets here because
    # only blanks may sit between the name and the separator).
    r"[ \t]*(?:=(?!=)|:(?![:=]))[ \t]*"
    # Reprs of scalar wrappers, e.g. numpy 2's {'acc': np.float64(0.97)} or
    # torch's tensor(0.9700, device='cuda:0').
    r"(?:(?P<wrap>(?:np|numpy)\.(?:float|int|uint)[0-9]*|(?:torch\.)?tensor)"
    r"\([ \t]*)?"
    "(?P<value>[" + _SIGN + "]?(?:" + NUM_BODY + r"|(?i:nan|inf(?:inity)?)))"
    "(?(wrap)" + _NUM_END + r"(?=[ \t]*[,)])"
    # "100%|" is a progress bar's, not a metric's.
    r"|(?:(?P<pct>[ \t]?%)(?![\w|])|" + _TIME_UNIT + "|" + _NUM_END + r"(?![ \t]?%)))"
)
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_WRAPPER_RE = re.compile(r"(?:np|numpy)\.(?:float|int|uint)[0-9]*\(([^()]*)\)")

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
    "(?P<body>" + NUM_BODY + ")"
    r"(?:(?P<unit>[ \t]?(?:%|pp))(?!\w)|" + _TIME_UNIT + "|" + _NUM_END + "))"
    r"|(?P<op>>=|<=|==|~=|[\u2265\u2264\u2248]|[><=:~])"
    r"|(?P<other>.)",
    re.DOTALL,
)

#: Operators after which a number is a target ("acc >= 0.96"), even a signed one.
COMPARISON_OPS = frozenset({">=", "<=", ">", "<", "\u2265", "\u2264"})


# --------------------------------------------------------------------------
# Cell output
# --------------------------------------------------------------------------


def parse_metrics(text: str) -> dict[str, float]:
    """Extract ``name -> value`` pairs from captured cell output.

    Parameters
    ----------
    text : str
        Anything a cell printed or displayed: log lines (``loss = 0.31``,
        ``acc: 97.3%``, ``F1 score = 0.912``, Keras' ``- loss: 0.29 -
        accuracy: 0.91``), dict or JSON reprs (``{'accuracy': 0.97, "f1":
        0.95}``), numpy/torch scalar reprs (``np.float64(0.97)``,
        ``tensor(0.97)``), the tables and library formats of :mod:`.tables`
        and :mod:`.formats` (scikit-learn's ``classification_report``,
        Lightning's test table, a pandas DataFrame's repr, ...).

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
    keys come out qualified (``val.acc``).  Otherwise the text is scanned line
    by line (:func:`scan_lines`) and nested keys appear under their own leaf
    name.

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
    """Add the metrics of *text* to *found*, the last value winning.

    Why apart from :func:`parse_metrics`: it is the line scan alone, without
    the whole-text literal path, so :class:`~.stream.MetricStream` reads text
    that passes in pieces by the very same rules.  No match spans a line
    break (``\\n`` or ``\\r``) and a table is read from its header on, so
    scanning whole lines and whole tables piece by piece finds what one scan
    of the whole text finds.  With *limit*, names beyond the first *limit* in
    *found* are not added (existing ones still update).
    """
    if "\x1b" in text:
        text = _ANSI_RE.sub("", text)
    extra = table_items(text) + format_items(text)
    if extra:
        for _, name, value in sorted(_positioned(text) + extra, key=_position):
            if limit is None or name in found or len(found) < limit:
                found[name] = value
        return
    for match in _METRIC_RE.finditer(text):
        pair = _read(match, text)
        if pair is not None and (limit is None or pair[0] in found or len(found) < limit):
            found[pair[0]] = pair[1]


def _position(item: tuple[int, str, float]) -> int:
    return item[0]


def _positioned(text: str) -> list[tuple[int, str, float]]:
    """``(start, name, value)`` of each explicit ``name = value`` in *text*."""
    out = []
    for match in _METRIC_RE.finditer(text):
        pair = _read(match, text)
        if pair is not None:
            out.append((match.start(), *pair))
    return out


def _read(match: re.Match, text: str) -> tuple[str, float] | None:
    """The ``(name, value)`` one match of the scan stands for, or None when it is no metric."""
    name = match.group("qname")
    if name is None:
        name = match.group("name")
        start = match.start()
        if start:
            before = text[start - 1]
            if before == " ":
                if start > 1 and (text[start - 2].isalnum() or text[start - 2] == "_"):  # a word before it
                    name = words_before(text, start, name)
            elif before in "'\"" and text[match.end() : match.end() + 1] == before:
                return None  # a whole string literal such as device='cuda:0' is a value, not a metric line
    value = match.group("value")
    value = float(value) if value[0] != "\u2212" else -float(value[1:])
    if match.group("pct"):
        value /= 100.0
    elif match.group("time"):
        value *= TIME_UNITS[match.group("time")]
    return name, value


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
    (``val.acc``) rather than the regex scan's leaf names.  numpy 2's scalar
    reprs (``np.float64(0.97)``) are read as their numbers.  Anything that is
    not a single clean literal returns ``{}`` and falls back to the scan.
    """
    stripped = text.strip()
    if len(stripped) > 1_000_000 or not (
        (stripped.startswith("{") and stripped.endswith("}"))
        or (stripped.startswith("[") and stripped.endswith("]"))
    ):
        return {}
    if "np." in stripped or "numpy." in stripped:
        stripped = _WRAPPER_RE.sub(r"\1", stripped)
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
    Words one blank apart make one name when the rule of :mod:`.names` says
    so ("F1 score +0.01" is about ``F1 score``).
    """
    tokens: list[Token] = []
    gap = ""  # the blanks just skipped
    run = 0  # how many name tokens at the end of tokens are one blank apart
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            gap = m.group()
            continue
        if m.group("name") is not None and m.group("qname") is None:
            word = m.group("name")
            if run and gap == " " and is_joinable(word):
                run += 1
            else:
                _join_run(tokens, run)
                run = 1 if is_joinable(word) else 0
            tokens.append(Token("name", word))
            gap = ""
            continue
        _join_run(tokens, run)
        run = 0
        gap = ""
        if m.group("qname") is not None:
            tokens.append(Token("name", m.group("qname"), quoted=True))
        elif m.group("num") is not None:
            value = float(m.group("body"))
            if m.group("unit"):
                value /= 100.0
            elif m.group("time"):
                value *= TIME_UNITS[m.group("time")]
            sign = m.group("sign")
            if sign and sign != "+":
                value = -value
            tokens.append(Token("num", m.group("num"), value, signed=bool(sign)))
        elif m.group("op") is not None:
            tokens.append(Token("op", m.group("op")))
        else:
            tokens.append(Token("break", m.group()))
    _join_run(tokens, run)
    return tokens


def _join_run(tokens: list[Token], run: int) -> None:
    """Make the last *run* name tokens one name, if :func:`~.names.run_length` says they are one."""
    if run < 2:
        return
    words = [t.text for t in tokens[-run:]]
    n = run_length(words)
    if n > 1:
        tokens[-n:] = [Token("name", " ".join(words[-n:]))]


def is_metric_word(token: Token | None) -> bool:
    """Whether *token* can name a metric (a name that is not a prose word)."""
    return (
        token is not None
        and token.kind == "name"
        and (token.quoted or token.text.lower() not in STOPWORDS)
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
