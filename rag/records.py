"""Plain records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Article:
    """A stored article. `text` is final: every offset in the system points into it."""

    doc_id: str
    title: str
    text: str
    date: str | None = None
    source: str | None = None
    url: str | None = None
    lang: str = "ar"
    origin: str | None = None  # where it came from (file path, record id): a changed origin replaces

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "origin"}


@dataclass(frozen=True)
class Chunk:
    """A sentence-aligned span of an article: text == article.text[start:end]."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    # Sentence units (start, end) inside the chunk: embedded one by one for retrieval.
    units: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Passage:
    """A ranked retrieval result."""

    doc_id: str
    start: int
    end: int
    text: str
    score: float
    title: str = ""
    date: str | None = None
    source: str | None = None
    chunk_id: str = ""

    def to_json(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 6),
            "title": self.title,
        }


@dataclass(frozen=True)
class Citation:
    """The one citation shape: show(doc_id).text[start:end] == quote."""

    n: int
    doc_id: str
    start: int
    end: int
    quote: str
    title: str = ""
    date: str | None = None
    url: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Rejection:
    """An input that was not ingested, with where and why."""

    location: str  # "file" or "file:line"
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    chunks: int = 0

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "rejected": [{"location": r.location, "reason": r.reason} for r in self.rejected],
            "chunks": self.chunks,
        }
