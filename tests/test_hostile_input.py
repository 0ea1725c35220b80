"""Files nobody checked: deep nesting, random bytes, invisible controls, truncated feeds.

One bad file never costs the good ones of the same run, and what is stored is
final text whose offsets stay exact.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.index.chunker import ChunkingPolicy, chunk_article
from rag.ingest.clean import INVISIBLE, junk_reason, strip_invisible
from rag.ingest.readers import ArticleDraft, read_file, read_paths
from rag.records import Rejection

GOOD_EN = "Harbour reopens\nThe harbour at Cape Varn reopened on Monday after storm repairs. Fishing boats returned.\n"
GOOD_AR = "عودة الصيادين\nأعيد فتح ميناء المدينة يوم الاثنين بعد إصلاح أضرار العاصفة. وعادت قوارب الصيد إلى العمل.\n"


def split(items) -> tuple[list[ArticleDraft], list[Rejection]]:
    items = list(items)
    return [i for i in items if isinstance(i, ArticleDraft)], [i for i in items if isinstance(i, Rejection)]


def good_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a-good.txt").write_text(GOOD_EN, encoding="utf-8")
    (folder / "z-good.txt").write_text(GOOD_AR, encoding="utf-8")
    return folder


def deep_html(depth: int = 50_000) -> str:
    return (
        "<html><body><article><h1>Deep page</h1><p>The first paragraph of the deep page.</p>"
        + "<div>" * depth
        + "Text at the bottom of the nesting."
        + "</div>" * depth
        + "</article></body></html>"
    )


# -- depth ---------------------------------------------------------------------


def test_deeply_nested_html_is_read_without_recursion(tmp_path):
    folder = good_folder(tmp_path / "in")
    (folder / "m-deep.html").write_text(deep_html(), encoding="utf-8")
    drafts, rejections = split(read_paths([folder]))
    assert not rejections
    assert len(drafts) == 3
    deep = next(d for d in drafts if d.title == "Deep page")
    assert "Text at the bottom of the nesting." in deep.text


def test_deeply_nested_json_is_one_rejection_and_the_rest_is_kept(tmp_path):
    folder = good_folder(tmp_path / "in")
    (folder / "m-deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    feed = folder / "m-feed.jsonl"
    feed.write_text(
        json.dumps({"title": "Ferry", "text": "The ferry resumed service on Monday."})
        + "\n"
        + "[" * 100_000
        + "]" * 100_000
        + "\n"
        + json.dumps({"title": "Bridge", "text": "The bridge opened on Friday."})
        + "\n",
        encoding="utf-8",
    )
    drafts, rejections = split(read_paths([folder]))
    assert sorted(d.title for d in drafts) == ["Bridge", "Ferry", "Harbour reopens", "عودة الصيادين"]
    assert sorted(r.location for r in rejections) == [str(folder / "m-deep.json"), f"{feed}:2"]
    assert all("nested too deeply" in r.reason for r in rejections)


# -- junk ----------------------------------------------------------------------


def test_files_without_letters_are_rejected_as_no_text(tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text("12345 67890\n--- *** !!!\n2016-08-23\n", encoding="utf-8")
    [item] = read_file(path)
    assert isinstance(item, Rejection) and item.reason.startswith("no text")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_give_no_articles(tmp_path, seed):
    rng = random.Random(seed)
    folder = good_folder(tmp_path / "in")
    for i in range(30):
        size = rng.choice([rng.randrange(1, 8), rng.randrange(1, 64), rng.randrange(1, 4000)])
        suffix = rng.choice([".txt", ".md", ".html", ".json", ".jsonl"])
        (folder / f"random-{i:02}{suffix}").write_bytes(bytes(rng.randrange(256) for _ in range(size)))
    drafts, rejections = split(read_paths([folder]))
    assert sorted(d.title for d in drafts) == ["Harbour reopens", "عودة الصيادين"], [d.text[:40] for d in drafts]
    assert len({r.location.split(":")[0] for r in rejections}) == 30
    assert all(r.reason for r in rejections)


@pytest.mark.parametrize("text", ["!", "K", "ع", "鐵鍊詞語", "ةںHڈٹ", "IL", "x\x01y\x02z\x03 ab cd"])
def test_junk_texts_are_not_articles(text):
    assert junk_reason(text)


@pytest.mark.parametrize("text", ["Beta fell.", "قال الوزير", "Café crème servi.", "مُحَمَّد وصل", "COVID-19 cases fell"])
def test_short_real_texts_are_articles(text):
    assert junk_reason(text) is None


# -- invisible controls ---------------------------------------------------------


def test_bidi_controls_are_removed_from_titles_sources_and_text(tmp_path):
    path = tmp_path / "feed.jsonl"
    record = {
        "title": "\u202eHarbour\u200b reopens\u2066",
        "source": "<b>Varn\u200f Times</b>\u202c",
        "text": "The har\u200dbour reopened\u2067 on Monday.\ufeff Boats \u061creturned.",
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [draft] = read_file(path)
    assert draft.title == "Harbour reopens"
    assert draft.source == "<b>Varn Times</b>"  # markup is escaped where it is rendered, not mangled here
    assert draft.text == "The harbour reopened on Monday. Boats returned."


def test_bidi_controls_in_html_entities_are_removed(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>&#x202E;droW&#x202C; title</title></head><body>"
        "<p>Body &#x2068;text&#x2069; with an &#x200B;isolate.</p></body></html>",
        encoding="utf-8",
    )
    [draft] = read_file(path)
    assert not set(draft.title + draft.text) & set(INVISIBLE)
    assert draft.text == "Body text with an isolate."


WORDS = ["قال", "المتحدث", "إن", "المحادثات", "مستمرة", "Pentagon", "said", "talks", "3.5", "«داعش»", "."]
invisible = st.sampled_from(list(INVISIBLE))
token = st.one_of(
    st.sampled_from(WORDS), invisible, st.builds(lambda w, c: w[:1] + c + w[1:], st.sampled_from(WORDS), invisible)
)
# Each line is numbered: repeated lines would be removed as boilerplate, a different concern.
noisy_text = st.builds(
    lambda lines: "\n".join(f"n{i} " + " ".join(line) for i, line in enumerate(lines)),
    st.lists(st.lists(token, min_size=2, max_size=30), min_size=1, max_size=6),
)


@given(noisy_text, st.sampled_from([16, 64]))
@settings(max_examples=150, deadline=None)
def test_offsets_stay_exact_on_text_with_invisible_controls(tmp_path_factory, text, max_tokens):
    path = tmp_path_factory.mktemp("noisy") / "feed.jsonl"
    path.write_text(json.dumps({"title": "Noisy", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    [item] = read_file(path)
    if isinstance(item, Rejection):
        assert junk_reason(strip_invisible(text).strip())
        return
    assert not set(item.text) & set(INVISIBLE)
    # Nothing visible is lost: the stored text is the input with the controls taken out.
    assert item.text.split() == strip_invisible(text).split()
    for chunk in chunk_article("d", item.text, ChunkingPolicy(max_tokens=max_tokens)):
        assert item.text[chunk.start : chunk.end] == chunk.text
        for a, b in chunk.units:
            assert chunk.start <= a < b <= chunk.end


# -- truncated feeds -----------------------------------------------------------


def test_jsonl_with_truncated_last_record_keeps_the_complete_ones(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {"id": f"r{i}", "title": f"Story {i}", "text": f"Story number {i} happened on Monday."} for i in range(3)
    ]
    lines = [json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n" + lines[0][: len(lines[0]) // 2], encoding="utf-8")
    drafts, rejections = split(read_file(path))
    assert [d.title for d in drafts] == ["Story 0", "Story 1", "Story 2"]
    [bad] = rejections
    assert bad.location == f"{path}:4" and "truncated" in bad.reason


def test_jsonl_cut_inside_a_multibyte_character(tmp_path):
    path = tmp_path / "feed.jsonl"
    good = json.dumps({"title": "خبر", "text": "قال المتحدث إن المحادثات مستمرة."}, ensure_ascii=False)
    path.write_bytes((good + "\n" + good).encode("utf-8")[:-5])
    drafts, rejections = split(read_file(path))
    assert len(drafts) == 1 and [r.location for r in rejections] == [f"{path}:2"]


# -- the command, as a user runs it ------------------------------------------------


@pytest.mark.slow
def test_rag_ingest_of_a_hostile_folder_keeps_the_good_files(tmp_path):
    from helpers import rag_command, rag_env

    folder = good_folder(tmp_path / "in")
    (folder / "deep.html").write_text(deep_html(20_000), encoding="utf-8")
    rng = random.Random(11)
    for i in range(10):
        (folder / f"random-{i}.txt").write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))))
    (folder / "feed.jsonl").write_text(
        json.dumps({"title": "Ferry", "text": "The ferry resumed service on Monday."})
        + '\n{"title": "Cut", "text": "The bridge',
        encoding="utf-8",
    )
    (folder / "title.txt").write_text(
        "\u202eHarbour news\u202c\nThe harbour master said boats may sail again.\n", encoding="utf-8"
    )
    env = rag_env(tmp_path / "home")

    def rag(*args):
        return rag_command(env, *args)

    ingest = rag("ingest", str(folder), "--json")
    assert ingest.returncode == 1  # some inputs rejected, the good ones kept
    report = json.loads(ingest.stdout)
    assert len(report["added"]) == 5
    rejected = {r["location"] for r in report["rejected"]}
    assert f"{folder / 'feed.jsonl'}:2" in rejected and len(rejected) == 11
    titles = {a["title"] for a in json.loads(rag("docs", "--json").stdout)["docs"]}
    assert titles == {"Harbour reopens", "عودة الصيادين", "Deep page", "Ferry", "Harbour news"}
    assert rag("index", "check").returncode == 0
