"""Retrieval evaluation: recall@k, MRR and nDCG@10 against gold answer spans."""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rag.evals.metrics import mean, ndcg_at_k, recall_at_k, reciprocal_rank, span_hit
from rag.evals.qa_data import QACase, context_records
from rag.records import Passage
from rag.retrieve.hybrid import RetrievalPolicy


@dataclass(frozen=True)
class GoldSpan:
    doc_id: str
    start: int
    end: int


def ingest_contexts(rag, cases: list[QACase], progress: Callable[[int, str], None] | None = None) -> dict[str, str]:
    """Ingest each distinct context as an article; map context_id -> doc_id."""
    records = context_records(cases)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contexts.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        rag.ingest([path], source="eval", progress=progress)
    mapping: dict[str, str] = {}
    for article in rag.docs():
        if article.origin and article.origin.startswith("id:ctx-"):
            mapping[article.origin[3:]] = article.doc_id
    return mapping


def gold_span(rag, case: QACase, doc_ids: dict[str, str]) -> GoldSpan | None:
    """The gold answer span in the stored article (stored text may be the context stripped)."""
    doc_id = doc_ids.get(case.context_id)
    if doc_id is None:
        return None
    text = rag.show(doc_id).text
    shift = case.context.find(text[:64])
    start = case.answer_start - shift
    if shift < 0 or text[start:start + len(case.answer)] != case.answer:
        found = text.find(case.answer)
        if found < 0:
            return None
        start = found
    return GoldSpan(doc_id, start, start + len(case.answer))


def passage_hits(passages: list[Passage], gold: GoldSpan) -> list[bool]:
    return [p.doc_id == gold.doc_id and span_hit(p.start, p.end, gold.start, gold.end) for p in passages]


@dataclass
class RetrievalScores:
    mode: str
    cases: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float

    def to_json(self) -> dict:
        return self.__dict__.copy()


def evaluate_retrieval(rag, cases: list[QACase], doc_ids: dict[str, str], modes=("hybrid", "dense", "lexical"),
                       progress: Callable[[int], None] | None = None) -> dict[str, RetrievalScores]:
    golds = [(case, gold_span(rag, case, doc_ids)) for case in cases]
    golds = [(c, g) for c, g in golds if g is not None]
    results = {}
    for mode in modes:
        policy = replace(rag.retrieval, mode=mode)
        hits_per_case = []
        for i, (case, gold) in enumerate(golds, 1):
            hits_per_case.append(passage_hits(rag.search(case.question, k=10, policy=policy), gold))
            if progress:
                progress(i)
        results[mode] = RetrievalScores(
            mode=mode, cases=len(hits_per_case),
            recall_at_1=mean([recall_at_k(h, 1) for h in hits_per_case]),
            recall_at_5=mean([recall_at_k(h, 5) for h in hits_per_case]),
            recall_at_10=mean([recall_at_k(h, 10) for h in hits_per_case]),
            mrr=mean([reciprocal_rank(h) for h in hits_per_case]),
            ndcg_at_10=mean([ndcg_at_k(h, 10) for h in hits_per_case]),
        )
    return results
