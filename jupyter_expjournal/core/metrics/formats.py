"""Single-line summaries that libraries' own docs print, where the number is not after ``name =``.

Most library output is read by the ``name = value`` scan of :mod:`.parse`
(Keras progress lines, XGBoost and LightGBM logs, tqdm postfixes, Hugging Face
dicts).  A few well-known summaries put the number elsewhere; each has one
precise pattern here, so the scan's rule stays strict:

* scikit-learn's cross-validation guide: ``0.98 accuracy with a standard
  deviation of 0.02`` gives ``accuracy`` = 0.98.
* scores printed as a list, then their mean: ``cv scores: [0.96 0.93 1.  ]
  mean 0.95`` gives ``cv scores`` = 0.95 (the printed mean; a list alone is
  not read: a list of folds has no one result).
* PyTorch's MNIST example: ``Accuracy: 9800/10000 (98%)`` gives
  ``Accuracy`` = 0.98.

Each pattern is tried only when a cheap substring shows it may be there.
"""

from __future__ import annotations

import re

from .names import NAME, NUM_BODY, NUM_END, words_before

_START = r"(?<![\w.@])(?<!\w[-/])"
_CV_SENTENCE = re.compile(
    r"(?<![\w.\-])(?P<value>" + NUM_BODY + r") (?P<name>" + NAME + r") with a standard deviation of "
    r"[+\-]?" + NUM_BODY + NUM_END
)
_LIST_MEAN = re.compile(
    _START + "(?P<name>" + NAME + r")[ \t]*[:=][ \t]*\[[0-9.eE+\-, \t]*\][ \t,;]*"
    r"(?:mean|avg|average)[ \t]*[:=]?[ \t]*(?P<value>[+\-]?" + NUM_BODY + ")" + NUM_END
)
_FRACTION = re.compile(
    _START + "(?P<name>" + NAME + r")[ \t]*:[ \t]*[0-9]+/[0-9]+[ \t]*\([ \t]*(?P<value>" + NUM_BODY + r")[ \t]*%\)"
)

_LIST_MEAN_HINT = re.compile(r"\][ \t,;]*(?:mean|avg|average)")


def format_items(text: str) -> list[tuple[int, str, float]]:
    """``(position, name, value)`` of each known summary in *text* (usually none)."""
    out: list[tuple[int, str, float]] = []
    if "standard deviation" in text:
        out += [(m.start(), m.group("name"), float(m.group("value"))) for m in _CV_SENTENCE.finditer(text)]
    if "]" in text and _LIST_MEAN_HINT.search(text):
        out += _named(text, _LIST_MEAN, 1.0)
    if "%)" in text:
        out += _named(text, _FRACTION, 100.0)
    return out


def _named(text: str, pattern: re.Pattern, scale: float) -> list[tuple[int, str, float]]:
    """Matches of *pattern* with their whole names (words before included, as in the scan)."""
    return [
        (m.start(), words_before(text, m.start("name"), m.group("name")), float(m.group("value")) / scale)
        for m in pattern.finditer(text)
    ]
