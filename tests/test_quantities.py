"""A number the source qualifies (more than, about, at least) stated as exact is refused, in English
and in Arabic, on the seed and on other stories; a kept qualifier, in any wording, passes."""

from __future__ import annotations

import pytest

from rag.verify.quantities import qualifier_dropped

FLED = "وقال المرصد السوري لحقوق الإنسان إن أكثر من 120 ألفا فروا من ديارهم في جنوب غرب سوريا."
KILLED = "وقال قائد في قوات سوريا الديمقراطية إن 15 مسلحا على الأقل من تنظيم الدولة قتلوا خلال اليوم الأول."
TROOPS = "ونشرت الحكومة نحو 36 ألف جندي لتأمين الاقتراع في أنحاء البلاد."
EXACT = "وتمت تعبئة 36 ألف جندي لتأمين العملية."


@pytest.mark.parametrize(
    "claim,source",
    [
        ("According to the Observatory, 120,000 people have fled their homes.", FLED),
        ("120 thousand people fled the south-west.", FLED),
        ("فر 120 ألفا من ديارهم في جنوب غرب سوريا.", FLED),
        ("15 IS militants were killed on the first day.", KILLED),
        ("قتل 15 مسلحا من تنظيم الدولة.", KILLED),
        ("The government deployed 36,000 soldiers to secure the vote.", TROOPS),
    ],
)
def test_a_qualified_number_stated_as_exact_is_refused(claim, source):
    assert qualifier_dropped(claim, source)


@pytest.mark.parametrize(
    "claim,source",
    [
        ("More than 120,000 people fled, the Observatory said.", FLED),
        ("Over 120,000 fled their homes.", FLED),
        ("فر أكثر من 120 ألفا من ديارهم.", FLED),
        ("At least 15 militants were killed.", KILLED),
        ("15 militants at least were killed.", KILLED),
        ("Nearly 36,000 soldiers were deployed.", TROOPS),  # another qualifier: the meaning checks judge it
        ("36,000 soldiers were mobilized.", EXACT),  # the source gives it exact
    ],
)
def test_a_kept_qualifier_or_an_exact_number_passes(claim, source):
    assert qualifier_dropped(claim, source) is None


def test_a_number_the_question_asked_with_is_the_askers():
    assert qualifier_dropped("120,000 fled.", FLED, asked={"120000"}) is None


def test_the_checker_refuses_a_dropped_qualifier(checker):
    verdict = checker.check(
        "According to the Syrian Observatory, 120,000 people fled their homes in south-west Syria.", [FLED]
    )
    assert not verdict.supported and verdict.misreading and "qualifier" in verdict.reason


def test_a_dropped_qualifier_is_not_repaired_by_another_citation(checker):
    # The repair that looks for a better-cited sentence across languages holds the same check.
    observatory = (
        "على الصعيد الإنساني، قال المرصد السوري لحقوق الإنسان إن أكثر من 120 ألفا فروا من ديارهم في جنوب غرب "
        "سوريا منذ أن بدأت القوات الحكومية هجوما هناك الأسبوع الماضي."
    )
    question = (
        "According to the Syrian Observatory for Human Rights, how many people have been driven from their homes?"
    )
    exact = "According to the Syrian Observatory for Human Rights, 120,000 people have been driven from their homes in the southwest since government troops began their offensive."
    assert checker.best_support(exact, [KILLED, observatory], question) is None
    kept = exact.replace("120,000", "more than 120,000")
    assert checker.best_support(kept, [KILLED, observatory], question) is not None


@pytest.mark.parametrize(
    "claim,source",
    [
        ("The vote was on 29.07.2018.", "جرت الدورة الأولى في 29.07.2018 وسط أعمال عنف."),  # a dotted date
        ("5 people were killed.", "قتل 5 أشخاص وأصيب على الأقل 20 آخرون."),  # the qualifier is 20's
        ("5 people were killed.", "5 people were killed and at least 20 wounded."),
        ("Prices rose 3 percent, a surplus of 2 points.", "ارتفعت الأسعار 3 في المئة."),  # "plus" in "surplus"
    ],
)
def test_a_qualifier_belongs_to_its_own_number(claim, source):
    assert qualifier_dropped(claim, source) is None


@pytest.mark.parametrize(
    "source",
    [
        "وأصيب على الأقل 20 شخصا في الانفجار.",
        "وقال المسؤول إن الحصيلة بلغت ونحو 20 قتيلا.",
        "ونزح 20 ألفا فأكثر من المدينة.",
    ],
)
def test_qualifiers_in_other_places_and_with_a_clitic_are_read(source):
    assert qualifier_dropped("20 were hurt." if "ألفا" not in source else "20,000 fled the city.", source)
