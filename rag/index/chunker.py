"""Sentence-aligned chunks under a token budget (o200k_base counts).

Each chunk is a run of whole sentences, so its text is exactly
article.text[start:end]. A sentence longer than the budget is cut at clause
punctuation or whitespace, and a run with neither (a URL, a long number) by
characters, into pieces that fit; nothing is ever dropped. Every chunk's real
token count is checked against the budget at the end.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.records import Chunk
from rag.text.sentences import SentenceSpan, split_sentences
from rag.text.tokens import count_tokens, count_tokens_batch

_CLAUSE_BREAK = re.compile(r"[،,;:]\s+|\s+")


@dataclass(frozen=True)
class ChunkingPolicy:
    max_tokens: int = 384
    overlap_sentences: int = 0


def chunk_article(doc_id: str, text: str, policy: ChunkingPolicy = ChunkingPolicy()) -> list[Chunk]:
    spans = split_sentences(text)
    if not spans:
        return []
    # Each sentence is charged for the separator before it, so sums match real counts.
    with_separator = count_tokens_batch([text[(spans[i - 1].end if i else s.start):s.end] for i, s in enumerate(spans)])
    alone = count_tokens_batch([text[s.start:s.end] for s in spans])  # a chunk may start with this sentence
    counts = [max(a, b) for a, b in zip(with_separator, alone)]
    pieces: list[tuple[SentenceSpan, int]] = []
    for span, count in zip(spans, counts):
        if count <= policy.max_tokens:
            pieces.append((span, count))
        else:
            pieces.extend(_split_long_sentence(text, span, policy.max_tokens))
    groups: list[list[SentenceSpan]] = []
    for group in _pack(pieces, policy):
        groups.extend(_enforce_budget(text, group, policy.max_tokens))
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


def _enforce_budget(text: str, group: list[SentenceSpan], max_tokens: int) -> list[list[SentenceSpan]]:
    """Split a group in two until each part's real token count fits."""
    if len(group) == 1 or count_tokens(text[group[0].start:group[-1].end]) <= max_tokens:
        return [group]
    middle = len(group) // 2
    return _enforce_budget(text, group[:middle], max_tokens) + _enforce_budget(text, group[middle:], max_tokens)


def _split_long_sentence(text: str, span: SentenceSpan, max_tokens: int) -> list[tuple[SentenceSpan, int]]:
    """Cut one over-long sentence at clause breaks (or spaces) into budget-sized pieces.

    Pieces grow greedily and are measured as whole strings, so a piece never
    exceeds the budget because of how tokens merge across a break.
    """
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(text, span.start, span.end)]
    boundaries = [span.start] + [c for c in cuts if span.start < c < span.end] + [span.end]
    units: list[tuple[int, int]] = []
    for a, b in zip(boundaries, boundaries[1:]):
        units.extend(_cut_by_characters(text, a, b, max_tokens))
    out: list[tuple[SentenceSpan, int]] = []
    start = end = units[0][0]
    for a, b in units:
        count = count_tokens(text[start:b].rstrip())
        if count > max_tokens and end > start:
            piece = _trim(text, start, end)
            out.append((piece, count_tokens(text[piece.start:piece.end])))
            start, count = a, count_tokens(text[a:b].rstrip())
        end = b
    piece = _trim(text, start, end)
    out.append((piece, count_tokens(text[piece.start:piece.end])))
    return [piece for piece in out if piece[0].end > piece[0].start]


def _cut_by_characters(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Character cuts for a run with no break opportunity, each piece within the budget."""
    pieces = []
    while start < end:
        size = end - start
        while size > 1 and count_tokens(text[start:start + size]) > max_tokens:
            size = max(1, size * 3 // 4)
        pieces.append((start, start + size))
        start += size
    return pieces


def _trim(text: str, start: int, end: int) -> SentenceSpan:
    while end > start and text[end - 1].isspace():
        end -= 1
    return SentenceSpan(start, end)
