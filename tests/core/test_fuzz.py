"""Round-trip fuzzing: any user text reads back as written; hand-edited files are never damaged."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.errors import JournalError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal, render_entry, splice_result
from jupyter_expjournal.core.lessons_format import add_bullet, parse_lessons, render_lesson
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.text import canonical

# Lines that mean something to Markdown or to our reader, mixed with arbitrary text.
TRICKY = [
    "### 2026-01-01 00:00 — looks like an entry",
    "### not an entry",
    "## Lessons",
    "## Rules (hard-won)",
    "# title",
    "**Status**: COMPLETED",
    "**Unknown**: field",
    "**",
    "```",
    "```python",
    "````",
    "~~~",
    "\\",
    "\\### escaped",
    "- bullet: a → b",
    "- NEVER x because y. Learned: 2026-01-01",
    "  indented",
    "",
    " ",
    "\t",
    "<img src=x onerror=alert(1)>",
    "→ -> —",
    "\u2028 \x85 \x0c",
]
line = st.one_of(st.sampled_from(TRICKY),
                 st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30))
newline = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def texts(draw, max_lines=8):
    lines = draw(st.lists(line, max_size=max_lines))
    ends = draw(st.lists(newline, min_size=len(lines), max_size=len(lines)))
    return "".join(line + end for line, end in zip(lines, ends, strict=True)) + draw(st.sampled_from(["", "tail"]))


names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=1, max_size=40).filter(
    lambda s: s.strip()
)

fuzz = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@fuzz
@given(value=texts(), other=texts())
def test_any_field_text_reads_back_exactly(value, other):
    text = render_entry("2026-11-25 10:00", "fuzz",
                        [("Status", "PLANNED"), ("Hypothesis", value), ("Learning", other), ("Next", value)])
    before = render_entry("2026-11-24 09:00", "before", [("Status", "COMPLETED"), ("Hypothesis", other)])
    entries = parse_journal(before + "\n" + text + "\n" + before)
    assert [e.name for e in entries] == ["before", "fuzz", "before"]
    fuzzed = entries[1]
    assert fuzzed.hypothesis == canonical(value)
    assert fuzzed.learning == canonical(other)
    assert fuzzed.next == canonical(value)
    assert fuzzed.status == "PLANNED"
    assert entries[2].hypothesis == canonical(other)


@fuzz
@given(name=names, body=texts())
def test_names_and_bodies_through_the_journal(tmp_path_factory, name, body):
    journal = Journal(tmp_path_factory.mktemp("j") / "experiments")
    try:
        draft = parse_body(name, body)
        logged = journal.hypothesize(draft, parallel=True)
    except JournalError:
        assert not journal.journal_path.exists()
        return
    assert logged.entry.name == name.strip()
    assert logged.entry.hypothesis == canonical(draft.hypothesis)
    if "\x00" in body:  # a NUL in what a person typed is refused (captured output only shows it as ␀)
        with pytest.raises(JournalError, match="NUL"):
            journal.complete(Outcome(output=body, learning=body), preferred=logged.entry.heading)
        return
    done = journal.complete(Outcome(output=body, learning=body), preferred=logged.entry.heading).entry
    assert done.learning == canonical(body)
    assert done.hypothesis == canonical(draft.hypothesis)


@fuzz
@given(prefix=texts(12), middle=texts(6), suffix=texts(12),
       fields=st.dictionaries(st.sampled_from(["Actual outcome", "Delta", "Learning", "Next"]), texts(4), max_size=4))
def test_completing_an_entry_changes_no_byte_outside_it(prefix, middle, suffix, fields):
    entry_text = "### 2026-11-25 10:00 — target\n**Status**: PLANNED\n" + middle
    text = (prefix + ("\n" if prefix and not prefix.endswith("\n") else "") + entry_text
            + "\n### 2026-11-25 11:00 — next one\n" + suffix)
    entries = parse_journal(text)
    targets = [e for e in entries if e.name == "target"]
    if not targets:  # the prefix opened a fence that swallowed it: nothing to complete
        return
    target = targets[0]
    start, end = target.span
    out = splice_result(text, target, "COMPLETED", list(fields.items()))
    assert out[:start] == text[:start]
    assert out.endswith(text[end:])
    again = [e for e in parse_journal(out) if e.name == "target"][0]
    assert again.status == "COMPLETED"
    for name, value in fields.items():
        if canonical(value):
            assert again.get(name) == canonical(value)


@fuzz
@given(text=texts(20))
def test_reading_any_file_never_raises(text):
    parse_journal(text)
    parse_lessons(text)


@fuzz
@given(existing=texts(10), lesson=texts(3), source=texts(1))
def test_lessons_are_added_without_touching_the_rest(existing, lesson, source):
    if not canonical(lesson):
        return
    before = parse_lessons(existing)
    out = add_bullet(existing, render_lesson("2026-11-25", lesson, source), "lessons")
    after = parse_lessons(out)
    assert len(after.lessons) == len(before.lessons) + 1
    assert [r.text for r in after.rules] == [r.text for r in before.rules]


PIECE = st.text(alphabet=st.sampled_from("ab →—é\n\r🙂"), max_size=24)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.text(alphabet=st.sampled_from("ab →—é\n\r\ufeff🙂"), max_size=40), appends=st.lists(PIECE, max_size=4),
       cut=st.tuples(st.integers(0, 200), st.integers(0, 200)), piece=PIECE)
def test_a_splice_rewrite_after_appends_writes_the_bytes_of_the_whole_text(tmp_path, start, appends, cut, piece):
    """The cache holds an appended file in pieces; a Splice rewrite of it encodes only its part and copies
    no text: what it writes, and what the cache then holds, must be the bytes and text of the whole new text."""
    from jupyter_expjournal.core.lock import DirLock
    from jupyter_expjournal.core.store import TextFile
    from jupyter_expjournal.core.text import Splice

    path = tmp_path / "journal.md"
    path.write_bytes(start.encode("utf-8"))
    store = TextFile(path, DirLock(tmp_path / ".lock"))
    def parse(text):  # any parse: the test is about the bytes and the text
        return [len(text)]

    for more in appends:
        before = store.snapshot("k", parse)
        store.append(more, after={"k": (before.value, [before.length + len(more)])})
    text = start + "".join(appends)
    assert store.snapshot("k", parse).pieces == 1 + len(appends)  # kept in pieces, not joined
    lo, hi = sorted(min(c, len(text)) for c in cut)
    with store.lock:
        written = store.rewrite(lambda current: Splice(lo, hi, piece), key="k", parse=parse)
    expected = text[:lo] + piece + text[hi:]
    assert written.data == expected.encode("utf-8") == path.read_bytes()
    assert written.tail(lo) == expected[lo:] and written.slice(0, lo) == expected[:lo]
    assert written.text == expected and store.parsed("k", parse) == (expected, [len(expected)])


def entry_facts(entries):
    return [(e.timestamp, e.name, e.fields, e.span, e.index, e.repeated) for e in entries]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(["hypothesis", "result", "abandon", "retro", "hand append", "preamble"]),
                      min_size=1, max_size=8))
def test_what_the_writer_knows_after_each_write_is_what_a_fresh_parse_reads(tmp_path_factory, steps):
    """Each write carries the parse forward (kept entries, a re-read tail, pieces): never a span or field off."""
    folder = tmp_path_factory.mktemp("j") / "experiments"
    journal = Journal(folder)
    for n, step in enumerate(steps):
        try:
            if step == "hypothesis":
                journal.hypothesize(parse_body(f"run {n}", f"h {n} → é\nchange: lr {n} → {n + 1}"), parallel=True)
            elif step == "result":
                journal.complete(Outcome(output=f"acc = 0.{n}", learning="l"), name=None)
            elif step == "abandon":
                journal.abandon("no GPU")
            elif step == "retro":
                journal.retro(f"retro {n}", Outcome(output="acc = 0.5"))
            elif step == "hand append" and folder.is_dir():
                with open(journal.journal_path, "a", encoding="utf-8") as fh:
                    fh.write(f"\n### 2026-01-0{n % 9 + 1} 10:00 — by hand {n}\n**Status**: PLANNED\n")
            elif step == "preamble" and journal.journal_path.exists():
                text = journal.journal_path.read_text(encoding="utf-8")
                journal.journal_path.write_text("Notes — before.\n" + text, encoding="utf-8")
        except JournalError:
            pass  # a refusal (several open, none open) writes nothing: the parse must still be right
        if journal.journal_path.exists():
            fresh = parse_journal(journal.journal_path.read_text(encoding="utf-8"))
            assert entry_facts(journal.entries()) == entry_facts(fresh)
