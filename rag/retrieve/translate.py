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
the articles stored since it was saved are read, and only words not seen before are
embedded (docs.json says which articles it holds the words of).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from rag.index.articles import ArticleStore
from rag.index.embeddings import Embedder
from rag.index.vocabulary_files import consistency, fingerprint, replace_text, save_array
from rag.text.arabic import INTERROGATIVES, STOP_WORDS, light_stem, normalize, vocabulary_words, word_tokens
from rag.text.gazetteer import gazetteer
from rag.text.lexicon import FEW_STEMS, lexicon
from rag.text.names import is_function_word
from rag.text.question import query_names  # noqa: F401 - re-exported for callers of this module
from rag.text.skeletons import arabic_skeletons, latin_forms, loose_skeleton, spelling_similarity

_MIN_SIMILARITY = 0.4
_CANDIDATES = 5
_SPELLINGS = 3  # Arabic spellings kept for a name of the query
_REDUCE_ABOVE = 50_000  # vocabulary words; below, one exact product over all of them is cheap
_REDUCED_DIMENSIONS = 128
_SHORTLIST = 256  # candidates per query word found in the reduced space, then scored exactly
_PCA_SAMPLE = 20_000
# Deleted articles whose words may stay in the vocabulary, as a share of those stored, before it is
# built again from every article.
STALE_SHARE = 0.1
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
        self._projection: np.ndarray | None = None  # PCA axes for the shortlist of a large vocabulary
        self._reduced_vectors = np.zeros((0, 0), dtype=np.float32)
        self._warming: threading.Thread | None = None
        # The articles the vocabulary holds the words of, and how many of those were deleted since
        # it was last built whole (their words may linger); None until read from docs.json.
        self._covered: set[str] | None = None
        self._stale = 0
        self._saved_docs: str | None = None  # the saved stamp's fingerprint of docs.json's ids

    def warm_in_background(self) -> threading.Thread | None:
        """Read the saved vocabulary, the lexicon and the names table on a thread while the caller
        embeds its query and searches the vectors (a fresh English search at 31k articles reads
        them for 0.45 s otherwise). Never touches the article store, whose SQLite connection is
        the caller's thread's: _ensure_fresh still decides whether what was read is current. Join
        the thread before translating."""
        if self._words or self._warming is not None:
            return None
        self._warming = threading.Thread(target=self._warm, name="vocabulary-warm", daemon=True)
        self._warming.start()
        return self._warming

    def _warm(self) -> None:
        self._load()
        lexicon()
        gazetteer()

    def translate(self, query: str) -> list[str]:
        """BM25 terms in the other script for each content word of the query (digits kept): its
        nearest corpus words, and for an English word the lexicon's Arabic for it that the corpus
        has (rag.text.lexicon: "steam" بخار, which the encoder puts beside other words of engines)."""
        words = [w for w in word_tokens(query) if w not in STOP_WORDS and w not in INTERROGATIVES]
        terms = [w for w in words if w.isdigit()]
        nearest = self.word_translations([w for w in words if not w.isdigit()], query_names(query))
        stems = [light_stem(t) for w in words for t in nearest.get(w, [])]
        return terms + list(dict.fromkeys(stems + self._lexicon_terms(words)))

    @staticmethod
    def _lexicon_terms(words: list[str]) -> list[str]:
        """For each English word, the Arabic stems the lexicon gives for it, when they are few (a
        word with many senses, "company", would flood the query); BM25 skips those the corpus lacks."""
        return [
            stem
            for word in words
            if not word.isdigit() and not _is_arabic_word(word)
            for stem in sorted(lexicon().arabic_stems(word, FEW_STEMS))
        ]

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
        names = {normalize(n) for n in names}
        result = {}
        for word, vector, (indices, sims) in zip(content, vectors, self._similar(content, vectors)):
            nearest = [self._words[indices[i]] for i in _top(sims, _CANDIDATES) if sims[i] >= _MIN_SIMILARITY]
            spelled = self._spellings(word, vector) if word in names else []
            result[word] = list(dict.fromkeys(known.get(word, []) + spelled + nearest))
        return result

    def _similar(self, words: list[str], vectors: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each query word, (vocabulary indices, exact cosines) of the words of the other script
        it may translate to, other-script words only. The whole vocabulary in one product when it
        is small; above _REDUCE_ABOVE words a shortlist found in a PCA-reduced space (a quarter of
        the dimensions: a quarter of the memory read per query, which is what the product costs,
        204k words at 31k articles) is scored exactly."""
        masks = [~self._arabic if _is_arabic_word(w) else self._arabic for w in words]
        if len(self._words) <= _REDUCE_ABOVE:
            return [(np.flatnonzero(m), row[m]) for m, row in zip(masks, vectors @ self._vectors.T)]
        projection, reduced = self._reduced()
        found = []
        for vector, mask, row in zip(vectors, masks, (vectors @ projection) @ reduced.T):
            shortlist = _top(np.where(mask, row, -np.inf), _SHORTLIST)
            shortlist = shortlist[mask[shortlist]]
            found.append((shortlist, self._vectors[shortlist] @ vector))
        return found

    def _reduced(self) -> tuple[np.ndarray, np.ndarray]:
        """The projection onto the vocabulary's first principal axes (uncentred: dot products are
        what is preserved) and the vocabulary projected, computed once per vocabulary and saved
        under the fingerprint of its words (another process's vocabulary, even of the same length
        in another order, never reads them)."""
        if self._projection is None:
            sample = self._vectors[:: max(1, len(self._vectors) // _PCA_SAMPLE)]
            axes = np.linalg.svd(sample, full_matrices=False)[2][:_REDUCED_DIMENSIONS]
            self._projection = np.ascontiguousarray(axes.T, dtype=self._vectors.dtype)
            self._reduced_vectors = np.ascontiguousarray(self._vectors @ self._projection)
            self._folder.mkdir(parents=True, exist_ok=True)
            key = fingerprint(self._words)
            _remove_reduced(self._folder, keep=key)
            save_array(self._folder / f"projection-{key}.npy", self._projection)
            save_array(self._folder / f"reduced-{key}.npy", self._reduced_vectors)
        return self._projection, self._reduced_vectors

    def _spellings(self, name: str, vector: np.ndarray) -> list[str]:
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
        kept = sorted(i for i in found if alike[i] >= _MIN_SPELLING_SIMILARITY)
        sims = dict(zip(kept, (self._vectors[kept] @ vector).tolist())) if kept else {}
        ranked = sorted(kept, key=lambda i: (-alike[i], -sims[i]))
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
        if self._generation < 0 and self._words and self._saved_generation == generation:
            # Saved for this very index (read now or by warm_in_background): no need to read every
            # article again (that grows with the corpus: 1.2-1.9 s per process at 5000 articles).
            self._finish_refresh(generation)
            return
        changed = self._add_changed_articles() if self._words else None
        if changed is None:
            changed = self._rebuild()
        if changed:
            self._projection = None  # the reduced vocabulary is of the old words
        self._finish_refresh(generation)
        if changed or self._saved_generation != generation:
            self._save()

    def _add_changed_articles(self) -> bool | None:
        """The words of the articles stored since the vocabulary was saved, added; None when it
        must be built whole instead. Only the new articles are read (at 31k articles, reading them
        all took 123 s after every ingest). A deleted article's words stay until more than
        STALE_SHARE of the articles it covered are gone: a word no article has is a BM25 term that
        matches nothing, and a rebuild that reads every article is paid once per that many."""
        covered = self._covered_ids()
        if covered is None:
            return None
        current = set(self._store.ids())
        added, removed = current - covered, covered - current
        if self._stale + len(removed) > STALE_SHARE * max(1, len(current)):
            return None
        found: set[str] = set()
        for article in self._store.get_many(sorted(added)).values():
            found |= vocabulary_words(article.text)
        self._covered, self._stale = current, self._stale + len(removed)
        return self._extend(sorted(found - set(self._words))) or bool(added or removed)

    def _rebuild(self) -> bool:
        """The vocabulary of every stored article: new words embedded, those no article has dropped."""
        current: set[str] = set()
        ids: set[str] = set()
        for article in self._store.list():
            current |= vocabulary_words(article.text)
            ids.add(article.doc_id)
        new_words = sorted(current - set(self._words))
        self._extend(new_words)
        keep = np.fromiter((w in current for w in self._words), dtype=bool, count=len(self._words))
        if not keep.all():  # words of deleted articles go too
            self._words = [w for w, k in zip(self._words, keep) if k]
            self._skeletons = [s for s, k in zip(self._skeletons, keep) if k]
            self._vectors = self._vectors[keep]
        changed = bool(new_words) or not keep.all() or ids != self._covered or self._stale > 0
        self._covered, self._stale = ids, 0
        return changed

    def _extend(self, new_words: list[str]) -> bool:
        if not new_words:
            return False
        new_vectors = self._embedder.embed_array(new_words)
        self._vectors = new_vectors if not self._words else np.vstack([self._vectors, new_vectors])
        self._words.extend(new_words)
        self._skeletons.extend(word_skeletons(w) for w in new_words)
        return True

    def _covered_ids(self) -> set[str] | None:
        """The articles the saved vocabulary was built from (docs.json), when its stamp vouches
        for that file; None for a vocabulary saved without it."""
        if self._covered is None and self._saved_docs is not None:
            try:
                saved = json.loads((self._folder / "docs.json").read_text(encoding="utf-8"))
                if self._saved_docs == fingerprint(saved["ids"]) and len(saved["ids"]) > 0:
                    self._covered, self._stale = set(saved["ids"]), int(saved["stale"])
            except (OSError, ValueError, KeyError, TypeError):
                return None
        return self._covered

    def _finish_refresh(self, generation: int) -> None:
        self._arabic = np.fromiter((_is_arabic_word(w) for w in self._words), dtype=bool, count=len(self._words))
        self._generation = generation
        self._by_skeleton = None

    def _load(self) -> None:
        try:
            words = json.loads((self._folder / "words.json").read_text(encoding="utf-8"))
            # Mapped, not read: a process reads the rows its queries touch (a shortlist's at 31k),
            # not 419 MB at start; a save replaces the file, so a mapped one never changes.
            vectors = np.load(self._folder / "vectors.npy", mmap_mode="r")
        except (OSError, ValueError):
            return
        if len(words) != len(vectors):
            return
        try:
            stamp = json.loads((self._folder / "stamp.json").read_text())
        except (OSError, ValueError):
            stamp = {}
        if "consistency" in stamp and stamp["consistency"] != consistency(words, vectors):
            # Two processes saved at once and their files interleaved (these words with the other's
            # vectors): nothing saved is trusted; the vocabulary is built again from the articles.
            return
        self._words, self._vectors = words, vectors
        self._saved_docs = stamp.get("docs")
        try:
            self._saved_generation = int(stamp["generation"])
        except (KeyError, TypeError, ValueError):
            self._saved_generation = -1
        if len(words) > _REDUCE_ABOVE:
            key = fingerprint(words)
            try:
                projection = np.load(self._folder / f"projection-{key}.npy")
                reduced = np.load(self._folder / f"reduced-{key}.npy", mmap_mode="r")
                if reduced.shape == (len(words), projection.shape[1]) and projection.shape[0] == vectors.shape[1]:
                    self._projection, self._reduced_vectors = projection, reduced
            except (OSError, ValueError):
                pass
        try:
            self._skeletons = json.loads((self._folder / "skeletons.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._skeletons = []
        if len(self._skeletons) != len(words):  # a vocabulary saved before skeletons were kept
            self._skeletons = [word_skeletons(w) for w in words]
            self._save()

    def _save(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        if self._projection is None:  # a reduced vocabulary on disk is of other words: rebuilt when needed
            _remove_reduced(self._folder)
        save_array(self._folder / "vectors.npy", self._vectors)
        replace_text(self._folder / "words.json", json.dumps(self._words, ensure_ascii=False))
        replace_text(self._folder / "skeletons.json", json.dumps(self._skeletons))
        stamp = {"generation": self._generation, "consistency": consistency(self._words, self._vectors)}
        if self._covered is not None:
            ids = sorted(self._covered)
            replace_text(self._folder / "docs.json", json.dumps({"ids": ids, "stale": self._stale}))
            stamp["docs"] = self._saved_docs = fingerprint(ids)
        # Written last: a vocabulary stamped with a generation is complete for it, and the stamp says
        # which words, vectors and articles it was written with.
        self._saved_generation = self._generation
        replace_text(self._folder / "stamp.json", json.dumps(stamp))


def _remove_reduced(folder: Path, keep: str | None = None) -> None:
    """Reduced vocabularies saved for other words (a reader that has one mapped keeps reading it)."""
    for path in [*folder.glob("projection-*.npy"), *folder.glob("reduced-*.npy")]:
        if keep is None or not path.stem.endswith(keep):
            path.unlink(missing_ok=True)
