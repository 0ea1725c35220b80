"""Calibrate a yes/no entailment ask for English sentences over Arabic sources, on NTREX.

    python evals/calibrate_entailment.py [--data FILE] [--pairs N] [--work DIR]

The support check lets through an English sentence that keeps a source's names
and numbers but changes what it says (the seed's English summary: "Kerry
announced that the US and Russia will not negotiate a military alliance" over a
sentence saying no progress was made since Kerry met Lavrov). This measures
whether the default model, asked "does the Arabic sentence say what the English
claims?" (prompts entails.*), tells a faithful translation from the same English
over another sentence of the same article that shares a name with it (the hard
case), by P(yes) read from its first token. Asks are cached under --work.
Progress on stderr; one JSON line on stdout. Not used by `rag` yet.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "parallel" / "ntrex_ar_en_sentences.jsonl"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-calibrate-entailment"))
    args = parser.parse_args()

    from rag.app import Rag
    from rag.config import Settings
    from rag.evals.metrics import mean
    from rag.evals.runner import TrackingCache
    from rag.generate.generator import YES_NO_LABELS, yes_share
    from rag.index.embeddings import make_embedder
    from rag.prompting import load_prompt
    from rag.verify.names import candidate_names, unmatched_names

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    embedder = make_embedder("use-multilingual")
    pairs = _name_sharing_pairs(rows, args.pairs, candidate_names, lambda en, ar: not unmatched_names(en, ar, embedder))
    generator = Rag(Settings(home=args.work / "home"), completion_cache=TrackingCache(args.work / "asks")).generator
    system = load_prompt("entails.system").render()

    def ask(arabic: str, english: str) -> float | None:
        user = load_prompt("entails.user").render(arabic=arabic, english=english)
        return yes_share(generator.choose(system, user, YES_NO_LABELS))

    faithful, other = [], []
    for i, (row, negative) in enumerate(pairs, 1):
        faithful.append(ask(row["ar"], row["en"]))
        other.append(ask(negative["ar"], row["en"]))
        print(f"{i}/{len(pairs)} faithful={faithful[-1]:.2f} other={other[-1]:.2f}", file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "model": generator.label,
                "pairs": len(pairs),
                "median_yes_faithful": statistics.median(faithful),
                "median_yes_other": statistics.median(other),
                **{f"yes_at_{t}_faithful": mean([p >= t for p in faithful]) for t in (0.5, 0.7)},
                **{f"yes_at_{t}_other": mean([p >= t for p in other]) for t in (0.5, 0.7)},
                "ranked_faithful_above_other": mean([f > o for f, o in zip(faithful, other)]),
            }
        )
    )


def _name_sharing_pairs(rows: list[dict], n: int, names, names_found) -> list[tuple[dict, dict]]:
    """Up to `n` (sentence, other sentence of its article whose Arabic has one of the English's
    names): the other sentence passes the name check, as the seed's misread one did."""
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    rng = random.Random(0)
    pairs = []
    for row in rng.sample(rows, len(rows)):
        if not names(row["en"]):
            continue
        others = [o for o in by_doc[row["doc_id"]] if o is not row and names_found(row["en"], o["ar"])]
        if others:
            pairs.append((row, rng.choice(others)))
        if len(pairs) == n:
            break
    return pairs


if __name__ == "__main__":
    main()
