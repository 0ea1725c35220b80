"""Calibrate the name and number checks of English sentences over Arabic sources on NTREX.

    python evals/calibrate_names_numbers.py [--data FILE]

For every aligned Arabic/English news sentence whose English has a name
(rag.verify.names) or a number (rag.verify.support), prints how often the check
rejects the faithful translation, and how often it rejects the same English
sentence over another sentence of the same article (what it is there to catch).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "parallel" / "ntrex_ar_en_sentences.jsonl"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=0, help="print this many faithful pairs the checks reject")
    args = parser.parse_args()

    from rag.index.embeddings import make_embedder
    from rag.verify.names import candidate_names, unmatched_names
    from rag.verify.support import cited_numbers, numbers_in

    embedder = make_embedder("use-multilingual")
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    rng = random.Random(0)

    def other(row: dict) -> dict | None:
        others = [o for o in by_doc[row["doc_id"]] if o is not row]
        return rng.choice(others) if others else None

    checks = {
        "names": (lambda r: bool(candidate_names(r["en"])), lambda en, ar: bool(unmatched_names(en, ar, embedder))),
        "numbers": (lambda r: bool(numbers_in(r["en"])), lambda en, ar: bool(numbers_in(en) - cited_numbers(ar))),
    }
    print(f"{len(rows)} sentence pairs")
    for name, (applies, rejects) in checks.items():
        subject = [r for r in rows if applies(r)]
        faithful = [r for r in subject if rejects(r["en"], r["ar"])]
        pairs = [(r, o) for r in subject if (o := other(r)) is not None]
        caught = sum(rejects(r["en"], o["ar"]) for r, o in pairs)
        print(
            f"{name}: {len(subject)} English sentences with one; faithful translation rejected "
            f"{len(faithful) / len(subject):.3f}, other sentence of the article rejected {caught / len(pairs):.3f}"
        )
        for r in faithful[: args.show]:
            print(f"  {r['en']}\n  {r['ar']}", file=sys.stderr)


if __name__ == "__main__":
    main()
