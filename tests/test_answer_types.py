"""What kind of answer a question asks for (rag.text.answer_types), in both languages."""

from __future__ import annotations

import pytest

from rag.text.answer_types import NUMBER, TIME, asked_type, holds_type


@pytest.mark.parametrize(
    "question, kind",
    [
        ("كم عدد الجرحى في الانفجار؟", NUMBER),
        ("وكم بلغت تكلفة الجسر؟", NUMBER),
        ("How much did the bridge cost?", NUMBER),
        ("متى افتتح المطار؟", TIME),
        ("في أي عام تأسست الشركة؟", TIME),
        ("What year did the war end?", TIME),
        ("When was the airport opened?", TIME),
        ("من افتتح المطار؟", None),
        ("Who opened the airport?", None),
    ],
)
def test_the_kind_a_question_asks_for(question, kind):
    assert asked_type(question) == kind


@pytest.mark.parametrize(
    "text, kind, holds",
    [
        ("أصيب خمسة أشخاص في الانفجار.", NUMBER, True),
        ("أصيب 12 شخصا في الانفجار.", NUMBER, True),
        ("أصيب عدد من الأشخاص في الانفجار.", NUMBER, False),
        ("افتتح المطار يوم الثلاثاء.", TIME, True),
        ("افتتح المطار في 1998.", TIME, True),
        ("افتتح الوزير المطار الجديد.", TIME, False),
        ("The airport opened last week.", TIME, True),
        ("افتتح الوزير المطار الجديد.", None, True),
    ],
)
def test_whether_a_text_holds_an_answer_of_that_kind(text, kind, holds):
    assert holds_type(text, kind) is holds
