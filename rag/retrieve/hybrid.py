"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by weighted RRF.

BM25 over normalized, stemmed Arabic is precise when the query shares words with
the text; the multilingual encoder carries English questions over Arabic text,
where BM25 finds almost nothing. Reciprocal-rank fusion needs no score
calibration; the lexical side is down-weighted when the query's language differs
from the passage's, since then only names and numbers can match.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.index.articles import ArticleStore
from rag.index.lexical import LexicalIndex
from rag.index.vectors import ChunkVectors
from rag.records import Passage
from rag.text.lang import detect_language


@dataclass(frozen=True)
class RetrievalPolicy:
    mode: str = "hybrid"  # hybrid | dense | lexical
    candidates: int = 60
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    cross_lingual_lexical_weight: float = 0.3


class HybridRetriever:
    def __init__(self, store: ArticleStore, vectors: ChunkVectors, lexical: LexicalIndex, embedder,
                 policy: RetrievalPolicy = RetrievalPolicy()):
        self.store = store
        self.vectors = vectors
        self.lexical = lexical
        self.embedder = embedder
        self.policy = policy

    def search(self, query: str, k: int = 5, policy: RetrievalPolicy | None = None) -> list[Passage]:
        policy = policy or self.policy
        query = query.strip()
        if not query or k <= 0:
            return []
        n = max(policy.candidates, k)
        dense = self._dense(query, n) if policy.mode in ("hybrid", "dense") else []
        lexical = self.lexical.query(query, n) if policy.mode in ("hybrid", "lexical") else []
        scores = self._fuse(query, dense, lexical, policy)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:k]
        return self._passages(ranked)

    def _dense(self, query: str, n: int) -> list[str]:
        vector = np.asarray(self.embedder.embed_array([query])[0], dtype=np.float32)
        return [hit.chunk_id for hit in self.vectors.query(vector, n)]

    def _fuse(self, query: str, dense: list[str], lexical, policy: RetrievalPolicy) -> dict[str, float]:
        scores: dict[str, float] = {}
        for rank, chunk_id in enumerate(dense):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + policy.dense_weight / (policy.rrf_k + rank + 1)
        query_lang = detect_language(query)
        hit_langs = self.store.chunk_languages([hit.chunk_id for hit in lexical]) if policy.mode == "hybrid" else {}
        for rank, hit in enumerate(lexical):
            weight = policy.lexical_weight
            if hit_langs.get(hit.chunk_id, query_lang) != query_lang:
                weight = policy.cross_lingual_lexical_weight
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight / (policy.rrf_k + rank + 1)
        return scores

    def _passages(self, ranked: list[tuple[str, float]]) -> list[Passage]:
        spans = self.store.chunk_spans([cid for cid, _ in ranked])
        articles = self.store.get_many(doc_id for doc_id, _, _ in spans.values())
        passages = []
        for chunk_id, score in ranked:
            if chunk_id not in spans:
                continue  # a vector whose article was deleted: never return text we cannot show
            doc_id, start, end = spans[chunk_id]
            article = articles.get(doc_id)
            if article is None:
                continue
            passages.append(Passage(doc_id=doc_id, start=start, end=end, text=article.text[start:end], score=score,
                                    title=article.title, date=article.date, source=article.source, chunk_id=chunk_id))
        return passages
