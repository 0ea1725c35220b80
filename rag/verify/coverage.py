"""Do the cited articles talk about what the question asks?

An answer whose articles never mention what was asked about (a question about
Japan answered from an article about Albania) is not grounded, however well
each sentence matches its span. But questions paraphrase: "ما الرقم الذي
يجاوزه تعداد السكان" is answered by a sentence that never says "يجاوزه", and
requiring every word turned away half of the answerable questions.

So each content word of the question is looked for in the cited articles (its
light stem as a substring of the normalized text, or, with an embedder, a near
neighbour word such as دفاع / المدافع), and the missing words are weighed by
how rare they are in the collection (inverse document frequency): a missing
rare word (a name, a place) counts for much, a missing common one for little.
Calibrated on XQuAD (100 questions, evals/calibrate_coverage.py): with at most 0.3 of the
question's weight missing, 89% of questions pass against their own paragraph
and 39% against the best-ranked paragraph of the same Wikipedia article that
does not contain the answer (requiring every word: 48% and 21%).
A number of the question ("the 1998 final") is never weighed away: an article
without it is about something else (this costs 1 of the 89 own-paragraph passes).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rag.text.arabic import content_tokens, light_stem, normalize

NEIGHBOUR_WORD_SIMILARITY = 0.6
MIN_SHARED_LETTERS = 0.6  # of the longer stem, for a strict neighbour to count as the same word
_NEIGHBOURS = 5
MAX_MISSING_WEIGHT = 0.3
# Interrogatives and question frames ("the number of", "the name of", "in the article"): not about the subject.
QUESTION_WORDS = frozenset(normalize(w) for w in """ماذا متى أين اين لماذا كيف كم هل أي اي ما من
    عدد اسم نوع سبب مدى مقدار قيمة تاريخ العام عام سنة المقال المقالة المقالات
    what which who whom whose when where why how many much number name kind type year article articles""".split())

WordWeights = Callable[[Sequence[str]], Sequence[float]]
WordTranslations = Mapping[str, list[str]]  # a question word -> its candidate translations


@dataclass(frozen=True)
class QuestionCoverage:
    words: list[str]  # the question's content words
    missing: list[str]  # those no cited article mentions
    missing_weight: float  # share of the words' total weight that is missing, 0..1

    @property
    def covered(self) -> bool:
        return self.missing_weight <= MAX_MISSING_WEIGHT and not any(w.isdigit() for w in self.missing)


def question_words(question: str) -> list[str]:
    words = (w for w in content_tokens(question) if len(w) >= 3 and w not in QUESTION_WORDS)
    return [w for w in dict.fromkeys(words) if len(light_stem(w)) >= 3 and light_stem(w) not in QUESTION_WORDS]


def question_coverage(question: str, cited_articles: list[str], embedder=None, weights: WordWeights | None = None,
                      translations: WordTranslations | None = None,
                      strict_neighbours: bool = False) -> QuestionCoverage:
    """Which question words the cited articles never mention, and how much they weigh.

    `translations` gives, for a question in another language than the articles,
    each word's candidate translations (rag.retrieve.translate): the word counts
    as mentioned when one of them is. `strict_neighbours` (for quoted answers, which
    no model wrote to fit the question) accepts only neighbours that share the stem's letters.
    """
    words = question_words(question)
    texts = [normalize(t) for t in cited_articles]
    translations = translations or {}

    def mentioned(word: str) -> bool:
        cores = {light_stem(word)} | {_core(t) for t in translations.get(word, [])}
        return any(core in text for core in cores if len(core) >= 3 for text in texts)

    missing = [w for w in words if not mentioned(w)]
    if missing and embedder is not None:
        missing = _without_neighbours(missing, cited_articles, embedder, strict_neighbours)
    if not words or not missing:
        return QuestionCoverage(words, missing, 0.0)
    weight = dict(zip(words, weights(words))) if weights else dict.fromkeys(words, 1.0)
    total = sum(weight.values()) or 1.0
    return QuestionCoverage(words, missing, sum(weight[w] for w in missing) / total)


def _core(word: str) -> str:
    """The light stem, or the word itself when stemming leaves too little to search for."""
    stem = light_stem(word)
    return stem if len(stem) >= 3 else word


def _without_neighbours(missing: list[str], cited_articles: list[str], embedder, same_letters: bool) -> list[str]:
    """The missing words that have no near neighbour in the articles (دفاع / المدافع).

    With `same_letters`, a neighbour must also share most letters of the stem in
    order: single-word embeddings are noisy and can put an absent name next to an
    unrelated word.
    """
    vocabulary = sorted({w for t in cited_articles for w in content_tokens(t)})
    if not vocabulary:
        return missing
    vectors = embedder.embed_array(missing + vocabulary)
    similarity = vectors[: len(missing)] @ vectors[len(missing):].T
    kept = []
    for word, row in zip(missing, similarity):
        close = [vocabulary[i] for i in np.argsort(-row)[:_NEIGHBOURS] if row[i] >= NEIGHBOUR_WORD_SIMILARITY]
        if not any(not same_letters or _shares_stem(word, other) for other in close):
            kept.append(word)
    return kept


def _shares_stem(a: str, b: str) -> bool:
    """Whether the light stems share letters, in order, for most of the longer one."""
    x, y = light_stem(a), light_stem(b)
    return _common_subsequence(x, y) >= MIN_SHARED_LETTERS * max(len(x), len(y))


def _common_subsequence(x: str, y: str) -> int:
    previous = [0] * (len(y) + 1)
    for ch in x:
        current = [0]
        for j, other in enumerate(y):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]
