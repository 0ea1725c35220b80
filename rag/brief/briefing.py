"""A daily briefing: the day's stories ranked by news value, each with a short cited summary.

The top news stories get a summary made of their most salient clauses
(rag.brief.clauses), quoted exactly and each cited as its own span, so the
summary *is* the evidence and nothing is printed twice. Each clause's English is
its translation when that verifies against the clause (rag.translation, checked
by rag.verify.support.SupportChecker); otherwise it is withheld and the story
says why. English headlines likewise: verified or withheld, never a guess.
Every other story is listed with its Arabic headline and outlets, opinion and
features in their own section, so nothing of the day is silently dropped.

Finished stories are cached under RAG_HOME (rag.brief.cache), keyed by their
article ids and the model, so a re-run of the same day resumes where an
interrupted one stopped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.brief.cache import BriefCache
from rag.brief.clauses import ARTICLES_PER_STORY, WORD_BUDGET, select_clauses
from rag.brief.kinds import FEATURE, NEWS, OPINION
from rag.brief.stories import Story, outlet_name
from rag.generate.generator import Generator
from rag.prompting import load_prompt
from rag.records import Article, Citation
from rag.text.lang import detect_language
from rag.translation import (
    headline_verified,
    names_glossary,
    translate_headline,
    verified_translation,
)
from rag.verify.sources import SourceSentence, sentence_before
from rag.verify.support import SupportChecker

HEADLINE_BATCH = 15
SUMMARY_VERSION = 1  # part of the cache key: bump when the way a story is summarized changes
_NUMBERED = re.compile(r"^\s*(\d+)\s*[.):-]\s*(.+?)\s*$")
STRONGER_MODEL = "a stronger model (RAG_LLM=openai:…) may fill it"
Progress = Callable[[str], None]


@dataclass
class StoryBrief:
    id: str
    headline: dict[str, str]
    doc_ids: list[str]
    sources: list[str]
    ar: list[dict] = field(default_factory=list)
    en: list[dict] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    titles: list[dict] = field(default_factory=list)  # each article: doc_id, title, source, url
    kind: str = NEWS
    score: float = 0.0
    section: str | None = None
    signals: dict = field(default_factory=dict)
    withheld: dict[str, str] = field(default_factory=dict)  # language -> why that half is missing or short
    duplicates: list[list[str]] = field(default_factory=list)
    continuing: str | None = None  # the previous day's story id this one continues

    def to_json(self, full: bool = True) -> dict:
        data = {
            "id": self.id,
            "headline": self.headline,
            "doc_ids": self.doc_ids,
            "sources": self.sources,
            "kind": self.kind,
            "outlets": len(self.sources),
            "score": round(self.score, 3),
            "section": self.section,
            "signals": self.signals,
        }
        if full:
            data |= {"ar": self.ar, "en": self.en, "citations": [c.to_json() for c in self.citations]}
        if self.withheld:
            data["withheld"] = self.withheld
        if self.duplicates:
            data["duplicates"] = self.duplicates
        data["continuing"] = self.continuing
        data["articles"] = self.titles
        return data


@dataclass
class Briefing:
    date: str
    articles: int
    stories: list[StoryBrief]
    more_stories: list[StoryBrief]
    model: str
    seconds: float = 0.0
    opinion: list[StoryBrief] = field(default_factory=list)  # opinion and features, listed in their own section
    dates: list[str] = field(default_factory=list)  # the article dates the briefing covers
    window: dict | None = None  # {"from", "to", "tz"} when made for a time window
    stats: dict = field(default_factory=dict)  # stories summarized / from cache, seconds per stage

    def to_json(self) -> dict:
        data = {
            "date": self.date,
            "dates": self.dates or [self.date],
            "articles": self.articles,
            "model": self.model,
            "stories": [s.to_json() for s in self.stories],
            "more_stories": [s.to_json(full=False) for s in self.more_stories],
            "opinion": [s.to_json(full=False) for s in self.opinion],
        }
        if self.window:
            data["window"] = self.window
        if self.stats:
            data["stats"] = self.stats
        return data


# -- one story -----------------------------------------------------------------


def _titles(story: Story) -> list[dict]:
    return [{"doc_id": a.doc_id, "title": a.title, "source": a.source, "url": a.url} for a in story.articles]


def listed_brief(story: Story, english_headline: str = "") -> StoryBrief:
    """A story listed by its headline and outlets (no summary)."""
    brief = StoryBrief(
        id=story.story_id,
        headline={"ar": story.lead.title, "en": english_headline},
        doc_ids=[a.doc_id for a in story.articles],
        sources=story.sources,
        titles=_titles(story),
        kind=story.kind,
        score=story.rank.score if story.rank else 0.0,
        section=story.rank.section if story.rank else None,
        signals=story.rank.signals if story.rank else {},
        duplicates=story.duplicates,
    )
    if not english_headline:
        brief.withheld = {"en": f"no English headline verified against the Arabic; {STRONGER_MODEL}"}
    return brief


def clause_sources(story: Story, embed, budget: int = WORD_BUDGET) -> tuple[list[SourceSentence], dict[str, Article]]:
    """The story's chosen clauses, numbered 1..n as source sentences (exact spans)."""
    reports = [
        a for a in story.by_centrality() if (story.kinds.get(a.doc_id) is None or story.kinds[a.doc_id].kind == NEWS)
    ]
    # A press review or video item in a news story is not where its facts are stated.
    central = (reports or story.by_centrality())[:ARTICLES_PER_STORY]
    by_id = {a.doc_id: a for a in central}
    picked = select_clauses(central, {a.doc_id: outlet_name(a.source) for a in central}, embed, budget)
    sources = []
    for n, chosen in enumerate(picked, 1):
        c, article = chosen.clause, by_id[chosen.clause.doc_id]
        sources.append(
            SourceSentence(
                number=n,
                doc_id=c.doc_id,
                start=c.start,
                end=c.end,
                text=c.text,
                title=article.title,
                date=article.date,
                url=article.url,
                source=article.source,
                before=sentence_before(article.text, c.start),
            )
        )
    return sources, by_id


def summarized_brief(
    story: Story, generator: Generator, checker: SupportChecker, embed, budget: int = WORD_BUDGET, english: bool = True
) -> StoryBrief:
    """The story with its clause summary: Arabic quoted exactly, English where it verifies (and
    only when `english`: see BriefingOptions)."""
    sources, by_id = clause_sources(story, embed, budget)
    for s in sources:  # the invariant, checked where the spans are made
        assert by_id[s.doc_id].text[s.start : s.end] == s.text
    citations = [s.citation(s.number, by_id[s.doc_id].text) for s in sources]
    ar = [{"text": " ".join(s.text.split()), "citations": [s.number]} for s in sources]
    if not english:
        brief = listed_brief(story, "")
        brief.ar, brief.citations, brief.withheld = ar, citations, {"en": WITHHELD_BUNDLED}
        return brief
    en = []
    for s in sources:
        verified = verified_translation(" ".join(s.text.split()), [s], sources, generator, checker)
        if verified is not None:
            en.append({"text": verified.text, "citations": [s.number]})
    english_headline = translate_headline(story.lead.title, generator, checker)
    brief = listed_brief(story, english_headline)
    brief.ar, brief.en, brief.citations = ar, en, citations
    reasons = []
    if not english_headline:
        reasons.append("headline: no translation verified against the Arabic")
    if len(en) < len(ar):
        reasons.append(f"{len(ar) - len(en)} of {len(ar)} clauses: no translation verified against its source")
    brief.withheld = {"en": "; ".join(reasons) + f"; {STRONGER_MODEL}"} if reasons else {}
    return brief


# -- the day -------------------------------------------------------------------


@dataclass
class BriefingOptions:
    top: int = 10
    budget: int = WORD_BUDGET  # Arabic words per story summary
    # English headlines for the first N listed stories (by rank): 113 listed headlines of 2018-04-10 took 31 min
    # with the embedded 1.5B model on a busy 2-core machine, against 2 min for the top 10 stories' summaries.
    listed_english: int = 20
    # Model-written English printed where it verifies (rag.app.Rag.prints_english); without it none
    # is generated and the English half says why (the bundled models' translations are not printed).
    english: bool = True


WITHHELD_BUNDLED = (
    "the bundled model's English is not printed (RAG_ENGLISH=auto): on labelled claims most of its "
    "translations that pass the checker are wrong, and a reader found 6 of 12 verified clause "
    "lines and 1 of 9 headlines of a held-out day faithful; RAG_LLM=openai:… (or another server) "
    "writes it"
)


def build_briefing(
    date: str,
    articles: list[Article],
    stories: list[Story],
    generator: Generator,
    checker: SupportChecker,
    embed,
    cache: BriefCache | None,
    options: BriefingOptions | None = None,
    progress: Progress | None = None,
    log: Progress | None = None,
) -> Briefing:
    """Summarize the top news stories, list the rest; `log` gets one line per story (for cron logs)."""
    options = options or BriefingOptions()
    started = time.perf_counter()
    say = progress or (lambda message: None)
    log = log or say
    news = [s for s in stories if s.kind not in (OPINION, FEATURE)]
    opinion = [s for s in stories if s.kind in (OPINION, FEATURE)]
    top, rest = news[: options.top], news[options.top :]
    say(
        f"{len(articles)} articles, {len(stories)} stories ({len(opinion)} opinion or feature); "
        f"summarizing the top {len(top)}"
    )
    stats = {"summarized": 0, "from_cache": 0, "seconds": {}}
    briefs = []
    for i, story in enumerate(top, 1):
        t0 = time.perf_counter()
        key = BriefCache.key(
            "summary",
            [a.doc_id for a in story.articles],
            generator.label,
            SUMMARY_VERSION,
            options.budget,
            options.english,
        )
        cached = cache.get(key) if cache else None
        if cached is not None:
            brief = _refreshed(story_brief_from_json(cached), story)
            stats["from_cache"] += 1
            state = "cached"
        else:
            brief = summarized_brief(story, generator, checker, embed, options.budget, options.english)
            if cache:
                cache.put(key, brief.to_json())
            stats["summarized"] += 1
            state = "summarized"
        briefs.append(brief)
        log(
            f"story {i}/{len(top)} {state}: {story.lead.title[:70]} ({len(story.articles)} articles; "
            f"{', '.join(story.sources)}; {brief.kind}, score {brief.score:.2f}; "
            f"{len(brief.ar)} ar, {len(brief.en)} en; {time.perf_counter() - t0:.1f} s)"
        )
    stats["seconds"]["summaries"] = round(time.perf_counter() - started, 2)
    t1 = time.perf_counter()
    listed = rest + opinion
    chosen = sorted(range(len(listed)), key=lambda i: -listed[i].rank.score if listed[i].rank else 0.0)
    chosen = sorted(chosen[: max(0, options.listed_english)]) if options.english else []
    english = [""] * len(listed)
    for i, headline in zip(chosen, listed_headlines([listed[i] for i in chosen], generator, checker, cache, say)):
        english[i] = headline
    stats["seconds"]["listed_headlines"] = round(time.perf_counter() - t1, 2)
    briefs_listed = [listed_brief(s, h) for s, h in zip(listed, english)]
    translated = set(chosen)
    for i, brief in enumerate(briefs_listed):
        if not options.english:
            brief.withheld = {"en": WITHHELD_BUNDLED}
        elif i not in translated:
            brief.withheld = {
                "en": f"not translated: English headlines are made for the first "
                f"{options.listed_english} listed stories (--listed-english N)"
            }
    more, opinion_briefs = briefs_listed[: len(rest)], briefs_listed[len(rest) :]
    return Briefing(
        date=date,
        articles=len(articles),
        stories=briefs,
        more_stories=more,
        opinion=opinion_briefs,
        model=generator.label,
        seconds=time.perf_counter() - started,
        stats=stats,
    )


def _refreshed(brief: StoryBrief, story: Story) -> StoryBrief:
    """A cached story under today's id and rank (they depend on the rest of the day)."""
    fresh = listed_brief(story, brief.headline.get("en", ""))
    fresh.ar, fresh.en, fresh.citations, fresh.withheld = brief.ar, brief.en, brief.citations, brief.withheld
    return fresh


def story_brief_from_json(data: dict) -> StoryBrief:
    return StoryBrief(
        id=data["id"],
        headline=data["headline"],
        doc_ids=data["doc_ids"],
        sources=data["sources"],
        ar=data.get("ar", []),
        en=data.get("en", []),
        citations=[Citation(**c) for c in data.get("citations", [])],
        titles=data.get("articles", []),
        kind=data.get("kind", NEWS),
        score=data.get("score", 0.0),
        section=data.get("section"),
        signals=data.get("signals", {}),
        withheld=data.get("withheld", {}),
        duplicates=data.get("duplicates", []),
        continuing=data.get("continuing"),
    )


def listed_headlines(
    stories: list[Story],
    generator: Generator,
    checker: SupportChecker,
    cache: BriefCache | None,
    progress: Progress | None = None,
) -> list[str]:
    """Verified English headlines of the listed stories ('' where none verifies), cached per story."""
    keys = [BriefCache.key("headline", [s.lead.doc_id], generator.label, SUMMARY_VERSION) for s in stories]
    found = [cache.get(k) if cache else None for k in keys]
    missing = [i for i, f in enumerate(found) if f is None]
    if progress and len(missing) < len(stories):
        progress(f"{len(stories) - len(missing)} listed headline(s) from the cache")
    translated = (
        translate_headlines([stories[i].lead.title for i in missing], generator, checker, progress) if missing else []
    )
    for i, english in zip(missing, translated):
        found[i] = {"en": english}
        if cache:
            cache.put(keys[i], found[i])
    return [f["en"] for f in found]


def translate_headlines(
    headlines: list[str], generator: Generator, checker: SupportChecker, progress: Progress | None = None
) -> list[str]:
    """English renderings of Arabic headlines, in batches; '' where none verifies.

    Each rendering is verified against its headline like any
    English sentence over Arabic (names, negation, meaning); one that fails is
    translated again on its own (with the names glossary), and left out if that
    fails too. Measured on the 147 listed headlines of 2018-04-10: 70 verified
    from the batch.
    """
    out: list[str] = []
    system = load_prompt("headlines.system").render()
    for start in range(0, len(headlines), HEADLINE_BATCH):
        batch = headlines[start : start + HEADLINE_BATCH]
        if progress:
            progress(f"translating headlines {start + 1}-{start + len(batch)} of {len(headlines)}")
        numbered = "\n".join(f"{i}. {' '.join(h.split())}" for i, h in enumerate(batch, 1))
        glossary = names_glossary("\n".join(batch), end="\n")
        completion = generator.complete(
            system, load_prompt("headlines.user").render(glossary=glossary, headlines=numbered)
        )
        out.extend(parse_numbered_lines(completion.text, len(batch)))
    failed = [
        i for i, (arabic, english) in enumerate(zip(headlines, out)) if not headline_verified(english, arabic, checker)
    ]
    if failed and progress:
        progress(f"translating again {len(failed)} headline(s) whose translation did not verify")
    for i in failed:
        out[i] = translate_headline(headlines[i], generator, checker)
    return out


def parse_numbered_lines(text: str, count: int) -> list[str]:
    found: dict[int, str] = {}
    for line in text.splitlines():
        match = _NUMBERED.match(line)
        if match and 1 <= int(match.group(1)) <= count and detect_language(match.group(2)) == "en":
            found.setdefault(int(match.group(1)), match.group(2).strip())
    return [found.get(i, "") for i in range(1, count + 1)]
