"""How well the model chooses the answering sentence by token probability, with and without its paragraph.

    python evals/choose_sentence.py [--data FILE] [--questions N] [--offset K] [--work DIR]

Each XQuAD question gets the evidence sentences `rag ask` would show (numbered), and
the model is asked which one answers it; instead of reading its reply, the
next-token probabilities over the numbers are read (Generator.choose: llama.cpp
logits, or an OpenAI-compatible server's top_logprobs). Printed against the gold
sentence: how often the most probable number is it, how often the best-scored
evidence sentence is, and both combined (probability x exp(w x evidence score)).
The same questions are asked again with their paragraph left out, to see whether
the choice's confidence tells an answerable question from one the collection
cannot answer. Choices are cached under --work. Progress on stderr; one JSON line
on stdout.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

EVIDENCE_WEIGHT = 2.0  # w above
CONFIDENT = 0.5  # a choice this confident is counted on both sides
PREFILL = "["  # sources are shown as "[n] sentence": the reply starts at the number


def main() -> None:
    from rag.evals.held_out import sample_from_command_line
    from rag.evals.metrics import mean
    from rag.evals.retrieval import gold_span

    args, sample = sample_from_command_line(__doc__.splitlines()[0], Path("/tmp/rag-choose-sentence"))
    cases, with_paragraph, without, ids = sample.cases, sample.with_paragraph, sample.without, sample.doc_ids

    rows, seconds = [], []
    for i, case in enumerate(cases, 1):
        gold = gold_span(with_paragraph, case, ids)
        answerable = choose(with_paragraph, case.question)
        unanswerable = choose(without, case.question)
        seconds.extend(c["seconds"] for c in (answerable, unanswerable) if c and not c["cached"])
        gold_number = next(
            (
                n
                for n, s in enumerate(answerable["sources"] if answerable else [], 1)
                if s.doc_id == gold.doc_id and s.start <= gold.start and gold.end <= s.end
            ),
            None,
        )
        rows.append({"gold": gold_number, "with": answerable, "without": unanswerable})
        print(
            f"{i}/{len(cases)} gold={gold_number} chosen={answerable and answerable['chosen']} "
            f"confidence={answerable and round(answerable['confidence'], 2)} "
            f"without={unanswerable and round(unanswerable['confidence'], 2)}",
            file=sys.stderr,
            flush=True,
        )

    def accuracy(key: str) -> float:
        return mean([bool(r["with"]) and r["with"][key] == r["gold"] for r in rows])

    def confidences(side: str) -> list[float]:
        return [r[side]["confidence"] for r in rows if r[side]]

    print(
        json.dumps(
            {
                "questions": len(cases),
                "offset": args.offset,
                "model": with_paragraph.generator.label,
                "gold_shown": mean([r["gold"] is not None for r in rows]),
                "chosen_is_gold": accuracy("chosen"),
                "best_evidence_is_gold": accuracy("best_evidence"),
                "chosen_weighted_is_gold": accuracy("weighted"),
                "median_confidence_answerable": statistics.median(confidences("with") or [0]),
                "median_confidence_unanswerable": statistics.median(confidences("without") or [0]),
                f"confident_{CONFIDENT}_answerable": mean([c >= CONFIDENT for c in confidences("with")]),
                f"confident_{CONFIDENT}_unanswerable": mean([c >= CONFIDENT for c in confidences("without")]),
                "seconds_per_choice": mean(seconds) if seconds else None,
            }
        )
    )


def choose(rag, question: str) -> dict | None:
    """The model's choice among the evidence sentences `rag ask` would number, or None."""
    from rag.prompting import load_prompt
    from rag.verify.sources import number_evidence, render_sources

    found = rag.gather(question)
    sources = number_evidence(found.evidence, found.articles)
    if len(sources) < 2:
        return None
    user = load_prompt("choose.user").render(sources=render_sources(sources), question=question.strip())
    choice = rag.generator.choose(load_prompt("choose.system").render(), user, len(sources), prefill=PREFILL)
    if choice is None:
        return None
    scores = [e.score for e in found.evidence]
    weighted = [p * math.exp(EVIDENCE_WEIGHT * s) for p, s in zip(choice.probabilities, scores)]
    return {
        "sources": sources,
        "chosen": choice.number,
        "confidence": choice.confidence,
        "best_evidence": max(range(len(scores)), key=scores.__getitem__) + 1,
        "weighted": max(range(len(weighted)), key=weighted.__getitem__) + 1,
        "seconds": choice.seconds,
        "cached": choice.cached,
    }


if __name__ == "__main__":
    main()
