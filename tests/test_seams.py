"""The declared seams: the real embedders are `Embedder`s, the real chat models `ChatModel`s
that declare whether they give token probabilities (so callers know before calling)."""
from __future__ import annotations

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
