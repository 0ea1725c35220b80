"""Pick the source sentences a generator should see: the few that matter most.

Retrieval returns passages; a small model reads a handful of sentences far
better than five whole passages, and prompt processing is the slowest step on
a CPU. Each sentence unit of the retrieved passages is scored against the
question (multilingual embedding similarity, plus word overlap when the
languages match, each word weighed by its rarity in the index, or overlap of the
question words' translations when they do not, plus a little for holding what a
how-many or when question asks for) and the best ones are kept, in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.records import Passage
from rag.text.answer_types import asked_types, holds_asked
from rag.text.arabic import index_tokens, light_stem
from rag.text.lang import detect_language
from rag.text.lexicon import FEW_STEMS, lexicon
from rag.text.question import Question

OVERLAP_WEIGHT = 1.5
TYPE_WEIGHT = 0.1


@dataclass(frozen=True)
class EvidenceSpan:
    doc_id: str
    start: int
    end: int
    score: float


def select_evidence(
    question: Question,
    passages: list[Passage],
    articles: dict,
    vectors,
    embedder,
    *,
    max_sentences: int = 6,
    relative_floor: float = 0.8,
    rescorer=None,
    term_weights=None,
) -> list[EvidenceSpan]:
    """The best sentences of the passages that score close to the top one.

    Articles whose best passage is far below the best (fused score under
    `relative_floor` of it) are left out: a small model is easily distracted by
    unrelated articles. The question's word translations (rag.retrieve.translate) let word
    overlap count across languages: an English question's "Pentagon" found as
    البنتاغون in an Arabic sentence.

    With a `rescorer` (an Embedder), the candidate sentences and the question are embedded again
    by it when the question is asked, instead of using the stored vectors: a stronger, slower
    encoder where it decides the answer, without embedding the whole index with it.
    """
    if not passages:
        return []
    top = max(p.score for p in passages)
    kept_docs = {p.doc_id for p in passages if p.score >= relative_floor * top}
    passages = [p for p in passages if p.doc_id in kept_docs]
    units = vectors.unit_spans([p.chunk_id for p in passages if p.chunk_id])
    if not units:
        return []
    if rescorer is not None:
        units, embedder = _embedded_again(units, articles, rescorer), rescorer
    query = np.asarray(embedder.embed_query_array([question.text])[0], dtype=np.float32)
    overlap = _WordOverlap(question, term_weights)
    kinds = asked_types(question.text)
    scores: dict[tuple[str, int, int], float] = {}
    for doc_id, start, end, vector in units:
        key = (doc_id, start, end)
        if key in scores or doc_id not in articles:
            continue
        text = articles[doc_id].text[start:end]
        scores[key] = float(vector @ query) + OVERLAP_WEIGHT * overlap(text)
        if kinds and holds_asked(text, kinds):
            # It can answer "how many" / "when": a sentence with no number cannot.
            scores[key] += TYPE_WEIGHT
    best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:max_sentences]
    # Shown in reading order (articles by rank, sentences by position): a statement
    # like "وقال كوك …" is only clear after the sentence that introduced Cook.
    doc_rank = {p.doc_id: i for i, p in reversed(list(enumerate(passages)))}
    best.sort(key=lambda item: (doc_rank.get(item[0][0], 0), item[0][1]))
    return [EvidenceSpan(d, s, e, score) for (d, s, e), score in best]


def _embedded_again(units: list, articles: dict, embedder) -> list:
    """The units (doc_id, start, end, vector) of the held articles, with `embedder`'s vectors."""
    spans = list(dict.fromkeys((d, s, e) for d, s, e, _ in units if d in articles))
    vectors = embedder.embed_array([articles[d].text[s:e] for d, s, e in spans])
    return [(d, s, e, v) for (d, s, e), v in zip(spans, vectors)]


class _WordOverlap:
    """Share of the question's words a sentence contains (as light stems), each weighed by its
    rarity when weights are given: the words themselves in the question's language; in the other,
    the share of words one of whose translations (nearest corpus words, the lexicon's) it holds."""

    def __init__(self, question: Question, term_weights=None):
        self.terms = set(index_tokens(question.text))
        # Each term by its rarity when `term_weights` (index terms -> IDF) is given: a sentence with
        # the question's name (بريستلي) beats one with its common words (الأكسجين، عام).
        terms = sorted(self.terms)
        self.weights = dict(zip(terms, term_weights(terms))) if term_weights and terms else dict.fromkeys(terms, 1.0)
        self.lang = question.lang
        # An English word's translations: its nearest corpus words, and the lexicon's Arabic for it
        # when it has few (rag.text.lexicon).
        self.translated = (
            [
                {light_stem(t) for t in question.translations.get(w, [])} | lexicon().arabic_stems(w, FEW_STEMS)
                for w in question.words
            ]
            if question.translations is not None
            else []
        )

    def __call__(self, sentence: str) -> float:
        if detect_language(sentence) == self.lang:
            total = sum(self.weights.values())
            found = sum(self.weights[t] for t in self.terms & set(index_tokens(sentence)))
            return found / total if total else 0.0
        if not self.translated:
            return 0.0
        stems = set(index_tokens(sentence))
        return sum(bool(candidates & stems) for candidates in self.translated) / len(self.translated)
