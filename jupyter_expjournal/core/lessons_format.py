"""lessons.md: lessons under ``## Lessons``, NEVER/ALWAYS rules under ``## Rules (hard-won)``.

Read wherever their bullets sit; a new bullet goes at the end of its section
(created when missing, Lessons before Rules as the seed orders them), and every
other byte of the file stays as it was.
"""

from __future__ import annotations

import re

from .model import Lesson, Lessons, Rule
from .text import Fences, canonical, close_fence, content_end, escape, iter_lines, newline_of, unescape

LESSON = re.compile(r"(\d{4}-\d{2}-\d{2})[ \t]+(.*)", re.S)
RULE = re.compile(
    r"(NEVER|ALWAYS)\s+(.*?)(?:\s+(because|when)\s+(.*?))?\.?\s+Learned:\s*(\S*)\s*",
    re.S,
)
SOURCE = " Source: "


def parse_lessons(text: str) -> Lessons:
    """Lessons and rules, wherever their bullets sit under ``## Lessons`` / ``## Rules``."""
    result = Lessons(text=text)
    section = ""
    item: list = []  # [start, lines]

    def close_item(end: int) -> None:
        if not item:
            return
        start, lines = item
        body = canonical(unescape("\n".join(lines)))
        span = (start, end)
        if section.startswith("rule"):
            m = RULE.fullmatch(body)
            if m:
                result.rules.append(Rule(m.group(1), m.group(2), m.group(4) or "", m.group(3) or "", m.group(5), span))
            else:
                kind, _, rest = body.partition(" ")
                if kind in ("NEVER", "ALWAYS"):
                    result.rules.append(Rule(kind, rest, span=span))
        elif section.startswith("lesson"):
            m = LESSON.fullmatch(body)
            date, rest = (m.group(1), m.group(2)) if m else ("", body)
            lesson_text, sep, source = rest.rpartition(SOURCE)
            if not sep:
                lesson_text, source = rest, ""
            result.lessons.append(Lesson(date, lesson_text.strip(), source.strip(), span))
        item.clear()

    fences = Fences()
    for offset, line, _end in iter_lines(text):
        if fences.feed(line):
            if item:
                item[1].append(line)
            continue
        if line.startswith("## "):
            close_item(offset)
            section = line[3:].strip().lower()
        elif line.startswith("- ") or line.startswith("* "):
            close_item(offset)
            item.extend([offset, [line[2:]]])
        elif item and (line.startswith("  ") or line == ""):
            item[1].append(line[2:])
        else:
            close_item(offset)
    close_item(len(text))
    # An item's span ends after its last non-blank line, not at the next blank.
    for thing in (*result.lessons, *result.rules):
        start, end = thing.span
        body = text[start:end]
        stripped = body.rstrip("\r\n ")
        thing.span = (start, start + len(stripped) + _line_end_len(body, len(stripped)))
    return result


def _line_end_len(body: str, at: int) -> int:
    if body.startswith("\r\n", at):
        return 2
    return 1 if body.startswith("\n", at) else 0


def _bullet(text: str, newline: str) -> str:
    value = escape(canonical(text))
    first, *rest = value.split("\n")
    lines = [f"- {first}"] + [f"  {line}" if line else "" for line in rest]
    return newline.join(lines) + newline


def render_lesson(date: str, text: str, source: str = "", newline: str = "\n") -> str:
    body = canonical(text)
    if source.strip():
        body = f"{body}{SOURCE}{canonical(source)}"
    return _bullet(f"{date} {body}", newline)


def render_rule(
    kind: str,
    action: str,
    reason: str = "",
    connective: str = "because",
    date: str = "",
    newline: str = "\n",
) -> str:
    sentence = f"{kind} {canonical(action)}"
    if reason.strip():
        sentence += f" {connective} {canonical(reason)}"
    return _bullet(f"{sentence.rstrip('.')}. Learned: {date}", newline)


def add_bullet(text: str, bullet: str, section: str) -> str:
    """Add a rendered bullet at the end of the ``## Lessons`` or ``## Rules`` section.

    ``section`` is "lessons" or "rules". A missing section is created (Lessons
    before Rules, as the seed orders them).
    """
    newline = newline_of(text) if text else "\n"
    bullet = bullet.replace("\r\n", "\n").replace("\n", newline)
    headings: list[tuple[str, int]] = []
    fences = Fences()
    for offset, line, _nl in iter_lines(text):
        if not fences.feed(line) and line.startswith("## "):
            headings.append((line[3:].strip().lower(), offset))
    for i, (title, offset) in enumerate(headings):
        if title.startswith(section[:-1]):
            end = headings[i + 1][1] if i + 1 < len(headings) else len(text)
            cut = content_end(text, offset, end)
            head = text[:cut] if text[:cut].endswith("\n") else text[:cut] + newline
            return head + close_fence(head, newline) + bullet + text[cut:]
    title = "## Lessons" if section == "lessons" else "## Rules (hard-won)"
    block = f"{title}{newline}{bullet}"
    if section == "lessons":
        for other, offset in headings:
            if other.startswith("rule"):
                return text[:offset] + block + newline + text[offset:]
    if text and not text.endswith("\n"):
        text += newline
    text += close_fence(text, newline)
    if text.strip():
        text += newline
    return text + block


def merge_bullets(text: str, known: Lessons, lessons: list[tuple[str, str, str]],
                  rules: list[tuple[str, str, str, str, str]]) -> tuple[str, int]:
    """``text`` (lessons.md, parsed as ``known``) with the lessons (date, text, source) and rules
    (kind, action, reason, connective, date) it does not hold yet added; and how many were added."""
    lesson_keys = {(item.date, item.text, item.source) for item in known.lessons}
    rule_keys = {(r.kind, r.action, r.reason, r.date) for r in known.rules}
    added = 0
    for date, body, source in lessons:
        if (date, canonical(body), canonical(source)) not in lesson_keys:
            text = add_bullet(text, render_lesson(date, body, source), "lessons")
            added += 1
    for kind, action, reason, connective, date in rules:
        if (kind, canonical(action), canonical(reason), date) not in rule_keys:
            text = add_bullet(text, render_rule(kind, action, reason, connective or "because", date), "rules")
            added += 1
    return text, added
