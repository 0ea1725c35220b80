"""Encoders side by side: USE, multilingual-e5-small and e5 with USE for the text-to-text side.

    python evals/compare_encoders.py [--questions N] [--offset K] [--work DIR] [--arms use,e5,e5+use]
                                     [--skip-speed] [--articles N]

Every arm runs on the same questions in the same process, one RAG_HOME per corpus and index
encoder (e5 and e5+use share the e5 index: only term translation and verification differ).
Printed per arm:
- passage recall@1/@5 and MRR (hybrid search, k=10) on XQuAD ar (Arabic questions), XQuAD en->ar
  (English questions over the same Arabic paragraphs), ARCD, and NTREX English-sentence -> Arabic
  document (the 123 Arabic translations ingested; an English sentence of a document is the query, a
  hit is any passage of its document: MLQA-style English over Arabic news);
- the evidence selector's gold-sentence-first rate (the best-scored evidence sentence holds the
  gold span, as `best_evidence_is_gold` of evals/choose_sentence.py) on XQuAD ar and en->ar, and
  the milliseconds `Rag.gather` (search, translations, evidence) takes per question;
- ingest seconds at --articles news articles (../shared/data/news/ant_multisource_raw.jsonl) and
  hybrid search p50/p95 over that index (titles of other articles, ../shared/data/scale).

Questions: N evenly spaced from --offset (rag.evals.held_out's sampling; offset 3 is the XQuAD slice
the project never tuned on). Progress on stderr; a table and one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ARMS = {
    "use": "use-multilingual",
    "e5": "e5-small",
    "e5+use": "e5-small+use",
    "use+e5ev": "use-multilingual+e5-evidence",  # the USE index; e5 re-scores the evidence when asked
}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def evenly(items: list, n: int, offset: int) -> list:
    return items[offset :: max(1, len(items) // n)][:n]


def open_rag(work: Path, corpus: str, spec: str):
    from rag.app import Rag
    from rag.config import Settings
    from rag.index.embeddings import index_spec

    # One home per corpus and index encoder: arms that differ only on the text side share it.
    return Rag(Settings(home=work / corpus / index_spec(spec).replace(":", "_"), embeddings=spec))


def qa_scores(rag, cases, everything, selector: bool) -> dict:
    from rag.evals.retrieval import gold_span, ingest_contexts, run_retrieval

    doc_ids = ingest_contexts(rag, everything)
    run = run_retrieval(rag, cases, doc_ids, modes=("hybrid",), k=10)
    s = run.scores["hybrid"]
    out = {"cases": s.cases, "r@1": s.recall_at_1, "r@5": s.recall_at_5, "mrr": s.mrr}
    if selector:
        first, seconds = [], []
        for case in cases:
            gold = gold_span(rag, case, doc_ids)
            if gold is None:
                continue
            started = time.perf_counter()
            evidence = rag.gather(case.question).evidence
            seconds.append(time.perf_counter() - started)
            best = max(evidence, key=lambda e: e.score, default=None)
            first.append(
                best is not None and best.doc_id == gold.doc_id and best.start <= gold.start and gold.end <= best.end
            )
        out["gold_first"] = sum(first) / len(first) if first else 0.0
        out["gather_ms"] = 1000 * sum(seconds) / len(seconds) if seconds else 0.0
    return out


def ntrex_scores(rag, n: int, offset: int) -> dict:
    from rag.evals.metrics import mean, recall_at_k, reciprocal_rank
    from rag.evals.retrieval import ingest_records

    docs = [json.loads(line) for line in (DATA / "parallel" / "ntrex_ar_en_docs.jsonl").open(encoding="utf-8")]
    ingest_records(rag, [{"id": d["id"], "title": d["title"], "text": d["text"]} for d in docs], source="ntrex")
    by_origin = {a.origin[3:]: a.doc_id for a in rag.docs() if a.origin and a.origin.startswith("id:")}
    rows = [json.loads(line) for line in (DATA / "parallel" / "ntrex_ar_en_sentences.jsonl").open(encoding="utf-8")]
    rows = evenly([r for r in rows if len(r["en"].split()) >= 6 and r["doc_id"] in by_origin], n, offset)
    hits = []
    for row in rows:
        passages = rag.search(row["en"], k=10)
        hits.append([p.doc_id == by_origin[row["doc_id"]] for p in passages])
    return {
        "cases": len(hits),
        "r@1": mean([recall_at_k(h, 1) for h in hits]),
        "r@5": mean([recall_at_k(h, 5) for h in hits]),
        "mrr": mean([reciprocal_rank(h) for h in hits]),
    }


def speed(rag, articles: int, queries: int = 60) -> dict:
    from rag.evals.retrieval import ingest_records

    news = [json.loads(line) for line in (DATA / "news" / "ant_multisource_raw.jsonl").open(encoding="utf-8")]
    rag.embedder.embed_query_array(["warm up"])  # model load is a one-off, not ingest throughput
    rag.text_embedder.embed_array(["warm up"])
    started = time.perf_counter()
    report = ingest_records(rag, news[:articles], source="bench")
    ingest_seconds = time.perf_counter() - started
    rag.translator.word_translations(["warm"])  # vocabulary: at ingest, or on this first query
    vocabulary_seconds = time.perf_counter() - started - ingest_seconds
    scale = DATA / "scale" / "ant_scale_5000.jsonl"
    titles = [json.loads(line)["title"] for _, line in zip(range(queries), scale.open(encoding="utf-8"))]
    times = []
    for title in titles:
        t = time.perf_counter()
        rag.search(title, k=5)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "articles": len(report.added),
        "chunks": report.chunks,
        "ingest_s": ingest_seconds,
        "vocab_after_ingest_s": vocabulary_seconds,
        "search_p50_ms": times[len(times) // 2],
        "search_p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
    }


def main() -> None:
    from rag.evals.qa_data import load_qa_cases

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--offset", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-compare-encoders"))
    parser.add_argument("--arms", default=",".join(ARMS))
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    arms = [a for a in args.arms.split(",") if a]
    xquad_ar = load_qa_cases(DATA / "qa" / "xquad_ar.jsonl")
    crossling = load_qa_cases(DATA / "qa" / "xquad_crossling_enq_arctx.jsonl")
    arcd = load_qa_cases(DATA / "qa" / "arcd_train.jsonl")
    results: dict[str, dict] = {}
    for arm in arms:
        spec = ARMS[arm]
        row: dict = {}
        say(f"[{arm}] XQuAD ar")
        xquad = open_rag(args.work, "xquad", spec)
        row["xquad_ar"] = qa_scores(xquad, evenly(xquad_ar, args.questions, args.offset), xquad_ar, True)
        say(f"[{arm}] XQuAD en->ar")
        row["xquad_en_ar"] = qa_scores(xquad, evenly(crossling, args.questions, args.offset), crossling, True)
        say(f"[{arm}] ARCD")
        row["arcd"] = qa_scores(
            open_rag(args.work, "arcd", spec), evenly(arcd, args.questions, args.offset), arcd, False
        )
        say(f"[{arm}] NTREX en->ar documents")
        row["ntrex_en_ar"] = ntrex_scores(open_rag(args.work, "ntrex", spec), args.questions, args.offset)
        if not args.skip_speed:
            say(f"[{arm}] ingest {args.articles} articles, search")
            shutil.rmtree(args.work / f"news-{arm}", ignore_errors=True)  # timed from empty, every run
            row["speed"] = speed(open_rag(args.work, f"news-{arm}", spec), args.articles)
            shutil.rmtree(args.work / f"news-{arm}", ignore_errors=True)
        results[arm] = row
        say(json.dumps({arm: row}))
    print_table(results)
    print(json.dumps(results))


def print_table(results: dict) -> None:
    print(f"{'arm':<9}{'data':<13}{'cases':>6}{'R@1':>7}{'R@5':>7}{'MRR':>7}{'gold1st':>8}{'gather ms':>10}")
    for arm, row in results.items():
        for data, s in row.items():
            if data == "speed":
                continue
            gold = f"{s['gold_first']:>8.3f}{s['gather_ms']:>10.0f}" if "gold_first" in s else ""
            print(f"{arm:<9}{data:<13}{s['cases']:>6}{s['r@1']:>7.3f}{s['r@5']:>7.3f}{s['mrr']:>7.3f}{gold}")
    for arm, row in results.items():
        if "speed" in row:
            s = row["speed"]
            print(
                f"{arm:<8} ingest {s['articles']} articles ({s['chunks']} chunks) {s['ingest_s']:.1f} s "
                f"+ vocabulary {s['vocab_after_ingest_s']:.1f} s; search p50 {s['search_p50_ms']:.0f} ms "
                f"p95 {s['search_p95_ms']:.0f} ms"
            )
    if "use" in results and all("speed" in r for r in results.values()):
        base = results["use"]["speed"]["ingest_s"] + results["use"]["speed"]["vocab_after_ingest_s"]
        for arm, row in results.items():
            s = row["speed"]
            print(f"{arm:<9} ingest+vocabulary = {(s['ingest_s'] + s['vocab_after_ingest_s']) / base:.2f}x use")


if __name__ == "__main__":
    main()
