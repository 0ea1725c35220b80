"""Unit vectors are fetched by id, and by a metadata filter only for long chunks: same result."""

from __future__ import annotations

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from rag.index.vectors import ChunkVectors
from rag.records import Article, Chunk


class Named:
    name = "test-embedder"


def test_units_of_long_and_short_chunks_come_whole_and_in_order(tmp_path):
    client = chromadb.PersistentClient(path=str(tmp_path), settings=ChromaSettings(anonymized_telemetry=False))
    vectors = ChunkVectors(client, Named())
    long_units = tuple((i * 10, i * 10 + 9) for i in range(ChunkVectors.UNITS_BY_ID + 5))
    article = Article(doc_id="d1", title="t", text="x" * 400)
    chunks = [
        Chunk("d1:0", "d1", 0, 0, 250, "x" * 250, long_units),
        Chunk("d1:1", "d1", 1, 250, 290, "x" * 40, ((250, 260), (260, 290))),
    ]
    rows = np.random.default_rng(0).normal(size=(len(long_units) + 2, 8)).astype(np.float32)
    vectors.add_many([(article, chunks, rows)])
    spans = vectors.unit_spans(["d1:1", "d1:0"])
    assert [(s, e) for _, s, e, _ in spans] == [*long_units, (250, 260), (260, 290)]
    assert np.allclose(np.stack([v for *_, v in spans]), rows, atol=1e-6)
    by_filter = vectors._units.get(where={"chunk_id": {"$in": ["d1:0", "d1:1"]}}, include=[])["ids"]
    assert [i for i, _, _ in vectors._units_of(["d1:0", "d1:1"])] == by_filter
    grouped = vectors.unit_vectors(["d1:0", "d1:1", "missing:0"])
    assert set(grouped) == {"d1:0", "d1:1"} and grouped["d1:0"].shape == (len(long_units), 8)
    assert vectors.query_units(rows[0], 100)[0].chunk_id == "d1:0"  # k above the count: fewer
    assert ChunkVectors(client, Named(), namespace="empty").query_chunks(rows[0], 5) == []
