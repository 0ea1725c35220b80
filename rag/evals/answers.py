"""QA evaluation of `Rag.ask`: answer quality, citations, refusals and cost.

Answerable cases are scored against the gold answer (in the answer's language:
English references for English answers when the data has them) and against the
gold span (does a citation contain it?). Unanswerable cases ask about a
paragraph that was never ingested: the only right answer is "not found",
with `grounded` false.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from rag.evals.costs import case_costs, cost_metrics
from rag.evals.metrics import (
    best_over_golds,
    citation_holds,
    contains_answer,
    exact_match,
    mean,
    share,
    span_hit,
    strip_markers,
    token_f1,
)
from rag.evals.qa_data import QACase
from rag.evals.results import TaskResult
from rag.evals.retrieval import gold_span
from rag.generate.generator import GeneratorUsage
from rag.verify.support import SupportChecker


def citation_invariant_failures(rag, citations) -> list[dict]:
    """Citations whose quote is not exactly the stored text at [start, end)."""
    failures = []
    texts: dict[str, str | None] = {}
    for c in citations:
        if c.doc_id not in texts:
            article = rag.store.get(c.doc_id)
            texts[c.doc_id] = article.text if article else None
        if not citation_holds(texts[c.doc_id], c.start, c.end, c.quote):
            failures.append({"n": c.n, "doc_id": c.doc_id, "start": c.start, "end": c.end, "quote": c.quote})
    return failures


def supported_citations(checker: SupportChecker, sentences, citations) -> tuple[int, int]:
    """(supported, total) over every (sentence, cited span) pair: does that one span support the sentence?"""
    quotes = {c.n: c.quote for c in citations}
    supported = total = 0
    for text, numbers in sentences:
        for n in numbers:
            total += 1
            if n in quotes and checker.check(text, [quotes[n]]).supported:
                supported += 1
    return supported, total


def evaluate_answers(
    rag, cases: list[QACase], doc_ids: dict[str, str], k: int = 5, advance: Callable[[str], None] | None = None
) -> TaskResult:
    checker = SupportChecker(rag.embedder)
    records = []
    for case in cases:
        if advance:
            advance(case.question[:60])
        started, usage = time.perf_counter(), replace(rag.generator.usage)
        answer = rag.ask(case.question, k=k)
        seconds = time.perf_counter() - started
        records.append(score_answer(rag, checker, case, answer, doc_ids, seconds, rag.generator.usage.since(usage)))
    return summarize_answer_records(records)


def score_answer(
    rag,
    checker: SupportChecker,
    case: QACase,
    answer,
    doc_ids: dict[str, str],
    seconds: float,
    usage: GeneratorUsage | None = None,
) -> dict:
    """`usage`: the model calls the answer made (the draft, yes/no asks, fallback translations)."""
    text = strip_markers(answer.answer)
    golds = case.golds(answer.lang)
    broken = citation_invariant_failures(rag, answer.citations)
    supported, pairs = supported_citations(checker, answer.sentences, answer.citations)
    record = {
        "id": case.case_id,
        "question": case.question,
        "question_lang": case.question_lang,
        "lang": answer.lang,
        "answerable": case.answerable,
        "gold": golds[0] if case.answerable else "",
        "answer": answer.answer,
        "grounded": answer.grounded,
        "citations": [c.to_json() for c in answer.citations],
        "citations_total": len(answer.citations),
        "citations_broken": broken,
        "supported_pairs": supported,
        "cited_pairs": pairs,
        **case_costs(usage or GeneratorUsage(), seconds),
    }
    if case.answerable:
        gold = gold_span(rag, case, doc_ids)
        record.update(
            exact_match=best_over_golds(exact_match, text, golds) if answer.grounded else 0.0,
            token_f1=best_over_golds(token_f1, text, golds) if answer.grounded else 0.0,
            contains_gold=best_over_golds(contains_answer, text, golds) if answer.grounded else 0.0,
            # Only an answer counts: the evidence an ungrounded answer quotes in the original is no answer.
            citation_hit=float(
                answer.grounded
                and gold is not None
                and any(
                    c.doc_id == gold.doc_id and span_hit(c.start, c.end, gold.start, gold.end) for c in answer.citations
                )
            ),
            evidence_hit=float(
                not answer.grounded
                and gold is not None
                and any(
                    c.doc_id == gold.doc_id and span_hit(c.start, c.end, gold.start, gold.end) for c in answer.citations
                )
            ),
            mode=answer.mode,
        )
    else:
        record["refused"] = float(not answer.grounded)
    return record


def is_wrong(record: dict) -> bool:
    """An answered answerable case that is wrong by the gold data, not by our checker: no citation
    contains the gold span and the answer does not contain the gold answer."""
    return bool(record["grounded"]) and not record["citation_hit"] and not record["contains_gold"]


def precision_metrics(records: list[dict]) -> dict[str, float]:
    """Judged by the gold data alone (independent of SupportChecker), over answered answerable cases:
    `wrong_rate` = wrong / answered, `selective_precision` = right / answered (right: a citation
    contains the gold span or the answer contains the gold answer). With nothing answered nothing
    printed was wrong: wrong_rate 0, selective_precision 1 (answered_rate says how little was printed)."""
    answered = [r for r in records if r["answerable"] and r["grounded"]]
    wrong = sum(is_wrong(r) for r in answered)
    return {
        "wrong_rate": share(wrong, len(answered), empty=0.0),
        "selective_precision": share(len(answered) - wrong, len(answered)),
    }


def quality_metrics(records: list[dict]) -> dict[str, float]:
    """The answer-quality metrics of one group of cases (all, or one question language)."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    metrics: dict[str, float] = {}
    if answerable:
        metrics.update(
            exact_match=mean([r["exact_match"] for r in answerable]),
            token_f1=mean([r["token_f1"] for r in answerable]),
            contains_gold=mean([r["contains_gold"] for r in answerable]),
            answered_rate=mean([float(r["grounded"]) for r in answerable]),
            citation_hit_rate=mean([r["citation_hit"] for r in answerable]),
            **precision_metrics(answerable),
        )
    if unanswerable:
        metrics["unanswerable_accuracy"] = mean([r["refused"] for r in unanswerable])
    return metrics


def summarize_answer_records(records: list[dict]) -> TaskResult:
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    citations = sum(r["citations_total"] for r in records)
    broken = sum(len(r["citations_broken"]) for r in records)
    pairs = sum(r["cited_pairs"] for r in records)
    metrics = {
        **quality_metrics(records),
        "citation_invariant": share(citations - broken, citations),
        # A self-check: the checker that filtered the answer agreeing with itself, not a quality measure.
        "citation_precision": share(sum(r["supported_pairs"] for r in records), pairs),
        **cost_metrics(records),
    }
    languages = sorted({_question_lang(r) for r in records})
    if len(languages) > 1:
        for lang in languages:
            group = quality_metrics([r for r in records if _question_lang(r) == lang])
            metrics.update({f"{lang}.{name}": value for name, value in group.items()})
    return TaskResult(
        name="qa",
        type="qa",
        metrics=metrics,
        cases=len(records),
        records=records,
        worst=worst_answers(records),
        info={
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "citations": citations,
            "cited_pairs": pairs,
            "replayed": sum(r["replayed"] for r in records),
            "answered": sum(bool(r["grounded"]) for r in answerable),
            "wrong": sum(is_wrong(r) for r in answerable),
        },
    )


def _question_lang(record: dict) -> str:
    return record.get("question_lang") or record["lang"]


def _badness(record: dict) -> tuple:
    if record["citations_broken"]:
        return (0,)
    if not record["answerable"]:
        return (1 if record["grounded"] else 9,)
    if is_wrong(record):  # wrong but cited is worse than "not found"
        return (2, record["token_f1"])
    if not record["grounded"]:
        return (3,)
    right = record["citation_hit"] + record["contains_gold"]
    return (3.5 if right < 2 else 5, record["token_f1"])


def worst_answers(records: list[dict], limit: int = 5) -> list[dict]:
    ranked = sorted(records, key=_badness)
    return [_brief(r) for r in ranked[:limit] if _badness(r) < (4,)]


def _brief(record: dict) -> dict:
    why = []
    if record["citations_broken"]:
        why.append("citation invariant broken")
    if record["answerable"]:
        if not record["grounded"]:
            why.append("answered 'not found'")
        else:
            if not record["citation_hit"]:
                why.append("no citation contains the gold span")
            if not record["contains_gold"]:
                why.append("gold answer not in the answer")
    elif record["grounded"]:
        why.append("answered an unanswerable question")
    return {
        "id": record["id"],
        "why": "; ".join(why),
        "question": record["question"],
        "gold": record["gold"],
        "answer": record["answer"],
        "citations": [
            {"n": c["n"], "doc_id": c["doc_id"], "start": c["start"], "end": c["end"], "quote": c["quote"]}
            for c in record["citations"]
        ],
    }
