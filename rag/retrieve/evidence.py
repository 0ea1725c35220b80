"""Pick the source sentences a generator should see: the few that matter most.

Retrieval returns passages; a small model reads a handful of sentences far
better than five whole passages, and prompt processing is the slowest step on
a CPU. Each sentence unit of the retrieved passages is scored against the
question (multilingual embedding similarity, plus word overlap when the
languages match) and the best ones are kept, in reading order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.records import Passage
from rag.text.arabic import index_tokens
from rag.text.lang import detect_language

OVERLAP_WEIGHT = 0.5


@dataclass(frozen=True)
class EvidenceSpan:
    doc_id: str
    start: int
    end: int
    score: float


def select_evidence(question: str, passages: list[Passage], articles: dict, vectors, embedder,
                    max_sentences: int = 6, relative_floor: float = 0.8) -> list[EvidenceSpan]:
    """The best sentences of the passages that score close to the top one.

    Passages far below the best (fused score under `relative_floor` of it) are
    left out: a small model is easily distracted by unrelated articles.
    """
    if not passages:
        return []
    top = max(p.score for p in passages)
    passages = [p for p in passages if p.score >= relative_floor * top]
    units = vectors.unit_spans([p.chunk_id for p in passages if p.chunk_id])
    if not units:
        return []
    query = np.asarray(embedder.embed_array([question])[0], dtype=np.float32)
    question_terms = set(index_tokens(question))
    question_lang = detect_language(question)
    scores: dict[tuple[str, int, int], float] = {}
    for doc_id, start, end, vector in units:
        key = (doc_id, start, end)
        if key in scores or doc_id not in articles:
            continue
        score = float(vector @ query)
        text = articles[doc_id].text[start:end]
        if question_terms and detect_language(text) == question_lang:
            score += OVERLAP_WEIGHT * len(question_terms & set(index_tokens(text))) / len(question_terms)
        scores[key] = score
    best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:max_sentences]
    # Shown in reading order (articles by rank, sentences by position): a statement
    # like "وقال كوك …" is only clear after the sentence that introduced Cook.
    doc_rank = {p.doc_id: i for i, p in reversed(list(enumerate(passages)))}
    best.sort(key=lambda item: (doc_rank.get(item[0][0], 0), item[0][1]))
    return [EvidenceSpan(d, s, e, score) for (d, s, e), score in best]
