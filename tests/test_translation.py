"""One Arabic source sentence into one verified English sentence (fake chat model)."""
from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.generate.generator import Generator
from rag.index.embeddings import make_embedder
from rag.translation import leading_clauses, translate_source
from rag.verify.sources import SourceSentence
from rag.verify.support import SupportChecker

LONG = ("وأشار المتحدث إلى أنه لا يوجد تقدم تم إحرازه منذ لقاء كيري ولافروف الشهر الماضي في موسكو، بل اتهمت واشنطن "
        "النظام السوري ومن خلفه روسيا وإيران بتكثيف القصف العشوائي في حلب مع تجاهل تام لمعاناة السكان السوريين بما "
        "يضيف وقودا للحرب الأهلية في سوريا، دون أن يقلل من قدرة ونفوذ وإمكانيات الجماعات المتطرفة.")


@pytest.fixture(scope="module")
def checker():
    return SupportChecker(make_embedder("use-multilingual"))


def generator(*replies: str) -> Generator:
    return Generator(lambda: FakeListChatModel(responses=list(replies)), "fake")


def test_long_sentence_is_cut_at_a_clause_boundary():
    lead = leading_clauses(LONG, max_words=20)
    assert lead == "وأشار المتحدث إلى أنه لا يوجد تقدم تم إحرازه منذ لقاء كيري ولافروف الشهر الماضي في موسكو"
    assert leading_clauses("جملة قصيرة، فيها فاصلة.") == "جملة قصيرة، فيها فاصلة."


def test_garbled_translation_is_retried_on_the_leading_clauses(checker):
    source = SourceSentence(1, "d1", 0, len(LONG), LONG)
    replies = ("No progress since Kerry met Loughran in Moscow; Iran is accused of chemical attacks in Aleppo.",
               "He said no progress has been made since Kerry and Lavrov met in Moscow last month.")
    verified = translate_source(source, [source], generator(*replies), checker)
    assert verified is not None and "Lavrov" in verified.text and verified.sources == [1]


def test_translation_that_never_verifies_is_none(checker):
    source = SourceSentence(1, "d1", 0, len(LONG), LONG)
    replies = ("Obama met Loughran.", "Obama met Loughran in Paris.")
    assert translate_source(source, [source], generator(*replies), checker) is None
