"""Do the article store, the vectors and the lexical index agree? And repair what does not.

The SQLite article store is the source of truth (an article counts as ingested
once it is there); Chroma's two collections and the BM25 files are derived from
it. A run killed at any point can leave:

- orphan vectors: chunk or unit vectors whose chunk the store does not hold
  (vectors are written before the store, so a kill in between leaves these);
- missing vectors: a stored chunk without its chunk vector or without any unit
  vector (a kill while an old version's vectors were being replaced);
- a stale BM25 index (built for an older store generation) or vocabulary cache.

`check_index` finds them; `repair_index` deletes orphans, re-embeds the articles
with missing vectors from their stored text, and rebuilds BM25. Nothing stored
in the article store is ever deleted by a repair.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.index.articles import ArticleStore
from rag.index.encoder import built_with, mismatch_message, record_encoder

SAMPLE = 10  # ids shown per problem in reports


@dataclass
class IndexCheck:
    articles: int
    chunks: int  # in the article store
    chunk_vectors: int  # in the chunk collection
    unit_vectors: int | None  # in the sentence-unit collection; None in a quick check (not counted)
    orphan_chunk_vectors: list[str] = field(default_factory=list)
    orphan_unit_vectors: list[str] = field(default_factory=list)
    missing_vectors: list[str] = field(default_factory=list)  # doc_ids with a chunk lacking vectors
    store_generation: int = 0
    lexical_generation: int | None = None
    lexical_stale: bool = False
    vocabulary_stale: bool = False  # the cache is corrupt
    vocabulary_pending: int = 0  # words not yet in the cache (filled on first use): not a problem
    full: bool = True  # False: the cheap check (counts only)
    encoder: str | None = None  # the encoder configured now (RAG_EMBEDDINGS)
    built_with: str | None = None  # another encoder that built the index (rag.index.encoder), or None

    @property
    def consistent(self) -> bool:
        return not (
            self.orphan_chunk_vectors
            or self.orphan_unit_vectors
            or self.missing_vectors
            or self.lexical_stale
            or self.vocabulary_stale
            or self.count_mismatch
            or self.built_with
        )

    @property
    def count_mismatch(self) -> bool:
        return self.chunks != self.chunk_vectors

    def problems(self) -> list[str]:
        """One readable line per problem."""
        out = []
        if self.built_with:
            out.append(mismatch_message(self.built_with, self.encoder, self.articles))
        if self.orphan_chunk_vectors or self.orphan_unit_vectors:
            out.append(
                f"{len(self.orphan_chunk_vectors)} chunk vectors and {len(self.orphan_unit_vectors)} unit "
                f"vectors belong to no stored chunk (orphans), e.g. {_sample(self.orphan_chunk_vectors or self.orphan_unit_vectors)}"
            )
        if self.missing_vectors:
            out.append(
                f"{len(self.missing_vectors)} stored articles lack vectors for some chunks, "
                f"e.g. {_sample(self.missing_vectors)}"
            )
        if self.count_mismatch and not (self.orphan_chunk_vectors or self.missing_vectors):
            out.append(f"{self.chunks} chunks in the article store but {self.chunk_vectors} chunk vectors")
        if self.lexical_stale:
            built = (
                "never built" if self.lexical_generation is None else f"built for generation {self.lexical_generation}"
            )
            out.append(f"the BM25 index is stale ({built}, the store is at generation {self.store_generation})")
        if self.vocabulary_stale:
            out.append("the vocabulary cache is corrupt (its words and vectors disagree)")
        return out

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("orphan_chunk_vectors", "orphan_unit_vectors", "missing_vectors"):
            data[key] = {"count": len(data[key]), "sample": data[key][:SAMPLE]}
        return {"consistent": self.consistent, **data, "problems": self.problems()}


def _sample(ids: list[str]) -> str:
    return ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")


def _chunk_of_unit(unit_id: str) -> str:
    return unit_id.rsplit("/", 1)[0]


def quick_check(store: ArticleStore, vectors) -> IndexCheck:
    """Counts only (no id listing), and not the sentence units': cheap enough to run when every
    ingest starts (counting 310k unit vectors took 1.3 s at 31k articles; a killed ingest shows in
    the chunk counts, which is what the ingest's warning reads)."""
    return IndexCheck(
        articles=store.count(),
        chunks=store.chunk_count(),
        chunk_vectors=vectors.count(),
        unit_vectors=None,
        store_generation=store.generation(),
        full=False,
    )


def check_index(
    store: ArticleStore,
    vectors,
    lexical,
    vocabulary: Callable[[], tuple[bool, int]] | None = None,
    encoder: str | None = None,
) -> IndexCheck:
    stored = store.chunk_doc_ids()
    chunk_ids, unit_ids = vectors.chunk_ids(), vectors.unit_ids()
    chunks_with_units = {_chunk_of_unit(u) for u in unit_ids}
    missing = sorted({doc for cid, doc in stored.items() if cid not in chunk_ids or cid not in chunks_with_units})
    generation = store.generation()
    lexical_generation = lexical.saved_generation()
    corrupt, pending = vocabulary() if vocabulary else (False, 0)
    return IndexCheck(
        articles=store.count(),
        chunks=len(stored),
        chunk_vectors=len(chunk_ids),
        unit_vectors=len(unit_ids),
        orphan_chunk_vectors=sorted(cid for cid in chunk_ids if cid not in stored),
        orphan_unit_vectors=sorted(uid for uid in unit_ids if _chunk_of_unit(uid) not in stored),
        missing_vectors=missing,
        store_generation=generation,
        lexical_generation=lexical_generation,
        lexical_stale=bool(stored) and lexical_generation != generation,
        vocabulary_stale=corrupt,
        vocabulary_pending=pending,
        encoder=encoder,
        built_with=built_with(store, vectors, encoder) if encoder else None,
    )


@dataclass
class IndexRepair:
    before: IndexCheck
    after: IndexCheck
    deleted_chunk_vectors: int = 0
    deleted_unit_vectors: int = 0
    reembedded_articles: int = 0
    rebuilt_lexical: bool = False
    rebuilt_vocabulary: bool = False
    skipped_orphans: str | None = None  # why orphans were left alone

    def to_json(self) -> dict:
        return {
            "repaired": self.after.consistent,
            "skipped_orphans": self.skipped_orphans,
            "deleted_chunk_vectors": self.deleted_chunk_vectors,
            "deleted_unit_vectors": self.deleted_unit_vectors,
            "reembedded_articles": self.reembedded_articles,
            "rebuilt_lexical": self.rebuilt_lexical,
            "rebuilt_vocabulary": self.rebuilt_vocabulary,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
        }


def repair_index(
    store: ArticleStore,
    vectors,
    lexical,
    reembed: Callable[[list[str]], None],
    vocabulary: Callable[[], tuple[bool, int]] | None = None,
    clear_vocabulary: Callable[[], None] | None = None,
    say: Callable[[str], None] = lambda message: None,
    encoder: str | None = None,
) -> IndexRepair:
    """Make the derived indexes agree with the article store; `reembed(doc_ids)` re-embeds articles.
    With `encoder`, an index built with another encoder is embedded again with this one."""
    before = check_index(store, vectors, lexical, vocabulary, encoder)
    repair = IndexRepair(before=before, after=before)
    shared = getattr(vectors, "foreign_owner", None)
    if shared and (before.orphan_chunk_vectors or before.orphan_unit_vectors):
        # Another article store writes this index: its vectors look like orphans from here.
        repair.skipped_orphans = (
            f"not deleting {len(before.orphan_chunk_vectors)} chunk vectors that this store "
            "does not hold: another article store also writes this index (RAG_INDEX)"
        )
        say(repair.skipped_orphans)
    elif before.orphan_chunk_vectors or before.orphan_unit_vectors:
        say(
            f"deleting {len(before.orphan_chunk_vectors)} orphan chunk vectors and "
            f"{len(before.orphan_unit_vectors)} orphan unit vectors"
        )
        vectors.delete_ids(before.orphan_chunk_vectors, before.orphan_unit_vectors)
        repair.deleted_chunk_vectors = len(before.orphan_chunk_vectors)
        repair.deleted_unit_vectors = len(before.orphan_unit_vectors)
    if before.built_with:
        say(f"the index was built with {before.built_with}; embedding it with {encoder}")
    if before.missing_vectors:
        say(f"re-embedding {len(before.missing_vectors)} articles with missing vectors")
        reembed(before.missing_vectors)
        repair.reembedded_articles = len(before.missing_vectors)
    if before.lexical_stale or repair.reembedded_articles:
        say("rebuilding the BM25 index")
        lexical.rebuild()
        repair.rebuilt_lexical = True
    if before.vocabulary_stale and clear_vocabulary:
        say("clearing the corrupt vocabulary cache (it is rebuilt on first use)")
        clear_vocabulary()
        repair.rebuilt_vocabulary = True
    repair.after = check_index(store, vectors, lexical, vocabulary)
    if encoder and repair.after.consistent:
        record_encoder(store, encoder)  # every chunk has this encoder's vectors now
        repair.after = check_index(store, vectors, lexical, vocabulary, encoder)
    return repair


def vocabulary_state(store: ArticleStore, folder: Path) -> tuple[bool, int]:
    """(corrupt, words not yet cached) for the vocabulary cache (rag.retrieve.translate).

    Words not yet cached are normal after an ingest (the cache is extended on first
    use), so only a corrupt cache (words and vectors of different lengths, unreadable
    files) counts as an inconsistency.
    """
    import numpy as np

    from rag.text.arabic import vocabulary_words

    words_file, vectors_file = folder / "words.json", folder / "vectors.npy"
    if not words_file.exists() and not vectors_file.exists():
        cached: set[str] = set()
    else:
        try:
            words = json.loads(words_file.read_text(encoding="utf-8"))
            vectors = np.load(vectors_file, mmap_mode="r")
        except (OSError, ValueError):
            return True, 0
        if len(words) != len(vectors) or _interleaved(folder, words, vectors):
            return True, 0
        cached = set(words)
    current: set[str] = set()
    for article in store.list():
        current |= vocabulary_words(article.text)
    return False, len(current - cached)


def _interleaved(folder: Path, words: list[str], vectors) -> bool:
    """The stamp was written with other words or vectors than these (two savers at once)."""
    from rag.index.vocabulary_files import consistency

    try:
        stamp = json.loads((folder / "stamp.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and "consistency" in stamp and stamp["consistency"] != consistency(words, vectors)


# -- over a Rag (one RAG_HOME) --------------------------------------------------


def _vocabulary_folder(rag) -> Path:
    return rag.vocabulary_folder


def check_rag(rag) -> IndexCheck:
    if rag.settings.chroma_url:
        # A shared store: this worker's BM25 is a cache of what any worker wrote, rebuilt on its
        # next query anyway; bring it up to date rather than report another worker's write.
        rag.lexical.refresh()
    return check_index(
        rag.store,
        rag.index_vectors,
        rag.lexical,
        lambda: vocabulary_state(rag.store, _vocabulary_folder(rag)),
        rag.embedder.name,
    )


def repair_rag(rag, say: Callable[[str], None] = lambda message: None) -> IndexRepair:
    from rag.ingest.pipeline import Ingestor

    def clear_vocabulary() -> None:
        for name in ("words.json", "vectors.npy", "skeletons.json", "docs.json", "stamp.json"):
            (_vocabulary_folder(rag) / name).unlink(missing_ok=True)

    ingestor = Ingestor(rag.store, rag.index_vectors, rag.embedder, rag.chunking)
    with rag.writer_lock("rag index repair", say):
        return repair_index(
            rag.store,
            rag.index_vectors,
            rag.lexical,
            ingestor.reembed,
            lambda: vocabulary_state(rag.store, _vocabulary_folder(rag)),
            clear_vocabulary,
            say,
            rag.embedder.name,
        )
