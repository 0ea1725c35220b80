"""Group a day's articles into stories across outlets.

Two articles tell the same story when their texts are close in the embedding
space and they share named entities (approximated by the rarer content words of
title and lead, which in news are mostly names and places). Clustering is
average-linkage agglomerative with a similarity floor, so a story never chains
through loosely related articles. Near-duplicates (wire copy, re-reports)
simply merge.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from rag.records import Article
from rag.text.arabic import index_tokens

EMBEDDING_WEIGHT = 0.7
ENTITY_WEIGHT = 0.3
MERGE_THRESHOLD = 0.6
SMALL_DAY = 30


@dataclass
class Story:
    story_id: str
    articles: list[Article]
    sources: list[str]
    importance: float
    centrality: dict[str, float] = field(default_factory=dict)

    @property
    def lead(self) -> Article:
        """The most central article: its title heads the story when nothing better exists."""
        return max(self.articles, key=lambda a: self.centrality.get(a.doc_id, 0.0))


def outlet_name(source: str | None) -> str:
    """'ANT Corpus v2.1 / alarabia' → 'alarabia'; 'SkyNews' → 'skynews'."""
    if not source:
        return "unknown"
    return re.split(r"\s*/\s*", source)[-1].strip().lower() or "unknown"


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
    """Stories ordered by importance: outlets first, then articles, then centrality."""
    if not articles:
        return []
    frequency: Counter = Counter()
    per_article_terms = [set(index_tokens(f"{a.title} {a.text[:400]}")) for a in articles]
    for terms in per_article_terms:
        frequency.update(terms)
    entities = [entity_terms(a, frequency, len(articles)) for a in articles]
    similarity = similarity_matrix(vectors, entities)
    stories = []
    for members in cluster(similarity, threshold):
        story_articles = [articles[i] for i in members]
        sources = sorted({outlet_name(a.source) for a in story_articles})
        sub = similarity[np.ix_(members, members)]
        centrality = {articles[i].doc_id: float(sub[k].mean()) for k, i in enumerate(members)}
        importance = 2.0 * len(sources) + len(story_articles) + 0.1 * math.log1p(sum(len(a.text) for a in story_articles))
        stories.append(Story(story_id="", articles=story_articles, sources=sources, importance=importance,
                             centrality=centrality))
    stories.sort(key=lambda s: (-s.importance, s.lead.title))
    for i, story in enumerate(stories, 1):
        story.story_id = f"s{i:03d}-" + story.lead.doc_id[:8]
    return stories
