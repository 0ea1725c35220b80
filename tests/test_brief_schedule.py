"""`rag brief` on a schedule: time windows, the per-story cache, atomic files, continuing stories,
and (slow) a crontab-like run that is killed half-way and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from helpers import ROOT
from rag.brief.briefing import Briefing, StoryBrief
from rag.brief.cache import BriefCache
from rag.brief.continuing import mark_continuing, previous_briefing
from rag.brief.render import write_briefing
from rag.brief.stories import group_stories, near_duplicates, outlet_name
from rag.brief.window import range_window, since_window
from rag.errors import UserInputError
from rag.records import Article

# The shared data sits beside the checkout (../shared), or beside the worktrees' folder (../../shared).
DAY = next(
    (
        base / "shared" / "data" / "news" / "days" / "ant_2018-04-10.jsonl"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "data").exists()
    ),
    ROOT.parent / "shared" / "data" / "news" / "days" / "ant_2018-04-10.jsonl",
)


# -- windows -----------------------------------------------------------------


def test_since_24h_covers_the_dates_it_touches_in_the_stated_zone():
    now = datetime(2018, 4, 10, 3, 0, tzinfo=UTC)  # 06:00 in Riyadh
    riyadh = since_window("24h", "Asia/Riyadh", now=now)
    assert riyadh.dates == ["2018-04-09", "2018-04-10"]
    assert riyadh.to_json() == {"from": "2018-04-09T06:00+03:00", "to": "2018-04-10T06:00+03:00", "tz": "Asia/Riyadh"}
    # The same instant in Los Angeles is still the evening before.
    assert since_window("24h", "America/Los_Angeles", now=now).dates == ["2018-04-08", "2018-04-09"]
    assert since_window("2h", "UTC", now=now).dates == ["2018-04-10"]


def test_from_to_window_and_bad_input_are_clear_errors():
    window = range_window("2018-04-08", "2018-04-10T12:00", "UTC")
    assert window.dates == ["2018-04-08", "2018-04-09", "2018-04-10"]
    for call in (
        lambda: since_window("yesterday", "UTC"),
        lambda: since_window("0h", "UTC"),
        lambda: since_window("24h", "Mars/Olympus"),
        lambda: range_window("2018-04-10", "2018-04-01", "UTC"),
        lambda: range_window("10/04/2018", None, "UTC"),
    ):
        with pytest.raises(UserInputError):
            call()


# -- cache and files ---------------------------------------------------------


def test_cache_key_is_the_article_ids_and_the_model(tmp_path):
    cache = BriefCache(tmp_path / "cache")
    key = BriefCache.key("summary", ["b", "a"], "model-1", 1, 40)
    assert key == BriefCache.key("summary", ["a", "b"], "model-1", 1, 40)
    assert key != BriefCache.key("summary", ["a", "b"], "model-2", 1, 40)
    assert key != BriefCache.key("summary", ["a", "b", "c"], "model-1", 1, 40)
    assert cache.get(key) is None
    cache.put(key, {"headline": {"ar": "عنوان"}})
    assert cache.get(key) == {"headline": {"ar": "عنوان"}}
    (tmp_path / "cache" / f"{key}.json").write_text("{half", encoding="utf-8")  # a torn file counts as missing
    assert cache.get(key) is None
    assert not list((tmp_path / "cache").glob("*.tmp"))


def briefing(date: str, stories: list[StoryBrief], model: str = "m") -> Briefing:
    return Briefing(date=date, articles=len(stories), stories=stories, more_stories=[], model=model)


def test_files_are_replaced_as_a_set_and_no_staging_folder_is_left(tmp_path):
    out = tmp_path / "out"
    first = write_briefing(briefing("2018-04-10", [], model="first"), out)
    second = write_briefing(briefing("2018-04-10", [], model="second"), out)
    assert first == second
    assert all("second" in p.read_text(encoding="utf-8") for p in second)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the staging folder is gone
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in sorted(second)]


# -- outlets, duplicates, continuing -----------------------------------------


def test_outlet_names_with_markup_or_slashes_are_kept_whole():
    assert outlet_name("ANT Corpus v2.1 / alarabia") == "alarabia"
    assert outlet_name("<script>x</script>") == "<script>x</script>"
    assert outlet_name("BBC/Arabic") == "bbc/arabic"
    assert outlet_name("  ") == "unknown"


def _day_rows() -> list[dict]:
    if not DAY.exists():
        pytest.skip(f"{DAY} not present")
    return [json.loads(line) for line in DAY.open(encoding="utf-8")]


def test_wire_copy_in_two_outlets_is_one_story_listing_both():
    row = next(r for r in _day_rows() if "البشير" in r["title"])
    original = Article(doc_id="a1", title=row["title"], text=row["text"], source="SkyNews", date=row["date"])
    copy = Article(
        doc_id="a2",
        title=row["title"] + " (رويترز)",
        text=row["text"] + "\nالمصدر: رويترز",
        source="Alarabia",
        date=row["date"],
    )
    other = Article(
        doc_id="a3",
        title="زلزال بقوة 6.2 درجة يهز تشيلي",
        text="ضرب زلزال بقوة 6.2 درجة تشيلي اليوم.",
        source="BBC",
        date=row["date"],
    )
    vectors = np.eye(3, dtype=np.float32)  # orthogonal vectors: only the texts say a1 and a2 are one
    assert near_duplicates([original, copy, other], vectors) == [(0, 1)]
    stories = group_stories([original, copy, other], vectors)
    merged = next(s for s in stories if len(s.articles) == 2)
    assert merged.sources == ["alarabia", "skynews"] and merged.duplicates == [["a1", "a2"]]


def test_a_story_of_yesterday_is_marked_continuing(tmp_path):
    from rag.index.embeddings import make_embedder

    embed = make_embedder("use-multilingual").embed_array
    yesterday = {
        "stories": [
            {
                "id": "s001-old",
                "headline": {"ar": "روسيا تنفي استخدام سلاح كيماوي في دوما"},
                "articles": [
                    {"title": "روسيا تنفي استخدام سلاح كيماوي في دوما"},
                    {"title": "منظمة حظر الأسلحة الكيمياوية تبحث إرسال فريق إلى دوما"},
                ],
            },
            {"id": "s002-old", "headline": {"ar": "ارتفاع أسعار الذهب"}, "articles": [{"title": "ارتفاع أسعار الذهب"}]},
        ]
    }
    (tmp_path / "briefing-2018-04-09.json").write_text(json.dumps(yesterday, ensure_ascii=False), encoding="utf-8")
    assert previous_briefing(tmp_path, "2018-04-10") == yesterday
    assert previous_briefing(tmp_path, "2018-04-12") is None
    today = [
        StoryBrief(
            id="s001",
            headline={"ar": "x"},
            doc_ids=[],
            sources=[],
            titles=[{"title": "منظمة حظر الأسلحة الكيمياوية سترسل فريقا إلى دوما"}],
        ),
        StoryBrief(
            id="s002", headline={"ar": "y"}, doc_ids=[], sources=[], titles=[{"title": "زلزال بقوة 6.2 درجة يهز تشيلي"}]
        ),
    ]
    assert mark_continuing(today, yesterday, embed) == 1
    assert today[0].continuing == "s001-old" and today[1].continuing is None


# -- the schedule, end to end (slow: the real model) --------------------------


def cron_env(home: Path) -> dict:
    """What cron gives a job: a minimal PATH, no TTY, no user settings beyond what the line sets."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home.parent),
        "LANG": "C.UTF-8",
        "CI": "true",
        "RAG_HOME": str(home),
        "RAG_LLM": "llamacpp:qwen2.5-0.5b",
        "RAG_MODEL_CACHE": os.environ.get("RAG_MODEL_CACHE", "/root/.cache/rag-models"),
        "PYTHONPATH": str(ROOT),
        "RAG_TZ": "UTC",
    }


@pytest.mark.slow
def test_cron_run_killed_half_way_resumes_without_redoing_stories(tmp_path):
    rows = [r for r in _day_rows() if any(w in r["title"] for w in ("البشير", "سكريبال", "النني"))]
    today = datetime.now(UTC).date().isoformat()
    day_file = tmp_path / "day.jsonl"  # a small day, dated today so that --since 24h selects it
    day_file.write_text("\n".join(json.dumps(r | {"date": today}, ensure_ascii=False) for r in rows), encoding="utf-8")
    home, out = tmp_path / "home", tmp_path / "out"
    env = cron_env(home)
    rag = [sys.executable, "-m", "rag.cli.main"]
    ingest = subprocess.run(
        rag + ["ingest", str(day_file)],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert ingest.returncode == 0, ingest.stderr
    command = rag + ["brief", "--since", "24h", "--out", str(out), "--top", "3", "--listed-english", "0"]

    # First run: killed (SIGKILL) right after its first story's log line.
    first = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    seen = []
    deadline = time.monotonic() + 900
    for line in first.stderr:
        seen.append(line)
        if line.startswith("story 1/"):
            first.send_signal(signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "".join(seen)
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, "".join(seen)
    assert any(line.startswith("story 1/3 summarized") for line in seen), "".join(seen)
    assert not out.exists() or not any(out.iterdir())  # nothing half-written

    second = subprocess.run(
        command + ["--json"],
        check=False,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=1800,
    )
    assert second.returncode == 0, second.stderr
    log = [line for line in second.stderr.splitlines() if line.startswith("story ")]
    assert log[0].startswith("story 1/3 cached"), second.stderr  # the finished story was not redone
    assert all(" summarized: " in line for line in log[1:]) and len(log) == 3, second.stderr
    assert "\x1b[" not in second.stderr  # no colours or spinners without a TTY
    assert sorted(p.name for p in out.iterdir()) == [f"briefing-{today}.{ext}" for ext in ("html", "json", "md")]
    data = json.loads(second.stdout)
    assert data["dates"][-1] == today and data["window"]["tz"] == "UTC"
    assert data["stats"]["from_cache"] == 1 and data["stats"]["summarized"] == 2
    texts = {r["id"]: r for r in rows}
    shown = {}
    for story in data["stories"]:
        assert story["kind"] and story["outlets"] == len(story["sources"]) and "score" in story
        assert story["ar"] and sum(len(s["text"].split()) for s in story["ar"]) <= 45
        for c in story["citations"]:
            if c["doc_id"] not in shown:
                shown[c["doc_id"]] = json.loads(
                    subprocess.run(
                        rag + ["show", c["doc_id"], "--json"],
                        check=True,
                        env=env,
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        timeout=300,
                    ).stdout
                )
            assert shown[c["doc_id"]]["text"][c["start"] : c["end"]] == c["quote"]
        if len(story["en"]) < len(story["ar"]) or not story["headline"]["en"]:
            assert story["withheld"]["en"]
    assert texts  # the rows the day was made of
