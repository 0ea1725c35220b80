"""Search latency benchmark: hybrid vs dense-only vs BM25-only on the same index.

    python evals/bench_search.py [--data FILE] [--articles N] [--queries Q] [--home DIR]

Ingests N articles (default 1000, from ../shared/data/scale/ant_scale_5000.jsonl) into
DIR (reused if it already holds them), then times Q queries (headlines of articles not in
the index, Arabic, plus their first sentence) per mode and prints p50/p95 milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from rag.evals.costs import search_milliseconds
from rag.evals.metrics import percentile

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "scale" / "ant_scale_5000.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--home", type=Path, default=Path("/tmp/rag-bench-search"))
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data at {args.data}; pass --data FILE.jsonl")
    from rag.app import Rag
    from rag.config import Settings

    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    corpus, held_out = rows[: args.articles], rows[args.articles : args.articles + args.queries]
    rag = Rag(Settings(home=args.home))
    if rag.store.count() < len(corpus):
        subset = args.home / "corpus.jsonl"
        subset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in corpus), encoding="utf-8")
        started = time.perf_counter()
        report = rag.ingest([subset], progress=lambda n, t: print(f"\r{n} articles", end="", file=sys.stderr))
        print(
            f"\ningested {len(report.added)} articles, {report.chunks} chunks in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    queries = [r["title"] for r in held_out]
    rag.search("warm up")  # loads the encoder, BM25 and the collection
    print(f"{rag.store.count()} articles, {rag.store.chunk_count()} chunks, {len(queries)} queries")
    print(f"{'mode':<9}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for mode in ("lexical", "dense", "hybrid"):
        times = search_milliseconds(rag, queries, replace(rag.retrieval, mode=mode))
        print(f"{mode:<9}{percentile(times, 0.5):>9.1f}{percentile(times, 0.95):>9.1f}{statistics.mean(times):>9.1f}")


if __name__ == "__main__":
    main()
