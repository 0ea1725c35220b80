"""Cross-lingual query terms from the multilingual embedding space.

BM25 cannot match an English question against Arabic text. But the encoder puts
"defense" near "الدفاع" and "Panthers" near "بانثرز": embedding every distinct
word of the corpus once and taking, for each query word, its nearest words in
the other script yields a usable translated keyword query (measured on XQuAD:
BM25 recall@5 for English questions over Arabic paragraphs goes from 0.10 to 0.79).

Names are the exception: the encoder places "Luther" next to السماوي and "Costa"
next to ساحل. A name of the query is therefore first looked up by its consonant
skeleton (rag.text.skeletons: Luther → L S R → لوثر), among the corpus words that
sound like it, the most alike first (long vowels included: لوثر before لوثار).

The vocabulary vectors live under RAG_HOME and are extended incrementally: only
words not seen before are embedded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.index.articles import ArticleStore
from rag.index.embeddings import Embedder
from rag.text.arabic import INTERROGATIVES, STOP_WORDS, light_stem, normalize, vocabulary_words, word_tokens
from rag.text.gazetteer import gazetteer
from rag.text.lexicon import lexicon
from rag.text.names import is_function_word
from rag.text.question import query_names  # noqa: F401 - re-exported for callers of this module
from rag.text.skeletons import arabic_skeletons, latin_forms, loose_skeleton, spelling_similarity

_MIN_SIMILARITY = 0.4
_CANDIDATES = 5
_SPELLINGS = 3  # Arabic spellings kept for a name of the query
_LEXICON_TERMS = 4  # at most this many lexicon stems for one English word, else none
_MIN_SPELLING_SIMILARITY = 0.7  # rag.text.skeletons.spelling_similarity; Assad / ويزيد is 0.5


def _is_arabic_word(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def word_skeletons(word: str) -> list[str]:
    """The loose consonant skeletons of an Arabic word, of two letters or more."""
    if not _is_arabic_word(word):
        return []
    return sorted({loose_skeleton(s) for s in arabic_skeletons(word) if len(s) >= 2})


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, highest first: a partition then a sort of n, not a sort
    of the whole vocabulary (hundreds of thousands of words at 31k articles)."""
    if len(scores) <= n:
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, n - 1)[:n]
    return top[np.lexsort((top, -scores[top]))]


class TermTranslator:
    def __init__(self, store: ArticleStore, embedder: Embedder, folder: Path):
        self._store = store
        self._embedder = embedder
        self._folder = folder
        self._words: list[str] = []
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._arabic = np.zeros(0, dtype=bool)
        self._generation = -1
        self._skeletons: list[list[str]] = []  # for each word, its loose consonant skeletons (Arabic words only)
        self._by_skeleton: dict[str, list[int]] | None = None  # word indices by skeleton, built when first needed
        self._saved_generation = -1  # the article store's generation the saved vocabulary was built for
        self._stems: frozenset[str] | None = None  # light stems of the Arabic vocabulary, for the lexicon's terms

    def translate(self, query: str) -> list[str]:
        """BM25 terms in the other script for each content word of the query (digits kept): its
        nearest corpus words, and for an English word the lexicon's Arabic for it that the corpus
        has (rag.text.lexicon: "steam" بخار, which the encoder puts beside other words of engines)."""
        words = [w for w in word_tokens(query) if w not in STOP_WORDS and w not in INTERROGATIVES]
        terms = [w for w in words if w.isdigit()]
        nearest = self.word_translations([w for w in words if not w.isdigit()], query_names(query))
        stems = [light_stem(t) for w in words for t in nearest.get(w, [])]
        return terms + list(dict.fromkeys(stems + self._lexicon_terms(words)))

    def _lexicon_terms(self, words: list[str]) -> list[str]:
        """For each English word, the Arabic stems the lexicon gives for it that are in the corpus,
        when they are few (a word with many senses, "company", would flood the query)."""
        corpus = self._corpus_stems()
        terms = []
        for word in words:
            if word.isdigit() or _is_arabic_word(word):
                continue
            stems = sorted(lexicon().arabic_stems(word) & corpus)
            if len(stems) <= _LEXICON_TERMS:
                terms += stems
        return terms

    def _corpus_stems(self) -> frozenset[str]:
        self._ensure_fresh()
        if self._stems is None:
            self._stems = frozenset(light_stem(w) for w, arabic in zip(self._words, self._arabic) if arabic)
        return self._stems

    def word_translations(self, words: list[str], names: list[str] = ()) -> dict[str, list[str]]:
        """For each word, its nearest corpus words in the other script (normalized, best first).
        English names of the names table (rag.text.gazetteer) come first with their Arabic spellings,
        then, for the words among `names` (query_names), corpus words that sound like them."""
        content = list(dict.fromkeys(normalize(w) for w in words if w))
        if not content:
            return {}
        known = gazetteer().arabic_words([w for w in content if not _is_arabic_word(w)])
        self._ensure_fresh()
        if not len(self._words):
            return {w: known.get(w, []) for w in content}
        vectors = np.asarray(self._embedder.embed_array(content), dtype=self._vectors.dtype)
        # One matrix product for all the query's words (89k vocabulary words at 5000 articles).
        similarities = vectors @ self._vectors.T
        names = {normalize(n) for n in names}
        result = {}
        for word, row in zip(content, similarities):
            other_script = ~self._arabic if _is_arabic_word(word) else self._arabic
            sims = np.where(other_script, row, -1.0)
            nearest = [self._words[i] for i in _top(sims, _CANDIDATES) if sims[i] >= _MIN_SIMILARITY]
            spelled = self._spellings(word, sims) if word in names else []
            result[word] = list(dict.fromkeys(known.get(word, []) + spelled + nearest))
        return result

    def _spellings(self, name: str, sims: np.ndarray) -> list[str]:
        """Corpus words whose consonant skeleton is the name's, the most alike in sound (then meaning) first."""
        if self._by_skeleton is None:
            self._by_skeleton = {}
            for i, skeletons in enumerate(self._skeletons):
                for skeleton in skeletons:
                    self._by_skeleton.setdefault(skeleton, []).append(i)
        found = {
            i
            for form in latin_forms(name)
            for i in self._by_skeleton.get(loose_skeleton(form), [])
            if not is_function_word(self._words[i])
        }
        alike = {i: spelling_similarity(name, self._words[i]) for i in found}
        ranked = sorted((i for i in found if alike[i] >= _MIN_SPELLING_SIMILARITY), key=lambda i: (-alike[i], -sims[i]))
        return [self._words[i] for i in ranked[:_SPELLINGS]]

    def refresh(self) -> None:
        """Embed the words new to the vocabulary (and drop those of deleted articles), then save it."""
        self._ensure_fresh()

    def _ensure_fresh(self) -> None:
        generation = self._store.generation()
        if generation == self._generation:
            return
        if not self._words:
            self._load()
            if self._saved_generation == generation:
                # Saved for this very index: no need to read every article again (that grows
                # with the corpus: 1.2-1.9 s per process at 5000 articles).
                self._finish_refresh(generation)
                return
        current: set[str] = set()
        for article in self._store.list():
            current |= vocabulary_words(article.text)
        known = set(self._words)
        new_words = sorted(current - known)
        if new_words:
            new_vectors = self._embedder.embed_array(new_words)
            self._vectors = new_vectors if not self._words else np.vstack([self._vectors, new_vectors])
            self._words.extend(new_words)
            self._skeletons.extend(word_skeletons(w) for w in new_words)
        keep = np.fromiter((w in current for w in self._words), dtype=bool, count=len(self._words))
        if not keep.all():  # words of deleted articles go too
            self._words = [w for w, k in zip(self._words, keep) if k]
            self._skeletons = [s for s, k in zip(self._skeletons, keep) if k]
            self._vectors = self._vectors[keep]
        self._finish_refresh(generation)
        if new_words or not keep.all() or self._saved_generation != generation:
            self._save()

    def _finish_refresh(self, generation: int) -> None:
        self._arabic = np.fromiter((_is_arabic_word(w) for w in self._words), dtype=bool, count=len(self._words))
        self._generation = generation
        self._by_skeleton = None
        self._stems = None

    def _load(self) -> None:
        try:
            words = json.loads((self._folder / "words.json").read_text(encoding="utf-8"))
            vectors = np.load(self._folder / "vectors.npy")
        except (OSError, ValueError):
            return
        if len(words) != len(vectors):
            return
        self._words, self._vectors = words, vectors
        try:
            self._saved_generation = int(json.loads((self._folder / "stamp.json").read_text())["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            self._saved_generation = -1
        try:
            self._skeletons = json.loads((self._folder / "skeletons.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._skeletons = []
        if len(self._skeletons) != len(words):  # a vocabulary saved before skeletons were kept
            self._skeletons = [word_skeletons(w) for w in words]
            self._save()

    def _save(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        np.save(self._folder / "vectors.npy", self._vectors)
        (self._folder / "words.json").write_text(json.dumps(self._words, ensure_ascii=False), encoding="utf-8")
        (self._folder / "skeletons.json").write_text(json.dumps(self._skeletons), encoding="utf-8")
        # Written last: a vocabulary stamped with a generation is complete for it.
        self._saved_generation = self._generation
        (self._folder / "stamp.json").write_text(json.dumps({"generation": self._generation}))
