"""Cross-lingual query terms from the multilingual embedding space.

BM25 cannot match an English question against Arabic text. But the encoder puts
"defense" near "الدفاع" and "Panthers" near "بانثرز": embedding every distinct
word of the corpus once and taking, for each query word, its nearest words in
the other script yields a usable translated keyword query (measured on XQuAD:
BM25 recall@5 for English questions over Arabic paragraphs goes from 0.10 to 0.79).

The vocabulary vectors live under RAG_HOME and are extended incrementally: only
words not seen before are embedded.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from rag.index.articles import ArticleStore
from rag.text.arabic import STOP_WORDS, light_stem, normalize, word_tokens
from rag.text.gazetteer import gazetteer

_QUESTION_WORDS = frozenset(normalize(w) for w in """what which who whom whose when where why how many much did does do
    ما ماذا من متى أين اين لماذا كيف كم هل أي""".split())
_MIN_SIMILARITY = 0.4
_CANDIDATES = 5


def _is_arabic_word(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def vocabulary_words(text: str) -> set[str]:
    return {w for w in word_tokens(text)
            if w not in STOP_WORDS and not w.isdigit() and len(w) > 1 and not w[0].isdigit()}


class TermTranslator:
    def __init__(self, store: ArticleStore, embedder, folder: Path):
        self._store = store
        self._embedder = embedder
        self._folder = folder
        self._words: list[str] = []
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._arabic = np.zeros(0, dtype=bool)
        self._generation = -1

    def translate(self, query: str) -> list[str]:
        """BM25 terms in the other script for each content word of the query (digits kept)."""
        words = [w for w in word_tokens(query) if w not in STOP_WORDS and w not in _QUESTION_WORDS]
        terms = [w for w in words if w.isdigit()]
        nearest = self.word_translations([w for w in words if not w.isdigit()])
        return terms + [light_stem(t) for w in words for t in nearest.get(w, [])]

    def word_translations(self, words: list[str]) -> dict[str, list[str]]:
        """For each word, its nearest corpus words in the other script (normalized, best first);
        English names of the names table (rag.text.gazetteer) come first with their Arabic spellings."""
        content = list(dict.fromkeys(normalize(w) for w in words if w))
        if not content:
            return {}
        known = gazetteer().arabic_words([w for w in content if not _is_arabic_word(w)])
        self._ensure_fresh()
        if not len(self._words):
            return {w: known.get(w, []) for w in content}
        vectors = self._embedder.embed_array(content)
        result = {}
        for word, vector in zip(content, vectors):
            other_script = ~self._arabic if _is_arabic_word(word) else self._arabic
            sims = np.where(other_script, self._vectors @ vector, -1.0)
            nearest = [self._words[i] for i in np.argsort(-sims)[:_CANDIDATES] if sims[i] >= _MIN_SIMILARITY]
            result[word] = list(dict.fromkeys(known.get(word, []) + nearest))
        return result

    def _ensure_fresh(self) -> None:
        generation = self._store.generation()
        if generation == self._generation:
            return
        if not self._words:
            self._load()
        current: set[str] = set()
        for article in self._store.list():
            current |= vocabulary_words(article.text)
        known = set(self._words)
        new_words = sorted(current - known)
        if new_words:
            new_vectors = self._embedder.embed_array(new_words)
            self._vectors = new_vectors if not self._words else np.vstack([self._vectors, new_vectors])
            self._words.extend(new_words)
        keep = np.fromiter((w in current for w in self._words), dtype=bool, count=len(self._words))
        if not keep.all():  # words of deleted articles go too
            self._words = [w for w, k in zip(self._words, keep) if k]
            self._vectors = self._vectors[keep]
        self._arabic = np.fromiter((_is_arabic_word(w) for w in self._words), dtype=bool, count=len(self._words))
        self._generation = generation
        if new_words or not keep.all():
            self._save()

    def _load(self) -> None:
        try:
            words = json.loads((self._folder / "words.json").read_text(encoding="utf-8"))
            vectors = np.load(self._folder / "vectors.npy")
        except (OSError, ValueError):
            return
        if len(words) == len(vectors):
            self._words, self._vectors = words, vectors

    def _save(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        np.save(self._folder / "vectors.npy", self._vectors)
        (self._folder / "words.json").write_text(json.dumps(self._words, ensure_ascii=False), encoding="utf-8")
