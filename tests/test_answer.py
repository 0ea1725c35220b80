"""The citation protocol and `ask`, with a fake chat model (logic) and real retrieval."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from fakes import scripted_generator
from rag.answer import answer_question
from rag.generate.generator import Generator
from rag.index.embeddings import make_embedder
from rag.records import Article, Passage
from rag.text.question import Question
from rag.verify.citations import parse_draft, verify_draft
from rag.verify.sources import SourceSentence

TEXT = (
    "قال المتحدث باسم البنتاغون بيتر كوك إن القصف الروسي في حلب يعقد أي اتفاق. "
    "وأعلن وزير الخارجية جون كيري أن المحادثات مع روسيا تقترب من نهايتها. "
    "وقتل 12 شخصا في غارة جوية على المدينة."
)
ARTICLE = Article(doc_id="d1", title="البنتاغون ينتقد موسكو", text=TEXT, date="2016-08-23")


fake_generator = scripted_generator


def sources() -> list[SourceSentence]:
    spans = [
        (0, TEXT.index("وأعلن") - 1),
        (TEXT.index("وأعلن"), TEXT.index("وقتل") - 1),
        (TEXT.index("وقتل"), len(TEXT)),
    ]
    return [SourceSentence(i, "d1", s, e, TEXT[s:e], ARTICLE.title) for i, (s, e) in enumerate(spans, 1)]


def ask(question: str, articles: dict, generator, checker, evidence=None, translations=None, **options):
    """answer_question for a question text; without `evidence`, every sentence of the articles, score 1."""
    from rag.retrieve.evidence import EvidenceSpan
    from rag.text.sentences import split_sentences

    if evidence is None:
        evidence = [EvidenceSpan(d, s.start, s.end, 1.0) for d, a in articles.items() for s in split_sentences(a.text)]
    parsed = Question.parse(question)
    if translations is not None:
        parsed = parsed.with_translations(translations)
    return answer_question(
        parsed, evidence=evidence, articles=articles, generator=generator, checker=checker, **options
    )


def passage() -> Passage:
    return Passage(doc_id="d1", start=0, end=len(TEXT), text=TEXT, score=1.0, title=ARTICLE.title, chunk_id="d1:0")


def test_parse_draft_reads_markers_in_many_forms():
    parsed = parse_draft("First claim [1]. Second claim [2, 3]. Third【2】.\n[3]")
    assert [(p.text, p.cited) for p in parsed] == [("First claim.", [1]), ("Second claim.", [2, 3]), ("Third.", [2, 3])]


def test_supported_sentence_keeps_its_citation(checker):
    verified, log = verify_draft(
        "قال المتحدث باسم البنتاغون بيتر كوك إن القصف الروسي يعقد الاتفاق [1].", sources(), checker, "ar"
    )
    assert [v.sources for v in verified] == [[1]] and not log.dropped


def test_claim_no_span_supports_is_dropped(checker):
    # The fake model invents a number and a claim that no source states.
    draft = "قتل 40 شخصا في هجوم كيميائي على دمشق [3]. الطقس مشمس في باريس [2]."
    verified, log = verify_draft(draft, sources(), checker, "ar")
    assert verified == []
    assert len(log.dropped) == 2


def test_misattributed_statement_is_not_passed_through(checker):
    # Cook's statement attributed to Kerry while citing Cook's sentence: Kerry's name comes from source 2.
    verified, _ = verify_draft("قال جون كيري إن القصف الروسي في حلب يعقد أي اتفاق [1].", sources(), checker, "ar")
    assert all(v.sources != [1] for v in verified)


def test_uncited_but_supported_sentence_is_repaired(checker):
    verified, log = verify_draft("وقتل 12 شخصا في غارة جوية على المدينة.", sources(), checker, "ar")
    assert [v.sources for v in verified] == [[3]] and log.repaired == 1


def test_citation_to_unshown_number_is_ignored(checker):
    verified, log = verify_draft("وقتل 12 شخصا في غارة جوية على المدينة [9].", sources(), checker, "ar")
    assert log.invalid_numbers == 1 and [v.sources for v in verified] == [[3]]


def test_english_sentence_checked_across_languages(checker):
    good, _ = verify_draft(
        "Pentagon spokesman Peter Cook said Russian bombing in Aleppo complicates any deal [1].",
        sources(),
        checker,
        "en",
    )
    bad, _ = verify_draft("The stock market rose sharply in Tokyo on Monday [1].", sources(), checker, "en")
    assert [v.sources for v in good] == [[1]] and bad == []


def test_answer_invariant_and_renumbering(checker):
    gen = fake_generator(
        "وقتل 12 شخصا في غارة جوية على المدينة [3]. وقال كوك إن القصف الروسي في حلب يعقد أي اتفاق [1]."
    )
    from rag.retrieve.evidence import EvidenceSpan

    evidence = [EvidenceSpan("d1", s.start, s.end, 1.0) for s in sources()]
    answer = ask("كم عدد القتلى؟", {"d1": ARTICLE}, gen, checker, evidence)
    assert answer.grounded
    assert [c.n for c in answer.citations] == [1, 2]
    assert "[1]" in answer.answer and "[2]" in answer.answer
    for c in answer.citations:
        assert TEXT[c.start : c.end] == c.quote


def test_nothing_supported_means_not_found(checker):
    gen = fake_generator("The moon is made of cheese [2].")
    from rag.retrieve.evidence import EvidenceSpan

    evidence = [EvidenceSpan("d1", s.start, s.end, 1.0) for s in sources()]
    answer = ask("What is the moon made of?", {"d1": ARTICLE}, gen, checker, evidence)
    assert not answer.grounded and answer.citations == [] and answer.answer == "Not found in the articles."


def test_not_found_token(checker):
    from rag.retrieve.evidence import EvidenceSpan

    evidence = [EvidenceSpan("d1", s.start, s.end, 1.0) for s in sources()]
    answer = ask("Who won the 1998 World Cup?", {"d1": ARTICLE}, fake_generator("NOT_FOUND"), checker, evidence)
    assert answer.grounded is False and answer.lang == "en"


def test_english_sentence_with_a_name_the_source_lacks_is_dropped(checker):
    verified, log = verify_draft(
        "Obama said Russian bombing in Aleppo complicates any deal [1].", sources(), checker, "en"
    )
    assert verified == [] and any("Obama" in reason or "support" in reason for _, reason in log.dropped)


def test_name_skeletons():
    from rag.text.skeletons import arabic_skeletons, latin_skeleton
    from rag.verify.names import skeleton_matches

    assert latin_skeleton("Pentagon") in arabic_skeletons("البنتاغون")
    assert skeleton_matches("Kerry", ["كيري"]) and skeleton_matches("Lavrov", ["لافروف"])
    assert skeleton_matches("Russian", ["الروسي"])
    assert not skeleton_matches("Obama", ["كيري", "روسيا", "سوريا"])


def test_names_as_arabic_spells_them():
    from rag.verify.names import name_matches, skeleton_matches

    # A silent gh, s written ز, German sch, th as ت, and a hyphenated name in two words.
    assert skeleton_matches("Kavanaugh", ["كافانو"]) and skeleton_matches("Willoughby", ["ويلوبي"])
    assert skeleton_matches("Sims", ["سيمز"]) and skeleton_matches("Harrods", ["هارودز"])
    assert skeleton_matches("Scheele", ["شيل"]) and skeleton_matches("Thomas", ["توماس"])
    assert name_matches("Berners-Lee", ["بيرنرز", "لي"])
    assert not name_matches("Berners-Lee", ["جونز", "لي"])
    assert not skeleton_matches("Kavanaugh", ["كيري", "غراهام"])


def test_names_of_one_consonant_and_a_dropped_final_s(checker):
    from rag.verify.names import candidate_names, skeleton_matches

    # Elway is L alone without its semivowels: with them, L W Y.
    assert skeleton_matches("Elway", ["جون", "إلواي"]) and not skeleton_matches("Elway", ["ويلي", "ليلى", "إلى"])
    assert skeleton_matches("Harrod", ["هارودز"]) and not skeleton_matches("Harrod", ["هاريس", "هارتس"])
    # An English hard g that Arabic writes ك.
    assert skeleton_matches("Genghis", ["جنكيز"]) and not skeleton_matches("Genghis", ["جونسون"])
    assert [n for n, _ in candidate_names("Elway won Super Bowl XXXIII.")] == ["Elway", "Super", "Bowl"]
    question = "What is the name of the quarterback who was 38 in Super Bowl XXXIII?"
    cited = "الرقم القياسي السابق كان بحوزة جون إلواي، الذي قاد البرونكوس للفوز في السوبر بول 33 في عمر 38."
    assert checker.check(
        "The quarterback who was 38 in Super Bowl XXXIII is John Elway.", [cited], [], question
    ).supported
    assert not checker.check("The quarterback who was 38 in Super Bowl XXXII is John Elway.", [cited]).supported


def test_a_name_the_question_asks_about_may_stand_in_the_sentence_before(checker):
    before = "تخدم المدينة تاين أند وير مترو وهو نظام من السكك الحديدية في الضواحي."
    cited = "تم افتتاحه في خمس مراحل بين عامي 1980 و 1984."
    question = "How many phases was the Metro opened in between 1980 and 1984?"
    answer = "The Metro was opened in 5 phases between 1980 and 1984."
    assert not checker.check(answer, [cited], [], question).supported
    assert checker.check(answer, [cited], [], question, [before]).supported
    # A name the answer adds, not the question, must be in the cited sentence itself.
    added = "Tyne and Wear Metro was opened in 5 phases between 1980 and 1984."
    verdict = checker.check(added, [cited], [], "How many phases was it opened in?", [before])
    assert not verdict.supported and "Tyne" in verdict.reason


def test_sources_carry_the_sentence_before_them():
    from rag.retrieve.evidence import EvidenceSpan
    from rag.verify.sources import number_evidence

    last = sources()[2]
    numbered = number_evidence([EvidenceSpan("d1", last.start, last.end, 0.5)], {"d1": ARTICLE})
    assert numbered[0].before == sources()[1].text
    assert numbered[0].in_context() == f"{sources()[1].text} {last.text}"
    assert number_evidence([EvidenceSpan("d1", 0, sources()[0].end, 0.5)], {"d1": ARTICLE})[0].before == ""


def test_english_numbers_are_found_in_arabic_number_words(checker):
    cited = "تم افتتاحه في خمس مراحل بين عامي 1980 و 1984، ويعيش في المدينة أكثر من 300 ألف نسمة."
    assert checker.check("It was opened in 5 phases between 1980 and 1984.", [cited]).supported
    assert checker.check("More than 300,000 people live in the city.", [cited]).supported
    verdict = checker.check("It was opened in 6 phases between 1980 and 1984.", [cited])
    assert not verdict.supported and "6" in verdict.reason


def test_question_paraphrase_words_do_not_block_an_answer():
    from rag.verify.coverage import question_coverage

    # "أحيانا" (sometimes) is not in the article; the question is still about it.
    coverage = question_coverage("ما الذي يعقده القصف الروسي في حلب أحيانا؟", [TEXT])
    assert coverage.missing == ["احيانا"] and coverage.covered


def test_question_about_a_rare_missing_word_is_not_covered():
    from rag.verify.coverage import question_coverage

    rare = {"اليابان": 6.0}
    coverage = question_coverage(
        "كم عدد القتلى في غارة جوية على اليابان؟", [TEXT], weights=lambda words: [rare.get(w, 1.0) for w in words]
    )
    assert coverage.missing == ["اليابان"] and not coverage.covered
    assert coverage.missing_weight > 0.5


def test_another_form_of_a_question_word_is_that_word_and_another_root_is_not():
    from rag.verify.coverage import question_coverage

    cited = ["تم استخراج 12 جثة من تحت أنقاض المبنى المنهار في المدينة."]
    assert question_coverage("كم جثة استخرجت فرق الإنقاذ من المبنى؟", cited).missing == ["فرق", "الانقاذ"]
    # دفنت (buried) shares no root with استخراج: the cited text never says it.
    assert "دفنت" in question_coverage("كم جثة دفنت فرق الإنقاذ من المبنى؟", cited).missing


def test_frame_words_and_function_words_with_a_pronoun_are_not_looked_for():
    from rag.text.question import question_words

    assert question_words("ما الشيء الذي يجب على الحكومة فعله خلالها؟") == ["الحكومه", "فعله"]
    assert question_words("كم من الوقت يستغرق بناء الجسر؟") == ["يستغرق", "بناء", "الجسر"]
    # Time is a frame only in "how long": a Time Lord (سيد للوقت) is what the question is about.
    assert "للوقت" in question_words("من هو العدو الذي يعتبر سيدا للوقت أيضا؟")


def test_question_coverage_is_weighed_by_the_index_idf(tmp_path):
    from rag.app import Rag
    from rag.config import Settings

    rag = Rag(Settings(home=tmp_path / "home"))
    assert rag.lexical.idf(["القصف"]) == [1.0]  # empty collection: uniform weights
    for i, text in enumerate(["القصف الروسي على حلب مستمر.", "القصف على ادلب عنيف.", "اليابان تعلن ميزانيتها."]):
        (tmp_path / f"{i}.txt").write_text(text, encoding="utf-8")
    rag.ingest(sorted(tmp_path.glob("*.txt")))
    common, rare, unseen = rag.lexical.idf(["القصف", "اليابان", "البرازيل"])
    assert common < rare < unseen


def test_answer_that_echoes_the_question_and_invents_the_rest_is_dropped(checker):
    draft = "القصف الروسي في حلب يعقد أي اتفاق، بحسب المتحدث باسم الشرطة أحمد علي والمحامي سامي سعيد [1]."
    verified, _ = verify_draft(draft, sources(), checker, "ar", repair=False, question="ماذا يعقد القصف الروسي في حلب؟")
    assert verified == []


def test_answer_may_echo_a_number_from_the_question(checker):
    verified, _ = verify_draft(
        "أعلن جون كيري في عام 2016 أن المحادثات مع روسيا تقترب من نهايتها [2].",
        sources(),
        checker,
        "ar",
        question="ماذا أعلن جون كيري في عام 2016؟",
    )
    assert [v.sources for v in verified] == [[2]]
    verified, _ = verify_draft(
        "أعلن جون كيري في عام 2016 أن المحادثات مع روسيا تقترب من نهايتها [2].",
        sources(),
        checker,
        "ar",
        question="ماذا أعلن جون كيري؟",
    )
    assert verified == []


def test_unverifiable_answer_quotes_the_best_evidence_sentence(checker):
    from rag.retrieve.evidence import EvidenceSpan

    # The model's wording ("بمقتل 20") is unsupported: the answer quotes sentence 3 itself.
    gen = fake_generator("أفادت الأنباء بمقتل 20 شخصا في غارة جوية [3].")
    scores = [0.4, 0.5, 0.9]
    evidence = [EvidenceSpan("d1", s.start, s.end, score) for s, score in zip(sources(), scores)]
    answer = ask("كم شخصا قتل في الغارة الجوية على المدينة؟", {"d1": ARTICLE}, gen, checker, evidence)
    assert answer.grounded and answer.mode == "extractive"
    assert answer.citations[0].quote == sources()[2].text


def test_answer_citing_a_sentence_that_never_mentions_what_was_asked_is_not_grounded(checker):
    from rag.retrieve.evidence import EvidenceSpan

    # The model restates the question over Kerry's sentence. Its article does mention the
    # spokesman, but the cited sentence does not: the best evidence sentence is quoted instead.
    gen = fake_generator("المتحدث باسم البنتاغون قال إن المحادثات مع روسيا تقترب من نهايتها [2].")
    evidence = [EvidenceSpan("d1", s.start, s.end, score) for s, score in zip(sources(), [0.9, 0.5, 0.4])]
    answer = ask("ماذا قال المتحدث باسم البنتاغون عن القصف الروسي في حلب؟", {"d1": ARTICLE}, gen, checker, evidence)
    assert answer.grounded and answer.mode == "extractive"
    assert [c.quote for c in answer.citations] == [sources()[0].text]


INTERIOR = (
    "ونقلت وكالة الأنباء الرسمية عن مسؤول في وزارة الداخلية قوله إن الشرطة فككت خلية مسلحة في العاصمة "
    "وصادرت أسلحة ومتفجرات كانت معدة لتنفيذ هجمات. وأعلن وزير الداخلية أحمد سالم أن التحقيقات مستمرة."
)


def test_a_name_question_answered_by_a_sentence_said_back_names_no_one(checker):
    from rag.answer import NAMES_NO_ONE

    articles = {"d2": Article(doc_id="d2", title="تفكيك خلية", text=INTERIOR, date="2018-05-09")}
    unnamed = INTERIOR.split(". ")[0] + " [1]."  # the draft copies the sentence about an unnamed official
    answer = ask("ما اسم المسؤول في وزارة الداخلية الذي أعلن تفكيك الخلية؟", articles, fake_generator(unnamed), checker)
    assert not answer.grounded and NAMES_NO_ONE in [reason for _, reason in answer.log.dropped]
    named = ask(
        "ما اسم وزير الداخلية الذي تحدث عن التحقيقات؟",
        articles,
        fake_generator("اسم وزير الداخلية هو أحمد سالم [2]."),
        checker,
    )
    assert named.grounded and [c.quote for c in named.citations] == [INTERIOR.split(". ")[1]]


def test_a_draft_naming_only_the_question_s_own_man_adds_no_one():
    from rag.answer import _added_words

    # "لسيف" and "مدبولي" in the question; "سيف" and "المدبولي" in the draft are the same men.
    assert _added_words(parse_draft("الرئيس الجديد خلفا لسيف هو سيف [5]."), "ما اسم الرئيس الجديد خلفا لسيف؟") == set()
    assert _added_words(parse_draft("خليفته هو المدبولي [3]."), "من سيخلف مدبولي؟") == {"خليفته"}
    assert _added_words(parse_draft("المتحدث هو بيتر كوك [1]."), "من هو المتحدث؟") == {"بيتر", "كوك"}


def test_quotable_sources_prefer_best_scored_then_cited_then_located():
    from rag.answer import quotable_sources

    draft = "قتل 12 شخصا في غارة جوية على المدينة."  # no marker; its words are in sentence 3
    assert quotable_sources(draft, sources(), [0.9, 0.5, 0.4], "كم عدد القتلى؟") == [1, 3]
    assert quotable_sources("جواب ما [2].", sources(), [0.9, 0.5, 0.4], "سؤال؟") == [1, 2]


def test_english_answer_falls_back_to_a_verified_translation_of_the_pointed_source(checker):
    from rag.retrieve.evidence import EvidenceSpan

    gen = fake_generator(
        "Cook is a famous American cook who loves Aleppo [2].",
        "Pentagon spokesman Peter Cook said the Russian bombing in Aleppo complicates any agreement.",
    )
    evidence = [EvidenceSpan("d1", s.start, s.end, score) for s, score in zip(sources(), [0.9, 0.5, 0.4])]
    answer = ask(
        "What did the Pentagon spokesman say about Aleppo?",
        {"d1": ARTICLE},
        gen,
        checker,
        evidence,
        translations={"pentagon": ["البنتاغون"], "spokesman": ["المتحدث"], "say": ["قال"], "aleppo": ["حلب"]},
        translate_fallback=True,
    )
    assert answer.grounded and answer.mode == "translated" and answer.lang == "en"
    assert "Peter Cook" in answer.answer and answer.citations[0].quote == sources()[0].text


def test_english_question_answered_in_arabic_gets_the_verified_translation_of_that_answer(checker, monkeypatch):
    import rag.translation
    from rag.retrieve.evidence import EvidenceSpan

    # The model answers in Arabic from the right sentence; its answer, translated and checked again, is used.
    translated = []
    real = rag.translation.translate_text
    monkeypatch.setattr(rag.translation, "translate_text", lambda text, gen: translated.append(text) or real(text, gen))
    gen = fake_generator(
        "قتل 12 شخصا في غارة جوية على المدينة [3].", "12 people were killed in an air strike on the city."
    )
    evidence = [EvidenceSpan("d1", s.start, s.end, score) for s, score in zip(sources(), [0.9, 0.5, 0.4])]
    translations = {"people": ["شخصا"], "killed": ["قتل"], "air": ["جويه"], "strike": ["غاره"], "city": ["المدينه"]}
    answer = ask(
        "How many people were killed in the air strike on the city?",
        {"d1": ARTICLE},
        gen,
        checker,
        evidence,
        translations=translations,
    )
    assert answer.grounded and answer.mode == "translated" and answer.lang == "en"
    assert "12" in answer.answer and [c.quote for c in answer.citations] == [sources()[2].text]
    assert translated == ["قتل 12 شخصا في غارة جوية على المدينة."]  # the model's answer, not its source


def test_an_unsupported_arabic_answer_to_an_english_question_is_not_translated(checker):
    from rag.answer import wrong_language_answer
    from rag.verify.citations import verify_draft

    supported, invented = "قتل 12 شخصا في غارة جوية على المدينة [3].", "قتل 40 شخصا في هجوم كيميائي على دمشق [3]."
    for draft in (supported, invented):
        _, log = verify_draft(draft, sources(), checker, "en")
        found = wrong_language_answer(draft, log, sources(), checker, "How many were killed?")
        assert (found is not None) == (draft == supported)


def test_english_question_about_what_the_articles_never_mention_is_not_covered():
    from rag.verify.coverage import question_coverage

    translations = {"japan": ["اليابان"], "killed": ["قتل"], "air": ["جويه"], "strike": ["غاره"]}
    assert not question_coverage("How many were killed in Japan?", [TEXT], translations=translations).covered
    assert question_coverage("How many were killed in the air strike?", [TEXT], translations=translations).covered


DECADES = Article(
    doc_id="d2",
    title="أيه بي سي",
    text="في أوائل السبعينيات أتمت أيه بي سي انتقالها إلى التلفزة الملونة. "
    "ومنذ سبعينيات القرن العشرين أغلقت أكاديميات كثيرة أبوابها.",
)


def test_an_english_answer_adding_only_a_checked_number_is_kept_when_its_sentence_is_about_the_question(checker):
    from rag.verify.support import ECHO_WITH_NUMBERS, adds_only_numbers

    question = "In what decade did ABC finish transitioning to color?"
    assert adds_only_numbers("In the 1970s.", question)
    assert not adds_only_numbers("In the 1970s, with new cameras.", question)
    # A name is no such fact: the Kerry sentence holds "John Kerry", and he is not the spokesman.
    assert not adds_only_numbers("The Pentagon spokesman is John Kerry.", "Who is the Pentagon spokesman?")
    first = DECADES.text.index("ومنذ") - 1
    assert checker.check("In the 1970s.", [DECADES.text[:first]], [], question).reason == ECHO_WITH_NUMBERS
    translations = {"abc": ["ايه", "بي", "سي"], "finish": ["اتمت"], "transitioning": ["انتقالها"], "color": ["الملونه"]}
    grounded = []
    for cited in (1, 2):
        answer = ask(
            question,
            {"d2": DECADES},
            fake_generator(f"In the 1970s [{cited}]."),
            checker,
            translations=translations,
            translate_fallback=False,
        )
        grounded.append(answer.grounded)
    # The second sentence has the decade too, but not ABC nor colour: the number alone is no answer.
    assert grounded == [True, False]


def test_names_of_an_english_question_are_looked_up_by_how_they_sound():
    from rag.retrieve.translate import query_names
    from rag.text.skeletons import spelling_similarity

    assert query_names("What was Ban Ki-Moon the Secretary General of, and Jacksonville's ENEL?") == [
        "Ban",
        "Ki",
        "Moon",
        "Jacksonville",
        "ENEL",
    ]
    ranked = sorted(["الثروة", "لوثار", "لوثر"], key=lambda w: -spelling_similarity("Luther", w))
    assert ranked == ["لوثر", "لوثار", "الثروة"]


def test_a_name_the_collection_lacks_is_not_matched_by_a_noisy_neighbour():
    from rag.verify.coverage import QUOTED_SOURCE, question_coverage

    embedder = make_embedder("use-multilingual")
    steam = "يعمل البخار على تلك الشفرات، فينتج عنه حركة دوارة. وتنتج المحركات البخارية قدرة كبيرة."
    strict = question_coverage("كم نقطة تخلى عنها دفاع البانثرز؟", [steam], embedder, rule=QUOTED_SOURCE)
    assert "البانثرز" in strict.missing and not strict.covered


def test_english_answer_never_translates_the_source_the_model_misread(checker):
    from rag.retrieve.evidence import EvidenceSpan

    # The seed's failure: the model names Kerry from a sentence about Kerry; that sentence,
    # though best scored, is not translated as the answer; the spokesman's sentence is.
    gen = fake_generator(
        "The Pentagon spokesman is John Kerry [2].",
        "Pentagon spokesman Peter Cook said the Russian bombing in Aleppo complicates any agreement.",
    )
    evidence = [EvidenceSpan("d1", s.start, s.end, score) for s, score in zip(sources(), [0.5, 0.9, 0.4])]
    answer = ask(
        "Who is the Pentagon spokesman?",
        {"d1": ARTICLE},
        gen,
        checker,
        evidence,
        translations={"pentagon": ["البنتاغون"], "spokesman": ["المتحدث"]},
    )
    assert answer.grounded and answer.mode == "translated"
    assert "Peter Cook" in answer.answer and answer.citations[0].quote == sources()[0].text


def test_refuted_sources_are_only_those_misread_across_languages(checker):
    from rag.answer import quotable_sources, refuted_sources

    draft = "The Pentagon spokesman is John Kerry [2]."
    _, log = verify_draft(draft, sources(), checker, "en", repair=False, question="Who is the Pentagon spokesman?")
    assert refuted_sources(log, sources(), "en") == {2}
    assert refuted_sources(log, sources(), "ar") == set()  # same language: a loose paraphrase, still quotable
    assert quotable_sources(draft, sources(), [0.5, 0.9, 0.4], "Who is the Pentagon spokesman?", {2}) == [1]


def test_a_draft_that_misreads_its_source_refutes_it_and_one_that_strays_does_not(checker):
    _, log = verify_draft("The Pentagon spokesman is John Kerry [2].", sources(), checker, "en", repair=False)
    assert log.misread == [2]  # Pentagon: a name [2] lacks
    # Asked about the Pentagon's spokesman, the name may come from the sentence before [2]; but
    # [2] still does not say what the draft does: one sentence's subject on another's fact.
    _, log = verify_draft(
        "The Pentagon spokesman is John Kerry [2].",
        sources(),
        checker,
        "en",
        repair=False,
        question="Who is the Pentagon spokesman?",
    )
    assert log.misread == [2]
    _, log = verify_draft("The weather was pleasant during the talks [2].", sources(), checker, "en", repair=False)
    assert log.dropped and log.misread == []


def test_a_number_of_the_question_the_articles_lack_is_never_weighed_away():
    from rag.verify.coverage import question_coverage

    translations = {"killed": ["قتل"], "air": ["جويه"], "strike": ["غاره"], "city": ["المدينه"]}
    question = "How many were killed in the 1998 air strike on the city?"
    coverage = question_coverage(question, [TEXT], translations=translations)
    assert coverage.missing == ["1998"] and coverage.missing_weight <= 0.3 and not coverage.covered
    assert question_coverage(
        "How many were killed in the air strike on the city?", [TEXT], translations=translations
    ).covered


def test_question_words_leave_out_frames_and_the_answer_type():
    from rag.verify.coverage import question_words

    # هارودز is the company: the answering sentence need not say "شركة".
    assert question_words("أية شركة أهدت مجموعة تالبوت هيوز؟") == ["اهدت", "مجموعه", "تالبوت", "هيوز"]
    assert "جانب" not in question_words("أي جانب من الطب الغربي كره الصينيون؟")
    assert "company" not in question_words("Which company gave the Talbot Hughes collection?")
    assert question_words("What happened to Obama?") == ["happened", "obama"]
    # An interrogative with a clitic attached is still a frame; so is the attribute asked for.
    assert "بماذا" not in question_words("بماذا يشارك مجلس العموم؟")
    assert question_words("ما هي جنسية هويسنج لي؟") == ["هويسنج"]


def test_a_question_word_with_a_clitic_is_found_without_it():
    from rag.verify.coverage import question_coverage

    text = "وافق روبرت لين و بنجامين فايل على تمويل شركة إنارة كهربائية."
    coverage = question_coverage("ما الذي قام لين وفايل بتمويله؟", [text])
    assert "وفايل" not in coverage.missing


def test_a_function_word_is_never_a_name():
    from rag.verify.names import unmatched_names

    # بما has the skeleton of Obama (B M); it is a preposition, not a name.
    text = "واتهمت واشنطن روسيا بتكثيف القصف بما يضيف وقودا للحرب."
    assert unmatched_names("President Obama accused Russia.", text, make_embedder("use-multilingual")) == ["Obama"]


def test_english_negation_needs_a_negation_in_the_arabic_source(checker):
    from rag.verify.support import negation_unsupported

    optimistic = "وأعلن وزير الخارجية جون كيري أن المحادثات مع روسيا تقترب من نهايتها."
    assert negation_unsupported("Kerry said the talks with Russia will not end.", optimistic)
    assert not negation_unsupported("Kerry said the talks with Russia are nearing their end.", optimistic)
    assert not negation_unsupported("Kerry said there is no progress.", "وقال كيري إنه لا يوجد تقدم.")
    assert not negation_unsupported("China aims to be No.1 in AI.", optimistic)
    verified, log = verify_draft(
        "Kerry announced that talks with Russia will not end [2].", sources(), checker, "en", repair=False
    )
    assert verified == []


def test_summary_keeps_the_more_faithful_of_two_restatements_of_one_source():
    from rag.summarize import _dedupe
    from rag.verify.citations import VerifiedSentence

    source = SourceSentence(
        1,
        "d1",
        0,
        10,
        "بعد إعلان وزير الخارجية جون كيري، أعلنت وزارة الدفاع الأميركية أن تصرفات روسيا تجعل من الصعب أي تنسيق عسكري.",
    )
    misattributed = VerifiedSentence("قال وزير الخارجية إن تصرفات روسيا تجعل من الصعب أي تنسيق عسكري.", [1])
    faithful = VerifiedSentence("أعلنت وزارة الدفاع الأميركية أن تصرفات روسيا تجعل من الصعب أي تنسيق عسكري.", [1])
    other = VerifiedSentence("أعلنت وزارة الدفاع الأميركية أن تصرفات روسيا صعبة.", [2])
    assert _dedupe([misattributed, faithful, other], [source]) == [faithful, other]


def test_ta_marbuta_and_titles_do_not_make_names_unmatched():
    from rag.verify.names import skeleton_matches, unmatched_names

    assert skeleton_matches("Nusra", ["النصرة"])
    text = "ويجتمع مع نظيره الروسي سيرغي لافروف لتنسيق الضربات ضد جبهة النصرة."
    assert (
        unmatched_names(
            "He will meet Russian Foreign Minister Sergey Lavrov about the Nusra Front.",
            text,
            make_embedder("use-multilingual"),
        )
        == []
    )


def test_two_outlets_reporting_one_fact_become_one_sentence_citing_both(checker):
    from rag.summarize import _dedupe
    from rag.verify.citations import VerifiedSentence

    first = SourceSentence(1, "d1", 0, 10, "وجه مكتب التحقيقات الفيدرالي تهما بالاحتيال لمحامي ترامب مايكل كوهين.")
    second = SourceSentence(2, "d2", 0, 10, "اتهم مكتب التحقيقات الفيدرالي محامي ترامب مايكل كوهين بالاحتيال.")
    a = VerifiedSentence("The FBI charged Trump's lawyer, Michael Cohen, with fraud.", [1])
    b = VerifiedSentence("FBI charged Trump's lawyer, Michael Cohen, with fraud.", [2])
    merged = _dedupe([a, b], [first, second], checker)
    assert len(merged) == 1 and merged[0].sources == [1, 2]


def test_a_restarted_article_word_is_dropped_from_a_draft():
    assert parse_draft("الم المتحدث باسم البنتاغون هو بيتر كوك [1].")[0].text == "المتحدث باسم البنتاغون هو بيتر كوك."
    assert parse_draft("In Integer arithmetic [1].")[0].text == "In Integer arithmetic."


def test_common_sentence_start_words_are_not_names():
    from rag.verify.names import candidate_names

    assert candidate_names("Both membranes are alike, said Kerry.") == [("Kerry", "Kerry")]


def test_a_name_the_arabic_source_writes_in_latin_letters_is_matched():
    from rag.verify.names import unmatched_names

    text = "جاء تغيير اسمه قبل ظهوره في برنامج ساترداي نايت لايف حيث كان من المتوقع أن يطلق ألبومه Yandhi الجديد."
    embedder = make_embedder("use-multilingual")
    assert unmatched_names("He was expected to release his new album, Yandhi.", text, embedder) == []
    # Only the name written there: another Latin name still has to be found.
    assert unmatched_names("He was expected to release his new album, Graduation.", text, embedder) == ["Graduation"]


def test_a_sentence_opening_preposition_or_title_is_not_a_name():
    from rag.verify.names import candidate_names

    assert candidate_names("Under this logic, Trump would win.") == [("Trump", "Trump")]
    assert candidate_names("Former minister Boris Johnson attacked the plan.") == [
        ("Boris", "Boris Johnson"),
        ("Johnson", "Boris Johnson"),
    ]


class DoubtingChat(FakeListChatModel):
    """A fake chat model with token probabilities: `yes` for each source number asked
    whether it answers the question."""

    yes: dict[int, float]
    asked: list[str] = []

    def option_probabilities(self, messages, labels, prefill=""):
        asked = messages[-1].content.split("\n\nQuestion")[0]  # "Sentence: [the one before] the sentence"
        self.asked.append(asked)
        number = next(n for n, s in enumerate(sources(), 1) if asked.endswith(s.text))
        return [self.yes[number], 0.0, 1 - self.yes[number], 0.0]


def doubting_generator(reply: str, yes: dict[int, float]) -> Generator:
    chat = DoubtingChat(responses=[reply], yes=yes, asked=[])
    return Generator(lambda: chat, "fake")


def all_evidence():
    from rag.retrieve.evidence import EvidenceSpan

    return [EvidenceSpan("d1", s.start, s.end, 0.5) for s in sources()]


QUESTION_AR = "كم شخصا قتل في الغارة الجوية على المدينة؟"
DRAFT_AR = "قتل 12 شخصا في غارة جوية على المدينة [3]."


def test_a_supported_answer_from_a_sentence_the_model_doubts_answers_is_not_grounded(checker):
    # Every word checks out against [3], but asked plainly the model says no sentence answers.
    generator = doubting_generator(DRAFT_AR, {1: 0.1, 2: 0.1, 3: 0.2})
    answer = ask(QUESTION_AR, {"d1": ARTICLE}, generator, checker, all_evidence())
    assert not answer.grounded
    assert any("doubts" in reason for _, reason in answer.log.dropped)
    # Asked once, of [3]: quoting [3] again is not asked twice, [1] and [2] fail the coverage check first.
    assert len(generator._chat().asked) == 1


def test_the_yes_no_question_reads_the_sentence_after_the_one_before_it(checker):
    generator = doubting_generator(DRAFT_AR, {3: 0.9})
    answer = ask(QUESTION_AR, {"d1": ARTICLE}, generator, checker, all_evidence())
    assert answer.grounded and [c.quote for c in answer.citations] == [sources()[2].text]
    assert len(generator._chat().asked) == 1
    assert generator._chat().asked == [f"Sentence: {sources()[1].text} {sources()[2].text}"]


def test_an_english_question_with_no_verified_english_answer_gets_the_source_in_the_original(checker):
    # The model writes an English answer its source refutes (a name the sentence lacks) and no
    # translation is allowed: the closest source sentence is quoted in Arabic, not grounded.
    gen = fake_generator("Vladimir Putin said the bombing in Aleppo complicates any deal [1].")
    answer = ask(
        "What did the Pentagon spokesman say about the bombing in Aleppo?",
        {"d1": ARTICLE},
        gen,
        checker,
        translations={"pentagon": ["البنتاغون"], "spokesman": ["المتحدث"], "bombing": ["القصف"], "aleppo": ["حلب"]},
        translate_fallback=False,
    )
    assert answer.mode == "evidence" and not answer.grounded and "en" in answer.withheld
    (citation,) = answer.citations
    assert citation.quote == sources()[0].text
    assert answer.answer.startswith("No English answer could be verified") and "[1]" in answer.answer
    assert citation.quote.rstrip(".") in answer.answer
    assert answer.to_json()["withheld"] == answer.withheld


def test_an_arabic_question_never_gets_the_evidence_mode(checker):
    gen = fake_generator("NOT_FOUND")
    answer = ask("ماذا قال رئيس الوزراء الياباني عن الاقتصاد؟", {"d1": ARTICLE}, gen, checker)
    assert answer.mode == "none" and not answer.withheld


def test_a_draft_cut_at_its_token_limit_loses_its_unfinished_sentence(checker):
    from rag.generate.generator import Completion
    from rag.verify.citations import without_unfinished_sentence

    assert (
        without_unfinished_sentence("قال كوك إن القصف يعقد الاتفاق [1]. وقال إن القصف العشوائي [1]")
        == "قال كوك إن القصف يعقد الاتفاق [1]."
    )
    assert without_unfinished_sentence("He added that") == ""

    class LengthLimited(Generator):
        def _run(self, system, user, on_token, params):
            return Completion(
                text="وقتل 12 شخصا في غارة جوية [3]. وقال كوك إن القصف",
                model="fake",
                prompt_tokens=1,
                completion_tokens=1,
                seconds=0.0,
                finish_reason="length",
            )

    answer = answer_question(
        Question.parse("كم شخصا قتل في الغارة الجوية؟"),
        evidence=all_evidence(),
        articles={"d1": ARTICLE},
        generator=LengthLimited(lambda: None, "fake"),
        checker=checker,
    )
    assert answer.grounded and answer.mode == "generated" and "كوك" not in answer.answer


def test_a_stream_that_broke_off_is_one_clear_error(checker):
    from rag.errors import ModelError
    from rag.generate.generator import Completion

    class Broken(Generator):
        def _run(self, system, user, on_token, params):
            return Completion(
                text="وقال إن القصف العشوائي [1]",
                model="fake",
                prompt_tokens=1,
                completion_tokens=1,
                seconds=0.0,
                finish_reason="cut",
                cut_reason="the connection dropped",
            )

    with pytest.raises(ModelError, match="cut off"):
        answer_question(
            Question.parse("ماذا قال كوك؟"),
            evidence=all_evidence(),
            articles={"d1": ARTICLE},
            generator=Broken(lambda: None, "fake"),
            checker=checker,
        )


def test_without_free_english_only_a_names_and_numbers_answer_is_given(checker):
    translations = {
        "pentagon": ["البنتاغون"],
        "spokesman": ["المتحدث"],
        "say": ["قال"],
        "aleppo": ["حلب"],
        "bombing": ["القصف"],
    }
    factoid = ask(
        "Who is the Pentagon spokesman?",
        {"d1": ARTICLE},
        fake_generator("The Pentagon spokesman is Peter Cook [1]."),
        checker,
        translations=translations,
        english=False,
    )
    assert factoid.grounded and factoid.mode == "generated" and "Peter Cook" in factoid.answer
    free = ask(
        "What did the Pentagon spokesman say about the bombing in Aleppo?",
        {"d1": ARTICLE},
        fake_generator("Pentagon spokesman Peter Cook said Russian bombing in Aleppo complicates any deal [1]."),
        checker,
        translations=translations,
        english=False,
    )
    assert not free.grounded and free.mode == "evidence" and "bundled model" in free.withheld["en"]


def test_the_english_policy_follows_the_model_and_the_setting(tmp_path):
    from rag.app import Rag
    from rag.config import Settings

    def prints(**values):
        return Rag(Settings(home=tmp_path / "h", **values)).prints_english

    assert not prints()  # the bundled model
    assert not prints(llm="llamacpp:qwen2.5-0.5b")
    assert prints(llm="openai:gpt-4o-mini") and prints(llm="llamacpp:/models/big.gguf")
    assert prints(english="verified") and not prints(llm="openai:gpt-4o-mini", english="withheld")


def test_a_bad_english_policy_is_a_config_error(tmp_path):
    from rag.config import Settings
    from rag.errors import ConfigError

    with pytest.raises(ConfigError, match="RAG_ENGLISH"):
        Settings.from_env({"RAG_HOME": str(tmp_path), "RAG_ENGLISH": "maybe"})


def test_the_sentence_naming_someone_apart_from_the_question_is_never_the_evidence_shown(checker):
    # "The Pentagon spokesman is John Kerry" out of a sentence naming Kerry and the spokesman apart: the
    # draft is refused, and that sentence is not quoted as the closest evidence; Cook's sentence is.
    kerry_and_spokesman = (
        "وحول تفاؤل وزير الخارجية الأميركي جون كيري بإمكانية التوصل إلى اتفاق وشيك حول سوريا "
        "والتشاؤم الذي أبداه المتحدث باسم البنتاغون، قال مسؤول إن التصعيد مقلق."
    )
    text = kerry_and_spokesman + " " + TEXT
    article = Article(doc_id="d3", title="البنتاغون", text=text)
    from rag.retrieve.evidence import EvidenceSpan
    from rag.text.sentences import split_sentences

    spans = split_sentences(text)
    evidence = [EvidenceSpan("d3", s.start, s.end, 1.0 if i == 0 else 0.5) for i, s in enumerate(spans)]
    answer = ask(
        "Who is the Pentagon spokesman?",
        {"d3": article},
        fake_generator("The Pentagon spokesman is John Kerry [1]."),
        checker,
        evidence=evidence,
        translations={"pentagon": ["البنتاغون"], "spokesman": ["المتحدث"]},
        english=False,
    )
    assert not answer.grounded and answer.mode == "evidence"
    assert [c.quote for c in answer.citations] == [text[spans[1].start : spans[1].end]]


def test_a_quote_answers_a_who_question_only_when_it_names_whom_the_draft_named():
    from rag.answer import holds_what_the_draft_adds

    named = "المتحدث باسم البنتاغون هو بيتر كوك [1]."
    for question in ("من هو المتحدث باسم البنتاغون؟", "ومن كان المتحدث باسم البنتاغون؟"):
        assert holds_what_the_draft_adds(named, question, sources()[0].text)
        assert not holds_what_the_draft_adds(named, question, sources()[1].text)
    # The name with a conjunction attached ("ولافروف") is that name.
    assert holds_what_the_draft_adds("نظير كيري هو لافروف [1].", "من هو نظير كيري؟", "منذ لقاء كيري ولافروف في موسكو.")
    assert not holds_what_the_draft_adds(
        "نظير كيري هو لافروف [1].", "من هو نظير كيري؟", "منذ لقاء كيري وبوتين في موسكو."
    )
    # A draft that restates the question adds no one: no sentence can hold whom it named.
    assert not holds_what_the_draft_adds("المتحدث باسم البنتاغون [1].", "من هو المتحدث باسم البنتاغون؟", TEXT)


@pytest.mark.parametrize(
    "question",
    ["من هو المتحدث باسم البنتاغون؟", "في المؤتمر، من هو المتحدث باسم البنتاغون؟", "‏من المتحدث باسم البنتاغون؟"],
)
def test_a_who_question_gets_no_quote_naming_someone_else_than_the_draft(checker, question):
    from rag.retrieve.evidence import EvidenceSpan

    # The model names a man the article never mentions; the best sentence is on the spokesman but
    # names whom the model did not: no quote of it stands as the answer.
    gen = fake_generator("المتحدث باسم البنتاغون هو سامي سعيد [1].")
    evidence = [EvidenceSpan("d1", s.start, s.end, score) for s, score in zip(sources(), [0.9, 0.5, 0.4])]
    answer = ask(question, {"d1": ARTICLE}, gen, checker, evidence)
    assert not answer.grounded
    assert answer.mode != "extractive"


ANOTHER_SPEAKER = "the answer is the subject of another reporting clause than whom the question asks about"


def test_a_who_question_gets_no_quote_where_the_drafts_answer_is_another_speaker(checker):
    from rag.retrieve.evidence import EvidenceSpan
    from rag.text.sentences import split_sentences

    # The sentence holds the draft's answer, "مسؤول بالخارجية الأميركية", but as the speaker of the
    # clause after the Pentagon spokesman's: it does not say who the Pentagon official is.
    two_speakers = (
        "وحول التشاؤم الذي أبداه المتحدث باسم البنتاغون، قال مسؤول بالخارجية الأميركية إن التصعيد في حلب مقلق."
    )
    text = two_speakers + " " + TEXT
    article = Article(doc_id="d4", title="البنتاغون", text=text)
    spans = split_sentences(text)
    evidence = [EvidenceSpan("d4", s.start, s.end, 1.0 if i == 0 else 0.5) for i, s in enumerate(spans)]
    for question in (
        "من المسؤول في البنتاغون الذي انتقد روسيا؟",
        "من هو المسؤول في البنتاغون الذي عبر عن التشاؤم؟",
    ):
        gen = fake_generator("المسؤول في البنتاغون هو مسؤول بالخارجية الأميركية [1].")
        answer = ask(question, {"d4": article}, gen, checker, evidence=evidence)
        assert two_speakers not in [c.quote for c in answer.citations], answer
        assert (two_speakers, ANOTHER_SPEAKER) in answer.log.dropped


@pytest.mark.parametrize(
    "arabic,garbled,usual",
    [
        (
            "وكان كيري قد أعلن خلال زيارته لكينيا أن المحادثات تقترب من نهايتها.",
            "Kerry was visiting Kina.",
            "Kerry was visiting Kenya.",
        ),
        (
            "وصل الوفد إلى سوريا مساء الأحد لإجراء محادثات.",
            "The delegation arrived in Sorya on Sunday evening.",
            "The delegation arrived in Syria on Sunday evening.",
        ),
        (
            "قالت الحكومة إن لبنان لم يرد بعد على العرض.",
            "The government said Lobnan had not yet answered the offer.",
            "The government said Lebanon had not yet answered the offer.",
        ),
    ],
)
def test_a_known_place_spelled_another_way_is_not_that_place(checker, arabic, garbled, usual):
    # "Kina" has the consonants of كينيا (K N): a reader takes it for another place.
    verdict = checker.check(garbled, [arabic])
    assert not verdict.supported and "names not in the cited text" in verdict.reason
    assert checker.check(usual, [arabic]).supported


def test_the_usual_names_and_their_forms_are_not_misspellings():
    from rag.verify.names import unmatched_names

    embedder = make_embedder("use-multilingual")
    forces = "طالبت سوريا القوات الأمريكية والفرنسية والتركية بالانسحاب من أراضيها."
    assert unmatched_names("Syria asked the US, France and Turkey to withdraw their forces.", forces, embedder) == []
    assert unmatched_names("Syria asked American, French and Turkish forces to leave.", forces, embedder) == []
    assert (
        unmatched_names("The Kenyan visit ended on Monday.", "انتهت الزيارة الكينية يوم الاثنين في كينيا.", embedder)
        == []
    )
