"""Who did what: the relation checks of rag.verify.relations, on the seed and on other articles,
with paraphrases of each claim (a check that passes only one wording is not a check)."""

from __future__ import annotations

import pytest

from helpers import SEED_FILES
from rag.verify import relations

SEED = SEED_FILES[0].read_text(encoding="utf-8")
KERRY_AND_SPOKESMAN = next(line for line in SEED.splitlines() if line.startswith("وحول هذا التفاؤل"))
COOK = next(line for line in SEED.splitlines() if line.startswith("فيما وجه بيتر كوك")).split(". ")[0]
# Other articles' sentences (written for these tests, in the style of wire copy).
MINISTERS = "طالب وزراء الخارجية العرب مجلس الأمن الدولي بالتحرك العاجل لوقف القصف على المدنيين في اليمن."
TOURISM = "قالت منظمة السياحة العربية إن عدد السياح في المنطقة بلغ 70 مليون سائح العام الماضي."
PRICES = "انخفضت أسعار النفط بنسبة 5 في المئة في تعاملات الثلاثاء بعد تقرير المخزونات الأميركية."
TURKI = "استقبل الأمين العام لرابطة العالم الإسلامي عبد الله التركي وفدا من علماء إندونيسيا في مكة."


@pytest.mark.parametrize(
    "claim",
    [
        "The Pentagon spokesman is John Kerry.",
        "John Kerry is the Pentagon spokesman.",
        "John Kerry, the Pentagon spokesman, voiced pessimism.",
        "Pentagon spokesman John Kerry was pessimistic.",
    ],
)
def test_a_name_given_a_role_the_source_gives_another_clause_is_refused(checker, claim):
    verdict = checker.check(claim, [KERRY_AND_SPOKESMAN])
    assert not verdict.supported and verdict.misreading


@pytest.mark.parametrize(
    "claim",
    [
        "The Pentagon spokesman is Peter Cook.",
        "Peter Cook is the Pentagon spokesman.",
        "Pentagon spokesman Peter Cook sharply criticized Russia over its air strikes in Syria.",
    ],
)
def test_the_name_and_role_the_source_puts_together_pass(checker, claim):
    assert checker.check(claim, [COOK]).supported


@pytest.mark.parametrize(
    "claim",
    [
        "The UN Security Council asked the Arab foreign ministers to act urgently in Yemen.",
        "The Security Council urged Arab foreign ministers to act to stop the shelling in Yemen.",
    ],
)
def test_who_asked_whom_swapped_is_refused(checker, claim):
    assert not checker.check(claim, [MINISTERS]).supported


def test_who_asked_whom_as_the_source_says_passes_the_order_check():
    assert (
        relations.swapped_order("Arab foreign ministers urged the Security Council to act in Yemen.", MINISTERS) is None
    )
    assert relations.swapped_order("The Security Council urged Arab foreign ministers to act in Yemen.", MINISTERS)


@pytest.mark.parametrize(
    "claim",
    [
        "The number of tourists reached 70 million last year, according to the Ministry of Tourism.",
        "According to the Tourism Ministry, 70 million tourists visited the region last year.",
    ],
)
def test_an_attribution_the_source_does_not_make_is_refused(checker, claim):
    verdict = checker.check(claim, [TOURISM])
    assert not verdict.supported and verdict.misreading


def test_the_attribution_the_source_makes_passes(checker):
    assert (
        relations.unsupported_attribution(
            "The number of tourists reached 70 million, according to the Arab Tourism Organization.",
            TOURISM,
            checker.embedder,
        )
        is None
    )


@pytest.mark.parametrize(
    "claim", ["Oil prices rose 5 percent on Tuesday.", "Oil prices increased by 5 percent on Tuesday."]
)
def test_an_opposite_word_is_refused(checker, claim):
    verdict = checker.check(claim, [PRICES])
    assert not verdict.supported and "opposite" in verdict.reason
    assert relations.opposite_word("Oil prices fell 5 percent on Tuesday.", PRICES) is None


def test_an_opposite_word_in_arabic_is_refused(checker):
    assert not checker.check("ارتفعت أسعار النفط بنسبة 5 في المئة في تعاملات الثلاثاء.", [PRICES]).supported
    assert checker.check("انخفضت أسعار النفط بنسبة 5 في المئة يوم الثلاثاء.", [PRICES]).supported


def test_an_air_strike_is_not_artillery_fire():
    shelling = "وأفاد المرصد أن 20 مدنيا قتلوا في قصف مدفعي استهدف سوقا شعبية في البلدة."
    raid = "وقتل 7 مدنيين في غارة جوية استهدفت مدرسة في البلدة."
    assert relations.opposite_word("20 civilians died in an air strike on the town's market.", shelling)
    assert relations.opposite_word("قتل 7 مدنيين في قصف مدفعي على مدرسة.", raid)
    assert relations.opposite_word("7 civilians died in an air strike on a school.", raid) is None
    assert relations.opposite_word("20 civilians were killed by shelling of the market.", shelling) is None
    # Female fighters (مقاتلات) and defenders (المدافعون) are no aircraft and no guns.
    assert relations.opposite_word("Artillery pounded the town.", "وقاتلت مقاتلات كرديات في البلدة.") is None
    assert relations.opposite_word("An air strike hit the town.", "وصد المدافعون عن البلدة الهجوم.") is None


def test_a_surname_read_as_a_government_is_refused(checker):
    verdict = checker.check("The Turkish government received a delegation of Indonesian scholars in Mecca.", [TURKI])
    assert not verdict.supported


def test_arabic_negation_added_or_dropped_is_refused(checker):
    source = next(s for s in SEED.split(". ") if "لا يوجد تقدم" in s)
    assert not checker.check("تم إحراز تقدم منذ لقاء كيري ولافروف الشهر الماضي في موسكو.", [source]).supported
    assert checker.check("لا يوجد تقدم تم إحرازه منذ لقاء كيري ولافروف الشهر الماضي في موسكو.", [source]).supported
    assert not checker.check("لم يقصف النظام السوري حلب.", ["قصف النظام السوري حلب بالبراميل المتفجرة."]).supported


def test_an_arabic_identity_claim_across_clauses_is_refused(checker):
    assert not checker.check("المتحدث باسم البنتاغون هو جون كيري.", [KERRY_AND_SPOKESMAN]).supported
    assert checker.check("المتحدث باسم البنتاغون هو بيتر كوك.", [COOK]).supported


@pytest.mark.parametrize(
    "question,answer,focus,supported",
    [
        ("Who is the Pentagon spokesman?", "The Pentagon spokesman is John Kerry.", ["البنتاغون", "المتحدث"], False),
        ("Who speaks for the Pentagon?", "John Kerry speaks for the Pentagon.", ["البنتاغون", "المتحدث"], False),
        ("من هو المتحدث باسم البنتاغون؟", "جون كيري", ["المتحدث", "البنتاغون"], False),
        ("من المتحدث باسم وزارة الدفاع الأميركية؟", "المتحدث هو جون كيري.", ["المتحدث"], False),
    ],
)
def test_a_who_answer_named_apart_from_what_was_asked_is_refused(question, answer, focus, supported):
    assert (relations.answer_apart_from_focus(answer, question, focus, KERRY_AND_SPOKESMAN) is None) is supported


@pytest.mark.parametrize(
    "question,answer,focus",
    [
        ("Who is the Pentagon spokesman?", "The Pentagon spokesman is Peter Cook.", ["البنتاغون", "المتحدث"]),
        ("من هو المتحدث باسم البنتاغون؟", "بيتر كوك", ["المتحدث", "البنتاغون"]),
        ("Who criticized Russia's air strikes?", "Peter Cook criticized them.", ["انتقادات", "لروسيا", "ضرباتها"]),
    ],
)
def test_a_who_answer_named_beside_what_was_asked_passes(question, answer, focus):
    assert relations.answer_apart_from_focus(answer, question, focus, COOK) is None


@pytest.mark.parametrize(
    "claim",
    ["هاجم خنزير مزارعا وقتله داخل سوق في جنوب غرب الصين.", "فاز مانشستر سيتي على برايتون بنتيجة 2-0 يوم السبت."],
)
def test_an_arabic_claim_with_agent_and_patient_swapped_is_refused(checker, claim):
    sources = {
        "خنزير": "هاجم مزارع خنزيرا وقتله داخل سوق في جنوب غرب الصين وفقا لتقارير محلية.",
        "مانشستر": "فاز برايتون على مانشستر سيتي بنتيجة 2-0 يوم السبت على ملعب الاتحاد.",
    }
    source = next(text for key, text in sources.items() if key in claim)
    assert not checker.check(claim, [source]).supported


def test_an_arabic_clause_of_the_source_passes_and_a_claim_with_new_facts_does_not(checker):
    source = "هاجم مزارع خنزيرا وقتله داخل سوق في جنوب غرب الصين وفقا لتقارير محلية."
    assert checker.check("هاجم مزارع خنزيرا داخل سوق في الصين.", [source]).supported
    assert not checker.check("هاجم مزارع خنزيرا داخل سوق في الصين وفقا لوزارة الزراعة الصينية.", [source]).supported


@pytest.mark.parametrize(
    "question,cited,wrong",
    [
        ("كم عدد القتلى في حلب؟", "كما قلنا مرارا لا يوجد حل عسكري لهذه الأزمة والقتال الذي شهدناه في حلب.", True),
        ("كم شخصا قتل في حلب؟", "قتل 12 شخصا في غارة على حلب.", False),
        ("How many people died in the crash?", "لقي خمسة أشخاص مصرعهم في تحطم الطائرة.", False),
        ("How much did the project cost?", "وقال الوزير إن المشروع سينجز قريبا.", True),
        ("متى انتقد كوك روسيا؟", "فيما وجه بيتر كوك مساء الاثنين انتقادات لاذعة لروسيا.", False),
        ("When did the talks start?", "وقال كيري إن المحادثات تقترب من نهايتها.", True),
        ("من هو المتحدث؟", "وقال المتحدث إن القصف يعقد الاتفاق.", False),
    ],
)
def test_a_how_many_or_when_question_needs_a_number_or_a_time(question, cited, wrong):
    assert (relations.wrong_answer_type(question, [cited]) is not None) is wrong


@pytest.mark.parametrize(
    "question,cited,wrong",
    [
        # Someone the sentence leaves unnamed cannot answer what their name is ...
        (
            "ما اسم المسؤول العسكري الذي تحدث للوكالة؟",
            "قال مسؤول عسكري للوكالة، دون الإفصاح عن اسمه، إن الكمين وقع فجرا.",
            True,
        ),
        ("ما هو اسم الشاهد الذي روى ما جرى؟", "وروى شاهد طلب عدم الكشف عن هويته أن الانفجار كان قويا.", True),
        (
            "What is the name of the officer who confirmed the raid?",
            "وقال ضابط لم يذكر اسمه إن الغارة وقعت ليلا.",
            True,
        ),
        (
            "What was the name of the diplomat who resigned?",
            "A diplomat who asked not to be named said he had resigned.",
            True,
        ),
        ("What is the name of the source?", "A source speaking on condition of anonymity confirmed the talks.", True),
        ("ما اسم المصدر الذي أكد النبأ؟", "وأكد مصدر أمني، فضّل عدم الكشف عن هويته، النبأ.", True),
        ("ما اسم الضابط الذي قاد العملية؟", "وقاد العملية ضابط لم تسمه الوكالة.", True),
        (
            "What is the name of the officer who led the raid?",
            "The raid was led by an officer who has not been named.",
            True,
        ),
        # ... but answers who told the agency, and a named one answers what the name is.
        ("من الذي تحدث للوكالة عن الكمين؟", "قال مسؤول عسكري للوكالة، دون الإفصاح عن اسمه، إن الكمين وقع فجرا.", False),
        ("ما اسم الوزير الذي استقال؟", "وأعلن وزير المالية أحمد علي استقالته مساء الأحد.", False),
        ("What is the name of the minister who resigned?", "Finance Minister Ahmed Ali resigned on Sunday.", False),
    ],
)
def test_a_name_question_is_not_answered_by_a_sentence_that_withholds_the_name(question, cited, wrong):
    assert (relations.wrong_answer_type(question, [cited]) is not None) is wrong


def test_a_how_many_question_is_not_answered_by_numbers_counting_other_people():
    # Another story than the checks were written on: the number counts police, the question soldiers.
    cited = "وأسفر الهجوم على الثكنة عن مقتل 9 شرطيين وإصابة عدد من الجنود بجروح."
    assert relations.wrong_answer_type("كم جنديا قتل في الهجوم على الثكنة؟", [cited])
    assert relations.wrong_answer_type("كم شرطيا قتل في الهجوم على الثكنة؟", [cited]) is None


def test_an_arabic_identity_with_one_title_read_as_another_is_refused(checker):
    source = (
        "بعد إعلان وزير الخارجية الأميركي جون كيري إمكانية التوصل إلى اتفاق مع روسيا، أعلنت وزارة الدفاع "
        "الأميركية أن تصرفات روسيا تجعل التنسيق صعبا."
    )
    assert not checker.check("وزير الدفاع الأميركي هو جون كيري.", [source]).supported
    assert checker.check("وزير الخارجية الأميركي هو جون كيري.", [source]).supported


# Arabic over Arabic: another form of a source word is not a new word; a new word is.
DELEGATION = "استقبل وزير الخارجية المصري وفدا من رجال الأعمال الألمان وبحث معهم فرص الاستثمار في قناة السويس."
TALKS = "قال المفاوض الفلسطيني إن الجانب الإسرائيلي لن يوقف الاستيطان إذا لم تتدخل واشنطن."
AGES = "أصيب ثلاثة جنود تتراوح أعمارهم بين 21 و23 و25 عاما في انفجار عبوة ناسفة قرب الحدود."


@pytest.mark.parametrize(
    "claim",
    [
        "وزير الخارجية المصري يستقبل وفدا من رجال الأعمال الألمان.",  # يستقبل for استقبل
        "بحث وزير الخارجية المصري مع رجال الأعمال الألمان الاستثمار في قناة السويس.",  # الاستثمار for فرص الاستثمار
        "وقال المفاوض الفلسطيني إن الجانب الإسرائيلي لن يوقف الاستيطان.",  # وقال for قال
    ],
)
def test_another_form_of_a_source_word_passes(checker, claim):
    source = TALKS if "المفاوض" in claim else DELEGATION
    assert checker.check(claim, [source]).supported


@pytest.mark.parametrize(
    "claim",
    [
        "استقبل وزير الخارجية المصري وفدا من رجال الأعمال الفرنسيين.",  # another nationality
        "استقبل وزير الدفاع المصري وفدا من رجال الأعمال الألمان.",  # another ministry
        "استقبل وزير الخارجية المصري وفدا من رجال الأعمال الألمان في القاهرة.",  # a place added
    ],
)
def test_one_word_the_source_lacks_is_refused(checker, claim):
    assert not checker.check(claim, [DELEGATION]).supported


def test_a_negation_dropped_while_another_clause_keeps_one_is_refused(checker):
    verdict = checker.check("قال المفاوض الفلسطيني إن الجانب الإسرائيلي سيوقف الاستيطان إذا لم تتدخل واشنطن.", [TALKS])
    assert not verdict.supported and "negation" in verdict.reason


def test_a_number_told_twice_where_the_source_says_it_once_is_refused(checker):
    verdict = checker.check("أصيب ثلاثة جنود تتراوح أعمارهم بين 21 و25 و25 عاما في انفجار عبوة ناسفة.", [AGES])
    assert not verdict.supported and "25" in verdict.reason


def test_two_close_words_traded_are_refused_and_a_clause_moved_whole_passes(checker):
    source = "هاجم كلب ضال طفلا في حديقة عامة بمدينة الإسكندرية صباح الأحد."
    assert not checker.check("هاجم طفل كلبا ضالا في حديقة عامة بمدينة الإسكندرية.", [source]).supported
    assert checker.check("صباح الأحد هاجم كلب ضال طفلا في حديقة عامة بمدينة الإسكندرية.", [source]).supported


@pytest.mark.parametrize(
    "answer, question",
    [
        ("مصر، بحسب المصدر.", "أي دولة مصرية وقعت الاتفاق؟"),
        ("The ministry, according to the article.", "Which ministry announced the plan?"),
    ],
)
def test_an_answer_that_only_restates_the_question_says_nothing(answer, question):
    from rag.verify.support import adds_nothing

    assert adds_nothing(answer, question)
    assert not adds_nothing(answer.replace("،", " وزارة الري،").replace(",", " of Irrigation,"), question)


def test_an_answer_wrapping_a_cited_number_in_the_questions_premise_is_caught():
    from rag.verify.support import restated_unsaid

    cited = "افتتح المتحف الوطني الجديد أبوابه للزوار عام 2019 بعد ترميم استمر خمس سنوات."
    question = "متى وقعت الحكومة اتفاقية الغاز مع قبرص؟"
    assert len(restated_unsaid("وقعت الحكومة اتفاقية الغاز مع قبرص عام 2019.", question, cited)) >= 2
    # Restating what the source itself says is not a premise borrowed from the question.
    asked = "متى افتتح المتحف الوطني الجديد؟"
    assert restated_unsaid("افتتح المتحف الوطني الجديد عام 2019.", asked, cited) == []


def test_a_who_is_question_needs_its_phrase_whole_in_the_cited_sentence():
    from rag.text.question import Question

    cited = "التقى وزير الخارجية التركي نظيره الإيراني في أنقرة، فيما حذرت وزارة الداخلية التركية من تظاهرات."

    def split(question: str) -> str | None:
        return relations.focus_split(question, list(Question.parse(question).words), cited)

    assert split("من هو وزير الداخلية التركي؟")  # the ministry and a minister, never the minister of the interior
    assert split("من هو وزير الخارجية التركي؟") is None
    assert split("من التقى نظيره الإيراني في أنقرة؟") is None  # not a "who is X" question


@pytest.mark.parametrize(
    "cited",
    [
        "وقال إن الخطوات التي اتفق عليها وزير الخارجية كيري مع نظيره الروسي لافروف لم تنفذ بعد.",
        "واستقبل الرئيس ماكرون نظيره الروسي بوتين في قصر فرساي.",
        "وبحث كيري هاتفيا مع نظيره الروسي سيرغي لافروف الوضع في حلب.",
    ],
)
def test_a_possessive_pronoun_stands_for_the_name_just_before_it(cited):
    from rag.text.question import Question

    def split(question: str) -> str | None:
        return relations.focus_split(question, list(Question.parse(question).words), cited)

    name = "كيري" if "كيري" in cited else "ماكرون"
    # "نظير كيري الروسي" (Kerry's Russian counterpart) is said "كيري مع نظيره الروسي".
    assert split(f"من هو نظير {name} الروسي؟") is None
    assert split(f"من هو نظير {name} الروسي الذي التقاه؟") is None


def test_a_possessive_pronoun_far_from_the_name_stands_for_no_one():
    from rag.text.question import Question

    cited = "وأعلن كيري أن المحادثات بشأن التعاون العسكري تقترب من نهايتها وأنه سيجتمع مع نظيره الروسي لافروف."
    assert relations.focus_split(
        "من هو نظير كيري الروسي؟", list(Question.parse("من هو نظير كيري الروسي؟").words), cited
    )


@pytest.mark.parametrize(
    "question,head",
    [
        ("من المسؤول في البنتاغون الذي انتقد الضربات الجوية الروسية في سوريا؟", ["المسوول", "البنتاغون"]),
        ("Who is the Pentagon official who criticized Russia?", ["pentagon", "official"]),
        ("Who said that the Russian strikes were indiscriminate?", ["said", "russian", "strikes", "indiscriminate"]),
        ("من هو نظير كيري الروسي؟", ["نظير", "كيري", "الروسي"]),  # no relative clause: all of them
        ("من الذي عين نائبا للقائد عام 1756؟", ["عين", "نايبا", "للقايد", "1756"]),  # "من الذي" opens it
    ],
)
def test_a_who_question_names_whom_it_asks_about_before_its_relative_clause(question, head):
    from rag.text.question import Question

    assert relations.who_head(question, list(Question.parse(question).words)) == head


# Two speakers of one sentence: the focus in one clause, someone else's reporting clause after it.
BRITISH_AND_FRENCH = (
    "وفي ظل تحذيرات وزير الدفاع البريطاني من التصعيد، قال مسؤول في الحكومة الفرنسية إن باريس لن ترسل قوات."
)
LEBANESE_AND_SYRIAN = "ونقلت الصحيفة عن قائد الجيش اللبناني أن الوضع مستقر، وأكد مسؤول سوري أن المعابر مفتوحة."


def _apart(question: str, answer: str, cited: str) -> str | None:
    from rag.text.question import Question

    words = list(Question.parse(question).words)
    return relations.answer_apart_from_focus(answer, question, words, cited, relations.who_head(question, words))


@pytest.mark.parametrize(
    "question,answer,cited",
    [
        (
            "من المسؤول في البنتاغون الذي انتقد الضربات الجوية الروسية في سوريا؟",
            "المسؤول في البنتاغون الذي انتقد الضربات هو مسؤول بالخارجية الأميركية.",
            KERRY_AND_SPOKESMAN,
        ),
        ("من المسؤول البريطاني الذي حذر من التصعيد؟", "مسؤول في الحكومة الفرنسية", BRITISH_AND_FRENCH),
        ("من هو المسؤول البريطاني الذي حذر من التصعيد؟", "هو مسؤول في الحكومة الفرنسية [1].", BRITISH_AND_FRENCH),
        ("من القائد اللبناني الذي وصف الوضع بالمستقر؟", "مسؤول سوري", LEBANESE_AND_SYRIAN),
    ],
)
def test_a_who_answer_in_another_speakers_clause_is_refused(question, answer, cited):
    assert (
        _apart(question, answer, cited)
        == "the answer is the subject of another reporting clause than whom the question asks about"
    )


@pytest.mark.parametrize(
    "question,answer,cited",
    [
        (
            "من المسؤول في البنتاغون الذي انتقد الضربات الجوية الروسية في سوريا؟",
            "بيتر كوك المتحدث باسم البنتاغون",
            COOK,
        ),
        (
            "من المسؤول في البنتاغون الذي وصف القصف الروسي بالعشوائي؟",
            "بيتر كوك",
            "وقال بيتر كوك، المتحدث باسم البنتاغون، إن القصف الروسي عشوائي.",
        ),
        (
            "من الوزير الفرنسي الذي أعلن استضافة المؤتمر؟",
            "جان إيف لودريان",
            "أعلن وزير الخارجية الفرنسي جان إيف لودريان أن باريس ستستضيف المؤتمر الشهر المقبل.",
        ),
        ("من المسؤول الفرنسي الذي قال إن باريس لن ترسل قوات؟", "مسؤول في الحكومة الفرنسية", BRITISH_AND_FRENCH),
        # The Pentagon fronted, given to no one before the verb: its spokesman speaks after it.
        (
            "من المسؤول في البنتاغون الذي انتقد الضربات الروسية؟",
            "بيتر كوك",
            "وفي البنتاغون، قال المتحدث بيتر كوك إن الضربات الروسية عشوائية.",
        ),
        # "بالإضافة" is a noun, not a reporting verb.
        (
            "من المسؤول في البنتاغون الذي انتقد الضربات الروسية؟",
            "بيتر كوك",
            "وانتقد مسؤولو البنتاغون بالإضافة إلى المتحدث بيتر كوك الضربات الروسية.",
        ),
    ],
)
def test_a_who_answer_in_the_clause_of_whom_was_asked_about_passes(question, answer, cited):
    assert _apart(question, answer, cited) is None
