"""The declared seams: the real embedders are `Embedder`s, the real chat models `ChatModel`s
that declare whether they give token probabilities (so callers know before calling)."""

from __future__ import annotations

import pytest

from rag.generate.generator import ChatModel, TokenProbabilityModel
from rag.generate.providers import LlamaCppChat, chat_capabilities, guarded_chat_openai_class
from rag.index.embeddings import Embedder, OpenAIEmbedder, UseMultilingualEmbeddings, make_embedder


def test_the_embedders_are_embedders():
    use = UseMultilingualEmbeddings()  # the weights load on the first call, not here
    remote = OpenAIEmbedder("text-embedding-3-small", base_url="http://127.0.0.1:9/v1", api_key="sk-not-sent")
    for embedder in (use, remote, make_embedder("use-multilingual")):
        assert isinstance(embedder, Embedder)
    assert (use.name, use.dimensions) == ("use-multilingual", 512)
    assert remote.name == "openai:text-embedding-3-small" and remote.dimensions is None


def test_the_chat_models_declare_token_probabilities():
    model = LlamaCppChat(model_path="/nonexistent.gguf", label="x")  # nothing loads until called
    openai_model = guarded_chat_openai_class()(model="m", api_key="sk-not-sent", base_url="http://127.0.0.1:9/v1")
    for chat in (model, openai_model):
        assert isinstance(chat, ChatModel) and isinstance(chat, TokenProbabilityModel)
    assert chat_capabilities("llamacpp:/any/model.gguf").gives_token_probabilities


def test_the_eval_runner_does_not_import_the_cli():
    import subprocess
    import sys

    code = "import sys, rag.evals.runner; print(sorted(m for m in sys.modules if m.startswith('rag.cli')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_eval_runner_reports_its_steps_to_a_callback(tmp_path):
    from dataclasses import replace

    from rag.evals.runner import EvalProgress, RunOptions, run_suite
    from rag.evals.suites import find_suite

    suite = find_suite("ci").only(["summaries"])
    absent = replace(
        suite.tasks[0],
        name="absent",
        datasets=(replace(suite.tasks[0].datasets[0], spec="none.jsonl", path=tmp_path / "none.jsonl"),),
    )
    steps: list[EvalProgress] = []
    report = run_suite(
        replace(suite, tasks=(absent, suite.tasks[0])), RunOptions(recording_mode="replay", progress=steps.append)
    )
    assert report.passed
    assert steps[0] == EvalProgress("absent", note="skipped absent: dataset not found: none.jsonl")
    ran = [s for s in steps if s.task == "summaries"]
    assert ran[0].description == "ingesting" and ran[0].done == 0 and ran[0].total == 2
    assert (ran[-1].description, ran[-1].done) == ("done", 2)
    assert [s.done for s in ran] == sorted(s.done for s in ran)
