"""Fakes shared by the unit tests of logic: scripted chat models, generators and embedders.

Fakes only stand in where a test checks our logic around a component; each real component
has its own integration tests (tests/test_generate.py runs llama.cpp and its server, the
embedder runs for real wherever a test needs its vectors).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from rag.generate.generator import Completion, CompletionCache, Generator
from rag.text.tokens import count_tokens


def scripted_generator(*replies: str, cache: CompletionCache | None = None) -> Generator:
    """A Generator whose model answers `replies` in turn and gives no token probabilities."""
    return Generator(lambda: FakeListChatModel(responses=list(replies)), "fake", cache=cache)


class FixedChooser(FakeListChatModel):
    """A chat model whose next-token probabilities are fixed (`shares`, cut to the labels asked);
    `calls` records how many labels each call had."""

    shares: list[float] = [0.1, 0.6, 0.2]
    calls: list[int] = []

    def option_probabilities(self, messages, labels, prefill=""):
        self.calls.append(len(labels))
        return self.shares[: len(labels)]


_SOURCE_LINE = re.compile(r"^\[(\d+)\] (.+)$", re.M)


class EchoGenerator:
    """Writes each numbered source back as a summary line citing it, and records the prompts."""

    label = "echo"

    def __init__(self):
        self.prompts: list[str] = []

    def complete(self, system, user, on_token=None, max_tokens=None) -> Completion:
        self.prompts.append(user)
        lines = [f"- {text} [{n}]" for n, text in _SOURCE_LINE.findall(user)]
        return Completion("\n".join(lines), self.label, count_tokens(user), 10, 0.0)


class KeywordEmbedder:
    """Deterministic 2-d unit vectors: texts holding one of `keywords` share one direction,
    every other text the orthogonal one (so "the same fact in two languages" is testable)."""

    name = "keyword-fake"
    dimensions = 2

    def __init__(self, *keywords: str):
        self.keywords = keywords

    def embed_array(self, texts):
        return np.array(
            [[1.0, 0.0] if any(k in t for k in self.keywords) else [0.0, 1.0] for t in texts], dtype=np.float32
        )

    def embed_query_array(self, texts):
        return self.embed_array(texts)

    def embed_documents(self, texts):
        return self.embed_array(texts).tolist()

    def embed_query(self, text):
        return self.embed_array([text])[0].tolist()


class ScriptedChatModel(BaseChatModel):
    """A chat model that replies from a script, streamed word by word.

    `replies` are used in order (the last one repeats); a reply may be a function of
    the user message, for prompts whose order is not fixed. `prompts` records every
    (system, user) pair. `token_delay` slows the stream, `started` is set when the
    first token is out, so a test can cancel mid-answer."""

    replies: list[Any]
    token_delay: float = 0.0
    prompts: list[tuple[str, str]] = Field(default_factory=list)
    started: threading.Event = Field(default_factory=threading.Event)

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _reply(self, messages: list[BaseMessage]) -> str:
        system = next((m.text for m in messages if m.type == "system"), "")
        user = next((m.text for m in messages if m.type == "human"), "")
        self.prompts.append((system, user))
        reply = self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]
        return reply(system, user) if callable(reply) else reply

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(
        self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        words = self._reply(messages).split(" ")
        for i, word in enumerate(words):
            if self.token_delay:
                time.sleep(self.token_delay)
            self.started.set()
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + (" " if i < len(words) - 1 else "")))
