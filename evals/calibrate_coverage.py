"""Calibrate the question-coverage threshold (rag.verify.coverage) on XQuAD.

    python evals/calibrate_coverage.py [--data FILE] [--questions N] [--home DIR]

Ingests every XQuAD paragraph as an article, then for N questions measures the
IDF-weighted share of question words missing (a) from the question's own
paragraph and (b) from the best-ranked other paragraph that does not contain the
answer (usually a paragraph of the same Wikipedia article: a hard negative).
Prints, per threshold, the share of questions that pass in each case, beside
the strict rule (every word present).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "qa" / "xquad_ar.jsonl"


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
    from rag.text.arabic import normalize
    from rag.verify.coverage import question_coverage

    cases = load_qa_cases(args.data)
    rag = Rag(Settings(home=args.home))
    ids = ingest_contexts(rag, cases)
    own, other = [], []
    for case in cases[5::max(1, len(cases) // args.questions)][:args.questions]:
        gold = gold_span(rag, case, ids)
        texts = {p.doc_id: rag.show(p.doc_id).text for p in rag.search(case.question, k=5)}
        negative = next((t for d, t in texts.items()
                         if d != gold.doc_id and normalize(case.answer) not in normalize(t)), None)
        if negative is None:
            continue
        own.append(question_coverage(case.question, [rag.show(gold.doc_id).text], rag.embedder, rag.lexical.idf))
        other.append(question_coverage(case.question, [negative], rag.embedder, rag.lexical.idf))
    print(f"{len(own)} questions; pass rate = share with missing weight <= threshold", file=sys.stderr)
    print(f"{'rule':>22} {'own paragraph':>14} {'other paragraph':>16}")
    print(f"{'every word present':>22} {sum(not c.missing for c in own) / len(own):>14.3f} "
          f"{sum(not c.missing for c in other) / len(other):>16.3f}")
    print(f"{'covered (0.3, numbers)':>22} {sum(c.covered for c in own) / len(own):>14.3f} "
          f"{sum(c.covered for c in other) / len(other):>16.3f}")
    for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        print(f"{'missing <= ' + str(threshold):>22} {sum(c.missing_weight <= threshold for c in own) / len(own):>14.3f} "
              f"{sum(c.missing_weight <= threshold for c in other) / len(other):>16.3f}")


if __name__ == "__main__":
    main()
