"""Clause summaries of stories (rag.brief.clauses, rag.brief.briefing) on real ANT articles.

The embedder is the real one; the generator in the withholding tests is a fake
(a unit test of the logic: what happens to a translation that does not verify).
The real model path is tested in tests/test_brief_schedule.py (slow).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.brief.briefing import listed_brief, summarized_brief
from rag.brief.clauses import (
    MAX_CLAUSE_WORDS,
    WORD_BUDGET,
    article_clauses,
    select_clauses,
    split_clauses,
)
from rag.brief.kinds import classify
from rag.brief.ranking import rank_story
from rag.brief.stories import Story, outlet_name
from rag.generate.generator import Generator
from rag.records import Article
from rag.text.sentences import split_sentences
from rag.verify.support import SupportChecker

DATA = Path(__file__).parent / "data" / "brief_articles.jsonl"
ROWS = [json.loads(line) for line in DATA.open(encoding="utf-8")]
ARTICLES = [
    Article(
        doc_id=r["id"],
        title=r["title"],
        text=r["text"],
        date=r["date"],
        source=r["source"],
        url=r["url"],
        origin=f"id:{r['id']}",
    )
    for r in ROWS
]


def by_title(prefix: str) -> Article:
    return next(a for a in ARTICLES if a.title.startswith(prefix))


@pytest.mark.parametrize("article", ARTICLES, ids=[a.title[:25] for a in ARTICLES])
def test_clauses_are_exact_spans_inside_one_sentence(article):
    sentences = split_sentences(article.text)
    clauses = article_clauses(article, sentences=len(sentences))
    assert clauses
    for c in clauses:
        assert article.text[c.start : c.end] == c.text  # the invariant, for a sub-sentence span
        sentence = sentences[c.sentence]
        assert sentence.start <= c.start < c.end <= sentence.end
        assert c.text == c.text.strip() and c.text[0] not in "،,؛;" and c.text[-1] not in "،,؛;"
    for a, b in itertools.pairwise(clauses):
        assert a.end <= b.start  # no overlap, reading order


def test_long_sentences_are_cut_at_clause_boundaries():
    article = by_title("ميليشيا الحوثي تخطف")
    first = split_sentences(article.text)[0]
    spans = split_clauses(article.text, first.start, first.end)
    words = [len(article.text[a:b].split()) for a, b in spans]
    assert len(spans) >= 2, article.text[first.start : first.end]
    assert max(words) <= MAX_CLAUSE_WORDS
    # "وذلك بعد ساعات …" opens a clause of its own.
    assert any(article.text[a:b].startswith("وذلك") for a, b in spans)


@given(
    st.lists(
        st.sampled_from(
            ["قال", "الوزير", "، ", "وأضاف", " ", "إن", "؛ ", "مشيرا", "إلى", "أن", "5", "\n", "الحكومة", "وكالة", ". "]
        ),
        min_size=1,
        max_size=60,
    )
)
def test_split_clauses_never_breaks_the_invariant(tokens):
    text = " ".join(tokens)
    for sentence in split_sentences(text):
        spans = split_clauses(text, sentence.start, sentence.end)
        for a, b in spans:
            assert sentence.start <= a < b <= sentence.end
            assert text[a:b].strip() == text[a:b]


def test_selected_clauses_fit_the_budget_and_come_from_the_story(embedder):
    story = [by_title("نيبال: مقتل العشرات"), by_title('مقتل رجل "هاجم حارسا"')]
    picked = select_clauses(story, {a.doc_id: outlet_name(a.source) for a in story}, embedder.embed_array)
    assert picked
    assert sum(p.clause.words for p in picked) <= WORD_BUDGET
    texts = {a.doc_id: a.text for a in story}
    for p in picked:
        assert texts[p.clause.doc_id][p.clause.start : p.clause.end] == p.clause.text


def test_the_same_fact_from_two_outlets_is_summarized_once(embedder):
    # The same wire lead in two outlets: only one copy of it is chosen.
    bashir = by_title("البشير يأمر بإطلاق")
    copy = Article(doc_id="copy", title=bashir.title, text=bashir.text, source="Other", date=bashir.date)
    picked = select_clauses([bashir, copy], {"copy": "other", bashir.doc_id: "skynews"}, embedder.embed_array)
    texts = [p.clause.text for p in picked]
    assert len(texts) == len(set(texts))


def fake_generator(*replies: str) -> Generator:
    return Generator(lambda: FakeListChatModel(responses=list(replies)), "fake")


def story_of(*articles: Article) -> Story:
    kinds = {a.doc_id: classify(a) for a in articles}
    sources = sorted({outlet_name(a.source) for a in articles})
    story = Story(
        story_id="s001-test",
        articles=list(articles),
        sources=sources,
        importance=0.0,
        centrality={a.doc_id: 1.0 - i * 0.1 for i, a in enumerate(articles)},
        kinds=kinds,
    )
    story.rank = rank_story(story.articles, sources, list(kinds.values()))
    return story


def test_wrong_english_is_withheld_with_its_reason(embedder):
    story = story_of(by_title("نيبال: مقتل العشرات"))
    # Every reply misreads its source (wrong place, wrong numbers): none may be printed.
    wrong = "A train crashed in Paris and 7 people were hurt."
    brief = summarized_brief(story, fake_generator(*([wrong] * 20)), SupportChecker(embedder), embedder.embed_array)
    assert brief.ar and brief.en == []
    assert "no translation verified" in brief.withheld["en"] and "headline" in brief.withheld["en"]
    assert brief.headline == {"ar": story.lead.title, "en": ""}
    article = story.articles[0]
    for sentence, citation in zip(brief.ar, brief.citations):
        assert sentence["citations"] == [citation.n]
        assert article.text[citation.start : citation.end] == citation.quote
        assert " ".join(citation.quote.split()) == sentence["text"]  # the summary is the quoted evidence
    data = brief.to_json()
    assert data["kind"] == "news" and data["outlets"] == 1 and data["withheld"]["en"]
    assert sum(len(s["text"].split()) for s in data["ar"]) <= WORD_BUDGET


def test_listed_story_without_english_says_so():
    brief = listed_brief(story_of(by_title("البشير يأمر بإطلاق")), "")
    assert brief.withheld["en"].startswith("no English headline verified")
    assert listed_brief(story_of(by_title("البشير يأمر بإطلاق")), "Bashir orders release").withheld == {}


def test_a_rerun_takes_finished_stories_from_the_cache(embedder, tmp_path):
    from rag.brief.briefing import BriefingOptions, build_briefing
    from rag.brief.cache import BriefCache
    from rag.brief.stories import group_stories

    articles = [by_title("نيبال: مقتل العشرات"), by_title("البشير يأمر بإطلاق"), by_title("يا خسارة الفلوس!")]
    vectors = embedder.embed_array([f"{a.title}\n{a.text[:500]}" for a in articles])
    stories = group_stories(articles, vectors)
    cache = BriefCache(tmp_path / "cache")
    wrong = "A train crashed in Paris and 7 people were hurt."
    lines: list[str] = []
    options = BriefingOptions(top=1, listed_english=0)
    first = build_briefing(
        "2018-04-10",
        articles,
        stories,
        fake_generator(*([wrong] * 30)),
        SupportChecker(embedder),
        embedder.embed_array,
        cache,
        options,
        log=lines.append,
    )
    assert [line.split(":")[0] for line in lines] == ["story 1/1 summarized"]
    assert [s.kind for s in first.opinion] == ["opinion"] and len(first.more_stories) == 1
    assert first.more_stories[0].withheld["en"].startswith("not translated")
    # The rerun may not call the model at all: a generator with no replies would fail if it did.
    lines.clear()
    again = build_briefing(
        "2018-04-10",
        articles,
        stories,
        fake_generator(),
        SupportChecker(embedder),
        embedder.embed_array,
        cache,
        options,
        log=lines.append,
    )
    assert [line.split(":")[0] for line in lines] == ["story 1/1 cached"]
    assert again.stats["from_cache"] == 1 and again.stats["summarized"] == 0
    assert again.stories[0].to_json() == first.stories[0].to_json()
