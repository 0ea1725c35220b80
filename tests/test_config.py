"""Settings own every setting: read from the environment (and config.json) in rag.config only."""

from __future__ import annotations

import re
from pathlib import Path

import rag
from rag.config import Settings
from rag.prompting import PACKAGED_PROMPTS, load_prompt, prompts_dir


def test_every_setting_comes_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "RAG_HOME": str(tmp_path / "home"),
            "RAG_MODEL_CACHE": str(tmp_path / "models"),
            "RAG_PROMPTS_DIR": str(tmp_path / "prompts"),
            "RAG_O200K_FILE": str(tmp_path / "o200k.tiktoken"),
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "OPENAI_API_KEY": "sk-very-secret-123",
            "RAG_DEBUG": "1",
            "RAG_PROGRESS": "1",
        }
    )
    assert settings.model_cache_dir == tmp_path / "models"
    assert (settings.prompts_dir, settings.o200k_file) == (tmp_path / "prompts", tmp_path / "o200k.tiktoken")
    assert (settings.openai_base_url, settings.openai_api_key) == ("http://127.0.0.1:9/v1", "sk-very-secret-123")
    assert settings.debug and settings.progress
    assert "sk-very-secret-123" not in repr(settings)


def test_defaults_without_the_environment(tmp_path):
    settings = Settings.from_env({"RAG_HOME": str(tmp_path), "OPENAI_API_BASE": "http://127.0.0.1:9/v1"})
    assert settings.model_cache_dir == tmp_path / "cache" / "models"
    assert settings.prompts_dir is None and settings.o200k_file is None and settings.openai_api_key is None
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"  # the older name of the variable
    assert not settings.debug and not settings.progress


def test_a_prompts_folder_from_settings_is_used(tmp_path, monkeypatch):
    from rag.app import Rag

    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "ask.user.md").write_text(
        "---\nname: ask.user\nversion: 99\nvariables: [question]\n---\nQ: $question\n", encoding="utf-8"
    )
    monkeypatch.setenv("RAG_PROMPTS_DIR", str(folder))
    try:
        Rag(Settings.from_env())
        assert prompts_dir() == folder and load_prompt("ask.user").label == "ask.user@v99"
    finally:
        Rag(Settings(home=tmp_path / "home"))  # back to the packaged templates
    assert prompts_dir() == PACKAGED_PROMPTS and load_prompt("ask.user").version != "99"


def test_nothing_but_rag_config_reads_the_environment():
    package = Path(rag.__file__).parent
    readers = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "config.py" or path.parent != package
        if re.search(r"os\.environ|getenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == []
