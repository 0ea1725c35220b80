"""Does the cited text talk about what the question asks?

An answer whose cited sentences never mention what was asked about (a question
about Japan answered from a sentence about Albania) is not grounded, however
well each sentence matches its span. But questions paraphrase: "ما الرقم الذي
يجاوزه تعداد السكان" is answered by a sentence that never says "يجاوزه", and
requiring every word turns most answerable questions away.

So each content word of the question is looked for in the cited text (its
light stem, or a form without an attached clitic, as a substring of the
normalized text, a word of the same Arabic root (استخرجت / استخراجها), or, with an
embedder, a near neighbour word such as دفاع / المدافع), and the missing words are weighed by how rare they are in the
collection (inverse document frequency): a missing rare word (a name, a place)
counts for much, a missing common one for little. Interrogatives, question
frames ("عدد", "اسم") and the answer's type ("أي شركة": the company is the
answer) are not looked for.

Single-word embeddings are noisy, though: an absent name can sit next to an
unrelated word. So there are two rules (CoverageRule). A generated answer, which
already passed the support check, may have its words matched by any near
neighbour; a quoted or translated source, which no model fitted to the
question, needs neighbours that share most of the word's letters.
Calibrated on XQuAD-ar (evals/calibrate_coverage.py, 97 questions), share that
pass for the sentence holding the answer / the best sentence of the other
retrieved articles: GENERATED_ANSWER 0.75 / 0.25, QUOTED_SOURCE 0.31 / 0.05.
End to end (rag.answer) the sweep over both rules was measured on 100 questions
asked with and without their paragraph in the collection.
A number of the question ("the 1998 final") is never weighed away: a text
without it is about something else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.text.arabic import arabic_root, clitic_forms, content_tokens, light_stem, normalize, word_tokens
from rag.text.question import WordTranslations, question_words

_NEIGHBOURS = 5


@dataclass(frozen=True)
class CoverageRule:
    neighbour_similarity: float  # cosine of the single-word embeddings, for a near neighbour
    shared_letters: float  # share of the longer stem a neighbour shares in order (0: any neighbour)
    max_missing_weight: float  # share of the question's weight that may be missing


GENERATED_ANSWER = CoverageRule(neighbour_similarity=0.6, shared_letters=0.0, max_missing_weight=0.4)
QUOTED_SOURCE = CoverageRule(neighbour_similarity=0.6, shared_letters=0.6, max_missing_weight=0.3)
WordWeights = Callable[[Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class QuestionCoverage:
    words: list[str]  # the question's content words
    missing: list[str]  # those the cited text never mentions
    missing_weight: float  # share of the words' total weight that is missing, 0..1
    max_missing_weight: float = GENERATED_ANSWER.max_missing_weight

    @property
    def covered(self) -> bool:
        return self.missing_weight <= self.max_missing_weight and not any(w.isdigit() for w in self.missing)


def question_coverage(
    question: str,
    cited_texts: list[str],
    embedder=None,
    weights: WordWeights | None = None,
    translations: WordTranslations | None = None,
    rule: CoverageRule = GENERATED_ANSWER,
) -> QuestionCoverage:
    """Which question words the cited texts never mention, and how much they weigh.

    `translations` gives, for a question in another language than the articles,
    each word's candidate translations (rag.retrieve.translate): the word counts
    as mentioned when one of them is. `rule`: GENERATED_ANSWER or QUOTED_SOURCE.
    """
    words = question_words(question)
    texts = [normalize(t) for t in cited_texts]
    translations = translations or {}

    def mentioned(word: str) -> bool:
        cores = {_core(form) for form in clitic_forms(word)} | {_core(t) for t in translations.get(word, [])}
        return any(core in text for core in cores if len(core) >= 3 for text in texts)

    missing = [w for w in words if not mentioned(w)]
    if missing:
        # Another form of the word (استخرجت / استخراجها; وفاته is not موته: another root) is the word.
        roots = {root for text in texts for token in word_tokens(text) for root in _roots(token)}
        missing = [w for w in missing if not _roots(w) & roots]
    if missing and embedder is not None:
        missing = _without_neighbours(missing, cited_texts, embedder, rule)
    if not words or not missing:
        return QuestionCoverage(words, missing, 0.0, rule.max_missing_weight)
    weight = dict(zip(words, weights(words))) if weights else dict.fromkeys(words, 1.0)
    total = sum(weight.values()) or 1.0
    return QuestionCoverage(words, missing, sum(weight[w] for w in missing) / total, rule.max_missing_weight)


def _roots(token: str) -> set[str]:
    """The Arabic roots of a normalized token and of its forms without clitics (rag.text.arabic.arabic_root)."""
    return {root for form in clitic_forms(token) if (root := arabic_root(form))}


def _core(word: str) -> str:
    """The light stem, or the word itself when stemming leaves too little to search for."""
    stem = light_stem(word)
    return stem if len(stem) >= 3 else word


def _without_neighbours(missing: list[str], cited_texts: list[str], embedder, rule: CoverageRule) -> list[str]:
    """The missing words that have no near neighbour in the articles (دفاع / المدافع)."""
    vocabulary = sorted({w for t in cited_texts for w in content_tokens(t)})
    if not vocabulary:
        return missing
    vectors = embedder.embed_array(missing + vocabulary)
    similarity = vectors[: len(missing)] @ vectors[len(missing) :].T
    kept = []
    for word, row in zip(missing, similarity):
        close = [vocabulary[i] for i in np.argsort(-row)[:_NEIGHBOURS] if row[i] >= rule.neighbour_similarity]
        if not any(_shares_stem(word, other, rule.shared_letters) for other in close):
            kept.append(word)
    return kept


def _shares_stem(a: str, b: str, share: float) -> bool:
    """Whether the light stems share letters, in order, for `share` of the longer one."""
    x, y = light_stem(a), light_stem(b)
    return _common_subsequence(x, y) >= share * max(len(x), len(y))


def _common_subsequence(x: str, y: str) -> int:
    previous = [0] * (len(y) + 1)
    for ch in x:
        current = [0]
        for j, other in enumerate(y):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]
