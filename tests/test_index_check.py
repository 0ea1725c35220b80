"""`rag index check` / `rag index repair`: the article store, Chroma and BM25 agree again after a crash.

The states a kill -9 leaves are made two ways: by killing a real `rag ingest`
subprocess mid-run, and (deterministically) by doing only the first half of an
ingest's writes with the real components.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT, rag_command
from rag.app import Rag
from rag.config import Settings
from rag.index.check import check_rag, quick_check, repair_rag
from rag.index.chunker import chunk_article
from rag.ingest.pipeline import to_article
from rag.ingest.readers import read_file

pytestmark = pytest.mark.slow

NEWS = Path("/work/shared/data/news/ant_multisource_raw.jsonl")
if not NEWS.exists():
    NEWS = ROOT.parent.parent / "shared" / "data" / "news" / "ant_multisource_raw.jsonl"


def news_lines(n: int, skip: int = 0) -> list[str]:
    if not NEWS.exists():
        pytest.skip(f"{NEWS} is not here")
    with NEWS.open(encoding="utf-8") as handle:
        lines = [line for _, line in zip(range(skip + n), handle)]
    return lines[skip:]


def stored_ids(home: Path) -> set[str]:
    try:
        with sqlite3.connect(home / "articles.sqlite3") as db:
            return {row[0] for row in db.execute("SELECT doc_id FROM articles")}
    except sqlite3.OperationalError:  # the file is made a moment before its tables
        return set()


def test_half_written_ingest_is_found_and_repaired(tmp_path, backend, caplog):
    """Vectors written but the store not (a kill between the two writes), an article whose
    vectors were deleted (a kill mid-replace), and a stale BM25 index."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(news_lines(6, skip=10)), encoding="utf-8")
    rag = Rag(backend.settings(tmp_path / "home"))
    try:
        drafts = list(read_file(feed))
        rag.ingest([str(_write(tmp_path / "first.jsonl", feed, 0, 4))])
        assert check_rag(rag).consistent
        # 1. orphans: vectors for two articles the store never got
        ingestor_vectors = rag.vectors
        orphans = [to_article(d) for d in drafts[4:6]]
        items = []
        for article in orphans:
            chunks = chunk_article(article.doc_id, article.text)
            units = [article.text[a:b] for c in chunks for a, b in c.units]
            items.append((article, chunks, rag.embedder.embed_array(units)))
        ingestor_vectors.add_many(items)
        # 2. missing vectors: one stored article's vectors gone
        victim = rag.docs()[0].doc_id
        rag.vectors.delete_docs([victim])
        # 3. a stale BM25 index: the store changed after it was built
        rag.store._bump_generation()
        if not backend.chroma_url:
            rag.store._db.commit()

        check = check_rag(rag)
        assert not check.consistent
        assert {c.split(":")[0] for c in check.orphan_chunk_vectors} == {a.doc_id for a in orphans}
        assert check.orphan_unit_vectors and check.missing_vectors == [victim]
        # On a shared store a worker's BM25 is its cache of what any worker wrote: check brings
        # it up to date instead of reporting it (rag.index.check.check_rag).
        assert check.lexical_stale == (backend.chroma_url is None)
        assert quick_check(rag.store, rag.vectors).count_mismatch
        with caplog.at_level(logging.WARNING, logger="rag.ingest.pipeline"):
            rag.ingest([])  # an ingest starts with the cheap check and says what it found
        assert any("rag index repair" in r.getMessage() for r in caplog.records)
        json.dumps(check.to_json(), ensure_ascii=False)

        repair = repair_rag(rag)
        assert repair.after.consistent, repair.after.problems()
        assert repair.reembedded_articles == 1 and repair.rebuilt_lexical
        assert len(rag.docs()) == 4  # nothing stored was deleted
        title = rag.show(victim).title
        assert victim in {p.doc_id for p in rag.search(title, k=5)}
    finally:
        rag.close()


def _write(path: Path, feed: Path, start: int, end: int) -> Path:
    lines = feed.read_text(encoding="utf-8").splitlines(keepends=True)[start:end]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_kill_9_mid_ingest_then_check_and_repair(tmp_path):
    home = tmp_path / "home"
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(news_lines(600)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_HOME"] = str(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli.main", "ingest", str(feed)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        # Wait for the first committed batch, then kill while the next one is being written.
        while time.monotonic() < deadline and proc.poll() is None:
            if (home / "articles.sqlite3").exists() and stored_ids(home):
                break
            time.sleep(0.2)
        time.sleep(1.0)
        assert proc.poll() is None, "ingest finished before it could be killed: use more articles"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    committed = stored_ids(home)
    assert committed

    check = rag_command(env, "index", "check", "--json")
    report = json.loads(check.stdout)
    assert check.returncode == (0 if report["consistent"] else 1)
    repair = rag_command(env, "index", "repair", "--json")
    assert repair.returncode == 0, repair.stderr
    assert json.loads(repair.stdout)["repaired"] is True
    again = rag_command(env, "index", "check", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["consistent"] is True, again.stderr
    assert stored_ids(home) >= committed  # nothing committed is lost
    rag = Rag(Settings(home=home))
    try:
        for doc_id in sorted(committed)[:3]:
            assert doc_id in {p.doc_id for p in rag.search(rag.show(doc_id).title, k=10)}
    finally:
        rag.close()
    # And the interrupted ingest, re-run, completes what was not committed.
    rerun = rag_command(env, "ingest", str(feed), "--json")
    assert rerun.returncode == 0, rerun.stderr
    final = rag_command(env, "index", "check", "--json")
    assert final.returncode == 0, final.stderr


def test_a_vocabulary_two_savers_interleaved_is_reported_and_cleared(tmp_path):
    import numpy as np

    from helpers import SEED_FILES

    rag = Rag(Settings(home=tmp_path / "home"))
    try:
        rag.ingest(SEED_FILES)
        rag.translator.word_translations(["pentagon"])  # the vocabulary, saved and stamped
        folder = rag.vocabulary_folder
        assert check_rag(rag).consistent
        vectors = np.load(folder / "vectors.npy")
        np.save(folder / "vectors.npy", vectors[::-1])  # another saver's vectors beside these words
        check = check_rag(rag)
        assert check.vocabulary_stale and not check.consistent
        repair = repair_rag(rag)
        assert repair.rebuilt_vocabulary and not (folder / "vectors.npy").exists()
        assert check_rag(rag).consistent
    finally:
        rag.close()
