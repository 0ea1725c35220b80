"""Calibrate the question-coverage rules (rag.verify.coverage) on XQuAD.

    python evals/calibrate_coverage.py [--data FILE] [--questions N] [--home DIR]

Ingests every XQuAD paragraph as an article, then for N questions measures the
IDF-weighted share of question words missing (a) from the sentence holding the
gold answer and (b) from the best evidence sentence of the retrieved articles
once the question's own paragraph is set aside (what `rag ask` would cite if
that paragraph were not in the collection: usually a sentence of another
paragraph of the same Wikipedia article, a hard negative). Prints, for each
rule, the share of questions that pass in each case at several thresholds.
With English questions over Arabic paragraphs (the cross-lingual file), question
words are looked for through their translations, as `rag ask` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "qa" / "xquad_ar.jsonl"
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--home", type=Path, default=Path("/tmp/rag-calibrate-coverage"))
    args = parser.parse_args()

    from rag.app import Rag
    from rag.config import Settings
    from rag.evals.qa_data import load_qa_cases
    from rag.evals.retrieval import gold_span, ingest_contexts
    from rag.retrieve.evidence import select_evidence
    from rag.text.arabic import normalize
    from rag.text.question import Question
    from rag.text.sentences import split_sentences
    from rag.verify.coverage import GENERATED_ANSWER, QUOTED_SOURCE, question_coverage

    cases = load_qa_cases(args.data)
    rag = Rag(Settings(home=args.home))
    ids = ingest_contexts(rag, cases)
    rules = {"GENERATED_ANSWER": GENERATED_ANSWER, "QUOTED_SOURCE": QUOTED_SOURCE}
    own, other = {name: [] for name in rules}, {name: [] for name in rules}
    for case in cases[5 :: max(1, len(cases) // args.questions)][: args.questions]:
        gold = gold_span(rag, case, ids)
        text = rag.show(gold.doc_id).text
        gold_sentence = next(
            (text[s.start : s.end] for s in split_sentences(text) if s.start <= gold.start < s.end), None
        )
        passages = [p for p in rag.search(case.question, k=6) if p.doc_id != gold.doc_id]
        articles = rag.store.get_many(p.doc_id for p in passages)
        question = Question.parse(case.question)
        evidence = select_evidence(question, passages, articles, rag.vectors, rag.embedder, max_sentences=1)
        if gold_sentence is None or not evidence:
            continue
        negative = articles[evidence[0].doc_id].text[evidence[0].start : evidence[0].end]
        if normalize(case.answer) in normalize(negative):
            continue
        translations = rag.translator.word_translations(list(question.words), list(question.names))
        for name, rule in rules.items():
            own[name].append(
                question_coverage(
                    case.question, [gold_sentence], rag.embedder, rag.lexical.idf, translations, rule=rule
                )
            )
            other[name].append(
                question_coverage(case.question, [negative], rag.embedder, rag.lexical.idf, translations, rule=rule)
            )
    print(f"{len(own['QUOTED_SOURCE'])} questions; pass rate = share with missing weight <= threshold", file=sys.stderr)
    for name, rule in rules.items():
        print(
            f"{name} rule (neighbour similarity {rule.neighbour_similarity}, shared letters "
            f"{rule.shared_letters}, at most {rule.max_missing_weight} missing)"
        )
        _table(own[name], other[name])


def _table(own, other) -> None:
    def rate(cases, passes) -> str:
        return f"{sum(map(passes, cases)) / len(cases):.3f}"

    print(f"{'rule':>24} {'gold sentence':>14} {'best other':>11}")
    rules = [("every word present", lambda c: not c.missing), ("covered (rule, numbers)", lambda c: c.covered)]
    rules += [(f"missing <= {t}", lambda c, t=t: c.missing_weight <= t) for t in THRESHOLDS]
    for name, passes in rules:
        print(f"{name:>24} {rate(own, passes):>14} {rate(other, passes):>11}")


if __name__ == "__main__":
    main()
