"""News value of a story: how many outlets carry it, then how hard its news is.

score = OUTLET_WEIGHT × outlets + ARTICLE_WEIGHT × log2(1 + articles)
        + HARDNESS_WEIGHT × hardness of its best report
        − SOFT_PENALTY when its reports are filed under sport, culture or technology
        − KIND_PENALTY[kind] for features and service items.

An outlet counts most because an editor's first question is "is everyone
running it?"; an extra article from the same outlet counts little (Sky News
files several updates of one event). A feature carried by two outlets still
ranks below any single-outlet report of an event. Opinion stories are ranked
with the same score but listed in their own section.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from rag.brief.kinds import FEATURE, NEWS, OPINION, SERVICE, ArticleKind
from rag.records import Article

OUTLET_WEIGHT = 2.0
ARTICLE_WEIGHT = 0.5
HARDNESS_WEIGHT = 2.0
SOFT_PENALTY = 2.5  # a 3-outlet celebrity sport item (Carragher, 2018-03-12) below 2-outlet hard news
KIND_PENALTY = {NEWS: 0.0, OPINION: 0.0, FEATURE: 4.0, SERVICE: 6.0}


@dataclass(frozen=True)
class StoryRank:
    kind: str
    score: float
    section: str | None
    signals: dict = field(default_factory=dict)  # what decided the score, for --json

    def to_json(self) -> dict:
        return {"kind": self.kind, "score": round(self.score, 3), "section": self.section, "signals": self.signals}


def story_kind(kinds: list[ArticleKind]) -> str:
    """News when any member is a report; otherwise the members' most common kind (opinion wins ties)."""
    if any(k.kind == NEWS for k in kinds):
        return NEWS
    counts = Counter(k.kind for k in kinds)
    order = [OPINION, FEATURE, SERVICE]
    return max(order, key=lambda kind: (counts[kind], -order.index(kind)))


def rank_story(articles: list[Article], sources: list[str], kinds: list[ArticleKind]) -> StoryRank:
    kind = story_kind(kinds)
    deciding = [k for k in kinds if k.kind == kind] or kinds
    hardness = max(k.hardness for k in deciding)
    sections = Counter(k.section for k in deciding if k.section)
    section = sections.most_common(1)[0][0] if sections else None
    soft = bool(deciding) and sum(k.soft for k in deciding) * 2 > len(deciding)
    parts = {
        "outlets": OUTLET_WEIGHT * len(sources),
        "articles": ARTICLE_WEIGHT * math.log2(1 + len(articles)),
        "hardness": HARDNESS_WEIGHT * hardness,
        "soft_section": -SOFT_PENALTY if soft else 0.0,
        "kind": -KIND_PENALTY[kind],
    }
    best = max(deciding, key=lambda k: k.hardness)
    signals = {
        "outlets": len(sources),
        "articles": len(articles),
        "hardness": round(hardness, 2),
        "soft_section": soft,
        "kind_signals": sorted({s for k in deciding for s in k.signals}),
        "news_signals": list(best.signals) if best.kind == NEWS else [],
        "parts": {k: round(v, 3) for k, v in parts.items()},
    }
    return StoryRank(kind=kind, score=sum(parts.values()), section=section, signals=signals)
