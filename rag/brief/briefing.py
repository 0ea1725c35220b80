"""A daily briefing: the day's stories across outlets, each with a bilingual cited summary.

The top stories get a full summary (rag.summarize, drawing on up to a few of
each story's most central articles); every other story is listed with its
Arabic headline, an English translation of it and its outlets, so nothing of
the day is silently dropped.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.brief.stories import Story
from rag.generate.generator import Generator
from rag.prompting import load_prompt
from rag.records import Citation
from rag.summarize import Summary
from rag.text.lang import detect_language
from rag.translation import headline_verified, names_glossary, translate_headline
from rag.verify.support import SupportChecker

HEADLINE_BATCH = 15
_NUMBERED = re.compile(r"^\s*(\d+)\s*[.):-]\s*(.+?)\s*$")


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

    def to_json(self, full: bool = True) -> dict:
        data = {"id": self.id, "headline": self.headline, "doc_ids": self.doc_ids, "sources": self.sources}
        if full:
            data |= {"ar": self.ar, "en": self.en, "citations": [c.to_json() for c in self.citations]}
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

    def to_json(self) -> dict:
        return {"date": self.date, "articles": self.articles, "model": self.model,
                "stories": [s.to_json() for s in self.stories],
                "more_stories": [s.to_json(full=False) for s in self.more_stories]}


def story_brief(story: Story, summary: Summary | None, english_headline: str = "") -> StoryBrief:
    titles = [{"doc_id": a.doc_id, "title": a.title, "source": a.source, "url": a.url} for a in story.articles]
    if summary is None:
        return StoryBrief(id=story.story_id, headline={"ar": story.lead.title, "en": english_headline},
                          doc_ids=[a.doc_id for a in story.articles], sources=story.sources, titles=titles)
    return StoryBrief(id=story.story_id, headline=summary.title, doc_ids=[a.doc_id for a in story.articles],
                      sources=story.sources, ar=summary.ar, en=summary.en, citations=summary.citations, titles=titles)


def translate_headlines(headlines: list[str], generator: Generator, checker: SupportChecker,
                        progress: Callable[[str], None] | None = None) -> list[str]:
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
        batch = headlines[start:start + HEADLINE_BATCH]
        if progress:
            progress(f"translating headlines {start + 1}-{start + len(batch)} of {len(headlines)}")
        numbered = "\n".join(f"{i}. {' '.join(h.split())}" for i, h in enumerate(batch, 1))
        glossary = names_glossary("\n".join(batch), end="\n")
        completion = generator.complete(system, load_prompt("headlines.user").render(glossary=glossary,
                                                                                    headlines=numbered))
        out.extend(parse_numbered_lines(completion.text, len(batch)))
    failed = [i for i, (arabic, english) in enumerate(zip(headlines, out))
              if not headline_verified(english, arabic, checker)]
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
