"""Group a day's articles into stories across outlets, and rank them by news value.

Two articles tell the same story when their texts are close in the embedding
space and they share named entities (approximated by the rarer content words of
title and lead, which in news are mostly names and places). Clustering is
average-linkage agglomerative with a similarity floor, so a story never chains
through loosely related articles. Near-duplicates (the same wire copy in two
outlets: most of their lead's word shingles shared, or nearly the same vector)
always merge, and are listed as such.

Opinion pieces are clustered apart from reports (a column about the Ghouta is
not a report of it), so they never lead a news story and go to their own
section. Ranking (rag.brief.ranking) then puts the stories most outlets carry
first, hard news before features and service items.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from rag.brief.kinds import NEWS, OPINION, ArticleKind, classify
from rag.brief.ranking import StoryRank, rank_story
from rag.records import Article
from rag.text.arabic import index_tokens, word_tokens

EMBEDDING_WEIGHT = 0.7
ENTITY_WEIGHT = 0.3
MERGE_THRESHOLD = (
    0.5  # 0.6 split the Skripal poisoning of 2018-03-12 into five stories; 0.5 keeps threads of the Douma crisis apart
)
SMALL_DAY = 30
DUPLICATE_SHINGLES = 0.5  # share of the leads' word 3-grams two copies of one wire story have in common
DUPLICATE_VECTOR = 0.95  # cosine of document vectors above which two articles are copies
LEAD_WORDS = 80


@dataclass
class Story:
    story_id: str
    articles: list[Article]
    sources: list[str]
    importance: float
    centrality: dict[str, float] = field(default_factory=dict)
    kinds: dict[str, ArticleKind] = field(default_factory=dict)  # doc_id -> what the article is
    rank: StoryRank | None = None
    duplicates: list[list[str]] = field(default_factory=list)  # groups of doc_ids that are copies of one text

    @property
    def kind(self) -> str:
        return self.rank.kind if self.rank else NEWS

    @property
    def lead(self) -> Article:
        """The most central report (a news article when the story has one): its title heads the story."""

        def key(a: Article):
            kind = self.kinds.get(a.doc_id)
            return (kind is None or kind.kind == NEWS, self.centrality.get(a.doc_id, 0.0))

        return max(self.articles, key=key)

    def by_centrality(self) -> list[Article]:
        """The story's articles, reports first, most central first."""
        lead = self.lead
        return sorted(
            self.articles,
            key=lambda a: (
                a.doc_id != lead.doc_id,
                (self.kinds.get(a.doc_id) or _NEWS_KIND).kind != NEWS,
                -self.centrality.get(a.doc_id, 0.0),
            ),
        )


_NEWS_KIND = ArticleKind(NEWS, None, 0.0)


def outlet_name(source: str | None) -> str:
    """'ANT Corpus v2.1 / alarabia' → 'alarabia'; 'SkyNews' → 'skynews'.

    Only a spaced slash separates a corpus from its outlet: a name such as
    "</script>" or "BBC/Arabic" is kept whole (and escaped where it is shown).
    """
    if not source or not source.strip():
        return "unknown"
    return re.split(r"\s+/\s+", source.strip())[-1].strip().lower() or "unknown"


def lead_shingles(article: Article) -> set[tuple[str, ...]]:
    words = word_tokens(f"{article.title} {article.text}")[:LEAD_WORDS]
    return set(zip(words, words[1:], words[2:]))


def near_duplicates(articles: list[Article], vectors: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of articles that are one text (wire copy re-published, a re-report)."""
    shingles = [lead_shingles(a) for a in articles]
    dense = vectors @ vectors.T
    pairs = []
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            small = min(len(shingles[i]), len(shingles[j]))
            shared = len(shingles[i] & shingles[j]) / small if small else 0.0
            if shared >= DUPLICATE_SHINGLES or dense[i, j] >= DUPLICATE_VECTOR:
                pairs.append((i, j))
    return pairs


def entity_terms(article: Article, document_frequency: Counter, n_docs: int) -> set[str]:
    lead = article.text[:400]
    terms = set(index_tokens(f"{article.title} {lead}"))
    # Keep the rarer terms of the day: names and places, not "said" or "government".
    # On a small set (a few articles) every shared name is "frequent": keep all terms.
    if n_docs < SMALL_DAY:
        return {t for t in terms if len(t) > 2}
    return {t for t in terms if len(t) > 2 and document_frequency[t] <= max(2, n_docs * 0.1)}


def similarity_matrix(vectors: np.ndarray, entities: list[set[str]]) -> np.ndarray:
    dense = vectors @ vectors.T
    n = len(entities)
    overlap = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i + 1, n):
            union = len(entities[i] | entities[j])
            if union:
                overlap[i, j] = overlap[j, i] = len(entities[i] & entities[j]) / union
    return EMBEDDING_WEIGHT * dense + ENTITY_WEIGHT * np.sqrt(overlap)


def cluster(similarity: np.ndarray, threshold: float = MERGE_THRESHOLD) -> list[list[int]]:
    """Average-linkage agglomerative clustering; stops when no pair of clusters is above threshold."""
    clusters: list[list[int]] = [[i] for i in range(len(similarity))]
    if len(clusters) < 2:
        return clusters
    link = similarity.astype(np.float64).copy()
    np.fill_diagonal(link, -np.inf)
    sizes = [1] * len(clusters)
    alive = list(range(len(clusters)))
    while len(alive) > 1:
        sub = link[np.ix_(alive, alive)]
        flat = int(np.argmax(sub))
        a, b = divmod(flat, len(alive))
        if sub[a, b] < threshold:
            break
        i, j = alive[a], alive[b]
        # Average linkage update (Lance-Williams): merge j into i.
        link[i, :] = (sizes[i] * link[i, :] + sizes[j] * link[j, :]) / (sizes[i] + sizes[j])
        link[:, i] = link[i, :]
        link[i, i] = -np.inf
        clusters[i].extend(clusters[j])
        sizes[i] += sizes[j]
        alive.remove(j)
    return [sorted(clusters[i]) for i in alive]


def group_stories(articles: list[Article], vectors: np.ndarray, threshold: float = MERGE_THRESHOLD) -> list[Story]:
    """Stories ranked by news value (rag.brief.ranking): outlets first, hard news before soft."""
    if not articles:
        return []
    kinds = [classify(a) for a in articles]
    reports = [i for i, k in enumerate(kinds) if k.kind != OPINION]
    opinions = [i for i, k in enumerate(kinds) if k.kind == OPINION]
    stories = []
    for subset in (reports, opinions):
        if subset:
            stories += _cluster_subset(
                [articles[i] for i in subset], vectors[subset], [kinds[i] for i in subset], threshold
            )
    for story in stories:
        story.rank = rank_story(story.articles, story.sources, [story.kinds[a.doc_id] for a in story.articles])
        story.importance = story.rank.score
    stories.sort(key=lambda s: (-s.rank.score, s.lead.title))
    for i, story in enumerate(stories, 1):
        story.story_id = f"s{i:03d}-" + story.lead.doc_id[:8]
    return stories


def _cluster_subset(
    articles: list[Article], vectors: np.ndarray, kinds: list[ArticleKind], threshold: float
) -> list[Story]:
    frequency: Counter = Counter()
    per_article_terms = [set(index_tokens(f"{a.title} {a.text[:400]}")) for a in articles]
    for terms in per_article_terms:
        frequency.update(terms)
    entities = [entity_terms(a, frequency, len(articles)) for a in articles]
    similarity = similarity_matrix(vectors, entities)
    copies = near_duplicates(articles, vectors)
    for i, j in copies:  # one text in two outlets is one story, whatever the threshold
        similarity[i, j] = similarity[j, i] = max(float(similarity[i, j]), 1.0)
    stories = []
    for members in cluster(similarity, threshold):
        story_articles = [articles[i] for i in members]
        sources = sorted({outlet_name(a.source) for a in story_articles})
        sub = similarity[np.ix_(members, members)]
        centrality = {articles[i].doc_id: float(sub[k].mean()) for k, i in enumerate(members)}
        importance = (
            2.0 * len(sources) + len(story_articles) + 0.1 * math.log1p(sum(len(a.text) for a in story_articles))
        )
        inside = set(members)
        groups = _groups([(i, j) for i, j in copies if i in inside and j in inside])
        stories.append(
            Story(
                story_id="",
                articles=story_articles,
                sources=sources,
                importance=importance,
                centrality=centrality,
                kinds={articles[i].doc_id: kinds[i] for i in members},
                duplicates=[[articles[i].doc_id for i in g] for g in groups],
            )
        )
    return stories


def _groups(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Connected groups of the duplicate pairs."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for i, j in pairs:
        parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    return [sorted(g) for g in groups.values() if len(g) > 1]
