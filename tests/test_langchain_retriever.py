"""The hybrid retriever through LangChain's retriever interface (real Chroma, real embedder)."""

from __future__ import annotations

from langchain_core.documents import Document

from rag.app import Rag
from tests.helpers import SEEDS


def test_langchain_retriever_returns_exact_spans():
    rag = Rag()
    rag.ingest([SEEDS])
    documents = rag.as_retriever(k=3).invoke("Who is the Pentagon spokesman?")
    assert documents and all(isinstance(d, Document) for d in documents)
    for d in documents:
        text = rag.show(d.metadata["doc_id"]).text
        assert d.page_content == text[d.metadata["start"] : d.metadata["end"]]
    assert any("بيتر كوك" in d.page_content for d in documents)
