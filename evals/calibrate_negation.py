"""Calibrate the negation check (rag.verify.support.negation_unsupported) on NTREX.

    python evals/calibrate_negation.py [--data FILE]

For every aligned Arabic/English news sentence whose English negates, prints how
often the check would reject the faithful translation (its Arabic has no
negation marker) and how often it would reject the same English sentence over
another sentence of the same article (what it is there to catch).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "parallel" / "ntrex_ar_en_sentences.jsonl"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    from rag.verify.support import _ENGLISH_NEGATION, negation_unsupported

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    negated = [r for r in rows if _ENGLISH_NEGATION.search(r["en"])]
    faithful_rejected = sum(negation_unsupported(r["en"], r["ar"]) for r in negated)
    rng = random.Random(0)
    pairs = [(r, [o for o in by_doc[r["doc_id"]] if o is not r]) for r in negated]
    pairs = [(r, others) for r, others in pairs if others]
    caught = sum(negation_unsupported(r["en"], rng.choice(others)["ar"]) for r, others in pairs)
    print(f"{len(rows)} sentence pairs, {len(negated)} with a negated English side")
    print(f"faithful translation rejected: {faithful_rejected / len(negated):.3f}")
    print(f"other sentence of the article rejected: {caught / len(pairs):.3f}")


if __name__ == "__main__":
    main()
