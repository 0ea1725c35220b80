"""One call to a chat model: messages in, text out, with usage, timing and an optional cache.

The cache (used by evals) keys a completion by model label, messages and
generation parameters, so a re-run is instant and CI can replay recorded outputs
when the model is not available. It is never consulted across models.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from langchain_core.messages import HumanMessage, SystemMessage

from rag.errors import SetupError
from rag.text.tokens import count_tokens


YES_NO_LABELS = ("yes", "Yes", "no", "No")  # a yes/no question's options for Generator.choose: see yes_share


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    first_token_seconds: float | None = None
    cached: bool = False


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

    def since(self, earlier: "GeneratorUsage") -> "GeneratorUsage":
        return GeneratorUsage(self.calls - earlier.calls, self.replayed - earlier.replayed,
                              self.prompt_tokens - earlier.prompt_tokens,
                              self.completion_tokens - earlier.completion_tokens, self.seconds - earlier.seconds)


class CompletionCache:
    """Completions (and choices) stored as JSON files named by their key, under one folder."""

    def __init__(self, folder: Path, replay_only: bool = False):
        self.folder = folder
        self.replay_only = replay_only

    @staticmethod
    def key(model: str, system: str, user: str, params: dict) -> str:
        payload = json.dumps({"model": model, "system": system, "user": user, "params": params},
                             ensure_ascii=False, sort_keys=True)
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
    def __init__(self, chat_model_factory: Callable[[], object], label: str, params: dict | None = None,
                 cache: CompletionCache | None = None):
        self._factory = chat_model_factory
        self._model = None
        self.label = label
        self.params = params or {}
        self.cache = cache
        self.usage = GeneratorUsage()

    def _chat(self):
        if self._model is None:
            self._model = self._factory()
        return self._model

    @property
    def chat_model(self):
        """The chat model, built on first use (for describing it: path, URL)."""
        return self._chat()

    def warm(self) -> None:
        """Build the chat model and, for an in-process model, load its weights with one
        1-token completion, so that the first real call does not pay for it (the REPL
        calls this in a background thread). A server is not called: that would cost a request."""
        chat = self._chat()
        if self.label.startswith("llamacpp:"):
            chat.invoke([HumanMessage(content="hi")], max_tokens=1)

    def complete(self, system: str, user: str, on_token: Callable[[str], None] | None = None,
                 max_tokens: int | None = None) -> Completion:
        """Generate (or replay) one completion; max_tokens caps the answer length for this call."""
        params = self.params | ({"max_tokens": max_tokens} if max_tokens else {})
        key = CompletionCache.key(self.label, system, user, params) if self.cache else None
        hit = self._recorded(key, Completion, "output")
        if hit is not None:
            if on_token:
                on_token(hit.text)
            return hit
        return self._record(key, self._run(system, user, on_token, params), system, user)

    def choose(self, system: str, user: str, options: int | Sequence[str], prefill: str = "") -> Choice | None:
        """Which of `options` numbered items ("1" … "n"), or of the given labels, the model
        would write next, as probabilities; None when the model gives no token probabilities.

        `prefill` starts the model's reply where the chat model can continue it (llama.cpp;
        an OpenAI-compatible server cannot, and its first tokens are read instead)."""
        chat = self._chat()
        if not hasattr(chat, "option_probabilities"):
            return None
        labels = [str(n) for n in range(1, options + 1)] if isinstance(options, int) else list(options)
        key = CompletionCache.key(self.label, system, user, self.params | {"choose": labels, "prefill": prefill}) \
            if self.cache else None
        hit = self._recorded(key, Choice, "choice")
        if hit is not None:
            return hit
        started = time.perf_counter()
        probabilities = chat.option_probabilities([SystemMessage(content=system), HumanMessage(content=user)],
                                                  labels, prefill)
        if probabilities is None:
            return None
        return self._record(key, Choice(tuple(probabilities), self.label, time.perf_counter() - started),
                            system, user)

    def _recorded(self, key: str | None, kind: type, what: str):
        """The cached record under `key`, its cost counted in `usage`; or None to generate it
        (an error in replay-only mode)."""
        if not (self.cache and key):
            return None
        hit = self.cache.get(key, kind)
        if hit is None and self.cache.replay_only:
            raise SetupError(f"no recorded {what} for this prompt with {self.label} (replay-only mode); "
                             "re-record with the model available")
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
        call_options = {k: v for k, v in params.items() if k == "max_tokens"}
        for chunk in self._chat().stream(messages, **call_options):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text:
                if first is None:
                    first = time.perf_counter() - started
                pieces.append(text)
                if on_token:
                    on_token(text)
        text = "".join(pieces)
        # Costs are counted in o200k tokens for every model, so reports compare across models.
        return Completion(text=text, model=self.label, prompt_tokens=count_tokens(system) + count_tokens(user),
                          completion_tokens=count_tokens(text), seconds=time.perf_counter() - started,
                          first_token_seconds=first)
