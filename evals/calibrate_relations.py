"""How often the who-did-what checks (rag.verify.relations) reject faithful translations, and
how often they catch systematic edits of them, on NTREX (professional English for each Arabic
sentence, sentence-aligned).

Edits made here (for calibration; the labelled claims sets under evals/datasets are the test):
- swap: two names of one English clause exchanged ("A asked B" -> "B asked A");
- identity: a name of the sentence given the role word of another part of it;
- attribution: ", according to the Ministry of Tourism" (or another body the source lacks) added;
- addition: a content word of another sentence of the same document inserted as an adjective.

    .venv/bin/python evals/calibrate_relations.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "parallel" / "ntrex_ar_en_sentences.jsonl"
BODIES = ["the Ministry of Tourism", "the Interior Ministry", "the United Nations", "the police", "the army"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=600)
    args = parser.parse_args()
    from rag.index.embeddings import make_embedder
    from rag.verify import relations
    from rag.verify.support import SupportChecker

    embedder = make_embedder("use-multilingual")
    checker = SupportChecker(embedder)
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    random.seed(7)
    rows = random.sample(rows, min(args.limit, len(rows)))
    checks = {
        "identity": lambda en, ar: relations.unlinked_identity(en, ar),
        "order": lambda en, ar: relations.swapped_order(en, ar),
        "attribution": lambda en, ar: relations.unsupported_attribution(en, ar, embedder),
        "words": lambda en, ar: ", ".join(relations.unaligned_words(en, ar, embedder)) or None,
        "checker": lambda en, ar: None if checker.check(en, [ar]).supported else checker.check(en, [ar]).reason,
    }
    faithful = dict.fromkeys(checks, 0)
    examples: dict[str, list] = {name: [] for name in checks}
    for row in rows:
        for name, check in checks.items():
            reason = check(row["en"], row["ar"])
            if reason:
                faithful[name] += 1
                if len(examples[name]) < 4:
                    examples[name].append((row["en"][:120], reason))
    print(f"{len(rows)} faithful NTREX pairs: share rejected by each check")
    for name in checks:
        print(f"  {name:12s} {faithful[name] / len(rows):.3f}")
        for en, reason in examples[name]:
            print(f"      {en!r}: {reason}")
    edits = {"swap": swap_edits(rows), "attribution": attribution_edits(rows), "other sentence": other_sentences(rows)}
    print("edits: share caught by the whole checker (SupportChecker.check)")
    for kind, pairs in edits.items():
        caught = sum(not checker.check(en, [ar]).supported for en, ar in pairs)
        print(f"  {kind:12s} {caught}/{len(pairs)} = {caught / max(len(pairs), 1):.3f}")


def swap_edits(rows) -> list[tuple[str, str]]:
    from rag.verify.relations import _names

    out = []
    for row in rows:
        names = _names(row["en"])
        if len(names) < 2:
            continue
        a, b = names[0], names[1]
        between = row["en"][a.end : b.start]
        if re.search(r"[,;:\"]", between) or len(between.split()) < 1:
            continue
        en = row["en"]
        swapped = en[: a.start] + en[b.start : b.end] + between + en[a.start : a.end] + en[b.end :]
        out.append((swapped, row["ar"]))
    return out


def other_sentences(rows) -> list[tuple[str, str]]:
    """Another sentence of the same document, over this one's Arabic: what a misread citation looks like."""
    by_doc: dict[str, list] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    return [
        (others[0]["en"], row["ar"]) for row in rows if (others := [o for o in by_doc[row["doc_id"]] if o is not row])
    ]


def attribution_edits(rows) -> list[tuple[str, str]]:
    out = []
    for i, row in enumerate(rows):
        en = row["en"].rstrip(". ")
        if "according to" in en.lower():
            continue
        out.append((f"{en}, according to {BODIES[i % len(BODIES)]}.", row["ar"]))
    return out


if __name__ == "__main__":
    sys.exit(main())
