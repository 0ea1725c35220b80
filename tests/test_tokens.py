import gzip

import pytest

from rag.errors import SetupError
from rag.text import tokens
from rag.text.tokens import count_tokens, count_tokens_batch, o200k


@pytest.fixture
def fresh_o200k():
    """Clear the per-process encoding cache before and after the test (and any file set)."""
    o200k.cache_clear()
    yield
    tokens.use_bpe_file(None)
    o200k.cache_clear()


def test_o200k_loads_offline():
    encoding = o200k()
    assert encoding.name == "o200k_base"
    assert encoding.n_vocab == 200019


def test_known_counts():
    # reference values from tiktoken's o200k_base
    assert o200k().encode_ordinary("hello world") == [24912, 2375]
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0
    assert 0 < count_tokens("قال المتحدث باسم البنتاغون") < 20


def test_batch_matches_single():
    texts = ["hello world", "مرحبا بالعالم", "", "The Pentagon spokesman said."]
    assert count_tokens_batch(texts) == [count_tokens(t) for t in texts]


def test_corrupted_bpe_file_refused(tmp_path, fresh_o200k):
    bad = tmp_path / "o200k_base.tiktoken"
    bad.write_bytes(b"aGVsbG8= 0\nd29ybGQ= 1\n")
    tokens.use_bpe_file(bad)
    with pytest.raises(SetupError, match="sha256"):
        o200k()


def test_tampered_gzip_bpe_file_refused(tmp_path, monkeypatch, fresh_o200k):
    original = tokens._bpe_file_bytes()
    tampered = tmp_path / "o200k_base.tiktoken.gz"
    tampered.write_bytes(gzip.compress(original[:-40] + b"AAAA 199998\n"))
    tokens.use_bpe_file(tampered)
    with pytest.raises(SetupError, match="sha256"):
        o200k()


def test_missing_bpe_file_is_setup_error(tmp_path, monkeypatch, fresh_o200k):
    tokens.use_bpe_file(tmp_path / "missing.tiktoken")
    with pytest.raises(SetupError, match="o200k_base"):
        o200k()


def test_valid_override_file_accepted(tmp_path, monkeypatch, fresh_o200k):
    copy = tmp_path / "o200k_base.tiktoken"
    copy.write_bytes(tokens._bpe_file_bytes())
    tokens.use_bpe_file(copy)
    assert count_tokens("hello world") == 2


def test_rag_o200k_file_reaches_the_loader_through_settings(tmp_path, monkeypatch, fresh_o200k):
    from rag.app import Rag
    from rag.config import Settings

    bad = tmp_path / "o200k_base.tiktoken"
    bad.write_bytes(b"aGVsbG8= 0\n")
    monkeypatch.setenv("RAG_O200K_FILE", str(bad))
    Rag(Settings.from_env())
    with pytest.raises(SetupError, match="sha256"):
        o200k()
