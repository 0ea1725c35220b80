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
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MIN_PREFIX_TOKENS = 32  # shorter prefixes cost less to read than to keep
DEFAULT_CAPACITY = 8  # prefixes kept per model: the tasks' system prompts (ask ar/en, answers, entails, …)


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

    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        self.capacity = capacity
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
        if state is not None and _restore(llama, prefix, state):
            self._states.move_to_end(key)
            return PrefixUse(restored=True)
        llama.n_tokens = held  # eval() drops the KV cells past n_tokens
        llama.eval(list(prefix[held:]))
        saved = _save(llama)
        if saved is not None:
            self._states[key] = saved
            while len(self._states) > self.capacity:
                self._states.popitem(last=False)
        return PrefixUse(read=len(prefix) - held)


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
