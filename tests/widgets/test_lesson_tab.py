"""The Lesson tab: lessons and NEVER/ALWAYS rules through the core's one rule for their options."""

import re


def test_lessons_and_rules(panel, journal):
    panel.add_lesson.click()
    assert panel.message.startswith("✖ a lesson needs text")
    assert not journal.lessons_path.exists()
    panel.lesson_text.value = "SVC: C matters more than gamma."
    panel.lesson_reason.value = "runs 1-3"
    panel.add_lesson.click()
    panel.lesson_kind.value = "NEVER"
    assert panel.lesson_reason.description == "because"
    panel.lesson_text.value = "tune on the test split"
    panel.lesson_reason.value = "the estimate is optimistic"
    panel.add_lesson.click()
    panel.lesson_kind.value = "ALWAYS"
    assert panel.lesson_reason.description == "when"
    panel.lesson_text.value = "pin the seed"
    panel.lesson_reason.value = "comparing runs"
    panel.add_lesson.click()
    text = journal.lessons_path.read_text(encoding="utf-8")
    assert re.search(r"## Lessons\n- \d{4}-\d\d-\d\d SVC: C matters more than gamma\. Source: runs 1-3\n", text), text
    assert re.search(r"- NEVER tune on the test split because the estimate is optimistic\. Learned: \d{4}-", text), text
    assert re.search(r"- ALWAYS pin the seed when comparing runs\. Learned: \d{4}-", text), text
    assert panel.message.startswith("Added to lessons.md: - ALWAYS pin the seed")
    assert "ALWAYS pin the seed when comparing runs" in panel.review.value  # the review shows them
    assert panel.lesson_text.value == ""


def test_a_rule_with_no_text_says_what_it_needs(panel, journal):
    panel.lesson_kind.value = "NEVER"
    panel.lesson_reason.value = "the estimate is optimistic"
    panel.add_lesson.click()
    assert panel.message.startswith("✖ a NEVER rule needs what to avoid")
    panel.lesson_kind.value = "ALWAYS"
    panel.add_lesson.click()
    assert panel.message.startswith("✖ a") and "ALWAYS rule needs what to do" in panel.message
    assert not journal.lessons_path.exists()
    assert panel.lesson_reason.value == "the estimate is optimistic"  # kept to try again
