"""A story's summary as its most salient clauses, each an exact span of an article.

News sentences in Arabic run long (40-60 words: the event, then "وقال …",
"مشيرا إلى …"), so whole lead sentences make a summary that is long and repeats
itself across outlets. Here sentences are cut at clause boundaries (، ؛ , and
before a new clause: و/ف + a reporting or event verb, "مشيرا إلى", "فيما",
"حيث" …), clauses too short to stand alone are joined to their neighbour, and
the clauses are scored:

- how close each is to what the story is about (the centroid of all its
  clauses), and how many *other* outlets say the same thing (a fact carried by
  several outlets is the story's core, and it is the wire text a reader meets);
- the lead (news puts the key facts first), the start of a sentence (it has its
  subject; "مشيرا إلى أن …" does not), names and numbers.

A greedy pick with a redundancy penalty fills a word budget (about 40 Arabic
words); the picked clauses are shown leads first. Every clause keeps its (doc_id, start, end): the offsets are ours, so
`text[start:end] == quote` holds for each.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np

from rag.records import Article
from rag.text.sentences import split_sentences

WORD_BUDGET = 40
MIN_CLAUSE_WORDS = 6
MAX_CLAUSE_WORDS = 30
SENTENCES_PER_ARTICLE = 6  # the lead and the paragraphs after it: where a report states its facts
ARTICLES_PER_STORY = 4
LEAD_WEIGHT = 0.25
LEAD_DECAY = 3.0
CONSENSUS_WEIGHT = 0.3
INITIAL_BONUS = 0.08
DEPENDENT_PENALTY = 0.5  # "مشيرا إلى أن …", "بينما …": no subject of its own; a last resort
NAME_NUMBER_BONUS = 0.05
REDUNDANCY = 0.7
DUPLICATE = (
    0.72  # two outlets stating one fact: on 2018-04-10 the Bashir release clauses of BBC and France24 were 0.8 apart
)

_STRONG_BOUNDARY = re.compile(r"[؛;]\s+|\s[-–—]\s")
_COMMA = re.compile(r"[،,]\s+")
COMMA_SIDE_WORDS = 8
# A new clause begins before these words (the space before them is the cut).
_CLAUSE_OPENERS = (
    "وقال",
    "وقالت",
    "وأضاف",
    "وأضافت",
    "وأكد",
    "وأكدت",
    "وأشار",
    "وأشارت",
    "وأوضح",
    "وأوضحت",
    "وتابع",
    "وتابعت",
    "وذكر",
    "وذكرت",
    "وأفاد",
    "وأفادت",
    "وأعلن",
    "وأعلنت",
    "ويأتي",
    "وجاء",
    "وكان",
    "وكانت",
    "وتأتي",
    "فيما",
    "بينما",
    "حيث",
    "مشيرا",
    "مشيرة",
    "مضيفا",
    "مضيفة",
    "مؤكدا",
    "مؤكدة",
    "موضحا",
    "موضحة",
    "لافتا",
    "لافتة",
    "وذلك",
    "ولفت",
    "ولفتت",
    "وبحسب",
    "ووفقا",
    "وفقا",
    "وأشارت",
    "ونقلت",
    "ونقل",
    "فقد",
    "وقد",
)
_OPENER = re.compile(r"\s(?=(?:" + "|".join(sorted(_CLAUSE_OPENERS, key=len, reverse=True)) + r")(?!\w))")
_DEPENDENT = re.compile(
    r"^(?:مشيرا|مشيرة|مضيفا|مضيفة|مؤكدا|مؤكدة|موضحا|موضحة|لافتا|لافتة|حيث|وذلك|فيما|بينما|"
    r"ما أدى|مما|الذي|التي|والذي|والتي|حسب|بحسب|وبحسب|وفقا|ووفقا|لمنع|من أجل|بعد أن|قبل أن)(?!\w)"
)
_OPENS = re.compile("(?:" + "|".join(sorted(_CLAUSE_OPENERS, key=len, reverse=True)) + r")(?!\w)")
_TRIM = "،؛;,:.-–— \t\n\"'«»“”()"
_DATELINE = re.compile(r"[^\n]{0,80}?\((?:CNN|AFP|Reuters|رويترز|أ ف ب|فرانس برس)\)\s*[-–—]+\s*")
_NAME_OR_NUMBER = re.compile(r"\d|[A-Za-z]")


@dataclass(frozen=True)
class Clause:
    doc_id: str
    start: int
    end: int
    text: str  # article.text[start:end], exactly
    sentence: int  # index of its sentence in the article
    initial: bool  # it opens its sentence
    words: int
    opens_clause: bool = True  # it starts the sentence or at a clause-opening word, not after a mere comma


@dataclass(frozen=True)
class ChosenClause:
    clause: Clause
    score: float
    outlets: int  # outlets whose articles say the same (itself included)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    # Keep a closing quote or bracket whose opener is inside the clause.
    for opener, closer in (("«", "»"), ("“", "”"), ("(", ")"), ('"', '"')):
        piece = text[start:end]
        if end < len(text) and text[end] == closer:
            unbalanced = piece.count(opener) % 2 == 1 if opener == closer else piece.count(opener) > piece.count(closer)
            end += unbalanced
    return start, end


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans of text[start:end] (one sentence), trimmed.

    Cuts before a new clause's opening word and at ؛ ; and dashes; a clause
    still longer than MAX_CLAUSE_WORDS is cut at a comma when both sides are
    long enough to stand alone. A piece too short to stand alone ("حسب ما
    أوردت فرانس برس") stays with the clause before it.
    """
    cuts = {start, end}
    for match in _OPENER.finditer(text, start, end):
        cuts.add(match.end())
    for match in _STRONG_BOUNDARY.finditer(text, start, end):
        cuts.add(match.end())
    bounds = sorted(cuts)
    pieces = [[a, b] for a, b in itertools.pairwise(bounds) if text[a:b].strip(_TRIM)]
    pieces = [part for a, b in pieces for part in _comma_split(text, a, b)]
    merged: list[list[int]] = []
    for a, b in pieces:
        if merged and len(text[a:b].split()) < MIN_CLAUSE_WORDS:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    if len(merged) > 1 and len(text[merged[0][0] : merged[0][1]].split()) < MIN_CLAUSE_WORDS:
        first = merged.pop(0)
        merged[0][0] = first[0]
    out = []
    for a, b in merged:
        a, b = _trimmed(text, a, b)
        if b > a:
            out.append((a, b))
    return out


def _comma_split(text: str, start: int, end: int) -> list[list[int]]:
    if len(text[start:end].split()) <= MAX_CLAUSE_WORDS:
        return [[start, end]]
    best = None
    for match in _COMMA.finditer(text, start, end):
        left, right = len(text[start : match.start()].split()), len(text[match.end() : end].split())
        if left >= COMMA_SIDE_WORDS and right >= COMMA_SIDE_WORDS:
            balance = abs(left - right)
            if best is None or balance < best[0]:
                best = (balance, match.end())
    if best is None:
        return [[start, end]]
    return _comma_split(text, start, best[1]) + _comma_split(text, best[1], end)


def article_clauses(article: Article, sentences: int = SENTENCES_PER_ARTICLE) -> list[Clause]:
    text = article.text
    clauses = []
    for index, sentence in enumerate(split_sentences(text)[:sentences]):
        start = sentence.start
        dateline = _DATELINE.match(text, start, sentence.end)
        if dateline:  # "موسكو، روسيا (CNN)-- …": the place and outlet are not a clause of the story
            start = dateline.end()
        for k, (a, b) in enumerate(split_clauses(text, start, sentence.end)):
            words = len(text[a:b].split())
            opens = k == 0 or bool(_OPENS.match(text[a:b]))
            clauses.append(Clause(article.doc_id, a, b, text[a:b], index, k == 0, words, opens))
    return clauses


def select_clauses(
    articles: list[Article],
    outlets: dict[str, str],
    embed,
    budget: int = WORD_BUDGET,
) -> list[ChosenClause]:
    """The story's most salient clauses within `budget` words, in reading order of their articles.

    `outlets`: doc_id -> outlet name; `embed`: texts -> unit-normalised row vectors.
    """
    clauses = [c for a in articles for c in article_clauses(a)]
    sized = [c for c in clauses if MIN_CLAUSE_WORDS <= c.words <= MAX_CLAUSE_WORDS] or [
        c for c in clauses if c.words >= 3
    ]
    # A clause without a subject of its own ("وذلك في كلمة وجهها …") only when nothing else stands alone.
    usable = [c for c in sized if c.opens_clause and not _DEPENDENT.match(c.text)] or sized
    if not usable:
        return []
    vectors = np.asarray(embed([c.text for c in usable]), dtype=np.float32)
    centroid = vectors.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    pair = vectors @ vectors.T
    base, support = [], []
    for i, c in enumerate(usable):
        others = {
            outlets.get(usable[j].doc_id)
            for j in range(len(usable))
            if pair[i, j] >= 0.75 and outlets.get(usable[j].doc_id) != outlets.get(c.doc_id)
        }
        support.append(1 + len(others))
        score = float(vectors[i] @ centroid) + LEAD_WEIGHT * math.exp(-c.sentence / LEAD_DECAY)
        score += CONSENSUS_WEIGHT * math.log2(1 + len(others))
        score += INITIAL_BONUS if c.initial else 0.0
        score -= DEPENDENT_PENALTY if _DEPENDENT.match(c.text) or not c.opens_clause else 0.0
        score += NAME_NUMBER_BONUS if _NAME_OR_NUMBER.search(c.text) else 0.0
        base.append(score)
    base_arr = np.array(base)
    chosen: list[int] = []
    words = 0
    while True:
        redundancy = pair[:, chosen].max(axis=1) if chosen else np.zeros(len(usable))
        scores = base_arr - REDUNDANCY * redundancy
        for i, c in enumerate(usable):
            if i in chosen or redundancy[i] >= DUPLICATE or (chosen and words + c.words > budget):
                scores[i] = -np.inf
        best = int(np.argmax(scores))
        if not np.isfinite(scores[best]):
            break
        chosen.append(best)
        words += usable[best].words
    order = {a.doc_id: k for k, a in enumerate(articles)}
    picked = [ChosenClause(usable[i], float(base_arr[i]), support[i]) for i in chosen]
    # Leads first (the event before what was said about it), then the order of the articles.
    return sorted(picked, key=lambda p: (p.clause.sentence, order[p.clause.doc_id], p.clause.start))
