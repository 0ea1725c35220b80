"""How soon an analyst sees something after Enter: first evidence, first answer token, final answer.

Measured on screen, through a pseudo-terminal (pexpect), in two settings:
  repl  one `rag repl` session, the model warmed in the background first (/model says ready)
  ask   a fresh `rag ask QUESTION` process per question (model load included)
Each number is the median over the questions (3 by default), in seconds after Enter.
"first evidence" is the "evidence (…)" block, "first token" the moment the spinner
switches to "writing the answer" (it does on the first streamed token), "final" the
model line under the verified answer.

    python evals/bench_repl.py [--home RAG_HOME] [--llm llamacpp]   # default: a temp home with seeds/
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Who is the Pentagon spokesman quoted in the article?",
    "من هو المتحدث باسم البنتاغون؟",
    "What did Kerry say about the talks with Russia?",
]
TARGET_EVIDENCE = 1.5
FIRST_TOKEN = "writing the answer"
TIMEOUT = 600


def environment(home: Path, llm: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k == "RAG_MODEL_CACHE"}
    return env | {
        "RAG_HOME": str(home),
        "RAG_LLM": llm,
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "PYTHONPATH": str(ROOT),
    }


def rag_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rag.cli.main", *args]


def timed_answer(child, sent: float, model_line: str) -> dict[str, float | None]:
    """Seconds from `sent` to the evidence, the first token and the final answer, as they appear."""
    times: dict[str, float | None] = {"evidence": None, "first_token": None, "final": None}
    child.expect(r"evidence \(|no evidence found", timeout=TIMEOUT)
    times["evidence"] = time.perf_counter() - sent
    if child.expect([FIRST_TOKEN, model_line], timeout=TIMEOUT) == 0:
        times["first_token"] = time.perf_counter() - sent
        child.expect(model_line, timeout=TIMEOUT)
    times["final"] = time.perf_counter() - sent
    return times


def bench_repl(env: dict[str, str], questions: list[str], model_line: str) -> list[dict]:
    child = pexpect.spawn(
        rag_command("repl", "--rtl", "off")[0],
        rag_command("repl", "--rtl", "off")[1:],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 200),
    )
    child.expect("rag>")
    warm_started = time.perf_counter()
    while True:  # wait for the background warm-up, as an analyst who started the REPL a minute ago would
        child.sendline("/model")
        index = child.expect([r"state: ready", r"state: failed[^\r\n]*", r"state: \w+", pexpect.TIMEOUT], timeout=15)
        if index == 0:
            break
        if index == 1:
            raise SystemExit(f"the model did not load: {child.after}")
        time.sleep(2)
    child.expect("rag>")
    time.sleep(1)
    print(f"repl: model warm after {time.perf_counter() - warm_started:.1f} s", file=sys.stderr)
    runs = []
    for question in questions:
        child.sendline("/new")
        child.expect("rag>")
        child.sendline(question)
        runs.append(timed_answer(child, time.perf_counter(), model_line))
        child.expect("rag>")
        print(f"repl  {runs[-1]}  {question}", file=sys.stderr)
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    return runs


def bench_ask(env: dict[str, str], questions: list[str], model_line: str) -> list[dict]:
    runs = []
    for question in questions:
        command = rag_command("ask", question)
        sent = time.perf_counter()
        child = pexpect.spawn(
            command[0], command[1:], env=env, cwd=str(ROOT), encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 200)
        )
        runs.append(timed_answer(child, sent, model_line))
        child.expect(pexpect.EOF)
        print(f"ask   {runs[-1]}  {question}", file=sys.stderr)
    return runs


def median(runs: list[dict], key: str) -> str:
    values = [r[key] for r in runs if r[key] is not None]
    return f"{statistics.median(values):6.2f}" if values else "   n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="a RAG_HOME with an index (default: a temp one with seeds/)")
    parser.add_argument("--llm", default=os.environ.get("RAG_LLM", "llamacpp"))
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-repl-"))
    env = environment(home, args.llm)
    if args.home is None:
        subprocess.run(rag_command("ingest", str(ROOT / "seeds")), env=env, cwd=ROOT, check=True, capture_output=True)
    model_line = "llamacpp:|openai:"
    repl_runs = bench_repl(env, QUESTIONS, model_line)
    ask_runs = bench_ask(env, QUESTIONS, model_line)
    print(f"model {args.llm}; median of {len(QUESTIONS)} questions, seconds after Enter")
    print("                 first evidence  first token  final answer")
    for name, runs in (("repl (warm)", repl_runs), ("rag ask (fresh)", ask_runs)):
        print(f"{name:<17}{median(runs, 'evidence'):>14}{median(runs, 'first_token'):>13}{median(runs, 'final'):>14}")
    met = statistics.median(r["evidence"] for r in repl_runs) <= TARGET_EVIDENCE
    print(f"target: first evidence ≤ {TARGET_EVIDENCE} s in the warm REPL: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
