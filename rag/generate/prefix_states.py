"""The KV state of a few static prompt prefixes, kept beside an in-process llama.cpp model.

Reading the prompt, not writing the answer, is what a CPU spends its time on (about 95
prompt tokens a second on two cores), and every prompt starts with its task's system
prompt (200-250 tokens for an answer). llama.cpp keeps the KV cache of the previous
prompt only, so an answer, its yes/no checks and the next answer each read their system
prompt again. Here the state of each static prefix (the chat template up to the user's
text: the system prompt) is saved once, after it was first read, and put back into the
context before a prompt that starts with it: only what follows is read.

Only sequence 0's KV cells are saved (llama_state_seq_*: about 28 KB a token for the
1.5B model), not the logits; the caller always evaluates at least one token after the
prefix, so nothing is read from a restored state but the cache.

With a folder, each saved state is also written there (keyed by the model file, the
llama.cpp version and the prefix's tokens), so a fresh process (`rag ask`) restores its
system prompt from disk instead of reading it: a few MB read beat ~2.5 s of prompt.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_PREFIX_TOKENS = 32  # shorter prefixes cost less to read than to keep
DEFAULT_CAPACITY = 8  # prefixes kept per model: the tasks' system prompts (ask ar/en, answers, entails, …)
FILES_PER_PREFIX_KEPT = 4  # the folder keeps at most capacity × this many states, the newest


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens `a` and `b` have in common."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass
class PrefixUse:
    """What preparing one prompt cost: tokens read for its prefix, and whether a saved state was used."""

    read: int = 0
    restored: bool = False


class PrefixStates:
    """Saved KV states of static prompt prefixes for one llama_cpp.Llama, most recently used last.

    Not thread-safe by itself: the caller holds the model's lock (one context is one sequence)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, folder: Path | None = None, model_id: str = ""):
        self.capacity = capacity
        self.folder = folder
        self.model_id = model_id  # names the model file: a state is only valid for the weights it came from
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def prepare(self, llama: Any, prefix: Sequence[int]) -> PrefixUse:
        """Leave `llama`'s context holding exactly `prefix` (or more of the prompt, when it
        already held it): restored from a saved state, or read once and saved."""
        held = shared_prefix(llama.input_ids[: llama.n_tokens], prefix)
        if not self.capacity or len(prefix) < MIN_PREFIX_TOKENS or held == len(prefix):
            return PrefixUse()
        key = tuple(prefix)
        state = self._states.get(key)
        if state is None:
            state = self._read(key)
        if state is not None:
            if _restore(llama, prefix, state):
                self._keep(key, state)
                return PrefixUse(restored=True)
            self._forget(key)
        llama.n_tokens = held  # eval() drops the KV cells past n_tokens
        llama.eval(list(prefix[held:]))
        saved = _save(llama)
        if saved is not None:
            self._keep(key, saved)
            self._write(key, saved)
        return PrefixUse(read=len(prefix) - held)

    def _keep(self, key: tuple[int, ...], state: bytes) -> None:
        self._states[key] = state
        self._states.move_to_end(key)
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)

    def _path(self, key: tuple[int, ...]) -> Path | None:
        if self.folder is None:
            return None
        import llama_cpp

        digest = hashlib.sha256(f"{self.model_id}|{llama_cpp.__version__}|{key}".encode()).hexdigest()
        return self.folder / f"{digest[:40]}.kv"

    def _read(self, key: tuple[int, ...]) -> bytes | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return path.read_bytes() or None
        except OSError:
            return None

    def _write(self, key: tuple[int, ...], state: bytes) -> None:
        """Best effort: a folder that cannot be written only means the next process reads the prefix."""
        path = self._path(key)
        if path is None:
            return
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(state)
            os.replace(partial, path)
            kept = sorted(path.parent.glob("*.kv"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in kept[self.capacity * FILES_PER_PREFIX_KEPT :]:
                old.unlink(missing_ok=True)

    def _forget(self, key: tuple[int, ...]) -> None:
        self._states.pop(key, None)
        path = self._path(key)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _save(llama: Any) -> bytes | None:
    import llama_cpp

    ctx = llama.ctx
    size = llama_cpp.llama_state_seq_get_size(ctx, 0)
    if not size:
        return None
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
    return bytes(buffer[:written]) if written else None


def _restore(llama: Any, prefix: Sequence[int], state: bytes) -> bool:
    """Put `state` (the KV cells of `prefix`) in place of sequence 0; False if llama.cpp refused it."""
    import llama_cpp

    llama._ctx.kv_cache_seq_rm(0, 0, -1)
    buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
    if not llama_cpp.llama_state_seq_set_data(llama.ctx, buffer, len(state), 0):
        llama.n_tokens = 0
        return False
    llama.input_ids[: len(prefix)] = prefix
    llama.n_tokens = len(prefix)
    return True
