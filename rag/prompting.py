"""Prompt templates: files under prompts/, with a front-matter header, loaded by name.

A template declares its variables; rendering with a missing or unexpected
variable is an error, not a silently empty string. `$name` placeholders
(string.Template) keep JSON braces and Arabic punctuation literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from rag.errors import SetupError

# rag/prompts is a symlink to the top-level prompts/ folder (the templates' one source); the
# wheel and sdist hold real copies (package-data in pyproject.toml), so an installed rag has them.
PACKAGED_PROMPTS = Path(__file__).resolve().parent / "prompts"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    variables: tuple[str, ...]
    body: str

    def render(self, **values: str) -> str:
        missing = set(self.variables) - set(values)
        extra = set(values) - set(self.variables)
        if missing or extra:
            raise SetupError(f"prompt {self.name}: missing variables {sorted(missing)}, unexpected {sorted(extra)}")
        return Template(self.body).substitute(values)

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"


_prompts_folder: Path | None = None  # Settings.prompts_dir, set where a command starts (use_prompts_dir)


def use_prompts_dir(folder: Path | None) -> None:
    """Load templates from `folder` (None: the packaged ones) from now on in this process."""
    global _prompts_folder
    if folder != _prompts_folder:
        _prompts_folder = folder
        load_prompt.cache_clear()


def prompts_dir() -> Path:
    return _prompts_folder if _prompts_folder is not None else PACKAGED_PROMPTS


@lru_cache(maxsize=64)
def load_prompt(name: str) -> PromptTemplate:
    path = prompts_dir() / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SetupError(f"prompt template {name!r} not found at {path}") from exc
    match = _FRONT_MATTER.match(text)
    if not match:
        raise SetupError(f"prompt template {path} has no front-matter header")
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    variables = tuple(v.strip() for v in meta.get("variables", "[]").strip("[]").split(",") if v.strip())
    return PromptTemplate(
        name=meta.get("name", name),
        version=meta.get("version", "0"),
        variables=variables,
        body=text[match.end() :].strip() + "\n",
    )
