"""What a number counts (rag.verify.counted): a how-many question about one kind of people is not
answered by a sentence whose numbers count another kind."""

from __future__ import annotations

import pytest

from rag.verify.counted import asked_kinds, counted_kinds, counts_another_kind


@pytest.mark.parametrize(
    "question, kinds",
    [
        ("كم عدد الجنود الأتراك الذين قُتلوا في المعارك؟", {"who": "soldiers"}),
        ("كم جنديا أصيب في الهجوم؟", {"who": "soldiers"}),
        ("كم عدد المدنيين الذين غادروا البلدة عبر الممر؟", {"who": "civilians"}),
        ("How many Russian diplomats were ordered out?", {"who": "diplomats"}),
        ("How many children were among the victims?", {"who": "children"}),
        ("كم عدد الجرحى في الانفجار؟", {"fate": "wounded"}),
        ("كم عدد ضحايا الغارة؟", {}),  # victims: no kind this check knows
        ("من قاد الجنود؟", {}),  # not a how-many question
    ],
)
def test_what_a_how_many_question_counts(question, kinds):
    assert asked_kinds(question) == kinds


def test_a_number_counts_the_kind_word_after_it_past_a_multiplier():
    assert counted_kinds("وتمت تعبئة 36 ألف جندي و5 آلاف شرطي") == ({"who": {"soldiers", "police"}}, 0)
    assert counted_kinds("قتل 43 مدنيا بينهم سبعة أطفال في 4 آذار 2018") == ({"who": {"civilians", "children"}}, 0)
    assert counted_kinds("Police said 12 militants and three soldiers died") == ({"who": {"fighters", "soldiers"}}, 0)
    assert counted_kinds("قتل 12 من الجنود الأتراك كما قتل جنديان") == ({"who": {"soldiers"}}, 0)
    assert counted_kinds("ارتفع العدد إلى 160 ألفا") == ({}, 1)  # counts someone no word names
    assert counted_kinds("وقتل 4 مدنيين وارتفعت الأسعار 5 في المئة") == ({"who": {"civilians"}}, 1)


@pytest.mark.parametrize(
    "question, cited",
    [
        # The sentence names the soldiers, but its number counts civilians.
        (
            "كم عدد الجنود الأتراك الذين قُتلوا في معارك عفرين؟",
            "قتل 43 مدنيا في قصف للجيش التركي لمدينة عفرين التي باتت مطوقة من الجنود الأتراك.",
        ),
        ("كم عدد المدنيين الذين خرجوا من البلدة عبر الممر الإنساني؟", "وقتل 15 مسلحا على الأقل قرب البلدة."),
        ("How many soldiers died in the ambush?", "وقتل 20 متمردا في الكمين بحسب الجيش."),
        ("كم عدد القتلى في الانفجار؟", "وأسفر الانفجار عن سقوط 30 جريحا."),
        ("How many journalists were detained?", "Police detained 40 protesters outside the court."),
    ],
)
def test_a_sentence_counting_another_kind_does_not_answer(question, cited):
    assert counts_another_kind(question, cited)


@pytest.mark.parametrize(
    "question, cited",
    [
        ("كم عدد المدنيين الذين قتلوا؟", "قتل 43 مدنيا بينهم 7 جنود."),
        ("كم طفلا كانوا بين ضحايا القصف؟", "قتل 43 مدنيا بينهم سبعة أطفال."),
        ("How many troops were deployed to guard the vote?", "وتمت تعبئة 36 ألف جندي لتأمين العملية."),
        ("How many civilians were killed?", "قتل 43 مدنيا في القصف."),
        ("كم عدد الجرحى؟", "قتل 5 أشخاص وأصيب 20 آخرون."),  # 20 counts no kind word: left to other checks
        ("كم عدد النازحين؟", "ارتفع عدد المهجرين إلى 160 ألفا."),
        ("كم عدد ضحايا الغارة؟", "قتل 12 مدنيا في الغارة."),
        # A number whose kind no word says may count the asked one; the question's verb is not its kind.
        ("How many soldiers were killed?", "12 soldiers were killed and 30 wounded."),
        ("كم عدد القتلى؟", "بلغ عدد القتلى 43، فيما بلغ عدد الجرحى 120 جريحا."),
        ("How many Turkish soldiers were killed?", "The attack killed 12 Turkish soldiers and wounded 3 civilians."),
        ("كم عدد الجنود الذين قتلوا؟", "قتل 3 مدنيين كما قتل جنديان."),
        ("How many civilians were killed?", "Twelve civilians died and 3 soldiers were hurt."),
        ("كم جنديا قتل في الهجوم؟", "قتل 5 في الهجوم بينهم 3 مدنيين."),  # the 5 may be soldiers
    ],
)
def test_a_sentence_counting_the_asked_kind_or_no_kind_passes(question, cited):
    assert counts_another_kind(question, cited) is None
