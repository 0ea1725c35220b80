"""Does a cited span support a sentence? Checked by code, never trusted.

Two signals, both cheap and transparent:
- names and numbers: every number in the sentence must occur in the cited text,
  and (same script) the sentence's content words must mostly occur there;
- meaning across languages: for an English sentence over Arabic sources,
  multilingual embedding similarity between the sentence and the cited text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.text.arabic import content_tokens, light_stem, normalize
from rag.text.lang import detect_language

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class SupportThresholds:
    min_overlap: float = 0.5  # share of the sentence's content words found in the cited text
    min_similarity: float = 0.45  # cross-lingual cosine, sentence vs best cited sentence


@dataclass(frozen=True)
class SupportVerdict:
    supported: bool
    score: float
    reason: str


def numbers_in(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(normalize(text))}


def _stems(text: str) -> set[str]:
    return {light_stem(t) for t in content_tokens(text)}


def lexical_overlap(sentence: str, cited: str) -> float:
    words = _stems(sentence)
    if not words:
        return 0.0
    return len(words & _stems(cited)) / len(words)


class SupportChecker:
    def __init__(self, embedder, thresholds: SupportThresholds = SupportThresholds()):
        self._embedder = embedder
        self.thresholds = thresholds

    def check(self, sentence: str, cited_texts: list[str]) -> SupportVerdict:
        if not cited_texts:
            return SupportVerdict(False, 0.0, "no citation")
        joined = "\n".join(cited_texts)
        missing = numbers_in(sentence) - numbers_in(joined)
        if missing:
            return SupportVerdict(False, 0.0, f"numbers not in the cited text: {', '.join(sorted(missing))}")
        sentence_lang = detect_language(sentence)
        cited_lang = detect_language(joined)
        if sentence_lang == cited_lang or "en" not in (sentence_lang, cited_lang):
            overlap = lexical_overlap(sentence, joined)
            if overlap >= self.thresholds.min_overlap:
                return SupportVerdict(True, overlap, "word overlap")
        similarity = self.similarity(sentence, cited_texts)
        if similarity >= self.thresholds.min_similarity:
            return SupportVerdict(True, similarity, "meaning match")
        return SupportVerdict(False, similarity, "cited text does not support the sentence")

    def similarity(self, sentence: str, cited_texts: list[str]) -> float:
        vectors = self._embedder.embed_array([sentence] + list(cited_texts))
        return float(np.max(vectors[1:] @ vectors[0]))

    def best_support(self, sentence: str, candidates: list[str]) -> tuple[int, SupportVerdict] | None:
        """The candidate that best supports the sentence, if any does (used to repair citations)."""
        if not candidates:
            return None
        vectors = self._embedder.embed_array([sentence] + list(candidates))
        similarities = vectors[1:] @ vectors[0]
        sentence_numbers = numbers_in(sentence)
        sentence_lang = detect_language(sentence)
        best: tuple[int, SupportVerdict] | None = None
        for i, text in enumerate(candidates):
            if sentence_numbers - numbers_in(text):
                continue
            verdict = None
            if sentence_lang == detect_language(text) or "en" not in (sentence_lang, detect_language(text)):
                overlap = lexical_overlap(sentence, text)
                if overlap >= self.thresholds.min_overlap:
                    verdict = SupportVerdict(True, overlap, "word overlap")
            if verdict is None and similarities[i] >= self.thresholds.min_similarity:
                verdict = SupportVerdict(True, float(similarities[i]), "meaning match")
            if verdict and (best is None or verdict.score > best[1].score):
                best = (i, verdict)
        return best
