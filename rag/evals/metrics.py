"""Metric functions: small, pure, tested one by one."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from rag.text.arabic import light_stem, word_tokens
from rag.text.lang import detect_language


def span_hit(passage_start: int, passage_end: int, gold_start: int, gold_end: int) -> bool:
    """A passage hits when it contains the whole gold span."""
    return passage_start <= gold_start and gold_end <= passage_end


def first_hit_rank(hits: list[bool]) -> int | None:
    """1-based rank of the first hit, or None."""
    for i, hit in enumerate(hits, 1):
        if hit:
            return i
    return None


def recall_at_k(hits: list[bool], k: int) -> float:
    return 1.0 if any(hits[:k]) else 0.0


def reciprocal_rank(hits: list[bool]) -> float:
    rank = first_hit_rank(hits)
    return 1.0 / rank if rank else 0.0


def ndcg_at_k(hits: list[bool], k: int = 10) -> float:
    """Binary-relevance nDCG@k with one relevant item (the first hit counts)."""
    rank = first_hit_rank(hits[:k])
    return 1.0 / math.log2(rank + 1) if rank else 0.0


def answer_tokens(text: str) -> list[str]:
    """Tokens for answer comparison: Arabic-normalized, lowercased, no Arabic article prefix."""
    tokens = []
    for token in word_tokens(text):
        if token.startswith("ال") and len(token) > 3:
            token = token[2:]
        tokens.append(token)
    return tokens


def exact_match(prediction: str, gold: str) -> float:
    return float(answer_tokens(prediction) == answer_tokens(gold))


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = answer_tokens(prediction), answer_tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_answer(prediction: str, gold: str) -> float:
    """1.0 when the normalized gold answer appears in the normalized prediction."""
    gold_tokens = answer_tokens(gold)
    pred_tokens = answer_tokens(prediction)
    if not gold_tokens:
        return 0.0
    n = len(gold_tokens)
    return float(any(pred_tokens[i : i + n] == gold_tokens for i in range(len(pred_tokens) - n + 1)))


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# -- answers ---------------------------------------------------------------------

_CITATION_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def strip_markers(answer: str) -> str:
    """The answer text without its [n] citation markers."""
    return _CITATION_MARKER.sub("", answer).strip()


def best_over_golds(metric, prediction: str, golds: list[str]) -> float:
    """A metric against several acceptable gold answers: the best match counts (SQuAD convention)."""
    return max((metric(prediction, gold) for gold in golds), default=0.0)


# -- citations -------------------------------------------------------------------


def citation_holds(article_text: str | None, start: int, end: int, quote: str) -> bool:
    """The citation invariant: the quote is exactly the stored text at [start, end)."""
    return article_text is not None and 0 <= start <= end and article_text[start:end] == quote


def share(passed: int, total: int, empty: float = 1.0) -> float:
    """passed / total; `empty` when there is nothing to count (e.g. no citation can break the invariant)."""
    return passed / total if total else empty


# -- summaries -------------------------------------------------------------------


def rouge_tokens(text: str) -> list[str]:
    """Tokens for ROUGE on Arabic and English: Arabic-normalized, lowercased, lightly stemmed.

    rouge_score's default tokenizer keeps only [a-z0-9] and so drops every Arabic
    word; this one keeps letters of any script. Light stemming plays the part of
    rouge_score's optional Porter stemmer (الحكومة / حكومة / حكومتها match).
    """
    return [light_stem(t) for t in word_tokens(text)]


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: int, predicted: int, reference: int) -> float:
    if not overlap or not predicted or not reference:
        return 0.0
    precision, recall = overlap / predicted, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(prediction: str, reference: str, n: int) -> float:
    """ROUGE-N F1."""
    pred, ref = _ngrams(rouge_tokens(prediction), n), _ngrams(rouge_tokens(reference), n)
    return _f1(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (two-row dynamic programme)."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (summary-level LCS over the whole token sequences)."""
    pred, ref = rouge_tokens(prediction), rouge_tokens(reference)
    return _f1(lcs_length(pred, ref), len(pred), len(ref))


def language_correct(text: str, expected: str) -> bool:
    """The sentence is in the expected language ('ar' or 'en'); 'mixed' does not count."""
    return detect_language(text) == expected


def cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def percentile(values: list[float], q: float) -> float:
    """The value at quantile `q` (0..1) of `values`, nearest rank: what the benchmarks report as p50/p95."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
