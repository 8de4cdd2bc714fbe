"""Magic options where users type them, through a real IPython shell.

An option's value is one quoted string (it ends at its closing quote) or a run
of unquoted words; quotes inside words (it's, C's) are text. What follows a
complete value goes to the magic's positional text when it takes one and none
was given, else it stays part of the value.
"""

import pytest
from IPython.core.error import UsageError

BODY = "h\nbaseline: accuracy = 0.95"


def run(ip, code):
    return ip.run_cell(code, store_history=True)


def opened(ip, name="exp"):
    ip.run_cell_magic("hypothesis", name, BODY)
    run(ip, "print('accuracy = 0.96')")


def completed(ip, journal, line):
    """The entry ``%result <line>`` completes."""
    opened(ip)
    run(ip, f"%result {line}")
    (entry,) = journal.entries()
    return entry


def test_a_quoted_value_ends_at_its_closing_quote(ip, journal):
    ip.run_line_magic("lesson", '--context SVC "C above 10 gives nothing" --source "SVC C=10"')
    (lesson,) = journal.lessons().lessons
    assert (lesson.context, lesson.text, lesson.source) == ("SVC", "SVC: C above 10 gives nothing", "SVC C=10")


def test_words_after_a_quoted_value_are_the_positional_text(ip, journal):
    ip.run_line_magic("lesson", '--source "run 3" scaling matters more than C')
    (lesson,) = journal.lessons().lessons
    assert (lesson.text, lesson.source) == ("scaling matters more than C", "run 3")


def test_a_value_without_positional_room_stays_whole(ip, journal):
    entry = completed(ip, journal, '--learning use "scale" gamma --next try \'auto\' next')
    assert entry.learning == 'use "scale" gamma'
    assert entry.next == "try 'auto' next"


def test_quotes_inside_unquoted_words_are_text(ip, journal):
    entry = completed(ip, journal, "--learning C's effect is small --next don't sweep C")
    assert entry.learning == "C's effect is small"
    assert entry.next == "don't sweep C"


def test_apostrophes_in_a_lesson_and_its_source(ip, journal):
    ip.run_line_magic("lesson", "Don't trust one split: it's noisy --source it's what runs 1-4 said")
    ip.run_line_magic("lesson", "SVC: C matters more than gamma near 'scale'. --source \"runs 'a' and 'b'\"")
    first, second = journal.lessons().lessons
    assert (first.text, first.source) == ("Don't trust one split: it's noisy", "it's what runs 1-4 said")
    assert (second.text, second.source) == ("SVC: C matters more than gamma near 'scale'.", "runs 'a' and 'b'")


def test_an_option_inside_quotes_is_text(ip, journal):
    entry = completed(ip, journal, '--learning "the plan goes after --next here" --next sweep gamma')
    assert entry.learning == "the plan goes after --next here"
    assert entry.next == "sweep gamma"


def test_an_unbalanced_quote_is_one_clear_error(ip, journal):
    opened(ip)
    before = journal.journal_path.read_bytes()
    with pytest.raises(UsageError, match=r'--learning: the " .*is never closed'):
        ip.run_line_magic("result", '--learning "C matters --next sweep gamma')
    with pytest.raises(UsageError, match="is never closed"):
        ip.run_line_magic("lesson", "'90s data was noisier")
    assert journal.journal_path.read_bytes() == before
    assert not journal.lessons_path.exists()


def test_a_flag_then_the_name(ip, journal):
    ip.run_cell_magic("hypothesis", "first", BODY)
    ip.run_cell_magic("hypothesis", "--parallel second one", BODY)
    assert [e.name for e in journal.open_entries()] == ["first", "second one"]


def test_option_equals_value(ip, journal):
    entry = completed(ip, journal, "--learning=short --next=more")
    assert (entry.learning, entry.next) == ("short", "more")


def test_an_abbreviated_option_is_refused_not_dropped(ip, journal):
    opened(ip)
    before = journal.journal_path.read_bytes()
    with pytest.raises(UsageError, match="unrecognized arguments: --learn"):
        ip.run_line_magic("result", "--learn this is lost")
    assert journal.journal_path.read_bytes() == before


def test_the_magics_read_no_private_argparse_state():
    import inspect

    import jupyter_expjournal.kernel.magics as magics
    import jupyter_expjournal.kernel.options as options

    for module in (magics, options):
        assert "_actions" not in inspect.getsource(module)
