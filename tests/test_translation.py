"""One Arabic source sentence into one verified English sentence (fake chat model)."""

from __future__ import annotations

from fakes import scripted_generator
from rag.translation import leading_clauses, translate_source
from rag.verify.sources import SourceSentence

LONG = (
    "وأشار المتحدث إلى أنه لا يوجد تقدم تم إحرازه منذ لقاء كيري ولافروف الشهر الماضي في موسكو، بل اتهمت واشنطن "
    "النظام السوري ومن خلفه روسيا وإيران بتكثيف القصف العشوائي في حلب مع تجاهل تام لمعاناة السكان السوريين بما "
    "يضيف وقودا للحرب الأهلية في سوريا، دون أن يقلل من قدرة ونفوذ وإمكانيات الجماعات المتطرفة."
)


generator = scripted_generator


def test_long_sentence_is_cut_at_a_clause_boundary():
    lead = leading_clauses(LONG, max_words=20)
    assert lead == "وأشار المتحدث إلى أنه لا يوجد تقدم تم إحرازه منذ لقاء كيري ولافروف الشهر الماضي في موسكو"
    assert leading_clauses("جملة قصيرة، فيها فاصلة.") == "جملة قصيرة، فيها فاصلة."


def test_garbled_translation_is_retried_on_the_leading_clauses(checker):
    source = SourceSentence(1, "d1", 0, len(LONG), LONG)
    replies = (
        "No progress since Kerry met Loughran in Moscow; Iran is accused of chemical attacks in Aleppo.",
        "He said no progress has been made since Kerry and Lavrov met in Moscow last month.",
    )
    verified = translate_source(source, [source], generator(*replies), checker)
    assert verified is not None and "Lavrov" in verified.text and verified.sources == [1]


def test_translation_that_never_verifies_is_none(checker):
    source = SourceSentence(1, "d1", 0, len(LONG), LONG)
    replies = ("Obama met Loughran.", "Obama met Loughran in Paris.")
    assert translate_source(source, [source], generator(*replies), checker) is None


COOK = "فيما وجه بيتر كوك المتحدث باسم البنتاغون انتقادات لاذعة لروسيا بشأن ضرباتها الجوية في سوريا."
NO_PROGRESS = "وأشار إلى أنه لا يوجد تقدم تم إحرازه منذ لقاء كيري ولافروف الشهر الماضي في موسكو."
FREE_SUMMARY = (
    "**TITLE: The Pentagon criticizes Russia [1]**\n"
    "- Peter Cook, the Pentagon spokesman, criticized Russia's air strikes in Syria [1].\n"
    "- Secretary of State Kerry announced that the US and Russia will not negotiate an alliance [2]."
)


def two_sources() -> list[SourceSentence]:
    return [
        SourceSentence(1, "d1", 0, len(COOK), COOK),
        SourceSentence(2, "d1", len(COOK) + 1, len(COOK) + 1 + len(NO_PROGRESS), NO_PROGRESS),
    ]


def test_english_summary_is_the_sources_verified_translations_and_a_free_summary_only_titles_it(checker):
    from rag.summarize import _english_half

    replies = (
        "Pentagon spokesman Peter Cook sharply criticized Russia over its air strikes in Syria.",
        "He said no progress has been made since Kerry and Lavrov met in Moscow last month.",
        FREE_SUMMARY,
    )  # the summary prompt, asked for its TITLE line only
    half = _english_half(two_sources(), "البنتاغون ينتقد موسكو", generator(*replies), checker, None)
    assert [(s.text, s.sources) for s in half.sentences] == [(replies[0], [1]), (replies[1], [2])]
    assert half.title == "The Pentagon criticizes Russia" and half.completion is None


def test_english_summary_is_written_freely_when_no_translation_verifies(checker):
    from rag.summarize import _english_half

    replies = ("Obama met Loughran.", "Obama met Loughran in Paris.", FREE_SUMMARY)
    half = _english_half(two_sources(), "البنتاغون ينتقد موسكو", generator(*replies), checker, None)
    assert half.completion is not None and half.title == "The Pentagon criticizes Russia"
    assert [s.sources for s in half.sentences][:1] == [[1]] and "Peter Cook" in half.sentences[0].text


def test_a_title_taken_from_a_sentence_is_cut_at_a_word_boundary():
    from rag.summarize import shortened

    sentence = "Peter Cook, the Pentagon's spokesperson, criticized Russia for its air strikes in Syria, saying so."
    title = shortened(sentence, 40)
    assert title == "Peter Cook, the Pentagon's spokesperson…" and len(title) <= 40
    # A word running over the limit is left out whole, not cut.
    assert shortened("Peter Cook, the Pentagon spokesperson criticized", 30) == "Peter Cook, the Pentagon…"
