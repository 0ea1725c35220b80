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
_MAX_CHARS_PER_TOKEN = 8  # a first guess for cutting spaceless runs; checked by real counts


@dataclass(frozen=True)
class ChunkingPolicy:
    max_tokens: int = 384
    overlap_sentences: int = 0


def chunk_article(doc_id: str, text: str, policy: ChunkingPolicy = ChunkingPolicy()) -> list[Chunk]:
    spans = split_sentences(text)
    if not spans:
        return []
    # Each sentence is charged for the separator before it, so sums match real counts.
    with_separator = count_tokens_batch(
        [text[(spans[i - 1].end if i else s.start) : s.end] for i, s in enumerate(spans)]
    )
    alone = count_tokens_batch([text[s.start : s.end] for s in spans])  # a chunk may start with this sentence
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
        Chunk(
            chunk_id=f"{doc_id}:{i}",
            doc_id=doc_id,
            index=i,
            start=group[0].start,
            end=group[-1].end,
            text=text[group[0].start : group[-1].end],
            units=tuple((s.start, s.end) for s in group),
        )
        for i, group in enumerate(groups)
    ]


def _pack(pieces: list[tuple[SentenceSpan, int]], policy: ChunkingPolicy) -> list[list[SentenceSpan]]:
    groups: list[list[SentenceSpan]] = []
    current: list[tuple[SentenceSpan, int]] = []
    used = 0
    for span, count in pieces:
        if current and used + count > policy.max_tokens:
            groups.append([s for s, _ in current])
            current = current[-policy.overlap_sentences :] if policy.overlap_sentences else []
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
    if len(group) == 1 or count_tokens(text[group[0].start : group[-1].end]) <= max_tokens:
        return [group]
    middle = len(group) // 2
    return _enforce_budget(text, group[:middle], max_tokens) + _enforce_budget(text, group[middle:], max_tokens)


def _split_long_sentence(text: str, span: SentenceSpan, max_tokens: int) -> list[tuple[SentenceSpan, int]]:
    """Cut one over-long sentence at clause breaks (or spaces) into budget-sized pieces.

    Pieces grow greedily by the summed token counts of their units (each counted
    once, in one batch), then every piece is measured as a whole string and, when
    tokens merged across a break made it too big, shrunk by bisection. Each unit
    is tokenized a bounded number of times, so the cost is linear in the length.
    """
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(text, span.start, span.end)]
    boundaries = [span.start] + [c for c in cuts if span.start < c < span.end] + [span.end]
    units: list[tuple[int, int]] = []
    for a, b in zip(boundaries, boundaries[1:]):
        units.extend(_cut_by_characters(text, a, b, max_tokens))
    # A unit is charged with the space before it, as it is tokenized inside a piece.
    costs = count_tokens_batch(
        [text[a - 1 if a > span.start and text[a - 1].isspace() else a : b].rstrip() for a, b in units]
    )
    out: list[tuple[SentenceSpan, int]] = []
    first = 0
    while first < len(units):
        last, used = first, costs[first]
        while last + 1 < len(units) and used + costs[last + 1] <= max_tokens:
            last += 1
            used += costs[last]
        last, count = _fit(text, units, first, last, max_tokens)
        piece = _trim(text, units[first][0], units[last][1])
        if piece.end > piece.start:
            out.append((piece, count))
        first = last + 1
    return out


def _fit(text: str, units: list[tuple[int, int]], first: int, last: int, max_tokens: int) -> tuple[int, int]:
    """The last unit index (<= last) such that units[first..it] fit as one string, and its count."""
    count = count_tokens(text[units[first][0] : units[last][1]].rstrip())
    if count <= max_tokens or last == first:
        return last, count
    low, high = first, last - 1  # units[first..low] is known to fit once low == first
    while low < high:
        middle = (low + high + 1) // 2
        if count_tokens(text[units[first][0] : units[middle][1]].rstrip()) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return low, count_tokens(text[units[first][0] : units[low][1]].rstrip())


def _cut_by_characters(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Character cuts for a run with no break opportunity, each piece within the budget.

    The first try is capped at a size no budget-sized piece exceeds by much, so a
    long run (a 2 MB line without spaces) is not re-tokenized whole for every piece.
    """
    pieces = []
    while start < end:
        size = min(end - start, max_tokens * _MAX_CHARS_PER_TOKEN)
        while size > 1 and count_tokens(text[start : start + size]) > max_tokens:
            size = max(1, size * 3 // 4)
        pieces.append((start, start + size))
        start += size
    return pieces


def _trim(text: str, start: int, end: int) -> SentenceSpan:
    while end > start and text[end - 1].isspace():
        end -= 1
    return SentenceSpan(start, end)
