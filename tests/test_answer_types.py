"""What kind of answer a question asks for (rag.text.answer_types), in both languages."""

from __future__ import annotations

import pytest

from rag.text.answer_types import NUMBER, TIME, asked_types, asks_who, holds_asked, holds_type


@pytest.mark.parametrize(
    "question, kind",
    [
        ("كم عدد الجرحى في الانفجار؟", NUMBER),
        ("وكم بلغت تكلفة الجسر؟", NUMBER),
        ("How much did the bridge cost?", NUMBER),
        ("ما عدد اللاجئين في المخيم؟", NUMBER),
        ("وما هي نسبة المشاركة في الدورة الثانية؟", NUMBER),
        ("What share of the vote did he win?", NUMBER),
        ("ما سبب تأجيل الانتخابات؟", None),
        ("متى افتتح المطار؟", TIME),
        ("في أي عام تأسست الشركة؟", TIME),
        ("What year did the war end?", TIME),
        ("When was the airport opened?", TIME),
        ("من افتتح المطار؟", None),
        ("Who opened the airport?", None),
    ],
)
def test_the_kind_a_question_asks_for(question, kind):
    assert asked_types(question) == (frozenset({kind}) if kind else frozenset())


def test_a_question_may_ask_for_both_and_then_needs_both():
    kinds = asked_types("كم عدد القتلى ومتى وقع الهجوم؟")
    assert kinds == {NUMBER, TIME}
    assert not holds_asked("قتل خمسة أشخاص في الهجوم.", kinds)
    assert holds_asked("قتل خمسة أشخاص في الهجوم يوم الأحد.", kinds)
    assert holds_asked("أي نص", frozenset())


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
        ("وصل الوفد الثاني إلى المطار.", TIME, False),  # an ordinal is no time
        ("قتل خمسة أشخاص في الهجوم.", TIME, False),
    ],
)
def test_whether_a_text_holds_an_answer_of_that_kind(text, kind, holds):
    assert holds_type(text, kind) is holds


@pytest.mark.parametrize(
    "question, who",
    [
        ("من هو مؤلف الكتاب؟", True),
        ("\u200fمن هو مؤلف الكتاب؟", True),
        ("ومن افتتح المطار؟", True),
        ("قبل مانينغ، من هو أكبر لاعب سنا؟", True),
        ("Who opened the airport?", True),
        ("Before the war, who led the army?", True),
        # A name is asked as someone is: the answer must name what the draft named.
        ("ما هو اسم المطار؟", True),
        ("ما اسم المسؤول العسكري الذي أبلغ الوكالة؟", True),
        ("What is the name of the official who spoke?", True),
        ("What is the name worth to the brand?", False),
        ("ما إسم المسؤول؟", True),
        ("ماهو اسم الوزير؟", True),
        ("وفقا للتقرير، ما اسم المتحدث؟", True),
        ("What's the name of the envoy?", True),
        ("What was the official's full name?", True),
        ("كم من الوقت استغرق البناء؟", False),
        ("ماذا قال المتحدث، من البنتاغون؟", False),
        ("What did the man from Aleppo say?", False),
    ],
)
def test_which_questions_ask_for_someone(question, who):
    assert asks_who(question) is who


@pytest.mark.parametrize(
    "question", ["ما سنّ رئيس الوزراء الجديد؟", "وما عمر الرئيس المنتخب؟", "How old is the new prime minister?"]
)
def test_a_how_old_question_asks_for_an_age(question):
    from rag.text.answer_types import AGE

    assert asked_types(question) == frozenset({NUMBER, AGE})


@pytest.mark.parametrize(
    "text,holds",
    [
        ("ويحمل رئيس الوزراء الجديد مصطفى مدبولي، صاحب الـ52 عاماً، سيرة ذاتية قوية.", True),
        ("توفي الكاتب عن 80 عاما في القاهرة.", True),
        ("The minister, 61 years old, resigned.", True),
        ("The 52-year-old prime minister was sworn in.", True),
        ("He took office at the age of 52.", True),
        ("لم يكن اختياره مفاجأة للحكومة الثالثة في عهد الرئيس.", False),  # an ordinal is no age
        ("وتولى المنصب في عام 2015.", False),  # a year is no age
    ],
)
def test_an_age_is_a_number_of_years(text, holds):
    from rag.text.answer_types import AGE

    assert holds_type(text, AGE) is holds


@pytest.mark.parametrize(
    "text", ["شارك نصف الناخبين في الدورة الثانية.", "He won half of the vote.", "وصوت ثلث الأعضاء ضده."]
)
def test_a_fraction_answers_what_share(text):
    assert holds_type(text, NUMBER)
