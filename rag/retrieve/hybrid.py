"""Hybrid retrieval: dense chunk and sentence similarity plus BM25, fused by score.

score(chunk) = cos(q, chunk) + max cos(q, sentence of chunk) + w * bm25 / max bm25

BM25 over normalized, stemmed Arabic is precise when the query shares words with
the text. The multilingual encoder carries English questions over Arabic text,
where plain BM25 finds almost nothing; for those, BM25 runs on terms translated
through the embedding space (rag.retrieve.translate) with a lower weight.
Weights were tuned on XQuAD (see evals/README.md for the measured numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.index.articles import ArticleStore
from rag.index.embeddings import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.vectors import ChunkVectors
from rag.records import Passage
from rag.retrieve.translate import TermTranslator
from rag.text.lang import detect_language


@dataclass(frozen=True)
class RetrievalPolicy:
    mode: str = "hybrid"  # hybrid | dense | lexical
    candidates: int = 60
    lexical_weight: float = 0.75
    translated_lexical_weight: float = 0.2


class HybridRetriever:
    def __init__(
        self,
        store: ArticleStore,
        vectors: ChunkVectors,
        lexical: LexicalIndex,
        embedder: Embedder,
        translator: TermTranslator,
        policy: RetrievalPolicy = RetrievalPolicy(),
    ):
        self.store = store
        self.vectors = vectors
        self.lexical = lexical
        self.embedder = embedder
        self.translator = translator
        self.policy = policy

    def search(self, query: str, k: int = 5, policy: RetrievalPolicy | None = None) -> list[Passage]:
        policy = policy or self.policy
        query = query.strip()
        if not query or k <= 0:
            return []
        n = max(policy.candidates, k)
        # Only BM25 looks the query's words up in the other script: a dense search never asks.
        translated = policy.mode != "dense" and self._translated(query)
        if policy.mode == "lexical":
            scores, _ = self._lexical_scores(query, n, policy, translated)
        else:
            # Files and indexes a fresh process has not read yet load on threads while the query
            # is embedded (Chroma's query and the encoder's products release the GIL).
            warming = [self.vectors.warm_in_background()]
            if policy.mode == "hybrid" and translated:
                warming.append(self.translator.warm_in_background())
            vector = np.asarray(self.embedder.embed_query_array([query])[0], dtype=np.float32)
            for thread in warming:
                if thread is not None:
                    thread.join()
            scores = self._dense_scores(vector, n)
            if policy.mode == "hybrid":
                lexical, weight = self._lexical_scores(query, n, policy, translated)
                # Lexical-only candidates need their dense score too, to be comparable.
                scores.update(self._dense_for(vector, [cid for cid in lexical if cid not in scores]))
                for chunk_id, score in lexical.items():
                    scores[chunk_id] = scores.get(chunk_id, 0.0) + weight * score
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        # Only chunks this article store holds (a shared server may hold vectors it does not,
        # e.g. orphans of a killed ingest), and still k of them: the candidates over-fetch.
        held = self.store.chunk_spans([cid for cid, _ in ranked])
        return self._passages([(cid, score) for cid, score in ranked if cid in held][:k])

    # -- dense --------------------------------------------------------------
    def _dense_scores(self, vector: np.ndarray, n: int) -> dict[str, float]:
        chunk_sim = {hit.chunk_id: hit.similarity for hit in self.vectors.query_chunks(vector, n)}
        best_unit: dict[str, float] = {}
        for hit in self.vectors.query_units(vector, n * 2):
            best_unit[hit.chunk_id] = max(best_unit.get(hit.chunk_id, -1.0), hit.similarity)
        candidates = set(chunk_sim) | set(best_unit)
        missing_chunk = [cid for cid in candidates if cid not in chunk_sim]
        chunk_sim.update({cid: float(v @ vector) for cid, v in self.vectors.chunk_vectors(missing_chunk).items()})
        missing_unit = [cid for cid in candidates if cid not in best_unit]
        best_unit.update({cid: float((m @ vector).max()) for cid, m in self.vectors.unit_vectors(missing_unit).items()})
        return {cid: chunk_sim.get(cid, 0.0) + best_unit.get(cid, 0.0) for cid in candidates}

    def _dense_for(self, vector: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        if not chunk_ids:
            return {}
        chunk_vecs = self.vectors.chunk_vectors(chunk_ids)
        unit_vecs = self.vectors.unit_vectors(chunk_ids)
        return {
            cid: float(chunk_vecs[cid] @ vector) + float((unit_vecs[cid] @ vector).max())
            for cid in chunk_ids
            if cid in chunk_vecs and cid in unit_vecs
        }

    # -- lexical ------------------------------------------------------------
    def _translated(self, query: str) -> bool:
        """Whether the query's words are looked up in the other script (an English question over
        Arabic articles)."""
        query_lang, corpus_lang = detect_language(query), self.store.dominant_language()
        return query_lang in ("ar", "en") and corpus_lang in ("ar", "en") and query_lang != corpus_lang

    def _lexical_scores(
        self, query: str, n: int, policy: RetrievalPolicy, translated: bool
    ) -> tuple[dict[str, float], float]:
        """BM25 scores scaled to [0, 1], and the weight they get in the fusion; `translated`: the
        query's words are looked up in the other script (_translated)."""
        if translated:
            hits = self.lexical.query_terms(self.translator.translate(query), n)
            weight = policy.translated_lexical_weight
        else:
            hits = self.lexical.query(query, n)
            weight = policy.lexical_weight
        if not hits:
            return {}, weight
        top = max(hit.score for hit in hits)
        return {hit.chunk_id: hit.score / top for hit in hits}, weight

    # -- results ------------------------------------------------------------
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
            passages.append(
                Passage(
                    doc_id=doc_id,
                    start=start,
                    end=end,
                    text=article.text[start:end],
                    score=score,
                    title=article.title,
                    date=article.date,
                    source=article.source,
                    chunk_id=chunk_id,
                )
            )
        return passages
