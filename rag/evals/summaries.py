"""Summarization evaluation of `Rag.summarize`, beside a lead-N baseline.

The generated Arabic summary and the article's first N sentences are both
scored with ROUGE against the newsroom's own summary. For a translated article
whose English original is known (NTREX), the English summary is scored against
that original (ROUGE and embedding similarity), beside the first N sentences of
the original itself. Each sentence (Arabic
and English) is checked for a citation, its language and the support of each
cited span; the English summary is compared with the Arabic source across
languages by embedding similarity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from rag.evals.answers import citation_invariant_failures, supported_citations
from rag.evals.costs import case_costs, cost_metrics
from rag.evals.metrics import cosine, language_correct, mean, rouge_l, rouge_n, share
from rag.evals.results import TaskResult
from rag.evals.summary_data import SummaryCase
from rag.generate.generator import GeneratorUsage
from rag.text.sentences import split_sentences
from rag.verify.support import SupportChecker


def lead_sentences(text: str, n: int) -> str:
    """The first n sentences of the article: the classic news-summary baseline."""
    return " ".join(text[s.start : s.end] for s in split_sentences(text)[:n])


def rouge_scores(prediction: str, reference: str) -> dict[str, float]:
    return {
        "rouge1": rouge_n(prediction, reference, 1),
        "rouge2": rouge_n(prediction, reference, 2),
        "rougeL": rouge_l(prediction, reference),
    }


def evaluate_summaries(
    rag,
    cases: list[SummaryCase],
    doc_ids: dict[str, str],
    sentences: int = 3,
    advance: Callable[[str], None] | None = None,
) -> TaskResult:
    checker = SupportChecker(rag.embedder)
    records = []
    for case in cases:
        if advance:
            advance(case.title[:60])
        doc_id = doc_ids[case.case_id]
        started, usage = time.perf_counter(), replace(rag.generator.usage)
        summary = rag.summarize([doc_id], sentences=sentences)
        seconds = time.perf_counter() - started
        records.append(
            score_summary(rag, checker, case, doc_id, summary, sentences, seconds, rag.generator.usage.since(usage))
        )
    return summarize_summary_records(records, sentences)


def score_summary(
    rag,
    checker: SupportChecker,
    case: SummaryCase,
    doc_id: str,
    summary,
    sentences: int,
    seconds: float,
    usage: GeneratorUsage | None = None,
) -> dict:
    """`usage`: the model calls the summary made (drafts, translations, the title)."""
    source = rag.show(doc_id).text
    arabic = " ".join(s["text"] for s in summary.ar)
    english = " ".join(s["text"] for s in summary.en)
    lead = lead_sentences(source, sentences)
    all_sentences = [("ar", s) for s in summary.ar] + [("en", s) for s in summary.en]
    supported, pairs = supported_citations(
        checker, [(s["text"], s["citations"]) for _, s in all_sentences], summary.citations
    )
    similarity = 0.0
    if english:
        vectors = rag.text_embedder.embed_array([english, source])
        similarity = cosine(vectors[0], vectors[1])
    half = summary.halves.get("ar")
    record = {
        "id": case.case_id,
        "title": case.title,
        "doc_id": doc_id,
        "reference": case.reference,
        "ar": summary.ar,
        "en": summary.en,
        "lead": lead,
        "citations": [c.to_json() for c in summary.citations],
        "generated": rouge_scores(arabic, case.reference) if case.reference else None,
        "lead_scores": rouge_scores(lead, case.reference) if case.reference else None,
        "sentences": len(all_sentences),
        "en_sentences": len(summary.en),
        "cited_sentences": sum(1 for _, s in all_sentences if s["citations"]),
        "language_correct": sum(1 for lang, s in all_sentences if language_correct(s["text"], lang)),
        "crosslingual_similarity": similarity,
        "extractive_fallback": bool(half and half.extractive),
        "citations_total": len(summary.citations),
        "citations_broken": citation_invariant_failures(rag, summary.citations),
        "supported_pairs": supported,
        "cited_pairs": pairs,
        **case_costs(usage or GeneratorUsage(), seconds),
    }
    if case.english_reference:
        record |= english_scores(rag, english, case.english_reference, sentences)
    return record


def english_scores(rag, english: str, original: str, sentences: int) -> dict:
    """The English summary against the article's English original, beside the original's lead-N."""
    similarity = 0.0
    if english:
        vectors = rag.text_embedder.embed_array([english, original])
        similarity = cosine(vectors[0], vectors[1])
    return {
        "en_scores": rouge_scores(english, original),
        "en_lead_scores": rouge_scores(lead_sentences(original, sentences), original),
        "en_reference_similarity": similarity,
    }


def summarize_summary_records(records: list[dict], sentences: int) -> TaskResult:
    total_sentences = sum(r["sentences"] for r in records)
    citations = sum(r["citations_total"] for r in records)
    broken = sum(len(r["citations_broken"]) for r in records)
    metrics = {}
    scored = [r for r in records if r["generated"] is not None]
    parallel = [r for r in records if "en_scores" in r]
    for name in ("rouge1", "rouge2", "rougeL"):
        if scored:
            metrics[name] = mean([r["generated"][name] for r in scored])
            metrics[f"lead.{name}"] = mean([r["lead_scores"][name] for r in scored])
        if parallel:
            metrics[f"en.{name}"] = mean([r["en_scores"][name] for r in parallel])
            metrics[f"en.lead.{name}"] = mean([r["en_lead_scores"][name] for r in parallel])
    if parallel:
        metrics["en.reference_similarity"] = mean([r["en_reference_similarity"] for r in parallel])
    metrics.update(
        {
            "cited_sentence_rate": share(sum(r["cited_sentences"] for r in records), total_sentences, empty=0.0),
            "language_correct": share(sum(r["language_correct"] for r in records), total_sentences, empty=0.0),
            "english_rate": mean([float(r["en_sentences"] > 0) for r in records]),
            "crosslingual_similarity": mean([r["crosslingual_similarity"] for r in records]),
            "extractive_fallback_rate": mean([float(r["extractive_fallback"]) for r in records]),
            "citation_invariant": share(citations - broken, citations),
            "citation_precision": share(
                sum(r["supported_pairs"] for r in records), sum(r["cited_pairs"] for r in records)
            ),
            **cost_metrics(records),
        }
    )
    worst = sorted(records, key=_rouge_l)[:3]
    return TaskResult(
        name="summarization",
        type="summarization",
        metrics=metrics,
        cases=len(records),
        records=records,
        worst=[_brief(r) for r in worst],
        info={
            "sentences": sentences,
            "lead_n": sentences,
            "citations": citations,
            "replayed": sum(r["replayed"] for r in records),
        },
    )


def _rouge_l(record: dict) -> float:
    return (record["generated"] or record.get("en_scores") or {"rougeL": 0.0})["rougeL"]


def _brief(record: dict) -> dict:
    if record["generated"] is not None:
        why = f"ROUGE-L {record['generated']['rougeL']:.3f} (lead-N {record['lead_scores']['rougeL']:.3f})"
    else:
        why = f"English ROUGE-L {_rouge_l(record):.3f} against the English original"
    return {
        "id": record["id"],
        "why": why,
        "title": record["title"],
        "reference": record["reference"],
        "ar": [s["text"] for s in record["ar"]],
        "en": [s["text"] for s in record["en"]],
        "citations": [{k: c[k] for k in ("n", "doc_id", "start", "end", "quote")} for c in record["citations"]],
    }
