"""`rag brief` end to end on real multi-outlet news (ANT corpus, read from ../shared/data when present)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow
DAY = next(
    (
        base / "shared" / "data" / "news" / "days" / "ant_2018-04-10.jsonl"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "data").exists()
    ),
    ROOT.parent / "shared" / "data" / "news" / "days" / "ant_2018-04-10.jsonl",
)
STORIES = ("البشير", "سكريبال")


@pytest.fixture(scope="module")
def day_file(tmp_path_factory) -> Path:
    if not DAY.exists():
        pytest.skip(f"{DAY} not present (the ANT day files are not shipped with the project)")
    rows = [json.loads(line) for line in DAY.open(encoding="utf-8")]
    chosen = [r for r in rows if any(w in r["title"] for w in STORIES)]
    path = tmp_path_factory.mktemp("day") / "day.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in chosen), encoding="utf-8")
    return path


def run(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli.main", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, RAG_HOME=str(home)),
        timeout=1800,
    )


def test_brief_merges_outlets_and_cites_exactly(day_file, tmp_path):
    home = tmp_path / "home"
    assert run("ingest", str(day_file), home=home).returncode == 0
    out = tmp_path / "out"
    result = run("brief", "--date", "2018-04-10", "--out", str(out), "--top", "1", "--words", "30", "--json", home=home)
    assert result.returncode == 0, result.stderr
    briefing = json.loads(result.stdout)
    assert {p.name for p in out.iterdir()} == {f"briefing-2018-04-10.{ext}" for ext in ("md", "html", "json")}
    assert briefing["date"] == "2018-04-10" and briefing["articles"] == 6
    top = briefing["stories"][0]
    assert len(top["sources"]) >= 3, top["sources"]  # the Bashir release was reported by four outlets
    assert top["ar"], "the top story has no Arabic summary"
    numbers = {c["n"] for c in top["citations"]}
    for sentence in top["ar"] + top["en"]:
        assert sentence["citations"] and set(sentence["citations"]) <= numbers
    for c in top["citations"]:
        shown = json.loads(run("show", c["doc_id"], "--json", home=home).stdout)
        assert shown["text"][c["start"] : c["end"]] == c["quote"]
    listed = {d for s in briefing["stories"] + briefing["more_stories"] + briefing["opinion"] for d in s["doc_ids"]}
    assert len(listed) == 6  # nothing silently dropped
