"""`rag repl` end to end through a pseudo-terminal, with the small real model (slow).

What an analyst does in one session on the seed: a question in English and one in
Arabic, /sources, /open 1, a follow-up that needs the conversation, /summarize last,
a bad command, Ctrl-C during an answer (the prompt returns and the next question
works), /quit; then the history file holds the questions.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, SEEDS, rag_command, rag_env

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow

PROMPT = "rag>"
ANSWERED = "qwen2.5-coder-0.5b"  # the model line printed under every answer
STEP = 240  # seconds one step may take on a loaded 2-core machine
QUESTIONS = [
    "Who is the Pentagon spokesman quoted in the article?",
    "من هو المتحدث باسم البنتاغون؟",
    "and what did he say about Lavrov?",
    "ما موقف البنتاغون من التعاون العسكري مع روسيا؟",
]


def model_cache() -> Path:
    return Path(os.environ.get("RAG_MODEL_CACHE") or Path.home() / ".cache" / "rag-models").expanduser()


def seeded_terminal_env(rag_home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `rag` in a terminal, with the small model, over an index of the seed."""
    env = rag_env(
        rag_home,
        RAG_LLM="llamacpp:qwen2.5-0.5b",
        RAG_MODEL_CACHE=str(model_cache()),
        TERM="xterm",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    assert rag_command(env, "ingest", str(SEEDS)).returncode == 0
    return env


@pytest.fixture()
def repl(rag_home):
    env = seeded_terminal_env(rag_home, PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "rag.cli.main", "repl", "--rtl", "off"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=STEP,
        dimensions=(50, 160),
        # Started with SIGINT ignored, as any job a script starts in the background (nohup ... &)
        # inherits: Ctrl-C must still stop an answer.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    with open(rag_home / "terminal.log", "w", encoding="utf-8") as log:  # what the terminal showed, for failures
        child.logfile_read = log
        child.expect(PROMPT)
        yield child
        if child.isalive():
            child.terminate(force=True)


def run(child, line: str, *expected: str) -> str:
    """Send a line, wait for each expected pattern in turn and then the prompt; what was printed.
    (At least one pattern: the prompt is redrawn once as the line is accepted.)"""
    child.sendline(line)
    seen = []
    for pattern in expected:
        child.expect(pattern)
        seen.append(child.before + child.after)
    child.expect(PROMPT)
    seen.append(child.before)
    return "".join(seen)


def test_an_analysts_session(repl, rag_home):
    started = time.monotonic()
    english = run(repl, QUESTIONS[0], r"evidence \(", ANSWERED)
    assert "3a95f273aef0ff82" in english  # evidence quoted with its article and span
    assert "Traceback" not in english

    # Ctrl-C during an answer: one line, the prompt again, and the next question works.
    repl.sendline(QUESTIONS[3])
    repl.expect(r"evidence \(")
    repl.expect(r"reading the evidence|writing the answer")
    repl.sendintr()
    repl.expect("cancelled")
    repl.expect(PROMPT)
    arabic = run(repl, QUESTIONS[1], r"evidence \(", ANSWERED)
    assert "البنتاغون" in arabic and "Traceback" not in arabic

    run(repl, "/sources", r"\[1\] ", r"3a95f273aef0ff82 \d+-\d+")
    run(repl, "/open 1", r"\[1\] ", r"3a95f273aef0ff82 \d+-\d+")
    follow_up = run(repl, QUESTIONS[2], r"follow-up", r"evidence \(", ANSWERED)
    assert "follow-up → " in follow_up or "asking as typed" in follow_up
    run(repl, "/bogus", "Error: unknown command /bogus")
    repl.timeout = 2 * STEP  # a summary is two generations and translations
    summary = run(repl, "/summarize last", "summarizing 3a95f273aef0ff82", r"\[1\] ")
    assert "Error" not in summary and "Traceback" not in summary

    repl.sendline("/quit")
    repl.expect(pexpect.EOF)
    repl.close()
    assert repl.exitstatus == 0
    history = (rag_home / "repl_history").read_text(encoding="utf-8")
    for question in QUESTIONS[:4]:
        assert question in history
    assert time.monotonic() - started < 1200


def test_rag_ask_on_a_terminal_shows_the_evidence_before_the_answer(rag_home):
    env = seeded_terminal_env(rag_home)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "rag.cli.main", "ask", QUESTIONS[1]],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=STEP,
        dimensions=(50, 160),
    )
    child.expect(r"evidence \(")
    child.expect(r"3a95f273aef0ff82 \d+-\d+")  # a quoted sentence with its article and span
    child.expect(ANSWERED)  # the model line under the verified answer
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
