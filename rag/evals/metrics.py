"""Metric functions: small, pure, tested one by one."""
from __future__ import annotations

import math
from collections import Counter

from rag.text.arabic import normalize, _TOKEN_RE


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
    for token in _TOKEN_RE.findall(normalize(text)):
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
    return float(any(pred_tokens[i:i + n] == gold_tokens for i in range(len(pred_tokens) - n + 1)))


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
