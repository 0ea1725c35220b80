"""Settings from the environment (and an optional config file under RAG_HOME).

Read once where a command starts, then passed down explicitly: nothing in the
library reads the environment at import time.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import ConfigError

CONFIG_KEYS = ("RAG_LLM", "RAG_EMBEDDINGS", "RAG_CHROMA_URL", "RAG_LLM_TIMEOUT", "RAG_INDEX")
DEFAULT_LLM = "llamacpp"
DEFAULT_EMBEDDINGS = "use-multilingual"
DEFAULT_LLM_TIMEOUT = 60.0  # seconds for one LLM call, all its retries included
DEFAULT_INDEX = "default"
# Chroma collection names allow [a-zA-Z0-9._-], 3-512 characters; the index name is part of them.
_INDEX_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "rag"


@dataclass(frozen=True)
class Settings:
    home: Path
    llm: str = DEFAULT_LLM
    embeddings: str = DEFAULT_EMBEDDINGS
    chroma_url: str | None = None
    llm_timeout: float = DEFAULT_LLM_TIMEOUT
    index: str = DEFAULT_INDEX  # RAG_INDEX: namespaces the Chroma collections on a shared server
    extra: dict = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.home / "articles.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        home = Path(env.get("RAG_HOME") or default_home()).expanduser()
        file_values = _read_config_file(home / "config.json")
        def value(key: str, default: str | None) -> str | None:
            return env.get(key) or file_values.get(key) or default
        chroma_url = value("RAG_CHROMA_URL", None)
        if chroma_url and not chroma_url.startswith(("http://", "https://")):
            raise ConfigError(f"RAG_CHROMA_URL must look like http://host:port, got {chroma_url!r}")
        return cls(
            home=home,
            llm=value("RAG_LLM", DEFAULT_LLM) or DEFAULT_LLM,
            embeddings=value("RAG_EMBEDDINGS", DEFAULT_EMBEDDINGS) or DEFAULT_EMBEDDINGS,
            chroma_url=chroma_url,
            llm_timeout=_positive_seconds("RAG_LLM_TIMEOUT", value("RAG_LLM_TIMEOUT", None), DEFAULT_LLM_TIMEOUT),
            index=_index_name(value("RAG_INDEX", DEFAULT_INDEX) or DEFAULT_INDEX),
        )


def _index_name(name: str) -> str:
    if not _INDEX_NAME.fullmatch(name):
        raise ConfigError(f"RAG_INDEX must be 1-63 letters, digits, '-' or '_' (starting with a letter or digit), "
                          f"got {name!r}")
    return name


def _positive_seconds(key: str, raw: str | None, default: float) -> float:
    if raw is None or not raw.strip():
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigError(f"{key} must be a number of seconds above 0, got {raw!r}")
    return seconds


def _read_config_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a valid JSON config file ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object of settings")
    return {k: str(v) for k, v in data.items() if k in CONFIG_KEYS}
