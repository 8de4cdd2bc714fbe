"""The Lesson tab: a lesson with its source, or a NEVER/ALWAYS rule with its reason, into lessons.md.

One text and one reason field serve all three kinds; the reason field is
whichever option the kind takes (a lesson's source, a NEVER rule's
*because*, an ALWAYS rule's *when*), and the request is made by the core's
one rule for which options go together
(:func:`~jupyter_expjournal.core.draft.lesson_request`), as in every face.
"""

from __future__ import annotations

import ipywidgets as W

from ..core.draft import Learned, lesson_request
from .common import left, text_field, wide

#: For each kind: the option its text is, the option its reason field is, the fields' placeholders.
KINDS = {
    "lesson": ("text", "source", "context: what you learned", "where it came from: runs 3-5, a paper, ..."),
    "NEVER": ("never", "because", "what to avoid", "what goes wrong (the loss goes NaN)"),
    "ALWAYS": ("always", "when", "what to do", "in which situation (comparing runs)"),
}


class LessonTab:
    """The kind, the text, the reason, and the button writing them."""

    def __init__(self, session) -> None:
        self.session = session
        self.kind = W.ToggleButtons(options=list(KINDS), style={"button_width": "80px"})
        self.text = W.Textarea(placeholder=KINDS["lesson"][2], rows=2, layout=wide())
        self.reason = text_field(KINDS["lesson"][1], KINDS["lesson"][3])
        self.add = W.Button(description="Add lesson / rule", icon="plus", button_style="info", layout=left())
        self.kind.observe(self._kind_changed, "value")
        self.widget = W.VBox([self.kind, self.text, self.reason, self.add], layout=wide())

    def request(self) -> Learned:
        """The form as the core's request; InputError for a combination it refuses."""
        text_option, reason_option, _, _ = KINDS[self.kind.value]
        text = self.text.value
        if text_option != "text":
            text = text or " "  # a blank rule is still a rule: the core then says what it needs
        return lesson_request(**{text_option: text, reason_option: self.reason.value.strip()})

    def learn(self) -> str:
        """Write the lesson or rule and clear the form; the message to show."""
        written = self.session.journal().learn(self.request())
        self.text.value = self.reason.value = ""
        return f"Added to lessons.md: {written}"

    def _kind_changed(self, change) -> None:
        _, reason_option, text_placeholder, reason_placeholder = KINDS[change["new"]]
        self.reason.description = reason_option
        self.reason.placeholder = reason_placeholder
        self.text.placeholder = text_placeholder
