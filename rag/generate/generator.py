"""One call to a chat model: messages in, text out, with usage, timing and an optional cache.

The cache (used by evals) keys a completion by model label, messages and
generation parameters, so a re-run is instant and CI can replay recorded outputs
when the model is not available. It is never consulted across models.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from langchain_core.messages import BaseMessage, BaseMessageChunk, HumanMessage, SystemMessage

from rag.errors import ModelError, SetupError
from rag.text.tokens import count_tokens

YES_NO_LABELS = ("yes", "Yes", "no", "No")  # a yes/no question's options for Generator.choose: see yes_share


@runtime_checkable
class ChatModel(Protocol):
    """What a Generator needs of a chat model: LangChain's streaming call (any BaseChatModel)."""

    def stream(self, messages: list[BaseMessage], **kwargs: Any) -> Iterator[BaseMessageChunk]: ...


@runtime_checkable
class TokenProbabilityModel(ChatModel, Protocol):
    """A chat model that reads its next-token distribution (rag.generate.providers' models).

    `gives_token_probabilities` is declared on the class, so a caller can know it from the
    model spec before building (or loading) the model: rag.generate.providers.chat_capabilities."""

    gives_token_probabilities: bool

    def option_probabilities(
        self, messages: list[BaseMessage], labels: list[str], prefill: str = ""
    ) -> list[float] | None: ...


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    first_token_seconds: float | None = None
    cached: bool = False
    # "stop", "length" (max_tokens reached), "cut" (the stream broke off, or ended without
    # saying why: see rag.generate.providers), …; None when the chat model does not say
    # (test doubles) or for records made before it was kept.
    finish_reason: str | None = None
    cut_reason: str | None = None

    @property
    def truncated(self) -> bool:
        """The reply did not end on its own: its last sentence may be half a sentence."""
        return self.finish_reason in TRUNCATED_FINISH_REASONS

    def require_complete(self) -> Completion:
        """This completion, or a ModelError when it was cut: a truncated draft is never an answer."""
        if self.truncated:
            why = self.cut_reason or (
                "the reply reached its token limit"
                if self.finish_reason == "length"
                else f"finish_reason {self.finish_reason!r}"
            )
            raise ModelError(f"the reply of {self.model} was cut off ({why}); nothing of it is used")
        return self


TRUNCATED_FINISH_REASONS = frozenset({"length", "cut", "content_filter"})
CUT = "cut"  # set by the providers for a stream that broke off or ended without a finish_reason


@dataclass(frozen=True)
class Choice:
    """The model's probability for each numbered option, read from its next-token distribution."""

    probabilities: tuple[float, ...]  # option 1..n; the share of the model's next-token mass on each
    model: str
    seconds: float
    cached: bool = False

    @property
    def number(self) -> int:
        """The most probable option (1-based)."""
        return max(range(len(self.probabilities)), key=self.probabilities.__getitem__) + 1

    @property
    def confidence(self) -> float:
        """The chosen option's probability among the options."""
        total = sum(self.probabilities)
        return self.probabilities[self.number - 1] / total if total else 0.0


def yes_share(choice: Choice | None) -> float | None:
    """From a choice among YES_NO_LABELS: the probability of yes rather than no, either case;
    None without a choice (a model with no token probabilities)."""
    if choice is None:
        return None
    yes, no = sum(choice.probabilities[:2]), sum(choice.probabilities[2:])
    return yes / (yes + no) if yes + no else None


@dataclass
class GeneratorUsage:
    """What a generator's calls cost so far (a replayed call counts what it cost when recorded)."""

    calls: int = 0
    replayed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def add(self, call: Completion | Choice) -> None:
        self.calls += 1
        self.seconds += call.seconds
        self.replayed += call.cached
        if isinstance(call, Completion):
            self.prompt_tokens += call.prompt_tokens
            self.completion_tokens += call.completion_tokens

    def since(self, earlier: GeneratorUsage) -> GeneratorUsage:
        return GeneratorUsage(
            self.calls - earlier.calls,
            self.replayed - earlier.replayed,
            self.prompt_tokens - earlier.prompt_tokens,
            self.completion_tokens - earlier.completion_tokens,
            self.seconds - earlier.seconds,
        )


class CompletionCache:
    """Completions (and choices) stored as JSON files named by their key, under one folder."""

    def __init__(self, folder: Path, replay_only: bool = False):
        self.folder = folder
        self.replay_only = replay_only

    @staticmethod
    def key(model: str, system: str, user: str, params: dict) -> str:
        payload = json.dumps(
            {"model": model, "system": system, "user": user, "params": params}, ensure_ascii=False, sort_keys=True
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def get(self, key: str, kind: type = Completion):
        """The stored `kind` (Completion or Choice) under `key`, or None."""
        path = self.folder / key[:2] / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        data["cached"] = True
        fields = {k: v for k, v in data.items() if k in kind.__dataclass_fields__}
        if "probabilities" in fields:
            fields["probabilities"] = tuple(fields["probabilities"])
        try:
            return kind(**fields)
        except TypeError:
            return None

    def put(self, key: str, record: Completion | Choice, system: str, user: str) -> None:
        path = self.folder / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = asdict(record) | {"cached": False, "system": system, "user": user}
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=1), encoding="utf-8")


class Generator:
    """Completions and choices from one chat model, built on first need: a replayed call
    never builds it (so replaying needs neither llama-cpp-python nor the GGUF).

    `gives_token_probabilities` is the model's declared capability when the caller knows it
    from the spec (rag.app passes it); None means: ask the model itself, building it."""

    def __init__(
        self,
        chat_model_factory: Callable[[], ChatModel],
        label: str,
        params: dict | None = None,
        cache: CompletionCache | None = None,
        gives_token_probabilities: bool | None = None,
    ):
        self._factory = chat_model_factory
        self._model: ChatModel | None = None
        self.label = label
        self.params = params or {}
        self.cache = cache
        self.usage = GeneratorUsage()
        self._gives_token_probabilities = gives_token_probabilities

    def _chat(self) -> ChatModel:
        if self._model is None:
            self._model = self._factory()
        return self._model

    @property
    def gives_token_probabilities(self) -> bool:
        if self._gives_token_probabilities is None:
            chat = self._chat()
            # A model that declares nothing (a test fake) gives them if it can read them.
            self._gives_token_probabilities = bool(
                getattr(chat, "gives_token_probabilities", hasattr(chat, "option_probabilities"))
            )
        return self._gives_token_probabilities

    @property
    def chat_model(self):
        """The chat model, built on first use (for describing it: path, URL)."""
        return self._chat()

    def warm(self, first_call: bool = True) -> None:
        """Build the chat model and, for an in-process model, load its weights (with one 1-token
        completion unless `first_call` is False), so that the first real call does not pay for it
        (the REPL and `rag ask` call this in a background thread). A server is not called: that
        would cost a request."""
        chat = self._chat()
        if not first_call:
            getattr(chat, "_loaded", lambda: None)()
        elif self.label.startswith("llamacpp:"):
            chat.invoke([HumanMessage(content="hi")], max_tokens=1)

    def complete(
        self, system: str, user: str, on_token: Callable[[str], None] | None = None, max_tokens: int | None = None
    ) -> Completion:
        """Generate (or replay) one completion; max_tokens caps the answer length for this call."""
        params = self.params | ({"max_tokens": max_tokens} if max_tokens else {})
        key = CompletionCache.key(self.label, system, user, params) if self.cache else None
        hit = self._recorded(key, Completion, "output")
        if hit is not None:
            if on_token:
                on_token(hit.text)
            return hit
        completion = self._run(system, user, on_token, params)
        if completion.finish_reason == CUT:
            # A cut stream is a transient failure, not the model's answer: never replay it.
            self.usage.add(completion)
            return completion
        return self._record(key, completion, system, user)

    def choose(self, system: str, user: str, options: int | Sequence[str], prefill: str = "") -> Choice | None:
        """Which of `options` numbered items ("1" … "n"), or of the given labels, the model
        would write next, as probabilities; None when the model gives no token probabilities.

        `prefill` starts the model's reply where the chat model can continue it (llama.cpp;
        an OpenAI-compatible server cannot, and its first tokens are read instead)."""
        if not self.gives_token_probabilities:
            return None
        labels = [str(n) for n in range(1, options + 1)] if isinstance(options, int) else list(options)
        key = (
            CompletionCache.key(self.label, system, user, self.params | {"choose": labels, "prefill": prefill})
            if self.cache
            else None
        )
        hit = self._recorded(key, Choice, "choice")
        if hit is not None:
            return hit
        started = time.perf_counter()
        probabilities = self._chat().option_probabilities(
            [SystemMessage(content=system), HumanMessage(content=user)], labels, prefill
        )
        if probabilities is None:
            return None
        return self._record(key, Choice(tuple(probabilities), self.label, time.perf_counter() - started), system, user)

    def _recorded(self, key: str | None, kind: type, what: str):
        """The cached record under `key`, its cost counted in `usage`; or None to generate it
        (an error in replay-only mode)."""
        if not (self.cache and key):
            return None
        hit = self.cache.get(key, kind)
        if hit is None and self.cache.replay_only:
            raise SetupError(
                f"no recorded {what} for this prompt with {self.label} (replay-only mode); "
                "re-record with the model available"
            )
        if hit is not None:
            self.usage.add(hit)
        return hit

    def _record(self, key: str | None, record, system: str, user: str):
        """`record`, just made: cached under `key` when there is a cache, its cost counted in `usage`."""
        if self.cache and key:
            self.cache.put(key, record, system, user)
        self.usage.add(record)
        return record

    def _run(self, system: str, user: str, on_token: Callable[[str], None] | None, params: dict) -> Completion:
        messages = [SystemMessage(content=system), HumanMessage(content=user)]
        started = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        finish_reason, cut_reason = None, None
        call_options = {k: v for k, v in params.items() if k == "max_tokens"}
        for chunk in self._chat().stream(messages, **call_options):
            metadata = getattr(chunk, "response_metadata", None) or {}
            finish_reason = metadata.get("finish_reason") or finish_reason
            cut_reason = metadata.get("cut_reason") or cut_reason
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text:
                if first is None:
                    first = time.perf_counter() - started
                pieces.append(text)
                if on_token:
                    on_token(text)
        text = "".join(pieces)
        # Costs are counted in o200k tokens for every model, so reports compare across models.
        return Completion(
            text=text,
            model=self.label,
            prompt_tokens=count_tokens(system) + count_tokens(user),
            completion_tokens=count_tokens(text),
            seconds=time.perf_counter() - started,
            first_token_seconds=first,
            finish_reason=finish_reason,
            cut_reason=cut_reason,
        )
