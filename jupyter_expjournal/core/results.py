"""Which fields a result adds to an entry: a sweep's table and best value, or the plain outcome's.

Apart from both so that :mod:`.journal` decides it without loading the metrics
package on import (``%load_ext`` stays imperceptible): only an entry that
planned a sweep (:func:`.sweep.planned`) loads :mod:`.sweep_result`.
"""

from __future__ import annotations

from .model import Entry, Outcome
from .outcome import result_fields as plain_result_fields
from .sweep import planned


def result_fields(entry: Entry, outcome: Outcome, result_value: object, asset_names: list[str]) -> list[tuple[str, str]]:
    """The fields a result adds to ``entry`` (see :func:`.outcome.result_fields` and :func:`.sweep_result.result_fields`)."""
    if planned(entry) is None:
        return plain_result_fields(entry, outcome, result_value, asset_names)
    from .sweep_result import result_fields as sweep_result_fields

    return sweep_result_fields(entry, outcome, result_value, asset_names)
