"""The article store on a Chroma server: one store for every `rag` worker of one RAG_INDEX.

With RAG_CHROMA_URL set, the articles (text, metadata and chunk spans) live in a collection
of the same server as the vectors, so every worker on any machine sees the same articles as
the same vectors. It offers the methods of `ArticleStore` (rag/index/articles.py).

Chroma has no transactions, so the design rests on two facts it does give:
- one record is written whole: an article's record holds its text, metadata and chunk spans
  together, so a reader sees an article complete or not at all;
- the record is the commit point: vectors are written before it and deleted after it (see
  rag/ingest/pipeline.py), so every record a reader can see has its vectors, and a kill in
  between leaves orphan vectors, which `rag index repair` deletes.

BM25 stays local to each worker (rag/index/lexical.py), rebuilt from the records when the
store's generation changes: a stamp in the collection's metadata that every write replaces
after its records (a reader reads the stamp before the records, so a write it half saw
changes the stamp again after it). Writers from all machines take one lease first
(rag/index/shared_lock.py), so two writers never interleave their stamps or a repair.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator

from rag.index.vectors import collection_ids, failure_message, guarded
from rag.records import Article, Chunk
from rag.text.arabic import index_tokens

GENERATION_KEY = "rag_generation"
META_PREFIX = "rag_meta_"  # the store's facts in the collection's metadata
_TEXT_FIELDS = ("title", "date", "source", "url", "lang", "origin")


def articles_collection(index: str) -> str:
    return "rag_articles" if index == "default" else f"{index}__articles"


def _position(doc_id: str) -> list[float]:
    """The record's vector: Chroma needs one, nothing searches it. Spread out by the id's hash
    (one point for every record would make a degenerate HNSW graph)."""
    return [int(doc_id[:8], 16) / 2**32, int(doc_id[8:16], 16) / 2**32]


def _metadata(article: Article, chunks: list[Chunk]) -> dict:
    meta = {key: getattr(article, key) or "" for key in _TEXT_FIELDS}
    meta["chars"] = len(article.text)
    meta["n_chunks"] = len(chunks)
    meta["chunks"] = json.dumps([[c.chunk_id, c.index, c.start, c.end] for c in chunks])
    meta["ingested_at"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return meta


def _article(doc_id: str, text: str, meta: dict) -> Article:
    values = {key: (meta.get(key) or None) for key in _TEXT_FIELDS}
    values["lang"] = values["lang"] or "und"
    values["title"] = meta.get("title") or ""
    return Article(doc_id=doc_id, text=text, **values)


def _spans(meta: dict) -> list[tuple[str, int, int, int]]:
    """(chunk_id, index, start, end) of a record's chunks, in order."""
    return [tuple(row) for row in json.loads(meta.get("chunks") or "[]")]


class ChromaArticleStore:
    """Articles as records of one Chroma collection (see the module docstring)."""

    def __init__(self, client, index: str, where: str, retry_seconds: float = 8.0):
        self.where = where
        self.retry_seconds = retry_seconds
        self._client = client
        self._name = articles_collection(index)
        self._collection = self._open()
        self._max_batch = getattr(client, "get_max_batch_size", lambda: 5000)() or 5000
        self._lang_cache: tuple[int | None, str] = (None, "und")

    # -- what `guarded` needs ------------------------------------------------------
    def _failure_message(self, kind: str, exc: BaseException) -> str:
        return failure_message(self.where, self.retry_seconds, kind, exc)

    def _reopen(self) -> None:
        """A server needs no reopening: the retry is enough."""

    @guarded
    def _open(self):
        return self._client.get_or_create_collection(name=self._name, embedding_function=None)

    def close(self) -> None:
        """Nothing to close: the HTTP client holds no transaction."""

    # -- articles -------------------------------------------------------------------
    def get(self, doc_id: str) -> Article | None:
        return self.get_many([doc_id]).get(doc_id)

    @guarded
    def get_many(self, doc_ids: Iterable[str]) -> dict[str, Article]:
        ids = list(dict.fromkeys(doc_ids))
        found: dict[str, Article] = {}
        for i in range(0, len(ids), self._max_batch):
            got = self._collection.get(ids=ids[i : i + self._max_batch], include=["documents", "metadatas"])
            for doc_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                found[doc_id] = _article(doc_id, text, meta)
        return found

    @guarded
    def exists(self, doc_id: str) -> bool:
        return bool(self._collection.get(ids=[doc_id], include=[])["ids"])

    @guarded
    def ids_for_origin(self, origin: str) -> list[str]:
        return list(self._collection.get(where={"origin": origin}, include=[])["ids"])

    @guarded
    def ids(self) -> list[str]:
        """Every stored article's id."""
        return collection_ids(self._collection, self._max_batch)

    def list(self, date: str | None = None) -> list[Article]:
        where = {"date": date} if date else None
        articles = [_article(i, text, meta) for i, text, meta in self._records(["documents", "metadatas"], where)]
        # As the SQLite store orders them: newest date first (undated last), then outlet and title.
        articles.sort(key=lambda a: (a.source or "", a.title))
        articles.sort(key=lambda a: a.date or "", reverse=True)
        return articles

    def dominant_language(self) -> str:
        """The language most stored text is in ('und' when empty); cached per generation."""
        generation = self.generation()
        if self._lang_cache[0] != generation:
            chars: dict[str, int] = {}
            for _, _, meta in self._records(["metadatas"]):
                chars[meta.get("lang") or "und"] = chars.get(meta.get("lang") or "und", 0) + int(meta.get("chars", 0))
            self._lang_cache = (generation, max(chars, key=chars.get) if chars else "und")
        return self._lang_cache[1]

    @guarded
    def count(self) -> int:
        return self._collection.count()

    def put_many(self, items: list[tuple[Article, list[Chunk], list[str]]]) -> None:
        """Write each article as one record (its text, metadata and chunk spans), then a new
        generation. Terms are not stored: BM25 derives them from the text (`iter_chunk_terms`)."""
        records = list({article.doc_id: (article, chunks) for article, chunks, _ in items}.values())
        for i in range(0, len(records), self._max_batch):
            part = records[i : i + self._max_batch]
            self._upsert(
                ids=[a.doc_id for a, _ in part],
                embeddings=[_position(a.doc_id) for a, _ in part],
                documents=[a.text for a, _ in part],
                metadatas=[_metadata(a, chunks) for a, chunks in part],
            )
        self._bump_generation()

    @guarded
    def _upsert(self, **record) -> None:
        self._collection.upsert(**record)

    @guarded
    def delete(self, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        for i in range(0, len(ids), self._max_batch):
            self._collection.delete(ids=ids[i : i + self._max_batch])
        self._bump_generation()

    # -- chunks -----------------------------------------------------------------------
    def chunks_for(self, doc_id: str) -> list[Chunk]:
        found = self._with_spans([doc_id])
        if doc_id not in found:
            return []
        article, spans = found[doc_id]
        return [Chunk(cid, doc_id, idx, s, e, article.text[s:e]) for cid, idx, s, e in spans]

    def chunk_spans(self, chunk_ids: Iterable[str]) -> dict[str, tuple[str, int, int]]:
        """(doc_id, start, end) of the chunks whose article is stored (committed)."""
        wanted = list(chunk_ids)
        doc_ids = {cid.rsplit(":", 1)[0] for cid in wanted}  # chunk ids are "<doc_id>:<index>" (chunker)
        spans: dict[str, tuple[str, int, int]] = {}
        for doc_id, meta in self._metadatas(doc_ids).items():
            for cid, _, s, e in _spans(meta):
                spans[cid] = (doc_id, s, e)
        return {cid: spans[cid] for cid in wanted if cid in spans}

    def iter_chunk_terms(self) -> Iterator[tuple[str, str]]:
        """(chunk_id, BM25 terms) of every stored chunk, the terms made from the stored text
        as ingest makes them (rag.index.lexical.chunk_terms)."""
        for _, text, meta in sorted(self._records(["documents", "metadatas"]), key=lambda record: record[0]):
            for cid, _, s, e in _spans(meta):
                yield cid, " ".join(index_tokens(text[s:e]))

    def chunk_doc_ids(self) -> dict[str, str]:
        return {cid: doc_id for doc_id, _, meta in self._records(["metadatas"]) for cid, *_ in _spans(meta)}

    def chunk_count(self) -> int:
        return sum(int(meta.get("n_chunks", 0)) for _, _, meta in self._records(["metadatas"]))

    # -- identity and change tracking -------------------------------------------------
    def store_id(self) -> str:
        """The collection's own id: the same for every worker of this RAG_INDEX."""
        return f"chroma:{self._collection.id}"

    @guarded
    def generation(self) -> int:
        metadata = self._client.get_collection(name=self._name, embedding_function=None).metadata or {}
        return int(metadata.get(GENERATION_KEY, 0))

    @guarded
    def _bump_generation(self) -> None:
        """A new stamp after the records: nanoseconds, and above the last one. Writers hold the
        shared lease, so no two read-modify-writes of the metadata interleave."""
        current = dict(self._client.get_collection(name=self._name, embedding_function=None).metadata or {})
        current[GENERATION_KEY] = max(int(current.get(GENERATION_KEY, 0)) + 1, time.time_ns())
        self._collection.modify(metadata=current)

    # -- the store's own facts (which encoder built it: rag.index.encoder) ----------------
    @guarded
    def meta(self, key: str) -> str | None:
        metadata = self._client.get_collection(name=self._name, embedding_function=None).metadata or {}
        value = metadata.get(META_PREFIX + key)
        return None if value is None else str(value)

    @guarded
    def set_meta(self, key: str, value: str) -> None:
        """Kept in the collection's metadata beside the generation stamp, under the writer's lease."""
        current = dict(self._client.get_collection(name=self._name, embedding_function=None).metadata or {})
        current[META_PREFIX + key] = value
        self._collection.modify(metadata=current)

    # -- reading many records ---------------------------------------------------------
    def _with_spans(self, doc_ids: Iterable[str]) -> dict[str, tuple[Article, list]]:
        got = self._get(list(doc_ids), ["documents", "metadatas"])
        return {i: (_article(i, text, meta), _spans(meta)) for i, text, meta in got}

    def _metadatas(self, doc_ids: Iterable[str]) -> dict[str, dict]:
        return {i: meta for i, _, meta in self._get(list(doc_ids), ["metadatas"])}

    @guarded
    def _get(self, ids: list[str], include: list[str]) -> list[tuple[str, str | None, dict]]:
        out = []
        for i in range(0, len(ids), self._max_batch):
            got = self._collection.get(ids=ids[i : i + self._max_batch], include=include)
            documents = got.get("documents") or [None] * len(got["ids"])
            out.extend(zip(got["ids"], documents, got["metadatas"]))
        return out

    @guarded
    def _records(self, include: list[str], where: dict | None = None) -> list[tuple[str, str | None, dict]]:
        """Every record (paged), with what `include` names."""
        out: list[tuple[str, str | None, dict]] = []
        offset = 0
        while True:
            got = self._collection.get(include=include, where=where, limit=self._max_batch, offset=offset)
            documents = got.get("documents") or [None] * len(got["ids"])
            out.extend(zip(got["ids"], documents, got["metadatas"]))
            if len(got["ids"]) < self._max_batch:
                return out
            offset += self._max_batch


def open_article_store(settings):
    """The article store of these settings: on the Chroma server of RAG_CHROMA_URL (shared by
    every worker of RAG_INDEX), else SQLite under RAG_HOME."""
    from rag.index.articles import ArticleStore
    from rag.index.vectors import connect_chroma

    if not settings.chroma_url:
        return ArticleStore(settings.db_path)
    return ChromaArticleStore(connect_chroma(settings), settings.index, f"the Chroma server at {settings.chroma_url}")
