"""The `rag` command as users and scripts run it: a subprocess, exit codes, stderr, JSON on stdout."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import ROOT, SEED_FILES, SEED_HEADLINE

pytestmark = pytest.mark.slow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6"

CP1256_TITLE = "افتتاح مكتبة جديدة في وسط المدينة"
CP1256_BODY = (
    "افتتحت البلدية يوم السبت مكتبة عامة جديدة في وسط المدينة تضم أكثر من عشرين ألف كتاب.\n"
    "وقال رئيس البلدية إن المكتبة ستفتح أبوابها يوميا حتى العاشرة مساء، وإن الدخول مجاني للجميع."
)
UTF16_TITLE = "ارتفاع أسعار القمح في الأسواق المحلية"
UTF16_BODY = (
    "ارتفعت أسعار القمح في الأسواق المحلية بنسبة ١٢ في المئة خلال شهر واحد بسبب الجفاف.\n"
    "ويتوقع التجار أن تستمر الأسعار في الارتفاع حتى موسم الحصاد المقبل."
)
UTF16LE_TITLE = "فوز فريق المدينة بكأس البطولة"
UTF16LE_BODY = "فاز فريق المدينة بكأس البطولة بعد مباراة نهائية مثيرة انتهت بركلات الترجيح."
JSONL_GOOD = [
    {
        "id": "feed-1",
        "title": "Ferry service resumes",
        "text": "The Varn ferry resumed service on Monday after repairs.",
        "date": "2016-08-23T09:30:00+03:00",
        "source": "wire",
    },
    {
        "id": "feed-3",
        "title": "استئناف رحلات العبارة",
        "text": "استأنفت عبارة فارن رحلاتها يوم الاثنين بعد أعمال صيانة.",
        "date": "2016-08-24",
    },
]

SHOW_KEYS = {"doc_id", "title", "text", "date", "source", "url", "lang"}
SEARCH_RESULT_KEYS = {"doc_id", "start", "end", "text", "score", "title"}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run_rag(env: dict[str, str], *args: str, in_process: bool = False) -> Result:
    """Run `rag ARGS` in a subprocess, or in-process with typer's CliRunner (no interpreter start,
    no model reload: used where the process boundary is not what the test is about)."""
    if in_process:
        return _invoke(env, *args)
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream, stream
    return Result(proc.returncode, proc.stdout, proc.stderr)


def _invoke(env: dict[str, str], *args: str) -> Result:
    from typer.testing import CliRunner

    from rag.cli.main import app

    # CliRunner applies `env` on top of os.environ: unset what the subprocess env leaves out.
    overrides: dict[str, str | None] = {k: None for k in os.environ if k not in env}
    overrides.update(env)
    result = CliRunner().invoke(app, list(args), env=overrides)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def make_inbox(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True)
    files = {
        "article": folder / "article.txt",
        "empty": folder / "empty.txt",
        "png": folder / "picture.png",
        "png_txt": folder / "fake_image.txt",
        "cp1256": folder / "arabic_cp1256.txt",
        "utf16": folder / "arabic_utf16.txt",
        "utf16le": folder / "arabic_utf16le_nobom.txt",
        "jsonl": folder / "feed.jsonl",
    }
    files["article"].write_bytes(SEED_FILES[0].read_bytes())
    files["empty"].write_bytes(b"")
    files["png"].write_bytes(PNG)
    files["png_txt"].write_bytes(PNG)
    files["cp1256"].write_bytes(f"{CP1256_TITLE}\n{CP1256_BODY}\n".replace("\n", "\r\n").encode("cp1256"))
    files["utf16"].write_bytes(f"{UTF16_TITLE}\n{UTF16_BODY}\n".encode("utf-16"))
    files["utf16le"].write_bytes(f"{UTF16LE_TITLE}\n{UTF16LE_BODY}\n".encode("utf-16-le"))
    files["jsonl"].write_text(
        json.dumps(JSONL_GOOD[0], ensure_ascii=False)
        + "\n"
        + '{"id": "feed-2", "title": "broken", "text": \n'
        + json.dumps(JSONL_GOOD[1], ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    return files


@dataclass
class Ingested:
    env: dict[str, str]
    files: dict[str, Path]
    result: Result
    home: Path


@pytest.fixture(scope="module")
def ingested(backend, tmp_path_factory) -> Ingested:
    base = tmp_path_factory.mktemp(f"cli-{backend.name}")
    files = make_inbox(base / "inbox")
    env = backend.env(base / "home")
    return Ingested(env, files, run_rag(env, "ingest", str(base / "inbox")), base / "home")


@pytest.fixture(scope="module")
def docs(ingested) -> dict[str, dict]:
    """`rag docs --json` after the ingest, by title."""
    result = run_rag(ingested.env, "docs", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["count"] == len(data["docs"])
    assert data["date"] is None
    return {d["title"]: d for d in data["docs"]}


def stored_text(ingested: Ingested, doc_id: str) -> dict:
    """The stored article, read from the article store directly (`rag show` is tested on its own)."""
    from rag.config import Settings
    from rag.index.shared_store import open_article_store

    store = open_article_store(Settings.from_env(ingested.env))  # SQLite, or the server's store
    try:
        return store.get(doc_id).to_json()
    finally:
        store.close()


# Tests about the article store only (not Chroma) run against one backend.
embedded_only = pytest.mark.parametrize("backend", ["embedded"], indirect=True)


def test_ingest_exit_code_and_rejections(ingested):
    result, files = ingested.result, ingested.files
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()

    def line_for(prefix: str) -> str:
        matches = [line for line in lines if prefix in line]
        assert len(matches) == 1, (prefix, result.stderr)
        return matches[0]

    assert line_for(f"{files['empty']}:").endswith(f"{files['empty']}: empty file")
    assert "unsupported file type .png" in line_for(f"{files['png']}:")
    assert "PNG" in line_for(f"{files['png_txt']}:")
    assert "invalid JSON" in line_for(f"{files['jsonl']}:2:")
    assert not [line for line in lines if str(files["jsonl"]) in line and f"{files['jsonl']}:2:" not in line]
    for good in ("article", "cp1256", "utf16", "utf16le"):
        assert str(files[good]) not in result.stderr
    assert re.search(r"\b6 added, 0 replaced, 0 unchanged, 4 rejected\b", result.stderr)
    # human output on stdout: one "id  title" line per added article
    assert len(result.stdout.splitlines()) == 6
    assert SEED_HEADLINE in result.stdout


def test_docs_lists_the_good_articles(docs):
    assert set(docs) == {
        SEED_HEADLINE,
        CP1256_TITLE,
        UTF16_TITLE,
        UTF16LE_TITLE,
        JSONL_GOOD[0]["title"],
        JSONL_GOOD[1]["title"],
    }
    for doc in docs.values():
        assert {"doc_id", "title", "date", "source", "url", "lang", "chars"} <= set(doc)
        assert "text" not in doc
    assert docs[JSONL_GOOD[0]["title"]]["date"] == "2016-08-23"
    assert docs[JSONL_GOOD[0]["title"]]["source"] == "wire"
    assert docs[JSONL_GOOD[0]["title"]]["lang"] == "en"
    assert docs[CP1256_TITLE]["lang"] == "ar"


@embedded_only
@pytest.mark.parametrize(
    "title, body",
    [(CP1256_TITLE, CP1256_BODY), (UTF16_TITLE, UTF16_BODY), (UTF16LE_TITLE, UTF16LE_BODY)],
    ids=["cp1256", "utf16-bom", "utf16le-nobom"],
)
def test_reencoded_files_decoded(ingested, docs, title, body):
    doc_id = docs[title]["doc_id"]
    result = run_rag(ingested.env, "show", doc_id, "--json")
    assert result.code == 0, result.stderr
    shown = result.json()
    assert set(shown) == SHOW_KEYS
    assert shown["doc_id"] == doc_id
    assert shown["title"] == title
    assert shown["text"] == body
    assert shown["lang"] == "ar"
    # raw UTF-8 Arabic on stdout, never \\uXXXX escapes
    assert title in result.stdout and "\\u06" not in result.stdout


@embedded_only
def test_show_human_output(ingested, docs):
    result = run_rag(ingested.env, "show", docs[SEED_HEADLINE]["doc_id"], in_process=True)
    assert result.code == 0
    assert result.stdout.startswith(f"# {SEED_HEADLINE}\n")
    assert "بيتر كوك" in result.stdout and "لم تشترك" not in result.stdout


@embedded_only
def test_docs_date_filter(ingested):
    result = run_rag(ingested.env, "docs", "--date", "2016-08-23", "--json", in_process=True)
    assert result.code == 0, result.stderr
    assert [d["title"] for d in result.json()["docs"]] == [JSONL_GOOD[0]["title"]]


def test_reingest_good_files_is_a_noop(ingested):
    files = ingested.files
    result = run_rag(ingested.env, "ingest", str(files["article"]), str(files["cp1256"]), str(files["jsonl"]), "--json")
    assert result.code == 1  # the broken JSONL line is still reported
    report = result.json()
    assert set(report) == {"added", "replaced", "unchanged", "rejected", "chunks"}
    assert report["added"] == [] and report["replaced"] == [] and report["chunks"] == 0
    assert len(report["unchanged"]) == 4
    assert report["rejected"] == [{"location": f"{files['jsonl']}:2", "reason": report["rejected"][0]["reason"]}]

    result = run_rag(ingested.env, "ingest", str(files["article"]), str(files["utf16"]))
    assert result.code == 0, result.stderr
    assert "0 added, 0 replaced, 2 unchanged, 0 rejected" in result.stderr


@pytest.mark.parametrize(
    "query, in_process", [("Who is the Pentagon spokesman?", False), ("من هو المتحدث باسم البنتاغون؟", True)]
)
def test_search_json_contract(ingested, query, in_process):
    result = run_rag(ingested.env, "search", query, "-k", "4", "--json", in_process=in_process)
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) == {"query", "results"}
    assert data["query"] == query
    results = data["results"]
    assert 0 < len(results) <= 4
    for item in results:
        assert set(item) == SEARCH_RESULT_KEYS
        assert isinstance(item["start"], int) and isinstance(item["end"], int)
        assert isinstance(item["score"], float)
        article = stored_text(ingested, item["doc_id"])
        assert article["text"][item["start"] : item["end"]] == item["text"]
        assert item["title"] == article["title"]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert any("بيتر كوك" in r["text"] for r in results[:3])
    assert "\\u06" not in result.stdout and "بيتر كوك" in result.stdout


@embedded_only
def test_search_human_output(ingested):
    result = run_rag(ingested.env, "search", "بيتر كوك", "-k", "2", in_process=True)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("[1] ")
    assert "بيتر كوك" in result.stdout


# -- errors that need no index ------------------------------------------------


def cli_env(**extra: str) -> dict[str, str]:
    return dict(os.environ, **extra)  # RAG_HOME: the per-test home from conftest


def test_show_unknown_id():
    result = run_rag(cli_env(), "show", "unknown")
    assert result.code == 1
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    assert "unknown" in lines[0]


def test_search_empty_index():
    result = run_rag(cli_env(), "search", "anything", "--json", in_process=True)
    assert result.code == 0, result.stderr
    assert result.json() == {"query": "anything", "results": []}


@pytest.mark.parametrize("args", [("ingest",), ("search", "q", "-k", "0"), ("nosuchcommand",), ("docs", "--bogus")])
def test_usage_errors_exit_2(args):
    assert run_rag(cli_env(), *args, in_process=True).code == 2


def test_missing_input_path(tmp_path):
    result = run_rag(cli_env(), "ingest", str(tmp_path / "nope"), in_process=True)
    assert result.code == 1
    assert f"{tmp_path / 'nope'}: no such file or folder" in result.stderr


def test_bad_chroma_url_is_one_error_line():
    result = run_rag(cli_env(RAG_CHROMA_URL="localhost:8000"), "search", "x")
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "RAG_CHROMA_URL" in lines[0]


def test_rejection_lines_are_not_wrapped(tmp_path):
    folder = tmp_path / "a_folder_with_a_rather_long_name_as_real_archives_have" / "2016" / "08"
    folder.mkdir(parents=True)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = run_rag(env, "ingest", str(folder))
    assert result.code == 1
    assert f"rejected {folder / 'scan.pdf'}: unsupported file type .pdf" in result.stderr.splitlines()[0]


def test_long_error_is_one_line():
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = run_rag(env, "show", "an-unknown-document-id-that-makes-the-error-message-long")
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
