"""Fakes shared by the logic tests (each a self-contained class; real components run elsewhere)."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field


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

    def _stream(self, messages: list[BaseMessage], stop=None, run_manager=None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        words = self._reply(messages).split(" ")
        for i, word in enumerate(words):
            if self.token_delay:
                time.sleep(self.token_delay)
            self.started.set()
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + (" " if i < len(words) - 1 else "")))
