"""Read metric values and expectations from free text, and say how a run did.

A journal entry keeps three human-facing pieces of text about one metric or
more: the *Baseline* ("accuracy = 0.95"), the *Expected outcome* ("accuracy
+0.01") and, once the cell has run, the *actual* outcome taken from whatever
the cell printed or returned.  This package turns those into numbers and writes
the entry's ``Delta`` field ("accuracy +0.02 vs expected +0.01: better than
expected").

It is part of the pure core: standard library only, no I/O, deterministic, and
no function here raises on odd input -- cell output is arbitrary text, and a
journal must never lose an entry because a regular expression disliked it.

The modules, in the order the data flows (each imports only those above it):

* :mod:`.names` -- what a name and a number look like, and which words before
  a ``name =`` belong to the name (``F1 score``); the prose words.
* :mod:`.frames` -- what a table's cells are called (one rule for a pandas
  DataFrame and for a printed table).
* :mod:`.values` -- metric values from returned Python values
  (:func:`metrics_from_value`): dicts, histories, dataclasses, DataFrames.
* :mod:`.tables` and :mod:`.formats` -- printed tables (scikit-learn's
  ``classification_report``, Lightning's and Hugging Face's tables, pandas
  reprs) and the few library summaries whose number is not after ``name =``.
* :mod:`.parse` -- metric values from cell output (:func:`parse_metrics`);
  the regular expressions and the tokeniser for hand-written fields.  Its
  docstring holds the reading rules: precision over recall, the last
  occurrence wins, percentages are fractions, times are seconds, what a name
  may look like.
* :mod:`.stream` -- :class:`MetricStream`, the same scan over text that
  passes once in pieces (the middle of a long log a capture drops), in
  bounded memory.
* :mod:`.expectations` -- :class:`Expectation` and :func:`parse_expected`, for
  the Expected outcome field.
* :mod:`.delta` -- :func:`compare`, :class:`MetricDelta`, the verdicts
  (:data:`BETTER`, :data:`AS_EXPECTED`, :data:`WORSE`), tolerances and
  :func:`is_lower_better`.
* :mod:`.format` -- :func:`format_number`, :func:`format_change` and
  :func:`format_delta`, the text written into the journal.

Import from the package (``from .metrics import compare``); the names below
are its public interface.
"""

from .delta import (
    ABSOLUTE_TOLERANCE,
    AS_EXPECTED,
    BETTER,
    RELATIVE_TOLERANCE,
    WORSE,
    MetricDelta,
    compare,
    is_lower_better,
)
from .expectations import Expectation, parse_expected
from .format import format_change, format_delta, format_number
from .parse import parse_metrics
from .stream import MetricStream
from .values import metrics_from_value

__all__ = [
    "ABSOLUTE_TOLERANCE",
    "AS_EXPECTED",
    "BETTER",
    "RELATIVE_TOLERANCE",
    "WORSE",
    "Expectation",
    "MetricDelta",
    "MetricStream",
    "compare",
    "format_change",
    "format_delta",
    "format_number",
    "is_lower_better",
    "metrics_from_value",
    "parse_expected",
    "parse_metrics",
]
