"""Which encoder built the index, and a clear error when another one is asked to search it.

Chroma's collections are keyed by the encoder's name, so an index built with one encoder and
opened with another finds no vectors at all: searches would quietly fall back to BM25 alone.
The article store records the encoder's name at the first ingest (and after a repair);
`rag index repair` embeds every article again with the encoder now configured.
"""

from __future__ import annotations

from rag.errors import SetupError
from rag.index.articles import ArticleStore

ENCODER_KEY = "encoder"
UNRECORDED = "an encoder it did not record"  # a store written before the encoder was recorded


def recorded_encoder(store: ArticleStore) -> str | None:
    return store.meta(ENCODER_KEY)


def record_encoder(store: ArticleStore, name: str) -> None:
    store.set_meta(ENCODER_KEY, name)


def built_with(store: ArticleStore, vectors, name: str) -> str | None:
    """The encoder the stored articles were embedded with when it is not `name`, else None.

    A store that recorded nothing is taken as built with `name` when `name`'s collections hold
    vectors, as built with another encoder when they hold none."""
    recorded = recorded_encoder(store)
    if recorded == name or store.chunk_count() == 0:
        return None
    if recorded is None:
        return None if vectors.count() > 0 else UNRECORDED
    return recorded


def mismatch_message(built: str, name: str, articles: int) -> str:
    was = built if built == UNRECORDED else f"RAG_EMBEDDINGS={built}"
    return (
        f"this index was built with {was}, but RAG_EMBEDDINGS={name} now: set it back, "
        f"or run `rag index repair` to embed its {articles} articles again with {name}"
    )


def require_encoder(store: ArticleStore, vectors, name: str) -> None:
    """Raise a one-line SetupError when the index was built with another encoder than `name`."""
    built = built_with(store, vectors, name)
    if built is not None:
        raise SetupError(mismatch_message(built, name, store.count()))
    if recorded_encoder(store) is None and store.chunk_count():
        record_encoder(store, name)  # a store from before encoders were recorded, built with this one
