"""BM25 over normalized, lightly stemmed terms (bm25s), persisted under RAG_HOME.

Terms are computed once per chunk at ingest and kept in the article store, so a
rebuild after new articles only re-indexes, never re-tokenizes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from rag.index.articles import ArticleStore
from rag.text.arabic import index_tokens


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


def chunk_terms(text: str) -> str:
    return " ".join(index_tokens(text))


class LexicalIndex:
    def __init__(self, store: ArticleStore, folder: Path):
        self._store = store
        self._folder = folder
        self._model: bm25s.BM25 | None = None
        self._chunk_ids: list[str] = []
        self._generation = -1

    def _ensure_fresh(self) -> None:
        generation = self._store.generation()
        if self._model is not None and self._generation == generation:
            return
        if not self._load(generation):
            self._build(generation)

    def _load(self, generation: int) -> bool:
        stamp = self._folder / "stamp.json"
        try:
            meta = json.loads(stamp.read_text())
            if meta.get("generation") != generation:
                return False
            self._model = bm25s.BM25.load(str(self._folder / "model"))
            self._chunk_ids = json.loads((self._folder / "chunk_ids.json").read_text())
        except (OSError, ValueError):
            return False
        self._generation = generation
        return True

    def _build(self, generation: int) -> None:
        ids: list[str] = []
        corpus: list[list[str]] = []
        for chunk_id, terms in self._store.iter_chunk_terms():
            ids.append(chunk_id)
            corpus.append(terms.split() or ["\u2205"])
        self._chunk_ids = ids
        self._generation = generation
        if not ids:
            self._model = None
            return
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(corpus, show_progress=False)
        self._model = model
        self._folder.mkdir(parents=True, exist_ok=True)
        model.save(str(self._folder / "model"))
        (self._folder / "chunk_ids.json").write_text(json.dumps(ids))
        (self._folder / "stamp.json").write_text(json.dumps({"generation": generation}))

    def refresh(self) -> None:
        self._ensure_fresh()

    def saved_generation(self) -> int | None:
        """The store generation the BM25 files on disk were built for (None: none saved)."""
        try:
            return json.loads((self._folder / "stamp.json").read_text()).get("generation")
        except (OSError, ValueError, AttributeError):
            return None

    def rebuild(self) -> None:
        """Re-index every chunk of the store now, whatever is on disk."""
        self._model = None
        self._build(self._store.generation())

    def idf(self, words: Sequence[str]) -> list[float]:
        """Inverse document frequency (over chunks) of each word, by the rarest of its index terms'
        counts. A word the collection has never seen gets the highest weight, as a term found in no
        chunk would."""
        return self._idf([min(self._chunk_counts(index_tokens(word)), default=0) for word in words])

    def term_idf(self, terms: Sequence[str]) -> list[float]:
        """Inverse document frequency (over chunks) of index terms as they are (light stems)."""
        return self._idf(self._chunk_counts(terms))

    def _chunk_counts(self, terms: Sequence[str]) -> list[int]:
        """How many chunks hold each index term (0 for one the collection lacks, or no index)."""
        self._ensure_fresh()
        if self._model is None:
            return [0] * len(terms)
        vocab, indptr = self._model.vocab_dict, self._model.scores["indptr"]
        return [int(indptr[vocab[t] + 1] - indptr[vocab[t]]) if t in vocab else 0 for t in terms]

    def _idf(self, counts: list[int]) -> list[float]:
        if self._model is None:
            return [1.0] * len(counts)
        total = float(self._model.scores["num_docs"])
        return [float(np.log((total + 1) / (count + 0.5))) for count in counts]

    def query(self, text: str, k: int) -> list[LexicalHit]:
        return self.query_terms(index_tokens(text), k)

    def query_terms(self, terms: list[str], k: int) -> list[LexicalHit]:
        """BM25 for already normalized and stemmed terms."""
        self._ensure_fresh()
        if self._model is None or not terms:
            return []
        vocab = self._model.vocab_dict
        known = [t for t in terms if t in vocab]
        if not known:
            return []
        k = min(k, len(self._chunk_ids))
        docs, scores = self._model.retrieve([known], k=k, show_progress=False, n_threads=1)
        return [LexicalHit(self._chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
