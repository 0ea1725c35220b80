"""Several `rag` processes at once: one writer per RAG_HOME, readers that never die of a writer,
RAG_INDEX namespaces on a shared Chroma server, and a Chroma server that goes away.

Real processes, a real Chroma server, the real embedder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import _chroma_executable, _free_port, _heartbeat

from helpers import ROOT, rag_command, rag_env
from rag.app import Rag
from rag.config import Settings
from rag.errors import ConfigError, IndexUnavailableError
from rag.index.lock import IndexLock, describe_holder, read_holder
from rag.index.vectors import collection_namespace

pytestmark = pytest.mark.slow

NEWS = Path("/work/shared/data/news/ant_multisource_raw.jsonl")


def news_feed(path: Path, n: int, skip: int = 0) -> Path:
    if not NEWS.exists():
        pytest.skip(f"{NEWS} is not here")
    with NEWS.open(encoding="utf-8") as handle:
        lines = [line for _, line in zip(range(skip + n), handle)][skip:]
    path.write_text("".join(lines), encoding="utf-8")
    return path


# -- the writer lock -------------------------------------------------------------


def test_lock_describes_its_holder(tmp_path):
    with IndexLock(tmp_path, "rag ingest"):
        holder = read_holder(tmp_path / "index.lock")
        assert holder["pid"] == os.getpid() and holder["command"] == "rag ingest"
        assert describe_holder(holder).startswith(f"PID {os.getpid()} (rag ingest, since ")
    assert read_holder(tmp_path / "index.lock") == {}  # released: nobody is named any more


def test_a_second_writer_waits_and_says_so_once(tmp_path):
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from rag.index.lock import IndexLock
        with IndexLock(Path({str(home)!r}), "rag ingest"):
            print("held", flush=True)
            time.sleep(4)
        """),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=rag_env(home),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        article = tmp_path / "a.txt"
        article.write_text(
            "Harbour reopens\nThe harbour at Cape Varn reopened on Monday after repairs.\n", encoding="utf-8"
        )
        started = time.monotonic()
        proc = rag_command(rag_env(home), "ingest", str(article))
        assert proc.returncode == 0, proc.stderr
        waits = [line for line in proc.stderr.splitlines() if "waiting for the index lock" in line]
        assert len(waits) == 1, proc.stderr
        assert re.fullmatch(
            rf"waiting for the index lock held by PID {holder.pid} \(rag ingest, since \d\d:\d\d\)", waits[0]
        ), waits
        assert time.monotonic() - started >= 1.0  # it did wait for the holder
    finally:
        holder.wait(timeout=30)


def test_two_ingests_at_once_leave_one_consistent_index(tmp_path):
    home = tmp_path / "home"
    first, second = news_feed(tmp_path / "a.jsonl", 60), news_feed(tmp_path / "b.jsonl", 60, skip=40)
    env = rag_env(home)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "rag.cli.main", "ingest", str(f), "--json"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in (first, second)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outs):
        assert proc.returncode == 0 and "Traceback" not in err, err
    check = rag_command(env, "index", "check", "--json")
    report = json.loads(check.stdout)
    assert check.returncode == 0 and report["consistent"], report["problems"]
    assert report["articles"] == len(
        {json.loads(line)["id"] for f in (first, second) for line in f.read_text(encoding="utf-8").splitlines()}
    )


def test_readers_never_die_while_a_writer_runs(tmp_path):
    home = tmp_path / "home"
    env = rag_env(home)
    assert rag_command(env, "ingest", str(news_feed(tmp_path / "seed.jsonl", 30))).returncode == 0
    writer = subprocess.Popen(
        [sys.executable, "-m", "rag.cli.main", "ingest", str(news_feed(tmp_path / "more.jsonl", 250, 30))],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
        import json, time
        from rag.app import Rag
        rag = Rag()
        errors, n, slowest = [], 0, 0.0
        end = time.monotonic() + 15
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                assert len(rag.search(["وزير الخارجية", "الحوثي", "النفط"][n % 3], k=3)) == 3
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            slowest = max(slowest, time.monotonic() - started)
            n += 1
        print(json.dumps({"searches": n, "errors": errors, "slowest": slowest}))
        """),
        ],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    _, writer_err = writer.communicate(timeout=300)
    assert writer.returncode == 0 and "Traceback" not in writer_err, writer_err
    result = json.loads(reader.stdout.strip().splitlines()[-1])
    assert result["searches"] > 5 and result["errors"] == [], result
    assert result["slowest"] < 10, result


# -- RAG_INDEX on a shared server ------------------------------------------------------


def test_rag_index_names_are_checked():
    assert Settings.from_env({"RAG_HOME": "/tmp/x"}).index == "default"
    assert Settings.from_env({"RAG_HOME": "/tmp/x", "RAG_INDEX": "team-b"}).index == "team-b"
    with pytest.raises(ConfigError, match="RAG_INDEX"):
        Settings.from_env({"RAG_HOME": "/tmp/x", "RAG_INDEX": "bad name!"})
    assert collection_namespace("default") == "chunks"  # indexes made before RAG_INDEX keep their vectors
    assert collection_namespace("team-b") == "team-b__chunks"


def test_two_indexes_share_a_server_without_touching_each_other(tmp_path, chroma_server):
    feed_a, feed_b = news_feed(tmp_path / "a.jsonl", 20, skip=100), news_feed(tmp_path / "b.jsonl", 20, skip=120)
    rag_a = Rag(Settings(home=tmp_path / "a", chroma_url=chroma_server, index="team-a"))
    rag_b = Rag(Settings(home=tmp_path / "b", chroma_url=chroma_server, index="team-b"))
    try:
        rag_a.ingest([feed_a])
        rag_b.ingest([feed_b])
        ids_a, ids_b = {a.doc_id for a in rag_a.docs()}, {a.doc_id for a in rag_b.docs()}
        for rag, own in ((rag_a, ids_a), (rag_b, ids_b)):
            for article in rag.docs()[:5]:
                found = rag.search(article.title, k=3)
                assert len(found) == 3 and {p.doc_id for p in found} <= own
        from rag.index.check import check_rag

        assert check_rag(rag_a).consistent and check_rag(rag_b).consistent
        assert rag_a.vectors.count() == rag_a.store.chunk_count()
    finally:
        rag_a.close()
        rag_b.close()


# -- a Chroma server that goes away ----------------------------------------------------


def start_chroma(folder: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(folder / "chroma.log", "ab") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [_chroma_executable(), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, ANONYMIZED_TELEMETRY="False"),
        )
    deadline = time.monotonic() + 60
    while not _heartbeat(url, timeout=1.0):
        assert proc.poll() is None and time.monotonic() < deadline, (folder / "chroma.log").read_text(errors="replace")
        time.sleep(0.25)
    return proc, url


def test_chroma_server_down_is_one_line_then_check_is_clean_after_rerun(tmp_path):
    server, url = start_chroma(tmp_path)
    home = tmp_path / "home"
    env = rag_env(home, RAG_CHROMA_URL=url)
    feed = news_feed(tmp_path / "feed.jsonl", 10, skip=300)
    try:
        assert rag_command(env, "ingest", str(feed)).returncode == 0
        rag = Rag(Settings(home=home, chroma_url=url))
        rag.vectors.retry_seconds = 1.0
        rag.search("وزير", k=2)
        server.terminate()
        server.wait(timeout=30)
        with pytest.raises(IndexUnavailableError, match="does not answer"):
            rag.search("وزير", k=2)
        rag.close()
        for args in (("search", "وزير"), ("ingest", str(news_feed(tmp_path / "more.jsonl", 5, skip=310)))):
            proc = rag_command(env, *args)
            assert proc.returncode == 1
            errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
            assert len(errors) == 1 and url in errors[0], proc.stderr
    finally:
        if server.poll() is None:
            server.kill()
    # Restarted on the same data: re-running the ingest leaves a clean index.
    server, url2 = start_chroma(tmp_path)
    try:
        env = rag_env(home, RAG_CHROMA_URL=url2)
        assert rag_command(env, "ingest", str(feed), str(tmp_path / "more.jsonl")).returncode == 0
        check = rag_command(env, "index", "check", "--json")
        assert check.returncode == 0, check.stdout
    finally:
        server.kill()
        server.wait(timeout=30)
