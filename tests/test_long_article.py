"""A long article is summarized in stages: salient sentences from every chunk (map),
then one generation over that bounded set (reduce), citations exact throughout."""

from __future__ import annotations

from fakes import EchoGenerator
from rag.app import Rag
from rag.config import Settings
from rag.summarize import summarize_articles
from rag.text.tokens import count_tokens
from rag.verify.support import SupportChecker

MODEL_CONTEXT_TOKENS = 4096  # the embedded model's context


def long_article(min_tokens: int) -> str:
    """Distinct news paragraphs, as many as it takes to exceed `min_tokens` o200k tokens."""
    towns = ["حلب", "حمص", "دمشق", "إدلب", "درعا"]
    paragraphs: list[str] = []
    while count_tokens("\n".join(paragraphs)) <= min_tokens:
        i = len(paragraphs)
        paragraphs.extend(
            f"وقال مسؤول محلي في {towns[j % 5]} إن {j + 3} عائلات عادت إلى منازلها يوم {j % 28 + 1} من الشهر. "
            f"وأضاف أن فرق الإغاثة وزعت {10 * j + 7} سلة غذائية في الحي رقم {j + 1}."
            for j in range(i, i + 25)
        )
    return "\n".join(paragraphs)


def test_long_article_prompt_is_bounded_and_citations_exact(tmp_path):
    app = Rag(Settings(home=tmp_path / "home"))
    path = tmp_path / "long.txt"
    path.write_text("عودة العائلات إلى المدن\n" + long_article(3 * MODEL_CONTEXT_TOKENS), encoding="utf-8")
    app.ingest([path])
    (article,) = app.docs()
    chunks = app.store.chunks_for(article.doc_id)
    units = app.vectors.unit_spans([c.chunk_id for c in chunks])
    generator = EchoGenerator()
    summary = summarize_articles([article], units, generator, SupportChecker(app.embedder), sentences=4)
    assert all(count_tokens(p) < 1500 for p in generator.prompts)
    assert 0 < len(summary.ar) <= 4 and all(s["citations"] for s in summary.ar)
    stored = app.show(article.doc_id).text
    for citation in summary.citations:
        assert stored[citation.start : citation.end] == citation.quote
    app.close()


def test_without_english_the_english_half_is_withheld_and_never_generated(tmp_path):
    app = Rag(Settings(home=tmp_path / "home"))
    path = tmp_path / "short.txt"
    path.write_text("عودة العائلات إلى المدن\n" + long_article(300), encoding="utf-8")
    app.ingest([path])
    (article,) = app.docs()
    units = app.vectors.unit_spans([c.chunk_id for c in app.store.chunks_for(article.doc_id)])
    generator = EchoGenerator()
    summary = summarize_articles([article], units, generator, SupportChecker(app.embedder), sentences=3, english=False)
    assert summary.en == [] and summary.title["en"] == "" and "bundled model" in summary.withheld["en"]
    assert summary.to_json()["withheld"] == summary.withheld and summary.ar
    assert not any("English" in p for p in generator.prompts)  # no translation, no English summary asked
    app.close()
