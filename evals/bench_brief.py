"""Briefing benchmark: seconds per stage for one real ~200-article day.

    python evals/bench_brief.py [--data FILE] [--date D] [--home DIR] [--top 10] [--model] [--listed]

Ingests the day (default ../shared/data/news/days/ant_2018-04-10.jsonl; reused when DIR
already holds it), then times each stage of `rag brief` on its own:

- clustering: document vectors, article kinds, clustering (rag.brief.stories), no model;
- ranking: the news-value score of every story (rag.brief.ranking), no model;
- clauses: the summary clauses of the top stories (embeddings), no model;
- with --model (the embedded model, RAG_LLM): clause translations and their
  verification ("summaries") and the top stories' English headlines ("headlines");
- with --listed also the listed stories' headlines (batches of 15, retries one by one).

Prints one JSON document on stdout and a table on stderr. CPU-heavy with --model: run
it alone. Uses no cache (each stage is computed afresh).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAYS = next(
    (
        b / "shared" / "data" / "news" / "days"
        for b in (ROOT.parent, ROOT.parent.parent)
        if (b / "shared" / "data").exists()
    ),
    ROOT.parent / "shared" / "data" / "news" / "days",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DAYS / "ant_2018-04-10.jsonl")
    parser.add_argument("--date", default=None, help="the day to brief (default: the most common date in --data)")
    parser.add_argument("--home", type=Path, default=Path("/tmp/rag-bench-brief"))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--model", action="store_true", help="also time the model stages (slow)")
    parser.add_argument("--listed", action="store_true", help="with --model: also the listed stories' headlines")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data at {args.data}; pass --data FILE.jsonl")
    os.environ["RAG_HOME"] = str(args.home)
    from collections import Counter

    import numpy as np

    from rag.app import Rag
    from rag.brief.briefing import clause_sources, listed_headlines
    from rag.brief.kinds import FEATURE, OPINION, classify
    from rag.brief.ranking import rank_story
    from rag.brief.stories import group_stories
    from rag.translation import translate_headline, verified_translation

    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    day = args.date or Counter(r.get("date", "")[:10] for r in rows).most_common(1)[0][0]
    rag = Rag()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if not rag.store.list(day):
        report = rag.ingest([args.data])
        print(f"ingested {len(report.added)} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    t = time.perf_counter()
    articles = rag.store.list(day)
    vectors = rag.vectors.document_vectors([a.doc_id for a in articles])
    articles = [a for a in articles if a.doc_id in vectors]
    matrix = np.stack([vectors[a.doc_id] for a in articles])
    stories = group_stories(articles, matrix)
    seconds["clustering"] = time.perf_counter() - t
    t = time.perf_counter()
    for story in stories:  # the ranking alone (group_stories already ranked once, inside "clustering")
        rank_story(story.articles, story.sources, [classify(a) for a in story.articles])
    seconds["ranking"] = time.perf_counter() - t
    news = [s for s in stories if s.kind not in (OPINION, FEATURE)]
    top = news[: args.top]
    t = time.perf_counter()
    clause_sets = [clause_sources(s, rag.embedder.embed_array) for s in top]
    seconds["clauses"] = time.perf_counter() - t
    counts = {
        "articles": len(articles),
        "stories": len(stories),
        "top": len(top),
        "clauses": sum(len(c[0]) for c in clause_sets),
    }
    if args.model:
        generator, checker = rag.generator, rag.checker
        t = time.perf_counter()
        verified = 0
        for i, (sources, _) in enumerate(clause_sets, 1):
            for s in sources:
                verified += verified_translation(" ".join(s.text.split()), [s], sources, generator, checker) is not None
            print(f"  summaries: story {i}/{len(top)} {time.perf_counter() - t:.0f} s", file=sys.stderr)
        seconds["summaries"] = time.perf_counter() - t
        t = time.perf_counter()
        headlines = sum(bool(translate_headline(s.lead.title, generator, checker)) for s in top)
        seconds["headlines"] = time.perf_counter() - t
        counts |= {"clauses_verified": verified, "headlines_verified": headlines, "model": generator.label}
        if args.listed:
            rest = news[args.top :] + [s for s in stories if s.kind in (OPINION, FEATURE)]
            t = time.perf_counter()
            listed = listed_headlines(rest, generator, checker, cache=None)
            seconds["listed_headlines"] = time.perf_counter() - t
            counts |= {"listed": len(rest), "listed_verified": sum(bool(h) for h in listed)}
    top_seconds = sum(v for k, v in seconds.items() if k != "listed_headlines")
    result = {
        "date": day,
        "counts": counts,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "top_stories_seconds": round(top_seconds, 1),
        "target_seconds": 300,
    }
    for stage, value in seconds.items():
        print(f"{stage:>18}: {value:8.2f} s", file=sys.stderr)
    print(f"{'top stories total':>18}: {top_seconds:8.2f} s (target < 300 s)", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
