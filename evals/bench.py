"""The performance table of issue 19 in one run, each row beside its baseline measured in the same run.

    python evals/bench.py [--quick] [--only answer,ask,search,ingest,brief] [--llm llamacpp]

Rows (seconds unless said; ratio = rag / baseline, below 1 is faster):
  answer  warm answers on the seed (one process, the model loaded and one answer given first):
          first evidence, first token, total, model calls and prompt tokens the model read per
          answer; baseline: plain llama_cpp.Llama with the same GGUF answering from the top 3
          chunks of LangChain's RecursiveCharacterTextSplitter (1000/200) + Chroma recipe
  ask     a fresh `rag ask` process on the seed (model load included), wall seconds
  search  hybrid p50/p95 ms for Arabic and English queries beside plain LangChain Chroma, and a
          fresh `rag search` process, on N articles of ../shared/data/scale/ant_scale_5000.jsonl
  ingest  evals/bench_ingest.py: our pipeline beside the LangChain recipe (articles/s, peak MB)
  brief   evals/bench_brief.py --model: seconds per briefing stage (slow: not in --quick)

--quick: 3 questions a side, 1000 articles, 200 for ingest, no briefing: a few minutes on a
quiet 2-core machine. Run it alone: every row is CPU-bound. Progress goes to stderr, the
table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template

from rag.evals.metrics import percentile

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SCALE = SHARED / "scale" / "ant_scale_5000.jsonl"
INGEST = SHARED / "news" / "ant_multisource_raw.jsonl"
SEED_QUESTIONS = ROOT / "evals" / "datasets" / "seed_paraphrases.jsonl"
BASELINE_PROMPT = Template((ROOT / "evals" / "prompts" / "baseline.md").read_text(encoding="utf-8"))
BASELINE_MAX_TOKENS = 220  # as rag.answer.ANSWER_MAX_TOKENS
# An Arabic and an English seed question in turn: the answer path differs by language.
QUESTION_ORDER = [8, 0, 9, 3, 11, 4, 12, 1]


@dataclass
class Row:
    what: str
    rag: str
    baseline: str = "—"
    ratio: str = "—"


@dataclass
class Timed:
    evidence: list[float] = field(default_factory=list)
    first_token: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    tokens_read: list[int] = field(default_factory=list)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values) -> float | None:
    return statistics.median(values) if values else None


def fmt(value: float | None, unit: str = " s", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}×" if ours is not None and theirs else "—"


def environment(home: Path, llm: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k == "RAG_MODEL_CACHE"}
    return env | {"RAG_HOME": str(home), "RAG_LLM": llm, "PYTHONPATH": str(ROOT)}


def rag_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rag.cli.main", *args]


def seed_questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in SEED_QUESTIONS.open(encoding="utf-8")]
    return [rows[i]["question"] for i in QUESTION_ORDER[:n]]


# -- warm answers -----------------------------------------------------------------


def bench_answers(home: Path, llm: str, questions: list[str]) -> tuple[Timed, Timed]:
    """Each question answered by rag, then by the plain recipe, in turn: a load that changes
    during the run (a shared machine) weighs on both sides alike."""
    os.environ.update(environment(home, llm))
    from rag.app import Rag
    from rag.config import Settings

    rag = Rag(Settings.from_env())
    if not rag.store.list():
        rag.ingest([ROOT / "seeds"])
    generator = rag.generator
    generator.warm()
    chat = generator.chat_model
    ours, theirs = Timed(), Timed()
    with tempfile.TemporaryDirectory() as tmp:
        plain = PlainRecipe(chat._loaded().llama, rag.embedder, Path(tmp))
        rag.ask(questions[-1])  # loads the encoders and indexes; the model already answered once
        plain.answer(questions[-1], Timed())
        for question in questions:
            answer = rag_answer(rag, question, ours)
            log(
                f"  rag       {ours.total[-1]:6.2f} s  {ours.tokens_read[-1]:5d} tokens read  {answer.mode:<10} {question}"
            )
            plain.answer(question, theirs)
            log(f"  baseline  {theirs.total[-1]:6.2f} s  {theirs.tokens_read[-1]:5d} tokens read  {question}")
    return ours, theirs


def rag_answer(rag, question: str, timed: Timed):
    generator, chat = rag.generator, rag.generator.chat_model
    before, read_before = generator.usage.since(type(generator.usage)()), chat.tokens_read
    first: list[float] = []
    started = time.perf_counter()
    gathered = rag.gather(question)
    timed.evidence.append(time.perf_counter() - started)
    answer = rag.ask(
        question,
        gathered=gathered,
        on_token=lambda _t: first or first.append(time.perf_counter() - started),
    )
    timed.total.append(time.perf_counter() - started)
    if first:
        timed.first_token.append(first[0])
    timed.calls.append(generator.usage.since(before).calls)
    timed.tokens_read.append(chat.tokens_read - read_before)
    return answer


class PlainRecipe:
    """The baseline: LangChain's splitter (1000/200) and Chroma over the seed, the top 3 chunks
    in one prompt to llama_cpp.Llama as it is (the same loaded weights as rag's)."""

    def __init__(self, llama, embedder, folder: Path):
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.llama = llama
        seed = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
        docs = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).create_documents([seed])
        self.store = Chroma(collection_name="baseline", embedding_function=embedder, persist_directory=str(folder))
        self.store.add_documents(docs)

    def answer(self, question: str, timed: Timed) -> None:
        from langchain_core.messages import HumanMessage

        from rag.generate.prefix_states import shared_prefix
        from rag.generate.providers import prompt_tokens

        llama = self.llama
        started = time.perf_counter()
        context = "\n\n".join(d.page_content for d in self.store.similarity_search(question, k=3))
        timed.evidence.append(time.perf_counter() - started)
        prompt = BASELINE_PROMPT.substitute(context=context, question=question)
        tokens = prompt_tokens(llama, [HumanMessage(content=prompt)])
        held = shared_prefix(llama.input_ids[: llama.n_tokens], tokens)
        first = None
        for chunk in llama.create_chat_completion(
            messages=[{"role": "user", "content": prompt}], stream=True, max_tokens=BASELINE_MAX_TOKENS, temperature=0.0
        ):
            if first is None and (chunk["choices"][0].get("delta") or {}).get("content"):
                first = time.perf_counter() - started
        timed.total.append(time.perf_counter() - started)
        if first is not None:
            timed.first_token.append(first)
        timed.calls.append(1)
        timed.tokens_read.append(len(tokens) - min(held, len(tokens) - 1))


def answer_rows(ours: Timed, theirs: Timed) -> list[Row]:
    rows = []
    for label, key in (
        ("warm answer: first evidence", "evidence"),
        ("warm answer: first token", "first_token"),
        ("warm answer: total", "total"),
    ):
        a, b = median(getattr(ours, key)), median(getattr(theirs, key))
        rows.append(Row(f"{label} (median of {len(ours.total)})", fmt(a), fmt(b), ratio(a, b)))
    rows.append(
        Row(
            "model calls per answer (min–max)",
            f"{min(ours.calls)}–{max(ours.calls)}",
            f"{min(theirs.calls)}–{max(theirs.calls)}",
        )
    )
    a, b = median(ours.tokens_read), median(theirs.tokens_read)
    rows.append(Row("prompt tokens read per answer (median)", fmt(a, "", 0), fmt(b, "", 0), ratio(a, b)))
    return rows


# -- fresh processes ------------------------------------------------------------------


def timed_process(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:])} failed: {done.stderr.strip()[-400:]}")
    return time.perf_counter() - started


def bench_ask(home: Path, llm: str, questions: list[str]) -> list[Row]:
    env = environment(home, llm)
    times = []
    for question in questions:
        times.append(timed_process(rag_command("ask", question), env))
        log(f"  rag ask   {times[-1]:6.2f} s  {question}")
    return [Row(f"`rag ask`, fresh process (median of {len(times)})", fmt(median(times)))]


# -- search -----------------------------------------------------------------------


def bench_search(home: Path, articles: int, queries: int) -> list[Row]:
    from langchain_chroma import Chroma

    from rag.app import Rag
    from rag.config import Settings

    rows = [json.loads(line) for line in SCALE.open(encoding="utf-8")]
    corpus, held_out = rows[:articles], rows[articles : articles + queries]
    rag = Rag(Settings(home=home))
    if rag.store.count() < len(corpus):
        subset = home / "corpus.jsonl"
        subset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in corpus), encoding="utf-8")
        log(f"  search: ingesting {len(corpus)} articles into {home}")
        rag.ingest([subset])
    arabic = [r["title"] for r in held_out]
    english = _english_queries(queries)
    rag.search("warm up")
    rag.search("warm up in English")
    policy = replace(rag.retrieval, mode="hybrid")
    plain = Chroma(
        collection_name="bench_plain",
        embedding_function=rag.embedder,
        persist_directory=str(home / "plain-chroma"),
    )
    if plain._collection.count() == 0:
        log("  search: the plain Chroma baseline (LangChain splitter, same embedder)")
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        docs = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).create_documents(
            [r["text"] for r in corpus]
        )
        plain.add_documents(docs)
    out = []
    for lang, texts in (("Arabic", arabic), ("English", english)):
        ours = [_ms(lambda q=q: rag.search(q, k=5, policy=policy)) for q in texts]
        theirs = [_ms(lambda q=q: plain.similarity_search(q, k=5)) for q in texts]
        a50, a95, b50, b95 = (percentile(v, p) for v in (ours, theirs) for p in (0.5, 0.95))
        out.append(
            Row(
                f"hybrid search p50/p95, {lang}, {rag.store.count()} articles",
                f"{a50:.0f}/{a95:.0f} ms",
                f"{b50:.1f}/{b95:.1f} ms",
                f"{a50 / b50:.1f}× / {a95 / b95:.1f}×",
            )
        )
    env = environment(home, "llamacpp")
    seconds = [timed_process(rag_command("search", q), env) for q in (arabic[0], english[0])]
    out.append(Row("`rag search` process (ar, en)", " / ".join(fmt(s) for s in seconds)))
    return out


def _english_queries(n: int) -> list[str]:
    rows = [json.loads(line) for line in SEED_QUESTIONS.open(encoding="utf-8")]
    english = [r["question"] for r in rows if r["question_lang"] == "en"]
    return (english * (n // len(english) + 1))[:n]


def _ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


# -- ingest and briefing (their own scripts, in their own processes) ------------------


def bench_ingest(limit: int) -> list[Row]:
    results = {}
    for kind in ("ours", "langchain"):
        command = [sys.executable, str(ROOT / "evals" / "bench_ingest.py"), "--child", kind, "--limit", str(limit)]
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)}
        )
        if done.returncode != 0:
            raise SystemExit(f"bench_ingest {kind} failed: {done.stderr.strip()[-400:]}")
        results[kind] = json.loads(done.stdout.strip().splitlines()[-1])
        log(f"  ingest {kind}: {results[kind]}")
    ours, theirs = results["ours"], results["langchain"]
    speed = (ours["articles"] / ours["seconds"]) / (theirs["articles"] / theirs["seconds"])
    return [
        Row(
            f"ingest {ours['articles']} articles",
            f"{ours['seconds']:.1f} s, {ours['peak_rss_mb']:.0f} MB",
            f"{theirs['seconds']:.1f} s, {theirs['peak_rss_mb']:.0f} MB",
            f"{speed:.2f}× speed",
        )
    ]


def bench_brief(home: Path, llm: str) -> list[Row]:
    command = [sys.executable, str(ROOT / "evals" / "bench_brief.py"), "--model", "--listed", "--home", str(home)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment(home, llm))
    if done.returncode != 0:
        raise SystemExit(f"bench_brief failed: {done.stderr.strip()[-400:]}")
    result = json.loads(done.stdout)
    stages = ", ".join(f"{k} {v:.0f} s" for k, v in result["seconds"].items())
    total = sum(result["seconds"].values())
    return [Row(f"`rag brief` stages, {result['counts']['articles']}-article day", f"{total:.0f} s ({stages})")]


def print_table(rows: list[Row]) -> None:
    widths = [
        max(len(getattr(r, f)) for r in [Row("what", "rag", "baseline", "ratio"), *rows])
        for f in Row.__dataclass_fields__
    ]
    header = Row("what", "rag", "baseline", "ratio")
    for row in [header, Row(*("-" * w for w in widths)), *rows]:
        print(" | ".join(getattr(row, f).ljust(w) for f, w in zip(Row.__dataclass_fields__, widths)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer questions and articles, no briefing")
    parser.add_argument("--only", default="answer,ask,search,ingest,brief", help="comma-separated rows to run")
    parser.add_argument("--llm", default=os.environ.get("RAG_LLM", "llamacpp"))
    parser.add_argument("--work", type=Path, help="where the indexes go (default: a temporary folder, removed)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if args.quick:
        only.discard("brief")
    n_questions, articles, ingest_limit = (3, 1000, 200) if args.quick else (5, 5000, 600)
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = args.work or Path(tmp)
        rows: list[Row] = []
        questions = seed_questions(n_questions)
        if "answer" in only:
            log("answer: warm answers on the seed")
            rows += answer_rows(*bench_answers(work / "seed", args.llm, questions))
        if "ask" in only:
            log("ask: fresh processes")
            rows += bench_ask(work / "seed", args.llm, questions)
        if "search" in only and SCALE.exists():
            log(f"search: {articles} articles")
            rows += bench_search(work / f"search-{articles}", articles, 50 if args.quick else 100)
        if "ingest" in only and INGEST.exists():
            log(f"ingest: {ingest_limit} articles")
            rows += bench_ingest(ingest_limit)
        if "brief" in only:
            log("brief: the 203-article day, with the model")
            rows += bench_brief(work / "brief", args.llm)
    print(
        f"model {args.llm}; load average {os.getloadavg()[0]:.1f} at the end (2 cores: above ~2 the numbers are slow)"
    )
    print_table(rows)


if __name__ == "__main__":
    main()
