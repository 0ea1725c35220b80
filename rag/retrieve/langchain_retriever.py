"""Hybrid retrieval as a LangChain retriever: `Rag(...).as_retriever(k=5)`.

Each Document's page_content is exactly article.text[start:end]; metadata
carries doc_id, start, end, title, date, source and the fused score.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class RagRetriever(BaseRetriever):
    rag: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=p.text,
                metadata={
                    "doc_id": p.doc_id,
                    "start": p.start,
                    "end": p.end,
                    "title": p.title,
                    "date": p.date,
                    "source": p.source,
                    "score": p.score,
                },
            )
            for p in self.rag.search(query, k=self.k)
        ]
