"""Chunk vectors in Chroma: embedded PersistentClient under RAG_HOME, or a server.

Vectors are always computed by our embedder and handed to Chroma; the
collection's embedding function is an adapter over the same embedder, so Chroma
never falls back to its default (which downloads a model and fails offline).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import EmbeddingFunction

from rag.config import Settings
from rag.errors import SetupError
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
    def build_from_config(config: dict) -> "OurEmbeddingFunction":
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
            client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                         ssl=url.scheme == "https", settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:  # the client raises several types for a refused connection
            raise SetupError(f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                             "start it with `chroma run --path DIR --host 127.0.0.1 --port N` or unset RAG_CHROMA_URL") from exc
        return client
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class ChunkVectors:
    def __init__(self, client, embedder, namespace: str = "chunks"):
        self._embedder = embedder
        name = f"{namespace}_{collection_suffix(getattr(embedder, 'name', 'custom'))}"
        self._collection = client.get_or_create_collection(
            name=name,
            embedding_function=OurEmbeddingFunction(embedder),
            configuration={"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 200}},
        )
        self._max_batch = getattr(client, "get_max_batch_size", lambda: 5000)() or 5000

    def add(self, article: Article, chunks: list[Chunk], vectors: np.ndarray) -> None:
        if not chunks:
            return
        for i in range(0, len(chunks), self._max_batch):
            part = chunks[i:i + self._max_batch]
            self._collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[i:i + len(part)],
                metadatas=[{"doc_id": c.doc_id, "start": c.start, "end": c.end, "date": article.date or ""} for c in part],
            )

    def delete_docs(self, doc_ids: list[str]) -> None:
        for doc_id in doc_ids:
            self._collection.delete(where={"doc_id": doc_id})

    def count(self) -> int:
        return self._collection.count()

    def query(self, vector: np.ndarray, k: int) -> list[VectorHit]:
        total = self.count()
        if total == 0:
            return []
        result = self._collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                                        n_results=min(k, total), include=["distances"])
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [VectorHit(cid, 1.0 - float(d)) for cid, d in zip(ids, distances)]

    def vectors_for(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        if not chunk_ids:
            return {}
        got = self._collection.get(ids=chunk_ids, include=["embeddings"])
        return {cid: np.asarray(vec, dtype=np.float32) for cid, vec in zip(got["ids"], got["embeddings"])}
