"""The saved vocabulary's files (rag.retrieve.translate writes them, rag.index.check checks them):
which words and vectors a stamp was written with, and writes that a reader never sees half done."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np


def fingerprint(strings: list[str]) -> str:
    """A list of strings (the vocabulary's words, the sorted ids of the articles it covers), hashed."""
    return hashlib.sha256("\n".join(strings).encode("utf-8")).hexdigest()[:16]


def consistency(words: list[str], vectors: np.ndarray) -> str:
    """The words and a sample of the vectors (a row in every 256 of them, read through the map), hashed."""
    digest = hashlib.sha256(fingerprint(words).encode())
    digest.update(repr(vectors.shape).encode())
    digest.update(np.ascontiguousarray(vectors[:: max(1, len(vectors) // 256)]).tobytes())
    return digest.hexdigest()[:16]


def save_array(path: Path, array: np.ndarray) -> None:
    """Written beside, then renamed over: a process that has the old file mapped keeps reading it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as out:
        np.save(out, array)
    os.replace(partial, path)


def replace_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
