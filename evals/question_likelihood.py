"""Which shown sentence answers an XQuAD question, by query likelihood: log P(question | sentence).

    python evals/question_likelihood.py [--data FILE] [--questions N] [--offset K] [--work DIR] [--model GGUF]

For each question, the evidence sentences `rag ask` would show are scored by the local
model: given the sentence (after the one before it) and told to write the question it
answers, how likely is the question, summed over its tokens (the zero-shot re-ranker of
Sachan et al. 2022, per sentence). Prints how often the best sentence is the gold one by the
evidence score, by the likelihood, and by the likelihood plus W x the evidence score.
Progress on stderr; results in the table on stdout. Measured in evals/README.md ("Query
likelihood"); not used by `rag ask`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

SYSTEM = "اكتب السؤال الذي يجيب عنه النص."  # "Write the question that the text answers."
WEIGHTS = (0, 5, 10, 20, 40)


def main() -> None:
    from langchain_core.messages import HumanMessage, SystemMessage
    from llama_cpp import Llama

    from rag.evals.held_out import add_sample_arguments, held_out_sample
    from rag.evals.retrieval import gold_span
    from rag.generate.providers import _chat_prompt
    from rag.verify.sources import number_evidence

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, Path("/tmp/rag-question-likelihood"))
    parser.add_argument("--model", type=Path, required=True, help="a GGUF, e.g. the cached qwen2.5-1.5b.gguf")
    args = parser.parse_args()
    sample = held_out_sample(args)
    rag = sample.with_paragraph
    # Every position's logits kept (logits_all): the question's tokens are scored in one pass.
    llama = Llama(model_path=str(args.model), n_ctx=1024, logits_all=True, verbose=False)

    def log_probability(passage: str, question: str) -> float:
        prompt = llama.tokenize(
            _chat_prompt(llama, [SystemMessage(SYSTEM), HumanMessage(passage)]).encode(), add_bos=True, special=True
        )
        reply = llama.tokenize(question.encode(), add_bos=False, special=False)
        llama.reset()
        llama.eval(prompt + reply)
        logits = llama.scores[len(prompt) - 1 : len(prompt) + len(reply) - 1].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        return float(sum(row[t] - np.log(np.exp(row).sum()) for row, t in zip(logits, reply)))

    rows, started = [], time.perf_counter()
    for i, case in enumerate(sample.cases, 1):
        gold = gold_span(rag, case, sample.doc_ids)
        found = rag.gather(case.question)
        sources = number_evidence(found.evidence, found.articles)
        scored = [
            (
                s.doc_id == gold.doc_id and s.start <= gold.start and gold.end <= s.end,
                e.score,
                log_probability(s.in_context(), case.question),
            )
            for s, e in zip(sources, found.evidence)
        ]
        rows.append(scored)
        print(f"{i}/{len(sample.cases)} {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    def top1(key) -> float:
        return sum(bool(r) and max(r, key=key)[0] for r in rows) / len(rows)

    print(f"| gold sentence first, {len(rows)} questions (offset {args.offset}) | share |\n|---|---:|")
    print(f"| best evidence score | {top1(lambda r: r[1]):.2f} |")
    for w in WEIGHTS:
        print(f"| log P(question \\| sentence) + {w} x evidence score | {top1(lambda r, w=w: r[2] + w * r[1]):.2f} |")
    print(f"seconds per question: {(time.perf_counter() - started) / len(rows):.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
