"""`rag check`: each sentence of a text, checked against the stored articles.

An analyst's draft, a model's output, a sentence copied from elsewhere: split into
sentences, and for each one the sentences of the articles that come closest are
found (the question path's evidence selection over a search, or every sentence
of the given documents) and checked one by one with the same checker that
filters answers and summaries (rag.verify.support). A sentence is supported
when one source sentence, or two read together, back it; otherwise the reason
of the closest one says why not. Citations are our own spans, sliced from the
stored text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.records import Article, Citation
from rag.text.lang import detect_language
from rag.text.sentences import split_sentences
from rag.verify.sources import SourceSentence
from rag.verify.support import SupportChecker, SupportVerdict

CANDIDATES = 8  # source sentences tried per sentence, best first
_MARKERS = re.compile(r"\s*(?:\[\s*\d+(?:\s*[,،-]\s*\d+)*\s*\])+")


@dataclass
class CheckedSentence:
    text: str
    lang: str
    supported: bool
    citations: list[Citation]
    reason: str  # why not supported; for a supported one, what matched ("word overlap", "meaning match")

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "lang": self.lang,
            "supported": self.supported,
            "citations": [c.to_json() for c in self.citations],
            "reason": self.reason,
        }


@dataclass
class CheckReport:
    sentences: list[CheckedSentence] = field(default_factory=list)

    @property
    def supported(self) -> int:
        return sum(s.supported for s in self.sentences)

    @property
    def unsupported(self) -> int:
        return len(self.sentences) - self.supported

    def to_json(self) -> dict:
        return {
            "sentences": [s.to_json() for s in self.sentences],
            "supported": self.supported,
            "unsupported": self.unsupported,
        }


def claim_sentences(text: str) -> list[str]:
    """The sentences of a text to check, without citation markers ("… [1].")."""
    out = []
    for span in split_sentences(text):
        sentence = " ".join(_MARKERS.sub("", text[span.start : span.end]).split())
        sentence = re.sub(r"\s+([.!?؟،,؛])", r"\1", sentence)
        if re.search(r"\w", sentence):
            out.append(sentence)
    return out


CandidateFinder = Callable[[str], list[SourceSentence]]  # a sentence -> source sentences, best first


def check_text(
    text: str, candidates: CandidateFinder, checker: SupportChecker, articles: Callable[[list[str]], dict[str, Article]]
) -> CheckReport:
    """Check every sentence of `text`; `articles` gives the stored articles by id, for the quotes."""
    report = CheckReport()
    numbering: dict[tuple[str, int, int], Citation] = {}
    for sentence in claim_sentences(text):
        found = candidates(sentence)[:CANDIDATES]
        supporting, verdict = support_for(sentence, found, checker)
        cited = supporting if verdict.supported else found[:1]
        texts = articles(list({s.doc_id for s in cited}))
        citations = [_citation(s, texts[s.doc_id], numbering) for s in cited if s.doc_id in texts]
        report.sentences.append(
            CheckedSentence(
                sentence,
                detect_language(sentence),
                verdict.supported,
                citations,
                verdict.reason if found else "no stored sentence comes close",
            )
        )
    return report


def support_for(
    sentence: str, found: list[SourceSentence], checker: SupportChecker
) -> tuple[list[SourceSentence], SupportVerdict]:
    """The source sentence that supports `sentence`, and the verdict; when none does, ([], the
    verdict on the closest one). One sentence at a time: two read together let a claim take its
    subject from one and its predicate from the other ("قال كيري إن …" out of Kerry's sentence and
    Cook's), the misreading this command exists to catch."""
    if not found:
        return [], SupportVerdict(False, 0.0, "no stored sentence comes close")
    closest = None
    for source in found:
        others = [s.text for s in found if s is not source]
        verdict = checker.check(sentence, [source.text], others)
        if verdict.supported:
            return [source], verdict
        closest = closest or verdict
    return [], closest


def _citation(source: SourceSentence, article: Article, numbering: dict) -> Citation:
    key = (source.doc_id, source.start, source.end)
    if key not in numbering:
        numbering[key] = source.citation(len(numbering) + 1, article.text)
    return numbering[key]
