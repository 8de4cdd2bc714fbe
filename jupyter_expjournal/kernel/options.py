"""Magic options, declared once: IPython's parser checks them, the line as typed gives their values.

Each magic declares its options as an :class:`Options` and decorates itself
with it, which builds the ``magic_arguments`` parser (so ``%result?`` is its
help page and a wrong option or type is one ``UsageError``). IPython splits
magic lines shlex-style but keeps the quotes, which mangles free text
(``'scale'.`` becomes ``'scale'`` and ``.``); so the values are read from the
raw line, by the rule people type by:

* an option's value is one quoted string, which ends at its closing quote, or
  a run of unquoted words (``--learning C matters less`` needs no quotes);
* a quote inside a word is text (``it's``, ``C's``); a word that starts with
  a quote opens a quoted string, and one never closed is an error;
* what follows a complete value (a quoted string after unquoted words, words
  after a quoted string) and precedes the next option is the magic's
  positional text when it takes one and none was given
  (``--context SVC "C above 10 gives nothing"``); else it stays part of the
  value (``--learning use "scale" gamma`` keeps its learning whole);
* an option is one of the magic's own option strings, written in full, as a
  word of its own or as ``--option=value``, never inside quotes.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from IPython.core.magic_arguments import argument, magic_arguments

from ..core.errors import InputError

TEXT, VALUE, FLAG = "text", "value", "flag"
_QUOTES = "\"'"


@dataclass(frozen=True)
class Option:
    """One option of a magic: ``--learning TEXT`` (words), ``--cell N`` (one word) or ``--parallel`` (none)."""

    flag: str
    kind: str
    help: str
    metavar: str | None = None
    extra: Mapping = field(default_factory=dict)  # more add_argument keywords: type, choices, default

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def argument(self) -> argument:
        if self.kind == FLAG:
            return argument(self.flag, action="store_true", help=self.help)
        if self.kind == TEXT:
            return argument(self.flag, nargs="+", metavar=self.metavar, help=self.help)
        return argument(self.flag, metavar=self.metavar, help=self.help, **self.extra)


def text(flag: str, metavar: str, help: str) -> Option:
    """An option taking free text: the rest of its words, or one quoted string."""
    return Option(flag, TEXT, help, metavar)


def value(flag: str, metavar: str, help: str, **extra) -> Option:
    """An option taking one word (a number, a variable name, a date, a choice)."""
    return Option(flag, VALUE, help, metavar, extra)


def flag(flag: str, help: str) -> Option:
    return Option(flag, FLAG, help)


class _Word(NamedTuple):
    start: int
    end: int
    quoted: str | None  # the text inside the quotes of a quoted string; None for an unquoted word


class _Unclosed(Exception):
    def __init__(self, start: int) -> None:
        self.start = start


class Options:
    """A magic's options; decorate the magic with it, then :meth:`parse` its line.

    ``positional`` is ``(name, help)`` of the free text the magic takes before
    (or between) its options, if any.
    """

    def __init__(self, *options: Option, positional: tuple[str, str] | None = None) -> None:
        self.options = options
        self.positional = positional
        self._by_flag = {o.flag: o for o in options}
        self._parser = None

    def __call__(self, func):
        # magic_arguments builds its parser from the decorators in source order: add them last first.
        for option in reversed(self.options):
            func = option.argument()(func)
        if self.positional is not None:
            name, help = self.positional
            func = argument(name, nargs="*", help=help)(func)
        func = magic_arguments()(func)
        func.parser.allow_abbrev = False  # --learn must not silently mean --learning
        self._parser = func.parser
        return func

    def parse(self, line: str) -> tuple[Namespace, dict[str, str]]:
        """The parser's checked arguments, and each value as typed (key ``""``: the positional text)."""
        texts = self.values(line)
        try:
            args = self._parser.parse_argstring(line)
        except ValueError as exc:  # shlex's own quote rule, stricter than ours in corner cases
            raise InputError(f"cannot read the options: {exc}") from None
        return args, texts

    def values(self, line: str) -> dict[str, str]:
        segments: list[tuple[Option | None, list[_Word]]] = [(None, [])]
        try:
            for word in _words(line):
                if word.quoted is None:
                    name, eq, _ = line[word.start : word.end].partition("=")
                    option = self._by_flag.get(name)
                    if option is not None:
                        segments.append((option, []))
                        if eq:
                            segments[-1][1].append(_Word(word.start + len(name) + 1, word.end, None))
                        continue
                segments[-1][1].append(word)
        except _Unclosed as exc:
            option = segments[-1][0]
            quote, rest = line[exc.start], line[exc.start :]
            rest = rest if len(rest) <= 50 else rest[:49] + "…"
            where = f"{option.flag}: " if option is not None else ""
            raise InputError(
                f"{where}the {quote} that opens {rest} is never closed (a quoted value ends at its closing {quote})"
            ) from None

        texts = {"": _joined(line, segments[0][1])}
        room = self.positional is not None and not segments[0][1]
        for option, words in segments[1:]:
            if option.kind == FLAG:
                head, rest = [], words
            elif not words or words[0].quoted is not None or option.kind == VALUE:
                head, rest = words[:1], words[1:]
            else:
                n = next((i for i, w in enumerate(words) if w.quoted is not None), len(words))
                head, rest = words[:n], words[n:]
            if rest and room:
                texts[""], room = _joined(line, rest), False
            elif rest:
                head = words
            if option.kind != FLAG:
                texts[option.dest] = _joined(line, head)
        return texts


def _words(line: str):
    """The words of ``line``: quoted strings (a quote at a word's start, to its closing quote) and the rest."""
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        if line[i] in _QUOTES:
            close = line.find(line[i], i + 1)
            if close < 0:
                raise _Unclosed(start)
            i = close + 1
            if i == n or line[i].isspace():
                yield _Word(start, i, line[start + 1 : close])
                continue
            # 'scale'. : the quotes are part of a longer word, which is text
        while i < n and not line[i].isspace():
            i += 1
        yield _Word(start, i, None)


def _joined(line: str, words: list[_Word]) -> str:
    """The words as typed: one quoted string without its quotes, else the span from the first to the last."""
    if not words:
        return ""
    if len(words) == 1 and words[0].quoted is not None:
        return words[0].quoted
    return line[words[0].start : words[-1].end]
