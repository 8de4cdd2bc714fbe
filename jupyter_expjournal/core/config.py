"""One config row of an entry: ``- key: old → new`` or ``- key: value (unchanged)``.

The object and its Markdown syntax live together: the reader, the writer, the
Change field's looser form and the absent marker are one rule, used by every
face (the sidebar and the panel send rows, the magics and the CLI send bullets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Written for a config key that one side of a change does not have.
ABSENT = "(none)"
ARROW = re.compile(r"\s*(?:→|->)\s*")


@dataclass(frozen=True)
class ConfigItem:
    """One ``- key: old → new`` (or ``- key: value``) line of an entry's Config."""

    key: str
    old: str | None  # None: the key did not exist before (added)
    new: str | None  # None: the key was removed
    changed: bool

    @classmethod
    def same(cls, key: str, value: str) -> ConfigItem:
        return cls(key, value, value, False)

    @classmethod
    def change(cls, key: str, old: str | None, new: str | None) -> ConfigItem:
        return cls(key, old, new, True)

    @property
    def value(self) -> str | None:
        return self.new if self.new is not None else self.old

    def describe(self) -> str:
        """The change as the Change field says it: ``C 1 → 10``."""
        if not self.changed:
            return f"{self.key} {self.value}"
        return f"{self.key} {self.old if self.old is not None else ABSENT} → {self.new if self.new is not None else ABSENT}"


def parse_config(value: str) -> list[ConfigItem]:
    """Read ``- key: old → new`` / ``- key: value (unchanged)`` bullets."""
    items = []
    for line in value.split("\n"):
        m = re.fullmatch(r"\s*[-*+]\s+(.+?):(?:\s+(.*?))?\s*", line)
        if not m:
            continue
        key, rest = m.group(1).strip(), (m.group(2) or "")
        if rest.endswith("(unchanged)"):
            items.append(ConfigItem.same(key, rest[: -len("(unchanged)")].rstrip()))
            continue
        parts = ARROW.split(rest, maxsplit=1)
        if len(parts) == 2:
            old, new = (None if p.strip() == ABSENT else p.strip() for p in parts)
            items.append(ConfigItem.change(key, old, new))
        else:
            items.append(ConfigItem.same(key, rest))
    return items


def parse_change(text: str) -> list[ConfigItem]:
    """Read a Change field such as ``lr 1e-3 → 3e-4`` or ``C: 1 -> 10, gamma: a -> b``."""
    items = []
    for part in re.split(r"[;,]\s+|\n", text):
        m = re.fullmatch(r"\s*([\w.\-/\[\]]+)\s*:?\s+(.+?)\s*(?:→|->)\s*(.+?)\s*", part)
        if m:
            old = None if m.group(2) == ABSENT else m.group(2)
            new = None if m.group(3) == ABSENT else m.group(3)
            items.append(ConfigItem.change(m.group(1), old, new))
    return items


def render_config(items: list[ConfigItem]) -> str:
    lines = []
    for item in items:
        if item.changed:
            old = ABSENT if item.old is None else item.old
            new = ABSENT if item.new is None else item.new
            lines.append(f"- {item.key}: {old} → {new}")
        else:
            lines.append(f"- {item.key}: {item.value} (unchanged)")
    return "\n".join(lines)
