"""LLM failures are bounded and one line: a real misbehaving OpenAI-compatible server on 127.0.0.1.

Every call has a total deadline across its retries (RAG_LLM_TIMEOUT), backs off with
jitter, honours Retry-After, and ends in a ModelError; a cut or truncated reply is
marked on the Completion so it is never used as an answer.
"""

from __future__ import annotations

import random
import time

import pytest
from llm_server import REPLY, MisbehavingServer

from rag.config import Settings
from rag.errors import ConfigError, ModelError, SetupError
from rag.generate.generator import Completion, CompletionCache, Generator
from rag.generate.providers import (
    Attempts,
    Failure,
    backoff_seconds,
    make_chat_model,
    retry_after_seconds,
)

DEADLINE = 2.5  # seconds: small, so the whole module stays well under a minute


@pytest.fixture(scope="module")
def server():
    server = MisbehavingServer().start()
    yield server
    server.close()


def generator(server, tmp_path, deadline: float = DEADLINE, cache: CompletionCache | None = None) -> Generator:
    settings = Settings(home=tmp_path / "home", llm="openai:fake", llm_timeout=deadline, openai_base_url=server.url)
    return Generator(lambda: make_chat_model("openai:fake", settings), "openai:fake", cache=cache)


def complete(server, tmp_path, *script: str, deadline: float = DEADLINE) -> tuple[Completion | Exception, float]:
    server.play(*script)
    started = time.monotonic()
    try:
        result: Completion | Exception = generator(server, tmp_path, deadline).complete("system", "user")
    except (ModelError, SetupError) as exc:
        result = exc
    return result, time.monotonic() - started


def one_line(exc: Exception) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    return text


# -- good and truncated replies --------------------------------------------------


def test_a_good_stream_is_complete(server, tmp_path):
    result, _ = complete(server, tmp_path, "ok")
    assert result.text == "".join(REPLY)
    assert result.finish_reason == "stop" and not result.truncated
    assert result.require_complete() is result


def test_a_reply_cut_at_max_tokens_is_truncated(server, tmp_path):
    result, _ = complete(server, tmp_path, "length")
    assert result.text == "".join(REPLY)
    assert result.finish_reason == "length" and result.truncated
    with pytest.raises(ModelError, match="token limit"):
        result.require_complete()


def test_a_dropped_connection_mid_stream_is_marked_cut(server, tmp_path):
    result, _ = complete(server, tmp_path, "cut", "ok")
    assert isinstance(result, Completion)
    assert result.text == REPLY[0] + REPLY[1]  # the half reply, never retried into a mixed one
    assert result.finish_reason == "cut" and result.truncated and "connection" in result.cut_reason
    assert len(server.requests) == 1
    with pytest.raises(ModelError, match="cut off"):
        result.require_complete()


def test_a_stream_without_finish_reason_is_marked_cut(server, tmp_path):
    result, _ = complete(server, tmp_path, "eof")
    assert result.text == REPLY[0] + REPLY[1]
    assert result.truncated and "without a finish_reason" in result.cut_reason


def test_a_stream_that_stops_mid_reply_ends_at_the_deadline(server, tmp_path):
    result, seconds = complete(server, tmp_path, "hang_mid:20")
    assert isinstance(result, Completion) and result.truncated and result.text == REPLY[0]
    assert seconds < DEADLINE + 1.5


def test_a_cut_reply_is_not_cached(server, tmp_path):
    cache = CompletionCache(tmp_path / "cache")
    server.play("cut", "ok")
    assert generator(server, tmp_path, cache=cache).complete("s", "u").truncated
    # The next call asks the server again (and now gets the whole reply), not the cut one.
    again = generator(server, tmp_path, cache=cache).complete("s", "u")
    assert again.text == "".join(REPLY) and not again.cached and not again.truncated


# -- failures: retried within the deadline, then one line --------------------------


def test_http_500_is_retried_then_succeeds(server, tmp_path):
    result, _ = complete(server, tmp_path, "e500", "ok")
    assert isinstance(result, Completion) and result.text == "".join(REPLY)
    assert len(server.requests) == 2


def test_http_500_every_time_is_one_line_within_the_deadline(server, tmp_path):
    result, seconds = complete(server, tmp_path, "e500")
    assert isinstance(result, ModelError)
    assert "HTTP 500" in one_line(result) and "attempt" in str(result)
    assert seconds < DEADLINE + 0.5
    assert 2 <= len(server.requests) <= 4  # 1 + at most 3 retries


def test_retry_after_is_honoured(server, tmp_path):
    result, _ = complete(server, tmp_path, "e429:1", "ok")
    assert isinstance(result, Completion)
    (first, _), (second, _) = server.requests
    assert second - first >= 0.95


def test_retry_after_beyond_the_deadline_fails_at_once(server, tmp_path):
    result, seconds = complete(server, tmp_path, "e429:30")
    assert isinstance(result, ModelError)
    assert "rate limited (HTTP 429)" in one_line(result) and "retry after 30 s" in str(result)
    assert seconds < 1.0 and len(server.requests) == 1


def test_invalid_json_is_one_line_and_not_retried(server, tmp_path):
    result, _ = complete(server, tmp_path, "badjson")
    assert isinstance(result, ModelError) and "not valid JSON" in one_line(result)
    assert len(server.requests) == 1


def test_a_hang_ends_at_the_deadline(server, tmp_path):
    result, seconds = complete(server, tmp_path, "hang:20")
    assert isinstance(result, ModelError) and "no reply within" in one_line(result)
    assert DEADLINE - 0.5 < seconds < DEADLINE + 1.5


def test_an_unreachable_server_is_a_setup_error(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        home=tmp_path, llm="openai:fake", llm_timeout=DEADLINE, openai_base_url=f"http://127.0.0.1:{port}/v1"
    )
    chat = make_chat_model("openai:fake", settings)
    started = time.monotonic()
    with pytest.raises(SetupError, match="cannot reach the OpenAI-compatible server") as caught:
        Generator(lambda: chat, "openai:fake").complete("s", "u")
    one_line(caught.value)
    assert time.monotonic() - started < DEADLINE + 0.5


def test_choose_non_streaming_is_bounded_too(server, tmp_path):
    server.play("e500")
    started = time.monotonic()
    with pytest.raises(ModelError, match="HTTP 500"):
        generator(server, tmp_path).choose("s", "u", 3)
    assert time.monotonic() - started < DEADLINE + 0.5


# -- the pieces -----------------------------------------------------------------


def test_retry_after_header_forms():
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0) == 10.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(7)
    delays = [backoff_seconds(n, rng) for n in range(8)]
    assert 0.25 <= delays[0] <= 0.5 and 0.5 <= delays[1] <= 1.0
    assert all(d <= 8.0 for d in delays)
    assert len({round(backoff_seconds(2, rng), 6) for _ in range(5)}) > 1  # jittered


def test_attempts_stop_at_the_retry_count():
    now = [0.0]
    attempts = Attempts(60, 2, "model x failed", clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    failure = Failure("HTTP 503 (busy)", True)
    attempts.retry_or_raise(failure)
    attempts.retry_or_raise(failure)
    with pytest.raises(ModelError, match=r"model x failed: HTTP 503 \(busy\) \(3 attempts in"):
        attempts.retry_or_raise(failure)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf"])
def test_rag_llm_timeout_must_be_positive_seconds(value, tmp_path):
    with pytest.raises(ConfigError, match="RAG_LLM_TIMEOUT"):
        Settings.from_env({"RAG_HOME": str(tmp_path), "RAG_LLM_TIMEOUT": value})


def test_rag_llm_timeout_is_read(tmp_path):
    assert Settings.from_env({"RAG_HOME": str(tmp_path), "RAG_LLM_TIMEOUT": "7.5"}).llm_timeout == 7.5
    assert Settings.from_env({"RAG_HOME": str(tmp_path)}).llm_timeout == 60.0


# -- the command, as a user runs it -----------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("behaviour, expected", [("e500", "HTTP 500"), ("hang:30", "no reply within")])
def test_rag_ask_prints_one_error_line_and_exits_1(server, tmp_path, behaviour, expected):
    import os
    import subprocess
    import sys

    from helpers import ROOT
    from rag.app import Rag

    home = tmp_path / "home"
    article = tmp_path / "harbour.txt"
    article.write_text(
        "Harbour reopens\nThe harbour at Cape Varn reopened on Monday after storm repairs.\n", encoding="utf-8"
    )
    rag = Rag(Settings(home=home))
    rag.ingest([article])
    rag.close()
    server.play(behaviour)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(RAG_HOME=str(home), RAG_LLM="openai:fake", OPENAI_BASE_URL=server.url, RAG_LLM_TIMEOUT="2")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "ask", "When did the harbour at Cape Varn reopen?"],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and expected in errors[0], proc.stderr
    assert server.requests, "the question never reached the model"
    assert time.monotonic() - started < 60
