"""Chat models behind LangChain's `BaseChatModel`, chosen by the RAG_LLM spec.

  llamacpp                    the bundled Qwen2.5-Coder 1.5B (default), in-process
  llamacpp:qwen2.5-0.5b       a bundled model by name (qwen2.5-0.5b, qwen2.5-1.5b)
  llamacpp:/path/model.gguf   any GGUF file
  openai:MODEL                OpenAI, or any OpenAI-compatible server via OPENAI_BASE_URL

A spec selects exactly one model: if it cannot be loaded or reached that is an
error the user sees, never a quiet switch to another model.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import math
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from rag.config import Settings
from rag.errors import ConfigError, ModelError, SetupError, UserInputError
from rag.generate.bundled_model import (
    BUNDLED_MODELS,
    DEFAULT_BUNDLED,
    INSTALL_HINT,
    bundled_model,
    bundled_model_path,
    model_cache_dir,
)
from rag.generate.prefix_states import PrefixStates, shared_prefix

ACCEPTED_FORMS = (
    "llamacpp, llamacpp:" + ", llamacpp:".join(sorted(BUNDLED_MODELS)) + ", llamacpp:/path/to/model.gguf, openai:MODEL"
)
# Sent to OpenAI-compatible servers that need no key (llama.cpp, vLLM, Ollama);
# the openai client refuses to start without some key.
PLACEHOLDER_API_KEY = "not-needed"
CHOICE_TOP_LOGPROBS = 20  # OpenAI's maximum
CHOICE_MAX_TOKENS = 4  # room for "[", the number and "]"


@dataclass(frozen=True)
class GenerationOptions:
    n_ctx: int = 4096  # llama.cpp context window (prompt + answer)
    # llama.cpp threads; None: os.cpu_count(). Fewer is faster when another busy
    # process shares the cores: its threads sync per token, so one descheduled
    # thread stalls all (measured 0.9 s with 1 vs 8-28 s with 2 on a loaded 2-core box).
    n_threads: int | None = None
    max_tokens: int = 512  # answer length cap
    temperature: float = 0.0  # 0: the same question gives the same answer
    seed: int = 1234
    json_mode: bool = False  # constrain output to a JSON object
    # Seconds for one call to an OpenAI-compatible server, every retry included;
    # None: Settings.llm_timeout (RAG_LLM_TIMEOUT, default 60).
    timeout: float | None = None
    max_retries: int = 3  # retries of 408/409/429/5xx, connection errors and timeouts


@dataclass(frozen=True)
class LlmSpec:
    provider: str  # "llamacpp" or "openai"
    model: str  # bundled name, GGUF path, or API model id
    bundled: bool = False


def parse_llm_spec(spec: str) -> LlmSpec:
    text = (spec or "").strip()
    provider, _, value = text.partition(":")
    provider, value = provider.strip().lower(), value.strip()
    if provider == "llamacpp":
        if not value:
            return LlmSpec("llamacpp", DEFAULT_BUNDLED, bundled=True)
        if value in BUNDLED_MODELS:
            return LlmSpec("llamacpp", value, bundled=True)
        if value.lower().endswith(".gguf") or "/" in value or os.sep in value or value.startswith(("~", ".")):
            return LlmSpec("llamacpp", value)
        raise ConfigError(
            f"RAG_LLM={spec!r}: {value!r} is neither a bundled model ({', '.join(sorted(BUNDLED_MODELS))}) "
            f"nor a path to a .gguf file"
        )
    if provider == "openai":
        if not value:
            raise ConfigError(f"RAG_LLM={spec!r}: name the model, e.g. openai:gpt-4o-mini")
        return LlmSpec("openai", value)
    raise ConfigError(f"RAG_LLM={spec!r} is not a model spec; accepted forms: {ACCEPTED_FORMS}")


def model_label(spec: str) -> str:
    """A stable name for reports: provider plus the concrete model (and quantisation)."""
    parsed = parse_llm_spec(spec)
    if parsed.provider == "llamacpp":
        if parsed.bundled:
            return f"llamacpp:{bundled_model(parsed.model).label}"
        return f"llamacpp:{Path(parsed.model).stem.lower()}"
    return f"openai:{parsed.model}"


@dataclass(frozen=True)
class ChatCapabilities:
    """What the model a spec selects can do, known without building or loading it."""

    gives_token_probabilities: bool


def chat_capabilities(spec: str) -> ChatCapabilities:
    parsed = parse_llm_spec(spec)
    model_class = LlamaCppChat if parsed.provider == "llamacpp" else guarded_chat_openai_class()
    return ChatCapabilities(gives_token_probabilities=model_class.gives_token_probabilities)


def make_chat_model(spec: str, settings: Settings, options: GenerationOptions = GenerationOptions()) -> BaseChatModel:
    """The chat model for `spec`. Nothing heavy happens here except assembling a
    bundled GGUF on first use; the weights load on the first call."""
    parsed = parse_llm_spec(spec)
    if parsed.provider == "llamacpp":
        _require_llama_cpp()
        if parsed.bundled:
            path = bundled_model_path(parsed.model, model_cache_dir(settings))
        else:
            path = Path(parsed.model).expanduser()
            if not path.is_file():
                raise SetupError(f"RAG_LLM={spec!r}: no GGUF model file at {path}")
        return LlamaCppChat(
            model_path=str(path.resolve()),
            prefix_states_dir=str(settings.cache_dir / "prefix-states"),
            label=model_label(spec),
            n_ctx=options.n_ctx,
            n_threads=options.n_threads,
            max_tokens=options.max_tokens,
            temperature=options.temperature,
            seed=options.seed,
            response_format={"type": "json_object"} if options.json_mode else None,
            timeout=options.timeout if options.timeout is not None else _explicit_timeout(settings),
        )
    if options.timeout is None:
        options = replace(options, timeout=settings.llm_timeout)
    return _make_openai(parsed.model, options, settings)


# -- llama.cpp, in process ---------------------------------------------------


def _explicit_timeout(settings: Settings) -> float | None:
    return settings.llm_timeout if settings.llm_timeout_set else None


class _Deadline:
    """A llama.cpp logits processor that checks a monotonic deadline before each sampled token.
    Once it has passed, it leaves the end-of-generation token the only one possible, so the reply
    ends at the next token, and says so in `passed`: the caller takes that reply as cut, never as
    an answer. (Raising would not stop it: llama.cpp calls the processor from a C callback, which
    swallows exceptions. The prompt is evaluated before the first check: a deadline cannot cut
    that short.)"""

    def __init__(self, seconds: float, end_token: int, clock=time.monotonic):
        self.seconds, self.end_token = seconds, end_token
        self._clock = clock
        self._ends = clock() + seconds
        self.passed = False

    def __call__(self, input_ids, scores):
        if self.passed or self._clock() > self._ends:
            self.passed = True
            scores[:] = -np.inf
            scores[self.end_token] = 0.0
        return scores

    @property
    def reason(self) -> str:
        return f"the {self.seconds:g} s deadline passed mid-reply (RAG_LLM_TIMEOUT)"


def _require_llama_cpp() -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise SetupError(f"the llamacpp models need llama-cpp-python; run `{INSTALL_HINT}`") from exc


@dataclass
class _LoadedLlama:
    llama: Any
    # A Llama context is one sequence of KV state: two threads generating on it
    # at once (e.g. BaseChatModel.batch) would corrupt each other's output.
    lock: threading.Lock
    # The system prompts' KV states, so no call reads its system prompt twice (rag.generate.prefix_states).
    prefixes: PrefixStates = field(default_factory=PrefixStates)
    tokens_read: int = 0  # prompt tokens the model has evaluated (read), prefixes included


# Weights are ~0.5-1 GB; load each once per process, on first use, never at import.
_LLAMAS: dict[tuple[str, int, int], _LoadedLlama] = {}
_LLAMAS_LOCK = threading.Lock()


def _load_llama(
    model_path: str, n_ctx: int, n_threads: int, seed: int, prefix_states_dir: str | None = None
) -> _LoadedLlama:
    key = (model_path, n_ctx, n_threads)
    with _LLAMAS_LOCK:
        loaded = _LLAMAS.get(key)
        if loaded is None:
            _require_llama_cpp()
            from llama_cpp import Llama

            try:
                llama = Llama(
                    model_path=model_path,
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    seed=seed,
                    # Flash attention: prompts read 6% faster on this CPU (505 tokens 3.08 -> 2.90 s).
                    flash_attn=True,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise SetupError(f"llama.cpp could not load {model_path} ({exc}); is it a GGUF model?") from exc
            stat = os.stat(model_path)
            prefixes = PrefixStates(
                folder=Path(prefix_states_dir) if prefix_states_dir else None,
                # Flash attention lays the KV cache out otherwise: a state saved without it is not this one's.
                model_id=f"{model_path}|{stat.st_size}|{stat.st_mtime_ns}|flash-attention",
            )
            loaded = _LLAMAS[key] = _LoadedLlama(llama, threading.Lock(), prefixes)
            if len(_LLAMAS) == 1:
                atexit.register(_close_llamas)
        return loaded


def _close_llamas() -> None:
    """Free models before interpreter shutdown; llama.cpp's own finalizer then finds
    its C functions already gone and prints a traceback on exit."""
    for loaded in list(_LLAMAS.values()):
        try:
            loaded.llama.close()
        except Exception:  # noqa: BLE001 - best effort at exit, nothing left to report to
            pass
    _LLAMAS.clear()


_ROLES = {
    "system": "system",
    "human": "user",
    "ai": "assistant",
    "SystemMessageChunk": "system",
    "HumanMessageChunk": "user",
    "AIMessageChunk": "assistant",
}
# Call-time options we pass through (e.g. model.bind(max_tokens=64)). LangChain
# also passes its own bookkeeping kwargs (ls_structured_output_format, …) that
# llama.cpp would reject, so anything else is dropped.
_CALL_OPTIONS = ("max_tokens", "temperature", "seed", "response_format", "top_p", "top_k", "repeat_penalty")


def _to_llama_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for message in messages:
        role = getattr(message, "role", None) if message.type == "chat" else _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"LlamaCppChat does not support {message.type!r} messages")
        out.append({"role": role, "content": message.text})
    return out


def _usage(prompt_tokens: int, completion_tokens: int) -> UsageMetadata:
    return UsageMetadata(
        input_tokens=prompt_tokens, output_tokens=completion_tokens, total_tokens=prompt_tokens + completion_tokens
    )


class LlamaCppChat(BaseChatModel):
    """A GGUF model run in-process by llama.cpp, through its chat template."""

    # It reads its logits (option_probabilities): rag.generate.generator.TokenProbabilityModel.
    gives_token_probabilities: ClassVar[bool] = True

    model_path: str
    label: str
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 512
    temperature: float = 0.0
    seed: int = 1234
    response_format: dict | None = None
    timeout: float | None = None  # seconds for one call, checked per token (None: no deadline)
    # Where the system prompts' KV states are kept for the next process (rag.generate.prefix_states).
    prefix_states_dir: str | None = None

    @property
    def _llm_type(self) -> str:
        return "llamacpp-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        # LangChain's response cache keys on these, so two GGUFs with one name must differ.
        return {
            "model": self.label,
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
            "response_format": self.response_format,
        }

    def _loaded(self) -> _LoadedLlama:
        threads = self.n_threads or max(1, os.cpu_count() or 1)
        return _load_llama(self.model_path, self.n_ctx, threads, self.seed, self.prefix_states_dir)

    def _params(
        self, stop: list[str] | None, kwargs: dict[str, Any], deadline: _Deadline | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"max_tokens": self.max_tokens, "temperature": self.temperature, "seed": self.seed}
        if self.response_format is not None:
            params["response_format"] = self.response_format
        params.update({k: v for k, v in kwargs.items() if k in _CALL_OPTIONS})
        if stop:
            params["stop"] = stop
        if deadline is not None:
            from llama_cpp import LogitsProcessorList

            params["logits_processor"] = LogitsProcessorList([deadline])
        return params

    def _deadline(self, loaded: _LoadedLlama) -> _Deadline | None:
        """This call's deadline (RAG_LLM_TIMEOUT when it is set), or None."""
        return None if self.timeout is None else _Deadline(self.timeout, loaded.llama.token_eos())

    @contextlib.contextmanager
    def _context_errors(self):
        try:
            yield
        except ValueError as exc:
            # llama.cpp refuses, rather than truncates, a prompt longer than n_ctx.
            if "exceed context window" in str(exc):
                raise UserInputError(f"{exc}: the prompt is too long for {self.label} (n_ctx={self.n_ctx})") from exc
            raise

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        loaded = self._loaded()
        with loaded.lock, self._context_errors():
            self._read_prefix_once(loaded, messages)
            deadline = self._deadline(loaded)
            response = loaded.llama.create_chat_completion(
                messages=_to_llama_messages(messages), stream=False, **self._params(stop, kwargs, deadline)
            )
        if deadline is not None and deadline.passed:  # what was written is never taken as a reply
            metadata = {"finish_reason": CUT, "cut_reason": deadline.reason, "model_name": self.label}
            message = AIMessage(content="", response_metadata=metadata)
            return ChatResult(generations=[ChatGeneration(message=message, generation_info=metadata)])
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        prompt_tokens, completion_tokens = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
        finish = choice.get("finish_reason")
        message = AIMessage(
            content=choice["message"].get("content") or "",
            usage_metadata=_usage(prompt_tokens, completion_tokens),
            response_metadata={"finish_reason": finish, "model_name": self.label},
        )
        return ChatResult(
            generations=[ChatGeneration(message=message, generation_info={"finish_reason": finish})],
            llm_output={
                "token_usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
                "model_name": self.label,
            },
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        loaded = self._loaded()
        llama_messages = _to_llama_messages(messages)
        finish = None
        streamed: list[str] = []
        # The lock is held across yields: a caller that abandons the stream
        # releases it when the generator is closed or collected.
        with loaded.lock, self._context_errors():
            self._read_prefix_once(loaded, messages)
            deadline = self._deadline(loaded)
            for chunk in loaded.llama.create_chat_completion(
                messages=llama_messages, stream=True, **self._params(stop, kwargs, deadline)
            ):
                choice = chunk["choices"][0]
                finish = choice.get("finish_reason") or finish
                text = (choice.get("delta") or {}).get("content") or ""
                if not text:
                    continue
                streamed.append(text)
                piece = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=piece)
                yield piece
            if deadline is not None and deadline.passed:
                yield _cut_chunk(deadline.reason)  # what streamed so far is never taken as a reply
                return
            prompt_tokens, completion_tokens = self._stream_usage(loaded.llama, "".join(streamed), finish)
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=_usage(prompt_tokens, completion_tokens),
                response_metadata={"finish_reason": finish, "model_name": self.label},
                chunk_position="last",
            ),
            generation_info={"finish_reason": finish},
        )

    def option_probabilities(
        self, messages: list[BaseMessage], labels: list[str], prefill: str = ""
    ) -> list[float] | None:
        """The probability of each label's first token as the next token of the reply that
        starts with `prefill`; None when the GGUF has no chat template to format the prompt.

        Only the last position's logits are read (no `logits_all`), and the KV cache keeps the
        prompt prefix it shares with the previous call."""
        loaded = self._loaded()
        llama = loaded.llama
        prompt = _chat_prompt(llama, messages)
        if prompt is None:
            return None
        tokens = llama.tokenize((prompt + prefill).encode("utf-8"), add_bos=True, special=True)
        firsts = [llama.tokenize(label.encode("utf-8"), add_bos=False, special=False)[0] for label in labels]
        if len(set(firsts)) != len(firsts):
            raise ValueError(f"labels {labels} do not start with distinct tokens")
        if len(tokens) >= self.n_ctx:
            raise UserInputError(f"the prompt ({len(tokens)} tokens) is too long for {self.label} (n_ctx={self.n_ctx})")
        with loaded.lock:
            self._read_prefix_once(loaded, messages, tokens)
            logits = _next_token_logits(llama, tokens)
        logits -= logits.max()
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum()
        return [float(probabilities[t]) for t in firsts]

    @property
    def tokens_read(self) -> int:
        """Prompt tokens this model (shared by every LlamaCppChat on the same GGUF) has read so far."""
        return self._loaded().tokens_read

    def _read_prefix_once(self, loaded: _LoadedLlama, messages: list[BaseMessage], tokens: list[int] | None = None):
        """Before a call: the context holds the prompt's static prefix (its system prompt), restored
        when it was read before, and the prompt tokens the call will read are counted."""
        llama = loaded.llama
        if tokens is None:
            tokens = prompt_tokens(llama, messages)
        if not tokens:
            return
        static = prompt_tokens(llama, _without_last_text(messages)) if len(messages) > 1 else None
        if static:
            loaded.tokens_read += loaded.prefixes.prepare(llama, tokens[: shared_prefix(tokens, static)]).read
        reused = shared_prefix(llama.input_ids[: llama.n_tokens], tokens)
        loaded.tokens_read += len(tokens) - min(reused, len(tokens) - 1)

    @staticmethod
    def _stream_usage(llama: Any, text: str, finish: str | None) -> tuple[int, int]:
        """Token counts for a stream, which llama-cpp-python does not report.

        The completion is re-tokenised (exact whenever the model emitted the
        canonical tokenisation, which is the usual case). llama.cpp's context
        then holds prompt + completion tokens, except that a completion cut
        at max_tokens leaves its last token unevaluated.
        """
        completion = len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0
        prompt = llama.n_tokens - completion + (1 if finish == "length" else 0)
        return max(prompt, 0), completion


def _chat_prompt(llama: Any, messages: list[BaseMessage]) -> str | None:
    """`messages` as the GGUF's own chat template writes them, up to the assistant's turn;
    None when the file has no template."""
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    eos, bos = (
        llama.detokenize([t], special=True).decode("utf-8", "replace") if t >= 0 else ""
        for t in (llama.token_eos(), llama.token_bos())
    )
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(
        messages=_to_llama_messages(messages)
    ).prompt


def prompt_tokens(llama: Any, messages: list[BaseMessage]) -> list[int] | None:
    """The tokens llama-cpp-python's chat completion reads for `messages` (None without a chat template)."""
    prompt = _chat_prompt(llama, messages)
    return llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True) if prompt is not None else None


def _without_last_text(messages: list[BaseMessage]) -> list[BaseMessage]:
    """`messages` with the last one's text left out: rendered, what every prompt of the task shares."""
    return [*messages[:-1], messages[-1].model_copy(update={"content": ""})]


def _next_token_logits(llama: Any, tokens: list[int]) -> np.ndarray:
    """Evaluate `tokens`, re-using the KV cache of their prefix shared with what the context
    holds (as llama.cpp's own generate does), and return the logits after the last one."""
    import llama_cpp

    shared = 0
    for held, wanted in zip(llama.input_ids[: llama.n_tokens], tokens):
        if held != wanted:
            break
        shared += 1
    llama.n_tokens = min(shared, len(tokens) - 1)  # eval() drops the KV cache past n_tokens
    llama.eval(tokens[llama.n_tokens :])
    return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llama.ctx, -1), shape=(llama.n_vocab(),)).copy()


# -- OpenAI and OpenAI-compatible servers --------------------------------------


def _make_openai(model: str, options: GenerationOptions, settings: Settings) -> BaseChatModel:
    try:
        import langchain_openai  # noqa: F401
    except ImportError as exc:
        raise SetupError("openai:MODEL needs the langchain-openai package") from exc
    base_url = settings.openai_base_url
    api_key = settings.openai_api_key
    if not api_key:
        if not base_url:
            raise SetupError(
                f"RAG_LLM=openai:{model} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server)"
            )
        api_key = PLACEHOLDER_API_KEY
    kwargs: dict[str, Any] = {}
    if base_url:
        # langchain-openai sends max_completion_tokens, which OpenAI wants but
        # llama.cpp's and Ollama's servers ignore (they read max_tokens).
        kwargs["extra_body"] = {"max_tokens": options.max_tokens}
    else:
        kwargs["max_tokens"] = options.max_tokens
    if options.json_mode:
        kwargs["model_kwargs"] = {"response_format": {"type": "json_object"}}
    return guarded_chat_openai_class()(
        model=model,
        api_key=api_key,
        base_url=base_url,
        temperature=options.temperature,
        seed=options.seed,
        # The openai client's own retries know no total deadline: ours do (see Attempts).
        timeout=options.timeout,
        max_retries=0,
        deadline=options.timeout,
        retries=options.max_retries,
        # The Responses API exists only at OpenAI; chat completions work everywhere.
        use_responses_api=False,
        **kwargs,
    )


def label_probabilities(logprobs: dict | None, labels: list[str]) -> list[float] | None:
    """From a chat completion's `logprobs`: each label's probability at the first position
    whose top tokens include a label, or None if no position does."""
    for position in (logprobs or {}).get("content") or []:
        top: dict[str, float] = {}
        for candidate in position.get("top_logprobs") or []:
            token = candidate["token"].strip()
            top[token] = top.get(token, 0.0) + math.exp(candidate["logprob"])
        if any(label in top for label in labels):
            return [top.get(label, 0.0) for label in labels]
    return None


def _public_url(url: str | None) -> str:
    """The base URL without any user:password part, safe to print."""
    if not url:
        return "https://api.openai.com/v1"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# -- retries under one deadline ------------------------------------------------

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
CUT = "cut"  # finish_reason of a stream that broke off after some output


@dataclass(frozen=True)
class Failure:
    """One failed attempt, as the retry loop sees it."""

    message: str  # readable, one line, no secrets
    retryable: bool
    retry_after: float | None = None
    setup: bool = False  # the server cannot be reached at all: a SetupError when final


def retry_after_seconds(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After (seconds or HTTP date) or retry-after-ms header."""
    if not headers:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        with contextlib.suppress(ValueError):
            return max(0.0, float(milliseconds) / 1000)
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter (half to full of the step), so clients that failed
    together do not retry together."""
    step = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return step * (rng or random).uniform(0.5, 1.0)


class Attempts:
    """The attempts of one model call: at most 1 + `retries`, all within `deadline` seconds."""

    def __init__(self, deadline: float, retries: int, describe: str, clock=time.monotonic, sleep=time.sleep):
        self.deadline, self.retries, self.describe = deadline, retries, describe
        self._clock, self._sleep = clock, sleep
        self.started = clock()
        self.attempt = 0

    def elapsed(self) -> float:
        return self._clock() - self.started

    def remaining(self) -> float:
        return self.deadline - self.elapsed()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def request_timeout(self) -> float:
        return max(0.05, self.remaining())

    def retry_or_raise(self, failure: Failure) -> None:
        """Sleep before the next attempt, or raise the one-line error that ends the call."""
        if failure.retryable and self.attempt < self.retries:
            delay = failure.retry_after if failure.retry_after is not None else backoff_seconds(self.attempt)
            if delay < self.remaining():
                self._sleep(delay)
                self.attempt += 1
                return
            if failure.retry_after is not None:
                raise self._error(
                    failure,
                    f"; the server asks to retry after {delay:.0f} s, "
                    f"beyond the {self.deadline:g} s deadline (RAG_LLM_TIMEOUT)",
                )
        raise self._error(failure, "")

    def _error(self, failure: Failure, tail: str) -> Exception:
        tries = self.attempt + 1
        text = (
            f"{self.describe}: {failure.message} "
            f"({tries} attempt{'s' if tries > 1 else ''} in {self.elapsed():.1f} s){tail}"
        )
        return SetupError(text) if failure.setup else ModelError(text)


def _short(text: object, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _causes(exc: BaseException) -> list[BaseException]:
    """exc and what caused it, down to the root."""
    chain = [exc]
    while (nxt := chain[-1].__cause__ or chain[-1].__context__) is not None and nxt not in chain:
        chain.append(nxt)
    return chain


def classify_failure(exc: BaseException, timeout: float) -> Failure | None:
    """How the retry loop treats an exception from the openai client (None: not ours to handle)."""
    import httpx
    import openai

    if isinstance(exc, openai.RateLimitError):
        return Failure("rate limited (HTTP 429)", True, retry_after_seconds(exc.response.headers))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = _short(getattr(exc, "message", "") or exc)
        retryable = status >= 500 or status in (408, 409)
        return Failure(
            f"HTTP {status} ({detail})", retryable, retry_after_seconds(exc.response.headers) if retryable else None
        )
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
        return Failure(f"no reply within {timeout:.0f} s", True)
    if isinstance(exc, openai.APIConnectionError):
        chain = _causes(exc)
        refused = any(isinstance(e, (httpx.ConnectError, ConnectionRefusedError)) for e in chain)
        return Failure(f"connection failed ({type(chain[-1]).__name__})", True, setup=refused)
    if isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError)):
        return Failure(f"the reply is not valid JSON ({_short(exc, 100)})", False)
    if isinstance(exc, httpx.TransportError):
        return Failure(f"connection dropped ({type(exc).__name__})", True)
    if isinstance(exc, openai.APIError):
        return Failure(_short(exc), False)
    return None


@functools.cache
def guarded_chat_openai_class() -> type[BaseChatModel]:
    """ChatOpenAI with clear setup errors; built on first use so that importing
    this module (and so `rag docs`) does not import openai."""
    import openai
    from langchain_openai import ChatOpenAI

    class GuardedChatOpenAI(ChatOpenAI):
        """ChatOpenAI whose failures are bounded and one line.

        Every call (all retries) ends within `deadline` seconds; 408/409/429/5xx,
        timeouts and dropped connections are retried `retries` times with jittered
        backoff or the server's Retry-After. Setup failures become SetupErrors, the
        rest ModelErrors. The original exceptions are suppressed (`from None`): an
        AuthenticationError's text can echo part of the key.
        """

        # From the server's top_logprobs (option_probabilities; None when it sends none).
        gives_token_probabilities: ClassVar[bool] = True
        deadline: float = 60.0
        retries: int = 3

        def _translate(self, exc: Exception) -> SetupError | None:
            where = _public_url(self.openai_api_base)
            if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
                return SetupError(
                    f"the server at {where} rejected the API key for model {self.model_name!r} "
                    f"(HTTP {exc.status_code}); check OPENAI_API_KEY"
                )
            if isinstance(exc, openai.NotFoundError):
                return SetupError(
                    f"the server at {where} has no model {self.model_name!r} (HTTP 404); "
                    f"check RAG_LLM and OPENAI_BASE_URL"
                )
            return None

        def _attempts(self) -> Attempts:
            where = _public_url(self.openai_api_base)
            return Attempts(self.deadline, self.retries, f"model {self.model_name!r} at {where} failed")

        def _failure(self, exc: Exception, attempts: Attempts) -> Failure | SetupError:
            """The failure to retry or report, or the setup error (key, model name) to raise at once:
            the caller raises it outside its `except` block, so the original (which can echo the
            key) is neither its cause nor its context."""
            if isinstance(exc, openai.OpenAIError) and (err := self._translate(exc)) is not None:
                return err
            failure = classify_failure(exc, attempts.deadline)
            if failure is None:
                raise exc
            if failure.setup:
                where = _public_url(self.openai_api_base)
                failure = replace(
                    failure,
                    message=f"cannot reach the OpenAI-compatible server at {where} "
                    f"({failure.message}); check OPENAI_BASE_URL",
                )
            return failure

        def option_probabilities(
            self, messages: list[BaseMessage], labels: list[str], prefill: str = ""
        ) -> list[float] | None:
            """The labels' probabilities at the first reply token that is one of them (chat
            completions cannot be pre-filled, so "[3]" and "3" both count); None when the
            server returns no `top_logprobs`."""
            call: dict[str, Any] = {
                "logprobs": True,
                "top_logprobs": CHOICE_TOP_LOGPROBS,
                "max_tokens": CHOICE_MAX_TOKENS,
            }
            if self.extra_body:
                call["extra_body"] = {**self.extra_body, "max_tokens": CHOICE_MAX_TOKENS}
            reply = self.invoke(messages, **call)
            return label_probabilities(reply.response_metadata.get("logprobs"), labels)

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            attempts = self._attempts()
            while True:
                try:
                    return super()._generate(messages, stop, run_manager, **kwargs, timeout=attempts.request_timeout())
                except Exception as exc:  # noqa: BLE001 - sorted by _failure: retried, reported or re-raised
                    failure = self._failure(exc, attempts)
                if isinstance(failure, SetupError):
                    raise failure
                attempts.retry_or_raise(failure)

        async def _agenerate(self, *args: Any, **kwargs: Any) -> ChatResult:
            try:
                return await super()._agenerate(*args, **kwargs)
            except openai.OpenAIError as exc:
                if (err := self._translate(exc)) is None:
                    raise
            raise err

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            """The reply's chunks, retried before the first one arrives; after it, a failure or
            the deadline ends the stream with finish_reason "cut", so the text is never taken
            for a whole reply."""
            attempts = self._attempts()
            while True:
                produced, finished = False, False
                try:
                    for chunk in super()._stream(
                        messages, stop, run_manager, **kwargs, timeout=attempts.request_timeout()
                    ):
                        produced = produced or bool(chunk.text)  # before any text a retry loses nothing
                        finished = finished or bool((chunk.generation_info or {}).get("finish_reason"))
                        yield chunk
                        if attempts.expired() and not finished:
                            yield _cut_chunk(f"the {attempts.deadline:g} s deadline passed mid-reply")
                            return
                    if not finished:
                        yield _cut_chunk("the stream ended without a finish_reason")
                    return
                except Exception as exc:  # noqa: BLE001 - sorted by _failure: retried, reported or re-raised
                    failure = self._failure(exc, attempts)
                if isinstance(failure, SetupError):
                    raise failure
                if produced:
                    yield _cut_chunk(failure.message)
                    return
                attempts.retry_or_raise(failure)

        async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
            try:
                async for chunk in super()._astream(*args, **kwargs):
                    yield chunk
                return
            except openai.OpenAIError as exc:
                if (err := self._translate(exc)) is None:
                    raise
            raise err

    return GuardedChatOpenAI


def _cut_chunk(reason: str) -> ChatGenerationChunk:
    """The last chunk of a stream that broke off: no text, finish_reason "cut" and why."""
    metadata = {"finish_reason": CUT, "cut_reason": reason}
    return ChatGenerationChunk(
        message=AIMessageChunk(content="", response_metadata=metadata, chunk_position="last"), generation_info=metadata
    )
