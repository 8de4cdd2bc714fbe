"""What a metric's name and its number may look like, and where a name of several words starts.

Output says ``F1 score = 0.912``, ``top-1 accuracy: 0.76`` and ``fit time =
0.42 s``; the metric is ``F1 score``, not ``score``.  One rule decides how many
of the words before a ``name =`` belong to the name, for cell output
(:func:`words_before`, used by the scan in :mod:`.parse`) and for hand-written
fields (:func:`run_length`, used by the tokeniser), so an Expected outcome
``F1 score +0.01`` names what the output names.

The rule: walking back from the name, the words directly before it, each one
space apart, join it -- up to three words in all.  The walk stops at anything
that is not a word (a number, punctuation, two blanks, the line start), at a
common English word (``the``, ``of``, ``expect``, ... so "the accuracy" is
``accuracy``) and at a log level (``INFO``).  Four words or more are prose, not
a name: then the name is its last word alone, as before this rule.  A word is
what a single name may be (:data:`NAME`): ``top-1``, ``F1``, ``avg.f1-score``.

LightGBM writes ``[10]<tab>valid_0's binary_logloss: 0.12``: that name is
``valid_0.binary_logloss``, as the same value is named in the model's
``evals_result_`` read with :func:`~.values.metrics_from_value` (only after a
tab or ``]``, where LightGBM puts it: prose's "the model's accuracy" is
``accuracy``).
"""

from __future__ import annotations

import re

# A metric name: an identifier, optionally followed by parts joined with
# . - / @.  A part must contain a letter/underscore, or be all digits and not
# run into ".<digit>" -- so "top-1" and "acc@5" are names, while in "loss-0.1"
# the name stops at "loss" (leaving "-0.1" to be read as a signed number) and
# "v1.2.3" never becomes a name with a value.
NAME = r"[^\W\d]\w*(?:[./@\-](?:(?=[0-9]*[^\W\d])\w+|[0-9]+(?!\w)(?!\.[0-9])))*"

# A number: digits with an optional fraction and exponent (no sign).
NUM_BODY = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+\-]?[0-9]+)?"
# A number must end its token: "0.5" in "0.5.1", "12" in "12:30", "2026" in
# "2026-11-25", "1" in "1,000", "3" in "3s" and "5" in "5/10" are all rejected.
# A sentence-ending "." and a "," before the next "name=" are fine.
NUM_END = r"(?![\w@/])(?![.:\-][\w])(?!,[0-9])"

#: Most words a name may have ("mean cv score").
MAX_WORDS = 3

# Words that sit next to numbers in prose but are never the metric meant:
# "expect +0.02 acc" is about acc, not about a metric called "expect".
STOPWORDS = frozenset(
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
# Log levels start a message, they are not part of its metric's name.
_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL", "TRACE"})

_WORD_RE = re.compile(NAME)
# LightGBM's "[10]\tvalid_0's binary_logloss": the data set's name after a tab (or "] "), never prose's "model's".
_OWNER_RE = re.compile(r"(?:\t|\] )(" + NAME + r")'s\Z")
_SPLIT_RE = re.compile(r"[ \t]+")


def is_joinable(word: str) -> bool:
    """Whether *word* may be one of the words of a metric's name."""
    return (
        _WORD_RE.fullmatch(word) is not None
        and word.lower() not in STOPWORDS
        and word not in _LOG_LEVELS
    )


def words_before(text: str, start: int, name: str) -> str:
    """The whole name of the metric whose last word *name* starts at *start* in *text*.

    Why a walk back rather than a longer regular expression: which words
    belong depends on what they are (prose words stop it) and on how many
    there are, and only matches preceded by one blank ever need it, so the
    scan stays one fast regular expression.
    """
    if start < 2 or text[start - 1] != " " or text[start - 2] in " \t\n\r":
        return name
    line = text[max(0, start - 200) : start - 1]
    cut = max(line.rfind("\n"), line.rfind("\r"))
    if cut >= 0:
        line = line[cut + 1 :]
    owner = _OWNER_RE.search(line) if line.endswith("'s") else None
    if owner:
        return f"{owner.group(1)}.{name}"
    line = line.replace("\t", "  ")  # a tab parts like two blanks
    words: list[str] = []
    while True:
        head, blank, word = line.rpartition(" ")
        if not is_joinable(word):
            break
        words.append(word)
        if not head or head[-1] == " ":  # the line start, or two blanks: a boundary
            break
        if len(words) == MAX_WORDS - 1:
            if is_joinable(head.rpartition(" ")[2]):
                return name  # a fourth word before it: prose, not a name
            break
        line = head
    if not words:
        return name
    return " ".join(reversed(words)) + " " + name


def run_length(words: list[str]) -> int:
    """How many of *words* (one blank apart, the last one naming a metric) form its name.

    The same rule as :func:`words_before`, for the tokens of a hand-written
    field: at least 1 (the last word), at most :data:`MAX_WORDS`.
    """
    n = 1
    for word in reversed(words[:-1]):
        if not is_joinable(word):
            break
        n += 1
        if n == MAX_WORDS:
            before = words[: len(words) - n]
            if before and is_joinable(before[-1]):
                return 1
            break
    return n


def word_tail(name: str, shorter: str) -> bool:
    """Whether *shorter*'s words are the last words of *name* (``accuracy`` of ``test accuracy``).

    Case-insensitive.  Why: a hand-written field or a log may put a word of
    prose before a name ("previous accuracy = 0.95"); a name the user wrote
    finds the longer one when only one ends with it (:func:`~.delta.compare`).
    """
    long_words = _SPLIT_RE.split(name.strip().lower())
    short_words = _SPLIT_RE.split(shorter.strip().lower())
    return len(long_words) > len(short_words) and long_words[-len(short_words) :] == short_words


def tails(name: str) -> list[str]:
    """*name* and the names of its last words, longest first ("a b c" -> "a b c", "b c", "c")."""
    words = _SPLIT_RE.split(name.strip())
    return [" ".join(words[i:]) for i in range(len(words))]
