"""What ``POST hypothesis`` and ``POST check`` may hold: a draft, its gate flags, where it was written, its sweep.

The generic field checks (:func:`~.schema.text`, :func:`~.schema.only`, the
body's size and depth) are :mod:`.schema`'s; this module maps a draft's fields
onto the core's: config rows through
:func:`~jupyter_expjournal.core.draft.config_row`, a sweep through
:func:`~jupyter_expjournal.core.sweep.plan_sweep` (as the CLI's ``--sweep``
and the magics' plan one), so that the gates see the sweep's config row.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.draft import config_row
from ..core.errors import InputError
from ..core.model import ConfigItem, Draft
from ..core.sweep import plan_sweep, spec_of
from .schema import ApiError, core_input, describe, finite_number, flag, only, text

DRAFT_FIELDS = {"name", "hypothesis", "change", "config", "expected", "baseline", "sweep"}
GATE_FLAGS = ("parallel", "strict", "force")


def _config_value(row: dict, key: str, where: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ApiError(400, f"'{where}.{key}' must be a string, a number or null, not {describe(value)}")
    if isinstance(value, str) and "\x00" in value:
        raise ApiError(400, f"'{where}.{key}' contains a NUL byte")
    return value if isinstance(value, str) else str(value)


def config(value: object) -> list[ConfigItem]:
    """Config rows ``{key, old, new}`` as typed, or ``{key, value}`` for an unchanged key.

    The core reads each row (:func:`~jupyter_expjournal.core.draft.config_row`):
    null or ``(none)`` is absent on that side, an empty old with a new adds the
    key, an empty new leaves it unchanged at old, a blank row is skipped.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, f"'config' must be a list of {{key, old, new}} rows, not {describe(value)}")
    items = []
    for i, row in enumerate(value):
        where = f"config[{i}]"
        if not isinstance(row, dict):
            raise ApiError(400, f"'{where}' must be an object {{key, old, new}}, not {describe(row)}")
        only(row, {"key", "old", "new", "value", "changed"}, f"{where}.")  # changed: from export, ignored
        if row.get("key") is None:
            raise ApiError(400, f"'{where}.key' is missing")
        key = text(row, "key", where=f"{where}.", one_line=True)
        if "value" in row:
            if "old" in row or "new" in row:
                raise ApiError(400, f"'{where}' has 'value' and 'old'/'new': give one or the other")
            old = new = _config_value(row, "value", where)
            if old is None:
                raise ApiError(400, f"'{where}.value' is null")
        else:
            old, new = _config_value(row, "old", where), _config_value(row, "new", where)
            if old is None and new is None:
                raise ApiError(400, f"'{where}' needs 'old' or 'new' (null means the key is absent on that side)")
        item = core_input(config_row, key, old, new, f"'{where}'")
        if item is not None:
            items.append(item)
    return items


def draft(body: dict, where: str = "") -> Draft:
    """The draft a body holds; with a ``sweep``, planned by the core as the CLI's ``--sweep`` plans it."""
    made = Draft(
        name=text(body, "name", where=where, required=True, one_line=True),
        hypothesis=text(body, "hypothesis", where=where),
        change=text(body, "change", where=where),
        config=config(body.get("config")),
        expected=text(body, "expected", where=where),
        baseline=text(body, "baseline", where=where),
    )
    spec = sweep(body.get("sweep"), f"{where}sweep")
    if spec is None:
        return made
    try:
        return plan_sweep(made, spec)
    except InputError as exc:
        raise ApiError(400, f"'{where}sweep': {exc}") from None


def sweep(value: object, label: str = "sweep") -> str | None:
    """``sweep``: the spec as the CLI's ``--sweep`` takes it (``gamma`` or ``gamma=0.001,0.01,0.1``), or an
    object ``{key, values}`` (numbers or strings) made into one by :func:`~jupyter_expjournal.core.sweep.spec_of`.
    None (no sweep) when absent, null or blank. What the spec *means* (one key, two values or more) is the core's."""
    if value is None:
        return None
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(400, f"'{label}' contains a NUL byte")
        return value if value.strip() else None
    if not isinstance(value, dict):
        raise ApiError(
            400, f"'{label}' must be a string (KEY or KEY=v1,v2,v3) or an object {{key, values}}, not {describe(value)}"
        )
    only(value, {"key", "values"}, f"{label}.")
    key = text(value, "key", where=f"{label}.", required=True, one_line=True)
    values = value.get("values")
    if values is None:
        values = []
    if not isinstance(values, list):
        raise ApiError(400, f"'{label}.values' must be a list of numbers or strings, not {describe(values)}")
    for i, item in enumerate(values):
        if not (finite_number(item) or isinstance(item, str)):
            raise ApiError(
                400,
                f"'{label}.values[{i}]' must be a number or a string, not "
                f"{'a number that is not finite' if isinstance(item, float) else describe(item)}",
            )
        if isinstance(item, str) and "\x00" in item:
            raise ApiError(400, f"'{label}.values[{i}]' contains a NUL byte")
    try:
        return spec_of(key, values)
    except InputError as exc:
        raise ApiError(400, f"'{label}': {exc}") from None


def gate_flags(body: dict) -> dict[str, bool]:
    return {key: flag(body, key) for key in GATE_FLAGS}


@dataclass
class HypothesisRequest:
    draft: Draft
    flags: dict[str, bool]
    notebook: str = ""  # the notebook's path relative to the server root, when the client has one
    cell_id: str = ""


def check_request(body: dict) -> tuple[Draft, dict[str, bool]]:
    """``POST check``: ``{draft: {...}, parallel, strict, force}``."""
    value = body.get("draft")
    if not isinstance(value, dict):
        raise ApiError(400, "'draft' is missing" if value is None else f"'draft' must be an object, not {describe(value)}")
    only(value, DRAFT_FIELDS, "draft.")
    return draft(value, "draft."), gate_flags(body)


def hypothesis_request(body: dict) -> HypothesisRequest:
    """``POST hypothesis``: the draft's fields, the gate flags, and where it was written."""
    result = draft(body)
    if body.get("hypothesis") is None:
        raise ApiError(400, "'hypothesis' is missing")
    return HypothesisRequest(
        result,
        gate_flags(body),
        notebook=text(body, "notebook", one_line=True).strip(),
        cell_id=text(body, "cell_id", one_line=True).strip(),
    )
