"""Scale benchmark: the whole ANT corpus (31,523 articles) beside the 600-article figures.

    python evals/bench_scale.py ingest --data FILE --home DIR [--log FILE]
    python evals/bench_scale.py search --home DIR [--queries N]
    python evals/bench_scale.py report --small DIR --large DIR

`ingest` runs the default pipeline (`Rag.ingest`, default settings) into DIR in this process and
writes DIR/bench_ingest.json: wall seconds, peak RSS, disk of DIR, articles and chunks, plus the
seconds spent per ingest stage. A home already holding a result is kept (the 31k ingest is run
once). `search` times N Arabic queries (headlines of articles of the 31k corpus, not of the
600) and N English queries (XQuAD questions) per mode, and writes DIR/bench_search.json.
`report` prints both homes side by side and the ratios. Defaults: DIR for the 31k run is
/tmp/scale31k-home; the 600 are ../shared/data/news/ant_multisource_raw.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from rag.evals.costs import search_milliseconds
from rag.evals.metrics import percentile

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LARGE = SHARED / "scale" / "ant_all_31k.jsonl"
SMALL = SHARED / "news" / "ant_multisource_raw.jsonl"
ENGLISH_QUESTIONS = SHARED / "qa" / "xquad_en.jsonl"
MODES = ("dense", "lexical", "hybrid")


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def time_stages(rag) -> dict[str, float]:
    """Wrap the ingest stages (chunking, encoding, Chroma writes, store writes, BM25 rebuild)
    so the result says which one grows with size. Wall seconds summed per stage."""
    import rag.ingest.pipeline as pipeline

    seconds: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            begun = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - begun

        return wrapper

    pipeline.chunk_article = timed("chunk", pipeline.chunk_article)
    pipeline.chunk_terms = timed("terms", pipeline.chunk_terms)
    rag.embedder.embed_array = timed("encode", rag.embedder.embed_array)
    rag.vectors.add_many = timed("chroma_add", rag.vectors.add_many)
    rag.store.put_many = timed("store_put", rag.store.put_many)
    rag.store.exists = timed("store_exists", rag.store.exists)
    rag.lexical.refresh = timed("bm25_build", rag.lexical.refresh)
    return seconds


def ingest(data: Path, home: Path, log: Path | None) -> None:
    result_file = home / "bench_ingest.json"
    if result_file.exists():
        print(f"{home} already holds an ingest result; kept", file=sys.stderr)
        return
    from rag.app import Rag
    from rag.config import Settings

    out = log.open("a", encoding="utf-8") if log else sys.stderr
    rag = Rag(Settings(home=home, model_cache=Settings.from_env().model_cache))
    rag.embedder.embed_array(["warm up"])  # model load is a one-off, not ingest throughput
    started = time.perf_counter()
    last = [started]

    def progress(done: int, title: str) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10:
            last[0] = now
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            stage = " ".join(f"{k} {v:.0f}" for k, v in stages.items())
            print(f"{now - started:8.0f} s  {done} articles  peak {rss:.0f} MB  {stage}", file=out, flush=True)

    stages = time_stages(rag)
    report = rag.ingest([data], progress=progress)
    seconds = time.perf_counter() - started
    result = {
        "data": str(data),
        "articles": len(report.added) + len(report.replaced) + len(report.unchanged),
        "rejected": len(report.rejected),
        "chunks": report.chunks,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "disk_mb": disk_mb(home),
        "load": os.getloadavg(),
        "stage_seconds": stages,
    }
    result_file.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result), file=out, flush=True)


def queries(count: int, home: Path) -> dict[str, list[str]]:
    """Arabic: headlines of the 31k corpus past its first 600 (stored in the large home, absent
    from the small one); English: XQuAD questions (an English question over Arabic news)."""
    arabic = []
    with LARGE.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= 20000 and number % 37 == 0:
                arabic.append(json.loads(line)["title"])
            if len(arabic) >= count:
                break
    english = []
    with ENGLISH_QUESTIONS.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number % 11 == 0:
                record = json.loads(line)
                english.append(record.get("question") or record.get("q") or "")
            if len(english) >= count:
                break
    return {"ar": [q for q in arabic if q], "en": [q for q in english if q]}


def search(home: Path, count: int) -> None:
    from rag.app import Rag
    from rag.config import Settings

    rag = Rag(Settings(home=home, model_cache=Settings.from_env().model_cache))
    started = time.perf_counter()
    rag.search("warm up")  # loads the encoder, BM25 and the collection
    result: dict = {"first_search_seconds": time.perf_counter() - started}
    result["articles"], result["chunks"] = rag.store.count(), rag.store.chunk_count()
    for language, texts in queries(count, home).items():
        for mode in MODES:
            times = search_milliseconds(rag, texts, replace(rag.retrieval, mode=mode))
            result[f"{mode}_{language}"] = {
                "p50": percentile(times, 0.5),
                "p95": percentile(times, 0.95),
                "mean": statistics.mean(times),
                "queries": len(times),
            }
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load"] = os.getloadavg()
    (home / "bench_search.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result))


def report(small: Path, large: Path) -> None:
    rows = {}
    for name, home in (("600", small), ("31k", large)):
        rows[name] = {
            **json.loads((home / "bench_ingest.json").read_text(encoding="utf-8")),
            "search": json.loads((home / "bench_search.json").read_text(encoding="utf-8")),
        }
    a, b = rows["600"], rows["31k"]
    print(f"{'':<26}{'600':>12}{'31k':>12}{'ratio':>9}")

    def line(label: str, x: float, y: float, fmt: str = ".1f") -> None:
        print(f"{label:<26}{x:>12{fmt}}{y:>12{fmt}}{y / x if x else float('nan'):>9.1f}")

    line("articles", a["articles"], b["articles"], ".0f")
    line("chunks", a["chunks"], b["chunks"], ".0f")
    line("ingest seconds", a["seconds"], b["seconds"])
    line("ingest articles/s", a["articles"] / a["seconds"], b["articles"] / b["seconds"])
    line("ingest peak RSS MB", a["peak_rss_mb"], b["peak_rss_mb"], ".0f")
    line("disk MB", a["disk_mb"], b["disk_mb"], ".0f")
    line("first search s", a["search"]["first_search_seconds"], b["search"]["first_search_seconds"], ".2f")
    for language in ("ar", "en"):
        for mode in MODES:
            key = f"{mode}_{language}"
            for q in ("p50", "p95"):
                line(f"{mode} {language} {q} ms", a["search"][key][q], b["search"][key][q])
    print(json.dumps(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("ingest")
    one.add_argument("--data", type=Path, default=LARGE)
    one.add_argument("--home", type=Path, default=Path("/tmp/scale31k-home"))
    one.add_argument("--log", type=Path)
    two = sub.add_parser("search")
    two.add_argument("--home", type=Path, default=Path("/tmp/scale31k-home"))
    two.add_argument("--queries", type=int, default=100)
    three = sub.add_parser("report")
    three.add_argument("--small", type=Path, required=True)
    three.add_argument("--large", type=Path, default=Path("/tmp/scale31k-home"))
    args = parser.parse_args()
    if args.command == "ingest":
        args.home.mkdir(parents=True, exist_ok=True)
        ingest(args.data, args.home, args.log)
    elif args.command == "search":
        search(args.home, args.queries)
    else:
        report(args.small, args.large)


if __name__ == "__main__":
    main()
