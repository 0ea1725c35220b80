"""Chunk vectors in Chroma: embedded PersistentClient under RAG_HOME, or a server.

Vectors are always computed by our embedder and handed to Chroma; the
collection's embedding function is an adapter over the same embedder, so Chroma
never falls back to its default (which downloads a model and fails offline).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import EmbeddingFunction

from rag.config import Settings
from rag.errors import IndexUnavailableError, SetupError
from rag.index.embeddings import collection_suffix
from rag.records import Article, Chunk


class OurEmbeddingFunction(EmbeddingFunction):
    """Chroma-side adapter over our embedder (used only if Chroma embeds text itself)."""

    def __init__(self, embedder):
        self._embedder = embedder

    def __call__(self, input):  # noqa: A002 - Chroma's parameter name
        return [np.asarray(v, dtype=np.float32) for v in self._embedder.embed_documents(list(input))]

    @staticmethod
    def name() -> str:
        return "rag-embedder"

    def get_config(self) -> dict:
        return {"embedder": getattr(self._embedder, "name", "custom")}

    @staticmethod
    def build_from_config(config: dict) -> OurEmbeddingFunction:
        from rag.index.embeddings import make_embedder

        return OurEmbeddingFunction(make_embedder(config.get("embedder", "use-multilingual")))


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    similarity: float


def connect_chroma(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # the client raises several types for a refused connection
            raise SetupError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                "start it with `chroma run --path DIR --host 127.0.0.1 --port N` or unset RAG_CHROMA_URL"
            ) from exc
        return client
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


log = logging.getLogger(__name__)

# How long a call keeps retrying a transient Chroma failure: an embedded reader racing a
# writer in another process ("Error finding id"), or a server restarting.
RETRY_SECONDS = 8.0  # under 10: a reader waits that long at most (tests/test_concurrency.py); 5 s was too short with the 2 cores busy


def _chroma_failure(exc: BaseException) -> str | None:
    """'busy' for a transient embedded-Chroma error, 'down' for an unreachable server, else None."""
    import chromadb.errors
    import httpx

    if isinstance(exc, (chromadb.errors.InternalError, chromadb.errors.NotFoundError)):
        return "busy"
    if isinstance(exc, (httpx.TransportError, ConnectionError)):
        return "down"
    return None


def failure_message(where: str, retry_seconds: float, kind: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    if kind == "down":
        return (
            f"{where} does not answer ({type(exc).__name__}); start it again and re-run "
            "(`rag index check` then says whether anything was left half-written)"
        )
    return f"{where} kept failing for {retry_seconds:g} s ({detail}); is another process rebuilding it?"


_DELETE_BATCH = 500  # article ids per filtered delete


def collection_ids(collection, page: int) -> list[str]:
    """Every id a Chroma collection holds, `page` at a time (a collection may be large)."""
    ids: list[str] = []
    while True:
        got = collection.get(include=[], limit=page, offset=len(ids))
        ids.extend(got["ids"])
        if len(got["ids"]) < page:
            return ids


def guarded(method):
    """Retry a transient Chroma failure briefly, then raise one readable IndexUnavailableError.
    For methods of an object with `retry_seconds`, `_failure_message(kind, exc)` and `_reopen()`."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        give_up = time.monotonic() + self.retry_seconds
        delay = 0.1
        while True:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - sorted by _chroma_failure; anything else re-raised
                kind = _chroma_failure(exc)
                if kind is None:
                    raise
                if time.monotonic() + delay > give_up:
                    raise IndexUnavailableError(self._failure_message(kind, exc)) from None
                if kind == "busy":
                    self._reopen()
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    return wrapper


def collection_namespace(index: str) -> str:
    """The prefix of an index's collections. `default` keeps the names indexes had before
    RAG_INDEX existed, so their vectors stay found."""
    return "chunks" if index == "default" else f"{index}__chunks"


def _fresh_embedded_client(settings: Settings):
    """A new embedded client that reads the index from disk again. Another process writing the
    same index leaves this one's in-memory HNSW behind ("Error finding id" on every query until
    it is reloaded): retrying alone never recovers (seen in CI, 8 s of failures)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return connect_chroma(settings)


def open_vectors(settings: Settings, embedder, store_id: str | None = None) -> ChunkVectors:
    """The chunk vectors of RAG_INDEX, in embedded Chroma or on the server of RAG_CHROMA_URL.

    With `store_id`, the index is claimed for that article store; an index another
    store already claimed is used (searches only return this store's chunks) but
    logged once, and `rag index repair` refuses to delete its "orphans"."""
    where = (
        f"the Chroma server at {settings.chroma_url}"
        if settings.chroma_url
        else f"embedded Chroma in {settings.chroma_path}"
    )
    vectors = ChunkVectors(
        connect_chroma(settings),
        embedder,
        namespace=collection_namespace(settings.index),
        where=where,
        reconnect=None if settings.chroma_url else (lambda: _fresh_embedded_client(settings)),
    )
    if store_id:
        vectors.foreign_owner = vectors.claim(store_id)
        if vectors.foreign_owner:
            log.warning(
                "RAG_INDEX=%s in %s holds vectors another article store wrote (an index filled before "
                "the article store moved to the server?): `rag ingest` its files again (searches skip "
                "chunks this store does not hold; repair will not delete them)",
                settings.index,
                where,
            )
    return vectors


class ChunkVectors:
    """Two collections per embedder: one vector per sentence unit, and per chunk the
    normalized mean of its units (a chunk embedding at no extra encoder cost).

    A chunk scores by both its mean vector and its best sentence: questions usually
    target one sentence, which a chunk-level vector dilutes.
    """

    def __init__(
        self,
        client,
        embedder,
        namespace: str = "chunks",
        where: str = "Chroma",
        retry_seconds: float = RETRY_SECONDS,
        reconnect=None,
    ):
        self.where = where
        self.foreign_owner: str | None = None  # set by open_vectors: another store's id
        self.retry_seconds = retry_seconds
        self._reconnect = reconnect  # a fresh client, for an embedded index another process changed
        self._namespace = namespace
        self._open(client, embedder, namespace)

    def _reopen(self) -> None:
        """Open the collections again on a fresh client (embedded mode); a failure here is left to
        the retry that follows."""
        if self._reconnect is None:
            return
        try:
            type(self)._open.__wrapped__(self, self._reconnect(), self._embedder, self._namespace)
        except Exception:  # noqa: BLE001 - the guarded call retries and reports
            log.debug("reopening %s failed", self.where, exc_info=True)

    def _failure_message(self, kind: str, exc: BaseException) -> str:
        return failure_message(self.where, self.retry_seconds, kind, exc)

    @guarded
    def _open(self, client, embedder, namespace: str) -> None:
        self._embedder = embedder
        suffix = collection_suffix(getattr(embedder, "name", "custom"))
        function = OurEmbeddingFunction(embedder)
        config = {"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 200}}
        self._chunks = client.get_or_create_collection(
            name=f"{namespace}_{suffix}", embedding_function=function, configuration=config
        )
        self._units = client.get_or_create_collection(
            name=f"{namespace}_units_{suffix}", embedding_function=function, configuration=config
        )
        self._max_batch = getattr(client, "get_max_batch_size", lambda: 5000)() or 5000
        self._warming: threading.Thread | None = None

    def warm_in_background(self) -> threading.Thread | None:
        """Load both collections' HNSW indexes on a thread (a one-result query each) while the
        caller embeds its query: a fresh process's first search otherwise reads them only after
        the encoder has loaded (at 31k articles 0.86 s, beside the encoder's 0.45 s; Chroma's
        query releases the GIL). Once per instance; a failure is left to the real query."""
        dimensions = getattr(self._embedder, "dimensions", None)
        if self._warming is not None or not dimensions:
            return None
        probe = np.full(dimensions, 1.0 / np.sqrt(dimensions), dtype=np.float32)
        self._warming = threading.Thread(target=self._warm, args=(probe,), name="chroma-warm", daemon=True)
        self._warming.start()
        return self._warming

    def _warm(self, probe: np.ndarray) -> None:
        for collection in (self._chunks, self._units):
            try:
                collection.query(query_embeddings=[probe], n_results=1, include=[])
            except Exception:  # noqa: BLE001 - an empty or unreachable index: the real query says so
                return

    OWNER_KEY = "rag_store_id"

    @guarded
    def claim(self, store_id: str) -> str | None:
        """Mark these collections as the vectors of article store `store_id`; the id of another
        store already marked as their owner, or None when they are (now) ours.

        Two article stores writing one index is the silent data loss RAG_INDEX exists to
        prevent: each would count the other's vectors as orphans and delete them on repair."""
        metadata = dict(self._chunks.metadata or {})
        owner = metadata.get(self.OWNER_KEY)
        if owner and owner != store_id:
            return owner
        if not owner:
            self._chunks.modify(metadata={**metadata, self.OWNER_KEY: store_id})
        return None

    def add_many(self, items: list[tuple[Article, list[Chunk], np.ndarray]]) -> None:
        """Upsert many articles' chunks and units in one call per collection.

        unit_vectors: one row per unit of each chunk, in chunk order. One large
        upsert costs a fraction of many small ones (measured: 44% of ingest time
        went to per-article upserts).
        """
        chunk_ids, chunk_vectors, chunk_meta = [], [], []
        unit_ids, unit_vectors_all, unit_meta = [], [], []
        for article, chunks, unit_vectors in items:
            row = 0
            for chunk in chunks:
                n = len(chunk.units)
                mean = unit_vectors[row : row + n].mean(axis=0)
                chunk_ids.append(chunk.chunk_id)
                chunk_vectors.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
                chunk_meta.append(
                    {
                        "doc_id": chunk.doc_id,
                        "start": chunk.start,
                        "end": chunk.end,
                        "date": article.date or "",
                    }
                )
                for i, (start, end) in enumerate(chunk.units):
                    unit_ids.append(f"{chunk.chunk_id}/{i}")
                    unit_meta.append({"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "start": start, "end": end})
                unit_vectors_all.append(unit_vectors[row : row + n])
                row += n
        if not chunk_ids:
            return
        self._upsert(self._chunks, chunk_ids, np.asarray(chunk_vectors, dtype=np.float32), chunk_meta)
        self._upsert(self._units, unit_ids, np.concatenate(unit_vectors_all).astype(np.float32), unit_meta)

    def _upsert(self, collection, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        for i in range(0, len(ids), self._max_batch):
            collection.upsert(
                ids=ids[i : i + self._max_batch],
                embeddings=vectors[i : i + self._max_batch],
                metadatas=metadatas[i : i + self._max_batch],
            )

    @guarded
    def delete_docs(self, doc_ids: list[str]) -> None:
        """Every vector of these articles: one filtered delete per collection for a batch of them
        (a filter scans the collection's metadata: per article, 50 replaced articles took 2.3 s at
        310k sentence vectors)."""
        doc_ids = list(dict.fromkeys(doc_ids))
        for i in range(0, len(doc_ids), _DELETE_BATCH):
            where = {"doc_id": {"$in": doc_ids[i : i + _DELETE_BATCH]}}
            self._chunks.delete(where=where)
            self._units.delete(where=where)

    @guarded
    def count(self) -> int:
        return self._chunks.count()

    @guarded
    def chunk_ids(self) -> set[str]:
        """Every chunk id that has a chunk vector (paged: the index may be large)."""
        return self._all_ids(self._chunks)

    @guarded
    def unit_ids(self) -> set[str]:
        """Every unit id ("chunk_id/i") that has a unit vector."""
        return self._all_ids(self._units)

    def _all_ids(self, collection) -> set[str]:
        return set(collection_ids(collection, self._max_batch))

    @guarded
    def delete_ids(self, chunk_ids: list[str], unit_ids: list[str]) -> None:
        """Delete vectors by id (orphans: their chunk is not in the article store)."""
        for collection, ids in ((self._chunks, chunk_ids), (self._units, unit_ids)):
            for i in range(0, len(ids), self._max_batch):
                collection.delete(ids=ids[i : i + self._max_batch])

    @guarded
    def query_chunks(self, vector: np.ndarray, k: int) -> list[VectorHit]:
        return self._query(self._chunks, vector, k, lambda cid, meta: cid)

    @guarded
    def query_units(self, vector: np.ndarray, k: int) -> list[VectorHit]:
        """Best units, reported by the chunk they belong to (a chunk may repeat)."""
        return self._query(self._units, vector, k, lambda uid, meta: meta["chunk_id"])

    def _query(self, collection, vector, k, to_chunk) -> list[VectorHit]:
        # No count() first: Chroma returns fewer than k when it holds fewer, and a count costs
        # 14-23 ms at 380k vectors (evals/bench_scale.py), as much as the query itself.
        try:
            result = collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                include=["distances", "metadatas"],
            )
        except Exception:
            if collection.count() == 0:
                return []
            raise
        return [
            VectorHit(to_chunk(i, m), 1.0 - float(d))
            for i, d, m in zip(result["ids"][0], result["distances"][0], result["metadatas"][0])
        ]

    @guarded
    def chunk_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        if not chunk_ids:
            return {}
        got = self._chunks.get(ids=chunk_ids, include=["embeddings"])
        return {cid: np.asarray(vec, dtype=np.float32) for cid, vec in zip(got["ids"], got["embeddings"])}

    @guarded
    def unit_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """All unit vectors of each chunk, stacked."""
        grouped: dict[str, list] = {}
        for _, vec, meta in self._units_of(chunk_ids):
            grouped.setdefault(meta["chunk_id"], []).append(vec)
        return {cid: np.asarray(vecs, dtype=np.float32) for cid, vecs in grouped.items()}

    @guarded
    def unit_spans(self, chunk_ids: list[str]) -> list[tuple[str, int, int, np.ndarray]]:
        """(doc_id, start, end, vector) of every unit of the given chunks."""
        return [
            (m["doc_id"], int(m["start"]), int(m["end"]), np.asarray(v, dtype=np.float32))
            for _, v, m in self._units_of(chunk_ids)
        ]

    UNITS_BY_ID = 16  # unit ids looked up per chunk; p99 of units per chunk is 14 at 31k articles

    def _units_of(self, chunk_ids: list[str]) -> list[tuple[str, object, dict]]:
        """(unit id, vector, metadata) of every unit of the chunks, in unit order per chunk.

        Unit ids are "<chunk_id>/<i>", so the first UNITS_BY_ID of each chunk are fetched by id (a
        key lookup); only a chunk that has all of those is asked for the rest by a metadata
        filter, which costs several times more on a large index (61 vs 26 ms for 60 chunks at
        310k units)."""
        if not chunk_ids:
            return []
        wanted = list(dict.fromkeys(chunk_ids))
        ids = [f"{cid}/{i}" for cid in wanted for i in range(self.UNITS_BY_ID)]
        got = self._units.get(ids=ids, include=["embeddings", "metadatas"])
        first = list(zip(got["ids"], got["embeddings"], got["metadatas"]))
        full = {f"{cid}/{self.UNITS_BY_ID - 1}" for cid in wanted} & set(got["ids"])
        if not full:
            return first  # in Chroma's stored order, as the metadata filter returns them
        more = [unit_id.rsplit("/", 1)[0] for unit_id in full]
        rest = self._units.get(where={"chunk_id": {"$in": more}}, include=["embeddings", "metadatas"])
        by_chunk: dict[str, list] = {}
        for unit in zip(rest["ids"], rest["embeddings"], rest["metadatas"]):
            by_chunk.setdefault(unit[2]["chunk_id"], []).append(unit)
        out: list[tuple[str, object, dict]] = []
        for unit in first:  # the same order: each long chunk's units where its first one was
            chunk = unit[2]["chunk_id"]
            if chunk not in by_chunk:
                out.append(unit)
            elif unit[0].endswith("/0"):
                out.extend(by_chunk[chunk])
        return out

    @guarded
    def document_vectors(self, doc_ids: list[str]) -> dict[str, np.ndarray]:
        """Per document, the normalized mean of its chunk vectors."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(doc_ids), 200):
            part = doc_ids[i : i + 200]
            got = self._chunks.get(where={"doc_id": {"$in": part}}, include=["embeddings", "metadatas"])
            sums: dict[str, np.ndarray] = {}
            for vec, meta in zip(got["embeddings"], got["metadatas"]):
                v = np.asarray(vec, dtype=np.float32)
                sums[meta["doc_id"]] = sums.get(meta["doc_id"], 0) + v
            for doc_id, total in sums.items():
                out[doc_id] = total / max(float(np.linalg.norm(total)), 1e-12)
        return out
