"""Seconds to read and chunk one article of 45k / 180k / 500k / 2M characters.

    python evals/bench_chunking.py [--sizes 45000,180000,500000,2000000] [--timeout 120]

Three shapes per size: real news text (../shared/data/news, concatenated), one
line with no sentence punctuation (every sentence "too long"), and one spaceless
run (only character cuts). Each case runs in a subprocess so a super-linear
version can be stopped at --timeout and reported as such. Chunk invariants
(text[start:end], token budget) are checked on every result. Progress on stderr;
one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "ant_multisource_raw.jsonl"
FALLBACK_NEWS = Path("/work/shared/data/news/ant_multisource_raw.jsonl")


def news_text(n: int) -> str:
    source = NEWS if NEWS.exists() else FALLBACK_NEWS
    parts, total = [], 0
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            parts.append(text)
            total += len(text) + 1
            if total >= n:
                break
    text = "\n".join(parts)
    while len(text) < n:  # a small data file: repeat it
        text += "\n" + text
    return text[:n]


def make_text(shape: str, n: int) -> str:
    if shape == "news":
        return news_text(n)
    if shape == "one-line":
        return news_text(n).replace("\n", " ").translate(str.maketrans("", "", ".!?؟؛…"))
    if shape == "spaceless":
        return ("abcdefghij0123456789وقالإن" * (n // 25 + 1))[:n]
    raise ValueError(shape)


def run_case(path: str) -> dict:
    """In the child: read the file as `rag ingest` does, chunk it, check the invariants."""
    from rag.index.chunker import ChunkingPolicy, chunk_article
    from rag.ingest.readers import read_file
    from rag.text.tokens import count_tokens, o200k

    o200k()  # load the BPE file outside the timing
    policy = ChunkingPolicy()
    started = time.perf_counter()
    (draft,) = list(read_file(Path(path)))
    chunks = chunk_article("bench", draft.text, policy)
    seconds = time.perf_counter() - started
    assert all(draft.text[c.start : c.end] == c.text for c in chunks)
    over = sum(1 for c in chunks if count_tokens(c.text) > policy.max_tokens)
    return {"seconds": round(seconds, 2), "chunks": len(chunks), "over_budget": over, "chars": len(draft.text)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="45000,180000,500000,2000000")
    parser.add_argument("--shapes", default="news,one-line,spaceless")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                path = Path(tmp) / f"{shape}-{size}.txt"
                # A title line first, so the reader keeps the body as one article.
                path.write_text("Benchmark article\n" + make_text(shape, size), encoding="utf-8")
                try:
                    done = subprocess.run(
                        [sys.executable, __file__, "--case", str(path)],
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                        check=True,
                    )
                    result = {"shape": shape, "size": size, **json.loads(done.stdout)}
                except subprocess.TimeoutExpired:
                    result = {"shape": shape, "size": size, "seconds": None, "timeout": args.timeout}
                except subprocess.CalledProcessError as exc:
                    result = {"shape": shape, "size": size, "error": exc.stderr.strip().splitlines()[-1:]}
                print(
                    f"{shape:>10} {size:>9,} chars: "
                    f"{result.get('seconds') if result.get('seconds') is not None else 'timeout/error'} s "
                    f"{result.get('chunks', '')} chunks",
                    file=sys.stderr,
                )
                results.append(result)
    print(json.dumps({"results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
