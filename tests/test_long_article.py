"""A long article is summarized in stages: salient sentences from every chunk (map),
then one generation over that bounded set (reduce), citations exact throughout."""
from __future__ import annotations

import re

from rag.app import Rag
from rag.config import Settings
from rag.generate.generator import Completion
from rag.summarize import summarize_articles
from rag.text.tokens import count_tokens
from rag.verify.support import SupportChecker

_SOURCE_LINE = re.compile(r"^\[(\d+)\] (.+)$", re.M)


class EchoGenerator:
    """Writes each numbered source back as a summary line citing it, and records the prompts."""

    label = "echo"

    def __init__(self):
        self.prompts: list[str] = []

    def complete(self, system, user, on_token=None, max_tokens=None) -> Completion:
        self.prompts.append(user)
        lines = [f"- {text} [{n}]" for n, text in _SOURCE_LINE.findall(user)]
        return Completion("\n".join(lines), self.label, count_tokens(user), 10, 0.0)


def long_article(paragraphs: int = 250) -> str:
    towns = ["حلب", "حمص", "دمشق", "إدلب", "درعا"]
    return "\n".join(
        f"وقال مسؤول محلي في {towns[i % 5]} إن {i + 3} عائلات عادت إلى منازلها يوم {i % 28 + 1} من الشهر. "
        f"وأضاف أن فرق الإغاثة وزعت {10 * i + 7} سلة غذائية في الحي رقم {i + 1}."
        for i in range(paragraphs))


def test_long_article_prompt_is_bounded_and_citations_exact(tmp_path):
    app = Rag(Settings(home=tmp_path / "home"))
    path = tmp_path / "long.txt"
    text = long_article()
    path.write_text("عودة العائلات إلى المدن\n" + text, encoding="utf-8")
    app.ingest([path])
    (article,) = app.docs()
    assert count_tokens(article.text) > 8000  # beyond the embedded model's 4096-token context
    chunks = app.store.chunks_for(article.doc_id)
    assert len(chunks) > 10
    units = app.vectors.unit_spans([c.chunk_id for c in chunks])
    generator = EchoGenerator()
    summary = summarize_articles([article], units, generator, SupportChecker(app.embedder), sentences=4)
    assert all(count_tokens(p) < 1500 for p in generator.prompts)
    assert 1 <= len(summary.ar) <= 4 and all(s["citations"] for s in summary.ar)
    stored = app.show(article.doc_id).text
    for citation in summary.citations:
        assert stored[citation.start:citation.end] == citation.quote
    app.close()
