"""Every command and option of the CLI, and every environment variable Settings reads, is
documented in README.md (as sqlite-utils' tests/test_docs.py does for its CLI)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from rag.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands


def _usage_lines(command: str) -> str:
    """The README's usage lines of `rag COMMAND` (lines that start with it, in code blocks)."""
    return "\n".join(line for line in README.splitlines() if re.match(rf"\s*rag {re.escape(command)}\b", line))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command):
    assert _usage_lines(command), f"README.md has no usage line `rag {command} …`"


@pytest.mark.parametrize(
    "command, option",
    sorted(
        (name, opt)
        for name, cmd in COMMANDS.items()
        for param in cmd.params
        if param.param_type_name == "option"
        for opt in param.opts + param.secondary_opts
    ),
)
def test_every_option_is_documented(command, option):
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", _usage_lines(command)), (
        f"README.md's `rag {command}` lines do not mention {option}"
    )


def test_every_environment_variable_is_documented():
    config = (ROOT / "rag" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:RAG|OPENAI)_[A-Z0-9_]+)"', config))
    assert {"RAG_HOME", "RAG_LLM", "OPENAI_API_KEY"} <= names
    documented = set(re.findall(r"`([A-Z0-9_]+)`", README))
    assert sorted(names - documented) == []
