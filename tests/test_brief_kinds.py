"""rag.brief.kinds and rag.brief.ranking on real articles (ANT excerpts, tests/data/brief_articles.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.brief.kinds import (
    FEATURE,
    NEWS,
    OPINION,
    SERVICE,
    article_section,
    classify,
    first_person_rate,
)
from rag.brief.ranking import rank_story, story_kind
from rag.records import Article

DATA = Path(__file__).parent / "data" / "brief_articles.jsonl"
ROWS = [json.loads(line) for line in DATA.open(encoding="utf-8")]


def article(row: dict, **changes) -> Article:
    fields = {
        "doc_id": row["id"],
        "title": row["title"],
        "text": row["text"],
        "date": row["date"],
        "source": row["source"],
        "url": row["url"],
        "origin": f"id:{row['id']}",
    }
    return Article(**(fields | changes))


def find(prefix: str) -> dict:
    return next(r for r in ROWS if r["title"].startswith(prefix))


@pytest.mark.parametrize("row", ROWS, ids=[r["title"][:30] for r in ROWS])
def test_each_real_article_gets_the_kind_a_reader_gives_it(row):
    assert classify(article(row)).kind == row["expected_kind"], classify(article(row))


def test_all_three_kinds_are_present_in_the_sample():
    assert {r["expected_kind"] for r in ROWS} == {NEWS, OPINION, FEATURE}
    assert sum(r["expected_kind"] == NEWS for r in ROWS) >= 6


def test_opinion_is_read_from_the_text_not_only_the_url_or_section():
    # A reprinted sports column: its url and section say "sport", only its text says "column".
    column = find("يا خسارة الفلوس!")
    kind = classify(article(column, url=None, origin=None))
    assert kind.kind == OPINION and "writer's-view disclaimer" in kind.signals
    # CNN's op-ed without its "رأي:" title and url still has its byline and disclaimer.
    oped = find("رأي: بإيران")
    kind = classify(article(oped, title="بإيران تحاكم فتاة في التاسعة بسبب الرقص", url=None, origin=None))
    assert kind.kind == OPINION and "byline" in kind.signals


def test_news_that_quotes_a_source_is_not_a_reprinted_column():
    # "وأوردت سونا نقلا عن المتحدث …" inside a report is attribution, not "*نقلاً عن الأهرام" under a column.
    report = find("السودان وروسيا سيوقعان")
    assert "نقلا عن" in report["text"]
    assert classify(article(report)).kind == NEWS


def test_sections_come_from_the_ant_id_or_the_url():
    column = find("يا خسارة الفلوس!")
    assert article_section(article(column)) == "sport"
    assert article_section(article(column, origin=None)) == "sport"  # alarabiya.net/ar/sport/…
    assert article_section(article(find("نيبال: مقتل العشرات"), origin=None)) == "world"  # bbc …/world-43374695
    assert article_section(Article(doc_id="x", title="t", text="نص")) is None


def test_hard_news_has_most_signals():
    crash = classify(article(find("نيبال: مقتل العشرات")))
    assert crash.kind == NEWS and crash.hardness >= 0.6
    assert {"event", "number"} <= set(crash.signals)


def test_service_items_and_first_person_writing():
    # Constructed examples (no service item occurs in the sample days): logic only.
    advert = Article(
        doc_id="a", title="وظائف شاغرة في وزارة الصحة", text="تعلن الوزارة عن فرص عمل للتقديم حتى نهاية الشهر."
    )
    assert classify(advert).kind == SERVICE
    essay = Article(doc_id="b", title="عن الصبر!", text="أنا أعتقد أننا نحن من يصنع الصبر، وعلينا أن نتعلم. " * 5)
    assert first_person_rate(essay.text) > 1.0
    assert classify(essay).kind == OPINION
    quoted = Article(doc_id="c", title="الوزير: نحن مستعدون", text='قال الوزير "نحن مستعدون لكل شيء ونحن جاهزون". ' * 3)
    assert first_person_rate(quoted.text) == 0.0  # first person inside quotes is the speaker's, not the writer's


def test_ranking_puts_outlets_first_then_hard_news_before_features():
    crash = article(find("نيبال: مقتل العشرات"))
    feature = article(find("ما هي الأسلحة الفائقة السرعة"))
    one_outlet_news = rank_story([crash], ["bbc"], [classify(crash)])
    two_outlet_feature = rank_story([feature, feature], ["bbc", "cnn"], [classify(feature)] * 2)
    three_outlet_news = rank_story([crash] * 3, ["bbc", "cnn", "skynews"], [classify(crash)] * 3)
    assert three_outlet_news.score > one_outlet_news.score > two_outlet_feature.score
    assert two_outlet_feature.kind == FEATURE and one_outlet_news.kind == NEWS
    assert one_outlet_news.signals["outlets"] == 1 and one_outlet_news.signals["news_signals"]
    assert set(one_outlet_news.to_json()) == {"kind", "score", "section", "signals"}


def test_a_story_with_any_report_is_news():
    report, column = article(find("نيبال: مقتل العشرات")), article(find("يا خسارة الفلوس!"))
    assert story_kind([classify(column), classify(report)]) == NEWS
    assert story_kind([classify(column)]) == OPINION
