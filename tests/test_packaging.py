"""The wheel works outside the checkout: built, installed into a fresh venv without the `llm`
extra, and run from a folder that is not the checkout.

Slow (about a minute once pip's cache holds the dependencies; several the first time): it
installs every dependency from PyPI into a new venv. `rag ask` needs llama-cpp-python, which
this install leaves out on purpose (replay must not need it), so ask is checked to get as far
as the model: past retrieval and the prompt templates, to the error that names the extra.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[1]
SEED_QUESTION = "ماذا قالت وزارة الدفاع الأميركية عن تصرفات روسيا في سوريا؟"


def _run(args: list, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(the venv's rag command, a working folder outside the checkout, the environment)."""
    root = tmp_path_factory.mktemp("packaging")
    # No RAG_* of the caller's, no checkout on the path, pip's own cache kept (the speed-up).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "RAG_HOME": str(root / "home")}
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", root / "dist", CHECKOUT], root, env, 600
    )
    assert built.returncode == 0, built.stderr
    wheel = next((root / "dist").glob("rag_news-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    prompts = sorted(p.name for p in (CHECKOUT / "prompts").glob("*.md"))
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("rag/prompts/")) == prompts
    assert "rag/text/data/names.tsv" in names
    venv = root / "venv"
    assert _run([sys.executable, "-m", "venv", venv], root, env, 120).returncode == 0
    installed = _run([venv / "bin" / "pip", "install", "-q", wheel], root, env, 1500)
    assert installed.returncode == 0, installed.stderr[-3000:]
    work = root / "work"
    work.mkdir()
    return venv / "bin" / "rag", work, env


def test_the_installed_package_holds_its_data_and_not_the_llm_extra(installed):
    rag, work, env = installed
    python = rag.parent / "python"
    probe = _run(
        [
            python,
            "-c",
            "import importlib.util, rag, rag.prompting as p; "
            "print(rag.__file__); print(p.load_prompt('ask.user').label); "
            "print(importlib.util.find_spec('llama_cpp') is None)",
        ],
        work,
        env,
        120,
    )
    assert probe.returncode == 0, probe.stderr
    location, label, no_llama = probe.stdout.split()
    assert "site-packages" in location and not location.startswith(str(CHECKOUT))
    assert label.startswith("ask.user@v") and no_llama == "True"


def test_ingest_search_and_replayed_eval_outside_the_checkout(installed):
    rag, work, env = installed
    ingested = _run([rag, "ingest", CHECKOUT / "seeds", "--json"], work, env, 600)
    assert ingested.returncode == 0, ingested.stderr
    assert len(json.loads(ingested.stdout)["added"]) == 1

    found = _run([rag, "search", "وزارة الدفاع الأميركية روسيا", "--json", "-k", "2"], work, env, 300)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"]

    # The ci suite's datasets and recordings stay in the checkout (evaluation data, not the
    # product); a suite given by path resolves both beside it.
    evaluated = _run(
        [
            rag,
            "eval",
            "--suite",
            CHECKOUT / "evals" / "suites" / "ci.toml",
            "--replay",
            "--json",
            "--out",
            work / "eval-ci.json",
        ],
        work,
        env,
        900,
    )
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    report = json.loads(evaluated.stdout)
    assert report["passed"] and report["completions"]["generated"] == 0 and report["completions"]["replayed"] > 0


def test_ask_gets_as_far_as_the_model_it_cannot_load_without_the_llm_extra(installed):
    rag, work, env = installed
    if not (Path(env["RAG_HOME"]) / "articles.sqlite3").exists():
        assert _run([rag, "ingest", CHECKOUT / "seeds"], work, env, 600).returncode == 0
    asked = _run([rag, "ask", SEED_QUESTION, "--json"], work, env, 600)
    assert asked.returncode == 1 and asked.stdout == ""
    error = asked.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ") and "llama-cpp-python" in error and ".[llm]" in error, asked.stderr
    assert "Traceback" not in asked.stderr and "prompt template" not in asked.stderr
