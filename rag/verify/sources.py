"""Numbered source sentences: what the model sees and may cite.

Each source sentence carries its exact span in the stored article, taken from
our own sentence splitter. A model only ever refers to a number; the number is
mapped back to (doc_id, start, end) here, so no offset ever comes from a model.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.records import Citation, Passage
from rag.text.sentences import split_sentences
from rag.text.tokens import count_tokens


@dataclass(frozen=True)
class SourceSentence:
    number: int
    doc_id: str
    start: int
    end: int
    text: str
    title: str = ""
    date: str | None = None
    url: str | None = None
    source: str | None = None
    before: str = ""  # the article's sentence before this one: it often names the subject ("فعند وفاته …")

    @classmethod
    def of(cls, number: int, doc_id: str, article, start: int, end: int) -> SourceSentence:
        """Source `number`: the span start..end of stored article `doc_id`, with the sentence before it."""
        return cls(
            number=number,
            doc_id=doc_id,
            start=start,
            end=end,
            text=article.text[start:end],
            title=article.title,
            date=article.date,
            url=article.url,
            source=article.source,
            before=sentence_before(article.text, start),
        )

    def citation(self, n: int, article_text: str) -> Citation:
        """This span as citation `n`, its quote sliced from the stored article text (the invariant)."""
        return Citation(
            n=n,
            doc_id=self.doc_id,
            start=self.start,
            end=self.end,
            quote=article_text[self.start : self.end],
            title=self.title,
            date=self.date,
            url=self.url,
        )

    def in_context(self) -> str:
        """The sentence after the one before it, as a reader of the article meets it."""
        return f"{self.before} {self.text}" if self.before else self.text


CONTEXT_CHARS = 1500  # how far back the sentence before a source is looked for


def sentence_before(text: str, start: int) -> str:
    """The sentence of `text` that ends before `start`, or ""."""
    before = [s for s in split_sentences(text, max(0, start - CONTEXT_CHARS), start) if s.end <= start]
    return text[before[-1].start : before[-1].end] if before else ""


def number_sources(passages: list[Passage], articles: dict, token_budget: int = 1800) -> list[SourceSentence]:
    """Split passages into sentences and number them 1..n, within a token budget.

    Passages come in rank order, so the budget cuts the least relevant text.
    Duplicate spans (overlapping passages) are numbered once.
    """
    sources: list[SourceSentence] = []
    seen: set[tuple[str, int, int]] = set()
    used = 0
    for passage in passages:
        article = articles[passage.doc_id]
        for span in split_sentences(article.text, passage.start, passage.end):
            key = (passage.doc_id, span.start, span.end)
            if key in seen:
                continue
            text = article.text[span.start : span.end]
            cost = count_tokens(text) + 6
            if sources and used + cost > token_budget:
                return sources
            seen.add(key)
            used += cost
            sources.append(SourceSentence.of(len(sources) + 1, passage.doc_id, article, span.start, span.end))
    return sources


def number_evidence(spans, articles: dict) -> list[SourceSentence]:
    """Number already selected evidence spans (rag.retrieve.evidence) 1..n."""
    return [
        SourceSentence.of(i, span.doc_id, articles[span.doc_id], span.start, span.end)
        for i, span in enumerate(spans, 1)
    ]


def render_sources(sources: list[SourceSentence]) -> str:
    """The sources block of a prompt: one numbered sentence per line, grouped by article."""
    lines: list[str] = []
    current = None
    for s in sources:
        if s.doc_id != current:
            current = s.doc_id
            header = f"# {s.title}" + (f" ({s.source}, {s.date})" if s.source or s.date else "")
            lines.append(header.replace("\n", " "))
        lines.append(f"[{s.number}] " + " ".join(s.text.split()))
    return "\n".join(lines)
