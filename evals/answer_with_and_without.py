"""Ask XQuAD questions with their paragraph in the collection, and again with it left out.

    python evals/answer_with_and_without.py [--data FILE] [--questions N] [--offset K] [--work DIR]

The first run measures answers (citation includes the gold span, answer contains
the gold text, grounded; wrong = grounded with neither, the worst outcome, as
`wrong_rate` of answered ones; `selective_precision` = right / answered); the second, over every other paragraph (same-article
siblings included: hard negatives), measures how often a question the
collection cannot answer still gets a grounded answer. A check that only
raises the first number by loosening the second is no gain; this prints both.
Generator outputs are cached under --work, so reruns after a change to
verification replay in seconds. Progress on stderr; one JSON line on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    from rag.evals.held_out import sample_from_command_line
    from rag.evals.metrics import contains_answer, mean
    from rag.evals.retrieval import gold_span

    args, sample = sample_from_command_line(__doc__.splitlines()[0], Path("/tmp/rag-answer-with-and-without"))
    cases, with_paragraph, without, ids = sample.cases, sample.with_paragraph, sample.without, sample.doc_ids

    hits, contains, grounded, false_grounded, invariant, seconds = [], [], [], [], [], []
    for i, case in enumerate(cases, 1):
        gold = gold_span(with_paragraph, case, ids)
        started, generated = time.perf_counter(), sample.cache.generated
        answer = with_paragraph.ask(case.question)
        if sample.cache.generated > generated:  # the model ran (not all of it replayed)
            seconds.append(time.perf_counter() - started)
        hits.append(
            answer.grounded
            and any(c.doc_id == gold.doc_id and c.start <= gold.start and gold.end <= c.end for c in answer.citations)
        )
        contains.append(contains_answer(answer.answer, case.answer) if answer.grounded else 0.0)
        grounded.append(answer.grounded)
        refused = without.ask(case.question)
        false_grounded.append(refused.grounded)
        for rag, a in ((with_paragraph, answer), (without, refused)):
            invariant.extend(rag.show(c.doc_id).text[c.start : c.end] == c.quote for c in a.citations)
        print(
            f"{i}/{len(cases)} hit={hits[-1]} grounded={answer.grounded} "
            f"answered without its paragraph={refused.grounded}",
            file=sys.stderr,
            flush=True,
        )
    right = [bool(h or c) for h, c in zip(hits, contains)]
    answered = sum(grounded)
    wrong = sum(g and not r for g, r in zip(grounded, right))
    print(
        json.dumps(
            {
                "questions": len(cases),
                "offset": args.offset,
                "citation_hit": mean(hits),
                "answered_right": mean([float(r) for r in right]),
                "wrong_rate": wrong / answered if answered else 0.0,
                "selective_precision": sum(right) / answered if answered else 1.0,
                "contains_answer": mean(contains),
                "grounded": mean(grounded),
                "answered_without_paragraph": mean(false_grounded),
                "citation_invariant": mean(invariant) if invariant else 1.0,
                "seconds_per_generated_answer": mean(seconds) if seconds else None,
            }
        )
    )


if __name__ == "__main__":
    main()
