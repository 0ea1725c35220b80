"""Extractive selection of an article's (or a story's) key sentences.

Used as the first stage of summaries and briefings: whatever the article
length, the generator sees a bounded set of sentences (the "map" step picks the
salient ones of every chunk; the "reduce" step is the generator writing from
them). Scores favour sentences close to the centroid of the text (what it is
about) and the lead (news puts the key facts first); MMR keeps near-duplicates,
such as the same sentence in two outlets' reports, out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEAD_WEIGHT = 0.25
LEAD_DECAY = 3.0
DIVERSITY = 0.3
DUPLICATE_SIMILARITY = 0.9
MIN_WORDS = 5


@dataclass(frozen=True)
class SentenceCandidate:
    doc_id: str
    start: int
    end: int
    position: int  # index of the sentence within its article
    vector: np.ndarray
    words: int


@dataclass(frozen=True)
class SalientSentence:
    doc_id: str
    start: int
    end: int
    score: float
    position: int


def select_salient(candidates: list[SentenceCandidate], limit: int) -> list[SalientSentence]:
    usable = [c for c in candidates if c.words >= MIN_WORDS] or candidates
    if not usable:
        return []
    matrix = np.stack([c.vector for c in usable])
    centroid = matrix.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    base = matrix @ centroid + LEAD_WEIGHT * np.array([math.exp(-c.position / LEAD_DECAY) for c in usable])
    chosen: list[int] = []
    while len(chosen) < min(limit, len(usable)):
        if chosen:
            redundancy = (matrix @ matrix[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(usable))
        scores = base - DIVERSITY * redundancy
        scores[chosen] = -np.inf
        scores[redundancy >= DUPLICATE_SIMILARITY] = -np.inf
        best = int(np.argmax(scores))
        if not np.isfinite(scores[best]):
            break
        chosen.append(best)
    return [
        SalientSentence(usable[i].doc_id, usable[i].start, usable[i].end, float(base[i]), usable[i].position)
        for i in chosen
    ]
