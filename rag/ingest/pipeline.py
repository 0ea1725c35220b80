"""Drafts to stored, chunked, embedded and indexed articles.

Ids are content hashes, so re-ingesting an unchanged article is a no-op. An
article whose origin (file path or record id) was ingested before with other
content replaces the old version: its chunks and vectors are deleted.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rag.index.chunker import ChunkingPolicy, chunk_article
from rag.index.lexical import chunk_terms
from rag.ingest.readers import ArticleDraft
from rag.records import Article, Chunk, IngestReport, Rejection
from rag.text.lang import detect_language

ProgressCallback = Callable[[int, str], None]  # (articles done, label)
log = logging.getLogger(__name__)


def article_id(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]


def to_article(draft: ArticleDraft) -> Article:
    return Article(
        doc_id=article_id(draft.title, draft.text),
        title=draft.title,
        text=draft.text,
        date=draft.date,
        source=draft.source,
        url=draft.url,
        lang=detect_language(draft.text),
        origin=draft.origin,
    )


@dataclass
class _Pending:
    article: Article
    replaces: list[str]
    chunks: list[Chunk]


class Ingestor:
    """Writes articles into the store, the vector index and the lexical index together."""

    def __init__(self, store, vectors, embedder, policy: ChunkingPolicy = ChunkingPolicy(), batch_chunks: int = 1024):
        self._store = store
        self._vectors = vectors
        self._embedder = embedder
        self._policy = policy
        self._batch_chunks = batch_chunks

    def ingest(
        self, items: Iterable[ArticleDraft | Rejection], progress: ProgressCallback | None = None
    ) -> IngestReport:
        self._warn_if_inconsistent()
        report = IngestReport()
        batch: list[_Pending] = []
        batch_chars = 0  # running size of the batch, instead of re-summing it per article
        seen: set[str] = set()
        done = 0
        for item in items:
            if isinstance(item, Rejection):
                report.rejected.append(item)
                continue
            article = to_article(item)
            if article.doc_id in seen or self._store.exists(article.doc_id):
                report.unchanged.append(article.doc_id)
            else:
                # Chunked now, one by one: a failure costs this article only, not its batch.
                try:
                    chunks = chunk_article(article.doc_id, article.text, self._policy)
                except Exception as exc:  # noqa: BLE001 - one bad article must never cost the good ones
                    report.rejected.append(
                        Rejection(
                            item.location or article.origin or article.title,
                            f"cannot chunk article ({type(exc).__name__}: {exc})",
                        )
                    )
                    continue
                seen.add(article.doc_id)
                old = (
                    [d for d in self._store.ids_for_origin(article.origin) if d != article.doc_id]
                    if article.origin
                    else []
                )
                batch.append(_Pending(article, old, chunks))
                batch_chars += len(article.text)
            done += 1
            if progress:
                progress(done, item.title)
            if batch_chars > self._batch_chunks * 700:
                self._flush(batch, report)
                batch, batch_chars = [], 0
        self._flush(batch, report)
        return report

    def _warn_if_inconsistent(self) -> None:
        """The cheap part of `rag index check` (counts only), once per ingest: a killed run
        leaves orphan vectors that re-ingesting other files would never remove."""
        from rag.index.check import quick_check

        check = quick_check(self._store, self._vectors)
        if check.count_mismatch:
            log.warning(
                "index check: %d chunks in the article store, %d chunk vectors in Chroma "
                "(an earlier run was interrupted?); `rag index check` tells more, `rag index repair` fixes it",
                check.chunks,
                check.chunk_vectors,
            )

    def _flush(self, batch: list[_Pending], report: IngestReport) -> None:
        if not batch:
            return
        chunked = [p.chunks for p in batch]
        # One encoder call for every sentence unit of the batch: big batches use BLAS best.
        units = [p.article.text[a:b] for p, chunks in zip(batch, chunked) for c in chunks for a, b in c.units]
        vectors = self._embedder.embed_array(units) if units else None
        offset = 0
        to_store = []
        for pending, chunks in zip(batch, chunked):
            n_units = sum(len(c.units) for c in chunks)
            to_store.append((pending, chunks, vectors[offset : offset + n_units] if vectors is not None else None))
            offset += n_units
        replaced: list[str] = []
        for pending, _, _ in to_store:
            # Never delete an old version that this same run also saw as current.
            pending.replaces = [d for d in pending.replaces if d not in report.unchanged and d not in report.added]
            replaced.extend(pending.replaces)
        if replaced:
            # The store's records first: a reader (on a shared server, another worker) never sees
            # an article whose vectors are gone; a kill in between leaves orphan vectors. The whole
            # batch at once: a filtered delete scans the collection (29 ms each at 310k vectors).
            self._store.delete(replaced)
            self._vectors.delete_docs(replaced)
            report.replaced.extend(replaced)
        # Vectors first: if the process dies in between, the store (the source of
        # truth for "already ingested") does not yet claim these articles.
        self._vectors.add_many([(p.article, chunks, v) for p, chunks, v in to_store if chunks])
        self._store.put_many([(p.article, chunks, [chunk_terms(c.text) for c in chunks]) for p, chunks, _ in to_store])
        for pending, chunks, _ in to_store:
            report.added.append(pending.article.doc_id)
            report.chunks += len(chunks)

    def reembed(self, doc_ids: list[str]) -> int:
        """Chunk and embed stored articles again from their stored text (a repair):
        their old vectors go, new ones come, and their chunk rows are rewritten."""
        done = 0
        for i in range(0, len(doc_ids), 64):
            articles = list(self._store.get_many(doc_ids[i : i + 64]).values())
            batch = [_Pending(a, [], chunk_article(a.doc_id, a.text, self._policy)) for a in articles]
            self._vectors.delete_docs([a.doc_id for a in articles])
            self._flush(batch, IngestReport())
            done += len(articles)
        return done
