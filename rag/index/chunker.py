"""Sentence-aligned chunks under a token budget (o200k_base counts).

Each chunk is a run of whole sentences, so its text is exactly
article.text[start:end]. A sentence longer than the budget is cut at clause
punctuation or whitespace into pieces that fit; nothing is ever dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.records import Chunk
from rag.text.sentences import SentenceSpan, split_sentences
from rag.text.tokens import count_tokens_batch

_CLAUSE_BREAK = re.compile(r"[،,;:]\s+|\s+")


@dataclass(frozen=True)
class ChunkingPolicy:
    max_tokens: int = 384
    overlap_sentences: int = 0


def chunk_article(doc_id: str, text: str, policy: ChunkingPolicy = ChunkingPolicy()) -> list[Chunk]:
    spans = split_sentences(text)
    if not spans:
        return []
    counts = count_tokens_batch([text[s.start:s.end] for s in spans])
    pieces: list[tuple[SentenceSpan, int]] = []
    for span, count in zip(spans, counts):
        if count <= policy.max_tokens:
            pieces.append((span, count))
        else:
            pieces.extend(_split_long_sentence(text, span, policy.max_tokens))
    groups = _pack(pieces, policy)
    return [
        Chunk(chunk_id=f"{doc_id}:{i}", doc_id=doc_id, index=i, start=group[0].start, end=group[-1].end,
              text=text[group[0].start:group[-1].end], units=tuple((s.start, s.end) for s in group))
        for i, group in enumerate(groups)
    ]


def _pack(pieces: list[tuple[SentenceSpan, int]], policy: ChunkingPolicy) -> list[list[SentenceSpan]]:
    groups: list[list[SentenceSpan]] = []
    current: list[tuple[SentenceSpan, int]] = []
    used = 0
    for span, count in pieces:
        if current and used + count > policy.max_tokens:
            groups.append([s for s, _ in current])
            current = current[-policy.overlap_sentences:] if policy.overlap_sentences else []
            used = sum(c for _, c in current)
            if current and used + count > policy.max_tokens:
                current, used = [], 0
        current.append((span, count))
        used += count
    if current:
        groups.append([s for s, _ in current])
    return groups


def _split_long_sentence(text: str, span: SentenceSpan, max_tokens: int) -> list[tuple[SentenceSpan, int]]:
    """Cut one over-long sentence at clause breaks (or spaces) into budget-sized pieces."""
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(text, span.start, span.end)]
    boundaries = [span.start] + [c for c in cuts if span.start < c < span.end] + [span.end]
    units = [(boundaries[i], boundaries[i + 1]) for i in range(len(boundaries) - 1)]
    counts = count_tokens_batch([text[a:b] for a, b in units])
    out: list[tuple[SentenceSpan, int]] = []
    start, used = units[0][0], 0
    for (a, b), count in zip(units, counts):
        if used and used + count > max_tokens:
            out.append((_trim(text, start, a), used))
            start, used = a, 0
        used += count
    out.append((_trim(text, start, span.end), used))
    return [piece for piece in out if piece[0].end > piece[0].start]


def _trim(text: str, start: int, end: int) -> SentenceSpan:
    while end > start and text[end - 1].isspace():
        end -= 1
    return SentenceSpan(start, end)
