"""Fakes shared by the unit tests of logic: scripted chat models, generators and embedders.

Fakes only stand in where a test checks our logic around a component; each real component
has its own integration tests (tests/test_generate.py runs llama.cpp and its server, the
embedder runs for real wherever a test needs its vectors).
"""
from __future__ import annotations

import re

import numpy as np
from langchain_core.language_models.fake_chat_models import FakeListChatModel

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
        return self.shares[:len(labels)]


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
        return np.array([[1.0, 0.0] if any(k in t for k in self.keywords) else [0.0, 1.0] for t in texts],
                        dtype=np.float32)

    def embed_documents(self, texts):
        return self.embed_array(texts).tolist()

    def embed_query(self, text):
        return self.embed_array([text])[0].tolist()
