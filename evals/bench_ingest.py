"""Ingest benchmark: our pipeline vs a plain LangChain recipe, same embedder, same machine.

    python evals/bench_ingest.py [--data FILE] [--limit N]

Each side runs in its own subprocess (so peak RSS is its own) on a fresh temporary
RAG_HOME. Prints articles/s, chunks/s, wall seconds and peak memory for both, and the ratio.
Default data: ../shared/data/news/ant_multisource_raw.jsonl (600 articles), when present.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "news" / "ant_multisource_raw.jsonl"


def run_ours(data: Path, limit: int, home: Path) -> dict:
    from rag.app import Rag
    from rag.config import Settings

    records = [json.loads(line) for line in data.open(encoding="utf-8")][:limit]
    subset = home / "subset.jsonl"
    subset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    rag = Rag(Settings(home=home / "rag"))
    rag.embedder.embed_array(["warm up"])  # model load is a one-off, not ingest throughput
    started = time.perf_counter()
    report = rag.ingest([subset])
    seconds = time.perf_counter() - started
    return {"articles": len(report.added), "chunks": report.chunks, "seconds": seconds}


def run_langchain(data: Path, limit: int, home: Path) -> dict:
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.index.embeddings import make_embedder

    records = [json.loads(line) for line in data.open(encoding="utf-8")][:limit]
    embedder = make_embedder("use-multilingual")
    embedder.embed_query("warm up")
    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs = splitter.create_documents([r["text"] for r in records], metadatas=[{"id": r.get("id", "")} for r in records])
    store = Chroma(collection_name="bench", embedding_function=embedder, persist_directory=str(home / "lc"))
    store.add_documents(docs)
    seconds = time.perf_counter() - started
    return {"articles": len(records), "chunks": len(docs), "seconds": seconds}


def child(kind: str, data: Path, limit: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = (run_ours if kind == "ours" else run_langchain)(data, limit, Path(tmp))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--child", choices=["ours", "langchain"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.limit)
        return
    if not args.data.exists():
        sys.exit(f"no data at {args.data}; pass --data FILE.jsonl")
    results = {}
    for kind in ("ours", "langchain"):
        print(f"running {kind}…", file=sys.stderr)
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--data", str(args.data), "--limit", str(args.limit)],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            check=True,
        )
        results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'pipeline':<12}{'articles':>9}{'chunks':>8}{'seconds':>9}{'art/s':>8}{'chunks/s':>10}{'peak MB':>9}")
    for kind, r in results.items():
        print(
            f"{kind:<12}{r['articles']:>9}{r['chunks']:>8}{r['seconds']:>9.1f}{r['articles'] / r['seconds']:>8.1f}"
            f"{r['chunks'] / r['seconds']:>10.1f}{r['peak_rss_mb']:>9.0f}"
        )
    ratio = results["langchain"]["seconds"] / results["ours"]["seconds"]
    print(f"ours is {ratio:.2f}x the speed of the LangChain recipe (same embedder, same data)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
