"""Turn what a user typed into a :class:`Draft`: the ``%%hypothesis`` body, or two dicts.

The body syntax is shared by the magic and the command line, so it lives here:

    A larger C fits the digits data more tightly.      <- first free text: the hypothesis
    change: C 1 → 10
    config:
    - C: 1 → 10
    - kernel: rbf
    expected: accuracy +0.01
    baseline: accuracy = 0.95

The journal's own ``**Field**: value`` form is read too, so an entry pasted from
journal.md works as a body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .config import ABSENT, ConfigItem, parse_config, render_config
from .errors import InputError
from .model import RESULT_FIELDS, Draft, normalize_key
from .text import FIELD, LONE_SURROGATE

#: Plain ``key:`` lines that start a field; any other ``word:`` line is text.
KEYS = {
    "hypothesis": "Hypothesis",
    "change": "Change",
    "config": "Config",
    "expected": "Expected outcome",
    "expected outcome": "Expected outcome",
    "baseline": "Baseline",
}
PLAIN_FIELD = re.compile(r"(?i)(hypothesis|change|config|expected(?: outcome)?|baseline)\s*:[ \t]?(.*)")
#: Fields of a pasted entry that belong to its old life, not to a new hypothesis.
IGNORED = {"status"}


def parse_body(name: str, body: str) -> Draft:
    """Read a ``%%hypothesis`` body. Raises :class:`InputError` naming what is wrong."""
    fields: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    order: list[str] = []
    current = "Hypothesis"
    free: list[str] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        star = FIELD.fullmatch(line)
        plain = PLAIN_FIELD.fullmatch(line)
        if star:
            key = KEYS.get(normalize_key(star.group(1)), star.group(1).strip())
            rest = star.group(2)
        elif plain:
            key, rest = KEYS[normalize_key(plain.group(1))], plain.group(2)
        else:
            (fields[current] if current in fields else free).append(line)
            continue
        current = key
        fields.setdefault(key, [])
        if key not in order:
            order.append(key)
        fields[key].append(rest)
    values = {k: "\n".join(v).strip() for k, v in fields.items()}
    hypothesis = "\n".join(free).strip()
    if values.get("Hypothesis"):
        hypothesis = f"{hypothesis}\n\n{values['Hypothesis']}".strip()
    if not hypothesis:
        raise InputError(
            f"'{name}' has no hypothesis: write what you expect to happen and why in the cell body "
            "(the first paragraph, or a 'hypothesis:' line)"
        )
    config: list[ConfigItem] = []
    if values.get("Config"):
        config = parse_config_lines(values["Config"])
    for key in order:
        if key not in KEYS.values() and normalize_key(key) not in IGNORED:
            extra[key] = values[key]
    return Draft(
        name=name,
        hypothesis=hypothesis,
        change=values.get("Change", ""),
        config=config,
        expected=values.get("Expected outcome", ""),
        baseline=values.get("Baseline", ""),
        extra=extra,
    )


def parse_config_lines(text: str) -> list[ConfigItem]:
    """Config bullets as typed, refusing a line that is not ``- key: value`` and any row
    :func:`config_row` refuses (the same rule as the rows a form sends)."""
    for line in text.split("\n"):
        if line.strip() and not re.fullmatch(r"\s*[-*+]\s+[^:]+?:.*", line):
            raise InputError(f"config line {line.strip()!r} is not '- key: old → new' or '- key: value'")
    items = parse_config(text)
    for item in items:
        config_row(item.key, item.old, item.new if item.changed else item.old, f"config line '{item.key}'")
    return items


def config_row(key: str, old: str | None, new: str | None, where: str = "config row") -> ConfigItem | None:
    """One config row from a form or a request, by the one rule every face shares.

    Each side is text or ``None``. On either side, ``None`` or the absent marker
    ``(none)`` means the key is absent there; an empty *old* with a *new* adds
    the key; an empty *new* means unchanged at *old*; equal sides are unchanged.
    An empty row is ``None`` (a form's blank line). A row that could not be
    written so that it reads back the same is refused, naming the row.
    """
    key = (key or "").strip()
    old = old.strip() if isinstance(old, str) else old
    new = new.strip() if isinstance(new, str) else new
    if not key and not old and not new:
        return None
    where = f"{where} ({key})" if key else where
    if not key:
        raise InputError(f"{where} needs a key")
    if new == "":  # the form's "unchanged"
        if old in (None, "", ABSENT):
            raise InputError(f"{where} needs a value: old (and new if it changes)")
        new = old
    old = None if old in (None, "", ABSENT) else old
    new = None if new == ABSENT else new
    if old is None and new is None:
        raise InputError(f"{where} needs an old or a new value (none means absent on that side)")
    item = ConfigItem.same(key, old) if old == new else ConfigItem.change(key, old, new)
    if parse_config(render_config([item])) != [item]:
        raise InputError(
            f"{where} cannot be written as a config line: a key cannot hold ': ', "
            f"a value cannot hold a line break, an arrow (→, ->) or '{ABSENT}'"
        )
    return item


def config_rows(rows: list[tuple[str, str | None, str | None]], where: str = "config row") -> list[ConfigItem]:
    """Rows ``(key, old, new)`` as config items, blank rows skipped; numbered from 1 in errors."""
    items = (config_row(key, old, new, f"{where} {i}") for i, (key, old, new) in enumerate(rows, 1))
    return [item for item in items if item is not None]


@dataclass(frozen=True)
class Learned:
    """A lesson, or a NEVER/ALWAYS rule, as every face asks for one (see :func:`lesson_request`)."""

    kind: str  # "lesson", "NEVER" or "ALWAYS"
    text: str  # the lesson, or what to do / avoid
    context: str = ""  # a lesson's context
    source: str = ""  # a lesson's source
    reason: str = ""  # a rule's reason (because ... / when ...)


def lesson_request(
    text: str = "",
    *,
    context: str = "",
    source: str = "",
    never: str = "",
    always: str = "",
    because: str = "",
    when: str = "",
) -> Learned:
    """The one rule for which lesson and rule options go together, whatever face collected them.

    A lesson takes text, context and source; a NEVER rule takes *because*, an
    ALWAYS rule *when*. Anything else together is refused, naming the option
    (faces name their options the same: never, always, because, when, context,
    source), so nothing a person typed is dropped.
    """
    given = {k: v for k, v in (("context", context), ("source", source), ("because", because), ("when", when)) if v and v.strip()}
    if never and always:
        raise InputError("a rule is either never or always, not both")
    if never or always:
        kind, action = ("NEVER", never) if never else ("ALWAYS", always)
        if text and text.strip():
            raise InputError(f"{'a' if kind == 'NEVER' else 'an'} {kind} rule takes its text as the {kind.lower()} option;"
                             " give a lesson on its own")
        stray = [k for k in ("context", "source") if k in given]
        if stray:
            raise InputError(f"'{stray[0]}' belongs to a lesson, not to {'a' if kind == 'NEVER' else 'an'} {kind} rule")
        wrong, right = ("when", "because") if kind == "NEVER" else ("because", "when")
        if wrong in given:
            raise InputError(f"{'a' if kind == 'NEVER' else 'an'} {kind} rule takes its reason as '{right}', not '{wrong}'")
        return Learned(kind, action, reason=because if kind == "NEVER" else when)
    stray = [k for k in ("because", "when") if k in given]
    if stray:
        raise InputError(f"'{stray[0]}' goes with a never or always rule, not with a lesson")
    return Learned("lesson", text, context=context, source=source)


def flatten(mapping: Mapping, prefix: str = "") -> dict[str, object]:
    """Nested dicts become dotted keys: {"opt": {"lr": 1}} -> {"opt.lr": 1}."""
    out: dict[str, object] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def show_value(value: object) -> str:
    """A config value as one readable line (strings bare unless that would mislead)."""
    if (isinstance(value, str) and value and "\n" not in value and value.strip() == value
            and "→" not in value and "->" not in value):
        return value
    return repr(value)


def diff_configs(new: Mapping, base: Mapping) -> list[ConfigItem]:
    """Config rows from two dicts: changed, added and removed keys, then unchanged ones."""
    if not isinstance(new, Mapping):
        raise InputError(f"the new config is a {type(new).__name__}, not a dict")
    if not isinstance(base, Mapping):
        raise InputError(f"the base config is a {type(base).__name__}, not a dict")
    new_flat, base_flat = flatten(new), flatten(base)
    changed, same = [], []
    for key in list(base_flat) + [k for k in new_flat if k not in base_flat]:
        if key not in new_flat:
            changed.append(ConfigItem.change(key, show_value(base_flat[key]), None))
        elif key not in base_flat:
            changed.append(ConfigItem.change(key, None, show_value(new_flat[key])))
        elif _differs(base_flat[key], new_flat[key]):
            changed.append(ConfigItem.change(key, show_value(base_flat[key]), show_value(new_flat[key])))
        else:
            same.append(ConfigItem.same(key, show_value(new_flat[key])))
    return changed + same


def _differs(a: object, b: object) -> bool:
    try:
        return bool(a != b)
    except Exception:  # numpy arrays and friends: compare what a reader sees
        return repr(a) != repr(b)


#: %%result body keys, and the journal field names that mean the same.
RESULT_KEYS = {"outcome": "outcome", "actual outcome": "outcome", "learning": "learning", "next": "next", "delta": "delta"}
RESULT_FIELD = re.compile(r"(?i)(outcome|actual outcome|learning|next|delta)\s*:[ \t]?(.*)")


def parse_result_body(body: str) -> dict[str, str]:
    """Read a ``%%result`` body: ``outcome:``, ``learning:``, ``next:``, ``delta:`` lines.

    Free text before the first of them is the outcome; a line that starts no
    field continues the one before it, so values may span lines. The journal's
    ``**Learning**: ...`` form works too.
    """
    values: dict[str, list[str]] = {}
    current = "outcome"
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = FIELD.fullmatch(line) or RESULT_FIELD.fullmatch(line)
        key = RESULT_KEYS.get(normalize_key(m.group(1))) if m else None
        if key:
            current = key
            line = m.group(2)
        values.setdefault(current, []).append(line)
    joined = {k: "\n".join(v).strip() for k, v in values.items()}
    return {k: v for k, v in joined.items() if v}


def refuse_non_text(values: dict[str, str]) -> None:
    """A NUL byte makes the journal a binary file for git, grep and editors, and a lone surrogate (a
    Python string holding bytes that were not UTF-8, as ``surrogateescape`` decodes them) cannot be
    written as UTF-8 at all: refuse both, naming the value."""
    for label, value in values.items():
        if not value:
            continue
        if "\x00" in value:
            raise InputError(f"the {label} contains a NUL byte: the journal is plain text; nothing was written")
        if not value.isascii() and (bad := LONE_SURROGATE.search(value)):
            raise InputError(f"the {label} holds a lone surrogate (U+{ord(bad.group()):04X}), which is not text"
                             " UTF-8 can store (bytes decoded with surrogateescape?); nothing was written")


def refuse_result_fields(draft: Draft) -> None:
    """A hypothesis carries no result: a ``**Learning**`` (or Delta, Actual outcome...) pasted into its
    body would make the entry hold that field twice once the result adds its own."""
    taken = [key for key in draft.extra if normalize_key(key) in _RESULT_KEYS]
    if taken:
        names = ", ".join(f"**{key}**" for key in taken)
        raise InputError(f"'{draft.name}': a hypothesis cannot carry {names}: the result writes "
                         f"{'it' if len(taken) == 1 else 'them'}; remove {'it' if len(taken) == 1 else 'them'} "
                         "from the hypothesis and give it with the result")


_RESULT_KEYS = {normalize_key(name) for name in RESULT_FIELDS}


def validate_name(name: str) -> str:
    refuse_non_text({"name": name})
    name = (name or "").strip()
    if not name:
        raise InputError("an experiment needs a name")
    if "\n" in name or "\r" in name:
        raise InputError("the experiment name must be one line")
    return name
