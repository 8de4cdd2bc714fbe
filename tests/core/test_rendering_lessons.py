"""lessons.md renders as it reads (markdown-it-py): each lesson and rule one list item, under its own heading."""

from __future__ import annotations

import pytest
from rendering_support import render

from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.lessons_format import parse_lessons


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "experiments")


def items(tree, heading: str) -> list[str]:
    """The items of the one list in the section under the ``h2`` named ``heading``, as text."""
    blocks = tree.blocks
    at = next(i for i, b in enumerate(blocks) if b.tag == "h2" and b.text == heading)
    end = next((i for i in range(at + 1, len(blocks)) if blocks[i].tag == "h2"), len(blocks))
    (ul,) = [b for b in blocks[at + 1 : end] if b.tag == "ul"]
    return [" ".join(li.text.split()) for li in ul.blocks]


def test_each_lesson_and_rule_is_one_item_under_its_heading(journal):
    journal.add_rule("NEVER", "train in fp16 without loss scaling", reason="the loss goes NaN", date="2026-03-15")
    journal.add_lesson("alpha/r ratio matters more than rank.", context="QLoRA", source="runs 3-5", date="2026-03-15")
    journal.add_lesson("a lesson\nover two lines\n---\n# not a heading\n- a list in it", date="2026-03-16")
    journal.add_rule("ALWAYS", "pin the eval seed", reason="comparing runs", date="2026-03-16")
    text = journal.lessons_path.read_text(encoding="utf-8")
    tree = render(text)
    assert [b.tag for b in tree.blocks] == ["h2", "ul", "h2", "ul"]  # Lessons created before Rules
    assert items(tree, "Lessons") == [
        "2026-03-15 QLoRA: alpha/r ratio matters more than rank. Source: runs 3-5",
        "2026-03-16 a lesson over two lines --- # not a heading a list in it",
    ]
    assert items(tree, "Rules (hard-won)") == [
        "NEVER train in fp16 without loss scaling because the loss goes NaN. Learned: 2026-03-15",
        "ALWAYS pin the eval seed when comparing runs. Learned: 2026-03-16",
    ]
    assert [n.tag for n in tree.walk() if n.tag in ("h1", "h2", "h3")] == ["h2", "h2"]  # no heading from a lesson's text
    read = parse_lessons(text)
    assert read.lessons[1].text == "a lesson\nover two lines\n---\n# not a heading\n- a list in it"


def test_a_bullet_added_to_a_hand_edited_file_is_an_item_of_its_own(journal):
    journal.directory.mkdir()
    journal.lessons_path.write_text("# Our lessons\n\nIntro text.\n\n## Lessons\nSome words first.", encoding="utf-8")
    journal.add_lesson("first lesson", date="2026-03-15")
    journal.add_rule("NEVER", "skip the baseline", reason="memory lies", date="2026-03-16")
    tree = render(journal.lessons_path.read_text(encoding="utf-8"))
    assert items(tree, "Lessons") == ["2026-03-15 first lesson"]
    assert items(tree, "Rules (hard-won)") == ["NEVER skip the baseline because memory lies. Learned: 2026-03-16"]
    assert "Some words first." in [p.text for p in tree.find("p")]


def test_a_bullet_after_a_fence_left_open_is_not_code(journal):
    journal.directory.mkdir()
    journal.lessons_path.write_text("## Lessons\n- 2026-03-14 old\n```\nunclosed", encoding="utf-8")
    journal.add_lesson("new lesson", date="2026-03-15")
    tree = render(journal.lessons_path.read_text(encoding="utf-8"))
    assert "2026-03-15 new lesson" in [li.text for li in tree.find("li")]
