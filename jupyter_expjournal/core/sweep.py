"""A one-variable sweep, planned: one key, the values it will take, fixed before anything runs.

The seed asks for one variable per experiment; the step it most often suggests
next is a sweep of that variable. A sweep is one experiment with many runs: one
entry, one hypothesis, one key and its values, written down before the loop
runs, like the hypothesis. Every face plans one through :func:`plan_sweep`.

How an entry holds it, so that it reads back and renders (the writer puts a
blank line between fields):

    **Config**:
    - gamma: scale → [0.0001, 0.001, 0.01]

    **Sweep**: gamma = 0.0001, 0.001, 0.01

The config row is the change (old → the list of new values): the gates, the
review and the compare table see one changed key, as for any experiment. The
``**Sweep**`` field says in words which key is swept and its values, in the
order planned; a reader finds a sweep by it, and, for an entry written by hand
or by a face that wrote only the row, by a config row whose new value is a
``[...]`` list (:func:`planned`).

A draft carries the plan in the fields it already has: the row in its config,
the field in ``extra`` (a pasted entry's ``**Sweep**`` arrives there too).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from .config import ABSENT, ConfigItem
from .draft import config_row
from .errors import InputError
from .model import Draft, Entry, normalize_key

#: The field naming the key swept and its values.
FIELD = "Sweep"

_NAMES = ("sweep", "config")
#: A config value that is a list of values: ``[0.0001, 0.001, 0.01]``.
_LIST = re.compile(r"\[(.*)\]", re.S)
#: ``key = v1, v2, v3`` (the field) or ``key=v1,v2,v3`` (a face's option).
_SPEC = re.compile(r"\s*([^=\s][^=]*?)\s*=\s*(.*?)\s*", re.S)


@dataclass(frozen=True)
class Sweep:
    """The key a sweep varies and its values, as written, in the order planned."""

    key: str
    values: tuple[str, ...]
    old: str | None = None  # the value before the sweep (None: the key was absent)

    @property
    def field_value(self) -> str:
        """The ``**Sweep**`` field's value: ``gamma = 0.0001, 0.001, 0.01``."""
        return f"{self.key} = {', '.join(self.values)}"

    @property
    def row(self) -> ConfigItem:
        """The config row: ``- gamma: scale → [0.0001, 0.001, 0.01]``."""
        return ConfigItem.change(self.key, self.old, list_text(self.values))

    def index(self, value: object) -> int | None:
        """Where ``value`` (a number or text a run named) stands among the planned values, or None."""
        wanted = value_key(value)
        for i, planned_value in enumerate(self.values):
            if value_key(planned_value) == wanted:
                return i
        return None


def list_text(values) -> str:
    """``[v1, v2, v3]``: the list a config row holds."""
    return "[" + ", ".join(values) + "]"


def list_values(text: str | None) -> tuple[str, ...] | None:
    """The values of a ``[v1, v2, v3]`` config value, or None when it is not such a list."""
    found = _LIST.fullmatch((text or "").strip())
    if not found:
        return None
    return tuple(part.strip() for part in found.group(1).split(",") if part.strip())


def value_key(value: object) -> object:
    """What two spellings of one value have in common: ``1e-3`` and ``0.001`` are one number; text
    compares without case or quotes. What a planned value and a run's value are matched by."""
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    text = str(value).strip().strip("'\"")
    try:
        number = float(text)
    except ValueError:
        return text.casefold()
    return number if math.isfinite(number) else text.casefold()


def is_number(text: str) -> bool:
    return isinstance(value_key(text), float)


def swept_rows(config: list[ConfigItem]) -> list[ConfigItem]:
    """The config rows whose new value is a list of values: the keys a draft or an entry sweeps."""
    return [item for item in config if item.changed and list_values(item.new) is not None]


def parse_spec(spec: str | list[str] | tuple[str, ...]) -> tuple[str, tuple[str, ...] | None]:
    """A face's sweep option: ``KEY`` or ``KEY=v1,v2,v3`` -> (key, values or None). Bad: InputError.

    One key only: a sweep of two keys at once is two variables (sweep one, then the other).
    """
    specs = [spec] if isinstance(spec, str) else list(spec)
    specs = [s for s in specs if s and s.strip()]
    if not specs:
        raise InputError("a sweep names the key it varies: KEY (its config row lists the values) or KEY=v1,v2,v3")
    if len(specs) > 1:
        keys = ", ".join(_SPEC.fullmatch(s).group(1) if _SPEC.fullmatch(s) else s.strip() for s in specs)
        raise InputError(f"a sweep varies one key, not several ({keys}): one variable per experiment; "
                         "sweep one, then the other")
    text = specs[0].strip()
    found = _SPEC.fullmatch(text)
    if not found:
        if "," in text or " " in text:
            raise InputError(f"a sweep varies one key, not {text!r}: give KEY, or KEY=v1,v2,v3")
        return text, None
    key, rest = found.group(1), found.group(2)
    if any(c in key for c in ", \t"):
        raise InputError(f"a sweep varies one key, not {key!r}: give KEY, or KEY=v1,v2,v3")
    if "=" in rest:  # a second KEY= among the values: two variables
        keys = [key, *(part.split("=")[0].strip() for part in re.split(r"[,\s]+", rest) if "=" in part)]
        raise InputError(f"a sweep varies one key, not several ({', '.join(keys)}): one variable per experiment; "
                         "sweep one, then the other")
    listed = list_values(rest)
    values = listed if listed is not None else tuple(v.strip() for v in rest.split(",") if v.strip())
    if not values:
        raise InputError(f"the sweep of '{key}' has no values: give them as {key}=v1,v2,v3")
    return key, values


def spec_of(key: str, values: list | tuple) -> str:
    """``KEY=v1,v2,v3`` of a key and its values as a form or a JSON face holds them (a list), for
    :func:`plan_sweep`; a value that would not come back whole from the spec is refused by name."""
    key = key.strip()
    if not values:  # the key alone: its config row lists the values
        return key
    shown = tuple((v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)).strip() for v in values)
    return f"{key}={','.join(_checked(key, shown))}"


def plan_sweep(draft: Draft, spec: str | list[str] | tuple[str, ...]) -> Draft:
    """The draft of a sweep: its config row holding the list of values and its ``**Sweep**`` field.

    ``spec`` is what the face's sweep option said (:func:`parse_spec`). With
    only a key, the draft's config row of that key must list the values
    (``- gamma: scale → [0.0001, 0.001, 0.01]``); with ``KEY=v1,v2,v3`` the row
    is made (from the key's row if the config has one: its value is the old
    one) or must list the same values. Bad input is one InputError naming
    what is wrong; the draft given is not changed.
    """
    key, values = parse_spec(spec)
    rows = [item for item in draft.config if normalize_key(item.key) == normalize_key(key)]
    row = rows[0] if rows else None
    listed = list_values(row.new) if row is not None and row.changed else None
    if values is None:
        if row is None:
            raise InputError(f"the sweep names '{key}', which is not in the config: add the row "
                             f"'- {key}: old → [v1, v2, v3]', or give the values as {key}=v1,v2,v3")
        if listed is None:
            raise InputError(f"the config row of '{key}' holds no list of values to sweep: write it "
                             f"'- {key}: {row.old if row.old is not None else ABSENT} → [v1, v2, v3]', "
                             f"or give the values as {key}=v1,v2,v3")
        values = listed
    elif listed is not None and [value_key(v) for v in listed] != [value_key(v) for v in values]:
        raise InputError(f"the sweep of '{key}' gives {', '.join(values)} but its config row lists "
                         f"{', '.join(listed)}: give the values once")
    elif row is not None and row.changed and listed is None:
        raise InputError(f"the config row of '{key}' changes it to {row.new}, not to the values swept: "
                         f"write its old value only ('- {key}: {row.old if row.old is not None else ABSENT}')")
    key = row.key if row is not None else key.strip()
    sweep = Sweep(key, _checked(key, values), row.old if row is not None else None)
    item = config_row(sweep.key, ABSENT if sweep.old is None else sweep.old, list_text(sweep.values), "the sweep")
    config = [item if r is row else r for r in draft.config] if row is not None else [item, *draft.config]
    extra = {k: v for k, v in draft.extra.items() if normalize_key(k) != normalize_key(FIELD)}
    return replace(draft, config=config, extra={FIELD: sweep.field_value, **extra})


def _checked(key: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Values a sweep can write and read back: two or more, none twice, none holding ``,`` ``[`` ``]``."""
    for value in values:
        if any(c in value for c in ",[]\n") or not value.strip():
            raise InputError(f"the sweep of '{key}' cannot hold the value {value!r}: a value holds no ',', '[', ']'"
                             " or line break")
    if len(values) < 2:
        raise InputError(f"the sweep of '{key}' has one value ({values[0]}): a sweep runs two values or more "
                         "(one value is a plain change: old → new)")
    seen: dict[object, str] = {}
    for value in values:
        if value_key(value) in seen:
            raise InputError(f"the sweep of '{key}' lists {seen[value_key(value)]} twice"
                             + (f" (as {value})" if value != seen[value_key(value)] else ""))
        seen[value_key(value)] = value
    return values


def planned(entry: Entry) -> Sweep | None:
    """The sweep an entry planned: from its ``**Sweep**`` field, else from a config row listing values.

    Cheap for an entry that is no sweep (a review asks it of every entry): its
    fields are looked at first, the config is parsed only when it holds a list.
    """
    fields = entry.fields
    written = fields.get(FIELD)
    config_text = fields.get("Config")
    if written is None:
        if config_text is not None:
            if "[" not in config_text:
                return None
        elif not any(k.casefold() in _NAMES for k in fields):  # no **Config** as the core spells it: by hand?
            return None
        written = entry.get(FIELD) or None  # spelled by hand (**sweep**, **config**): the slower look-up
        if written is None and "[" not in entry.get("Config"):
            return None
    return _from(written, swept_rows(entry.config))


def of_draft(draft: Draft) -> Sweep | None:
    """The sweep a draft plans (as :func:`planned` reads it once written), or None."""
    written = next((v for k, v in draft.extra.items() if normalize_key(k) == normalize_key(FIELD)), None)
    return _from(written, swept_rows(draft.config))


def _from(written: str | None, rows: list[ConfigItem]) -> Sweep | None:
    """The sweep a ``**Sweep**`` field (first) or the config rows listing values say."""
    if written:
        found = _SPEC.fullmatch(written.split("\n")[0])
        if found and found.group(2).strip():
            key = found.group(1)
            values = list_values(found.group(2)) or tuple(v.strip() for v in found.group(2).split(",") if v.strip())
            old = next((r.old for r in rows if normalize_key(r.key) == normalize_key(key)), None)
            return Sweep(key, values, old)
    if rows:
        return Sweep(rows[0].key, list_values(rows[0].new) or (), rows[0].old)
    return None


def swept_keys(config: list[ConfigItem]) -> list[str]:
    """The keys whose config rows list values (two or more: a sweep of several variables)."""
    return [item.key for item in swept_rows(config)]
