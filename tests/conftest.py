"""Shared fixtures: an isolated RAG_HOME per test, a real Chroma server, the storage backends.

Storage tests run twice through the `backend` fixture: once against embedded
(persistent) Chroma under RAG_HOME and once against a `chroma run` server.
Set RAG_TEST_CHROMA_URL=http://host:port to use an already running server
instead of starting one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, settings

# No example database: it would write .hypothesis/ into the project root.
settings.register_profile("rag", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "rag"))

_RAG_ENV = (
    "RAG_HOME",
    "RAG_CHROMA_URL",
    "RAG_EMBEDDINGS",
    "RAG_LLM",
    "RAG_O200K_FILE",
    "RAG_DEBUG",
    "RAG_PROGRESS",
    "RAG_PROMPTS_DIR",
)


@pytest.fixture(scope="session")
def embedder():
    """The real multilingual encoder, loaded once for every test that checks with it."""
    from rag.index.embeddings import make_embedder

    return make_embedder("use-multilingual")


@pytest.fixture(scope="session")
def checker(embedder):
    """The real support checker over that encoder."""
    from rag.verify.support import SupportChecker

    return SupportChecker(embedder)


@pytest.fixture(autouse=True)
def rag_home(request, tmp_path, monkeypatch) -> Path:
    """Every test gets its own RAG_HOME (like simonw/llm's LLM_USER_PATH) and a clean RAG_* environment."""
    for name in _RAG_ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "rag-home"
    monkeypatch.setenv("RAG_HOME", str(home))
    if "backend" in request.fixturenames:
        backend = request.getfixturevalue("backend")
        if backend.chroma_url:
            monkeypatch.setenv("RAG_CHROMA_URL", backend.chroma_url)
            monkeypatch.setenv("RAG_INDEX", backend.index(home))
    return home


# -- a real Chroma server ----------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _heartbeat(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _chroma_executable() -> str:
    candidate = Path(sys.executable).parent / "chroma"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("chroma")
    if not found:
        pytest.skip("the `chroma` executable is not installed next to the Python interpreter")
    return found


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> str:
    """URL of a running Chroma server: RAG_TEST_CHROMA_URL, or one started for this session."""
    external = os.environ.get("RAG_TEST_CHROMA_URL")
    if external:
        external = external.rstrip("/")
        if not _heartbeat(external):
            pytest.fail(f"RAG_TEST_CHROMA_URL={external} does not answer its heartbeat")
        yield external
        return
    folder = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = folder / "server.log"
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [_chroma_executable(), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(url, timeout=1.0):
            if process.poll() is not None:
                pytest.fail(
                    f"`chroma run` exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"`chroma run` did not answer within 60 s:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def reset_server(url: str) -> None:
    """Delete every collection on the server, so a test module starts from an empty index."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url)
    client = chromadb.HttpClient(
        host=parsed.hostname, port=parsed.port or 8000, settings=ChromaSettings(anonymized_telemetry=False)
    )
    for collection in client.list_collections():
        client.delete_collection(getattr(collection, "name", collection))


# -- storage backends --------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    name: str
    chroma_url: str | None

    def settings(self, home: Path):
        from rag.config import Settings

        if not self.chroma_url:
            return Settings(home=home)
        return Settings(home=home, chroma_url=self.chroma_url, index=self.index(home))

    @staticmethod
    def index(home: Path) -> str:
        """On a server, each test home gets its own RAG_INDEX: homes on one index share one
        article store (tests/test_shared_index.py), and these tests each want their own."""
        import hashlib

        return "t" + hashlib.sha1(str(home).encode()).hexdigest()[:12]

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        """Environment for a `rag` subprocess using this backend and RAG_HOME=home."""
        env = {k: v for k, v in os.environ.items() if k not in _RAG_ENV}
        env["RAG_HOME"] = str(home)
        if self.chroma_url:
            env["RAG_CHROMA_URL"] = self.chroma_url
            env["RAG_INDEX"] = self.index(home)
        env.update(extra)
        return env


@pytest.fixture(scope="module", params=["embedded", "server"])
def backend(request) -> Backend:
    """Chroma backend for storage tests, shared by a module so it can share one ingested index.

    All server tests share one server and the collection name depends only on
    the embedder (`chunks_<embedder>`), so vectors would leak between modules:
    every module starts against a server with no collections. Within a module,
    tests that need an index of their own must ingest articles that no other
    test ingests (chunk ids are content hashes).
    """
    if request.param == "embedded":
        return Backend("embedded", None)
    url = request.getfixturevalue("chroma_server")
    reset_server(url)
    return Backend("server", url)
