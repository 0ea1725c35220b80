"""Retrieval evaluation: recall@k, MRR and nDCG@10 against gold answer spans."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rag.evals.metrics import first_hit_rank, mean, ndcg_at_k, recall_at_k, reciprocal_rank, span_hit
from rag.evals.qa_data import QACase, context_records
from rag.records import Passage


@dataclass(frozen=True)
class GoldSpan:
    doc_id: str
    start: int
    end: int


def ingest_contexts(rag, cases: list[QACase], progress: Callable[[int, str], None] | None = None) -> dict[str, str]:
    """Ingest each distinct context of an answerable case as an article; map context_id -> doc_id.

    Contexts of unanswerable cases are never ingested: that is what makes them unanswerable.
    """
    records = context_records([c for c in cases if c.answerable])
    if records:
        ingest_records(rag, records, source="eval", progress=progress)
    mapping: dict[str, str] = {}
    for article in rag.docs():
        if article.origin and article.origin.startswith("id:ctx-"):
            mapping[article.origin[3:]] = article.doc_id
    return mapping


def ingest_records(rag, records: list[dict], source: str, progress=None):
    """Ingest article records (id, title, text, …) through the product's own JSONL reader."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        return rag.ingest([path], source=source, progress=progress)


def gold_span(rag, case: QACase, doc_ids: dict[str, str]) -> GoldSpan | None:
    """The gold answer span in the stored article (stored text may be the context stripped)."""
    doc_id = doc_ids.get(case.context_id)
    if doc_id is None:
        return None
    text = rag.show(doc_id).text
    shift = case.context.find(text[:64])
    start = case.answer_start - shift
    if shift < 0 or text[start : start + len(case.answer)] != case.answer:
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

    def metrics(self) -> dict[str, float]:
        """Metric name -> value, prefixed by the mode (e.g. "hybrid.recall_at_5")."""
        return {f"{self.mode}.{k}": v for k, v in self.__dict__.items() if k not in ("mode", "cases")}


def scores_from_hits(mode: str, hits_per_case: list[list[bool]]) -> RetrievalScores:
    return RetrievalScores(
        mode=mode,
        cases=len(hits_per_case),
        recall_at_1=mean([recall_at_k(h, 1) for h in hits_per_case]),
        recall_at_5=mean([recall_at_k(h, 5) for h in hits_per_case]),
        recall_at_10=mean([recall_at_k(h, 10) for h in hits_per_case]),
        mrr=mean([reciprocal_rank(h) for h in hits_per_case]),
        ndcg_at_10=mean([ndcg_at_k(h, 10) for h in hits_per_case]),
    )


@dataclass
class RetrievalRun:
    scores: dict[str, RetrievalScores]
    records: list[dict]  # per case: question, gold, rank per mode, the top hybrid passage
    without_gold: int  # cases whose gold answer is not in the stored article (not scored)


def run_retrieval(
    rag,
    cases: list[QACase],
    doc_ids: dict[str, str],
    modes=("hybrid", "dense", "lexical"),
    k: int = 10,
    advance: Callable[[], None] | None = None,
) -> RetrievalRun:
    """Search every case in every mode to depth k and score the ranks of the gold span.

    k is the search depth: recall@5 of a run with k=1 is recall@1.
    """
    golds = [(case, gold_span(rag, case, doc_ids)) for case in cases]
    scored = [(c, g) for c, g in golds if g is not None]
    records = [
        {
            "id": c.case_id,
            "question": c.question,
            "lang": c.question_lang,
            "gold": c.answer,
            "doc_id": g.doc_id,
            "gold_start": g.start,
            "gold_end": g.end,
            "rank": {},
        }
        for c, g in scored
    ]
    scores = {}
    for mode in modes:
        policy = replace(rag.retrieval, mode=mode)
        hits_per_case = []
        for (case, gold), record in zip(scored, records):
            passages = rag.search(case.question, k=k, policy=policy)
            hits = passage_hits(passages, gold)
            hits_per_case.append(hits)
            record["rank"][mode] = first_hit_rank(hits)
            if mode == modes[0] and passages:
                top = passages[0]
                record["top"] = {"doc_id": top.doc_id, "start": top.start, "end": top.end, "text": top.text[:300]}
            if advance:
                advance()
        scores[mode] = scores_from_hits(mode, hits_per_case)
    return RetrievalRun(scores=scores, records=records, without_gold=len(golds) - len(scored))
