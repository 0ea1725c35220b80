"""`rag ask`: retrieval, a numbered-source prompt, generation, verification, citations.

Grounded by construction: the model only chooses words and source numbers; the
spans come from our splitter, and every sentence passes the support check or is
repaired or dropped. If nothing verified remains, the answer says the articles
do not contain it and `grounded` is false.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rag.generate.generator import Completion, Generator
from rag.prompting import load_prompt
from rag.records import Citation, Passage
from rag.text.lang import detect_language
from rag.verify.citations import (VerificationLog, VerifiedSentence, assign_citations, is_not_found,
                                  uncovered_question_words, verify_draft, with_markers)
from rag.verify.sources import SourceSentence, number_evidence, number_sources, render_sources
from rag.verify.support import SupportChecker

NOT_FOUND_ANSWER = {"en": "Not found in the articles.", "ar": "لم يرد ذلك في المقالات."}
LANGUAGE_NAMES = {"en": "English", "ar": "Arabic (العربية)"}
ANSWER_MAX_TOKENS = 220


@dataclass
class Answer:
    question: str
    answer: str
    lang: str
    grounded: bool
    citations: list[Citation]
    model: str
    mode: str = "generated"  # "generated", "extractive" (the best evidence sentence, quoted) or "none"
    sentences: list[tuple[str, list[int]]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    completion: Completion | None = None
    log: VerificationLog | None = None

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.answer, "lang": self.lang, "grounded": self.grounded,
                "citations": [c.to_json() for c in self.citations], "model": self.model, "mode": self.mode}


def question_language(question: str) -> str:
    lang = detect_language(question)
    if lang in ("ar", "en"):
        return lang
    return "ar" if any("\u0600" <= ch <= "\u06ff" for ch in question) else "en"


def answer_question(question: str, passages: list[Passage], articles: dict, generator: Generator,
                    checker: SupportChecker, evidence: list | None = None,
                    on_token: Callable[[str], None] | None = None) -> Answer:
    """Answer from `evidence` (selected spans) when given, else from whole passages."""
    lang = question_language(question)
    sources = number_evidence(evidence, articles) if evidence else number_sources(passages, articles)
    if not sources:
        return _not_found(question, lang, generator.label, passages)
    system = load_prompt(f"ask.system.{lang}").render()
    user = load_prompt("ask.user").render(sources=render_sources(sources), question=question.strip(),
                                          language=LANGUAGE_NAMES[lang])
    completion = generator.complete(system, user, on_token, max_tokens=ANSWER_MAX_TOKENS)
    verified, log = ([], VerificationLog()) if is_not_found(completion.text) else \
        verify_draft(completion.text, sources, checker, lang, question=question)
    if verified and _covers_question(question, verified, sources, articles, lang, checker, log):
        return _grounded(question, lang, generator.label, verified, sources, articles, passages, completion, log)
    # The generator gave nothing verifiable: quote the best evidence sentence when it
    # is in the question's language and its article covers what was asked.
    best = max(zip(sources, evidence or []), key=lambda pair: pair[1].score)[0] if evidence else sources[0]
    if detect_language(best.text) == lang:
        quoted = [VerifiedSentence(" ".join(best.text.split()), [best.number])]
        if _covers_question(question, quoted, sources, articles, lang, checker, log):
            answer = _grounded(question, lang, generator.label, quoted, sources, articles, passages, completion, log)
            answer.mode = "extractive"
            return answer
    return _not_found(question, lang, generator.label, passages, completion, log)


def _covers_question(question: str, verified: list[VerifiedSentence], sources: list[SourceSentence], articles: dict,
                     lang: str, checker: SupportChecker, log: VerificationLog) -> bool:
    """The cited articles mention what the question asks about (see uncovered_question_words)."""
    cited_docs = {sources[n - 1].doc_id for v in verified for n in v.sources}
    cited_texts = [articles[d].text for d in cited_docs]
    if not all(detect_language(t) == lang for t in cited_texts):
        return True  # across languages only the embedding checks apply
    missing = uncovered_question_words(question, cited_texts, checker.embedder)
    if missing:
        log.dropped.extend((v.text, f"articles never mention: {', '.join(missing)}") for v in verified)
    return not missing


def _grounded(question, lang, model, verified, sources, articles, passages, completion, log) -> Answer:
    (sentences,), citations = assign_citations([verified], sources, {d: a.text for d, a in articles.items()})
    text = " ".join(with_markers(t, ns) for t, ns in sentences)
    return Answer(question=question, answer=text, lang=lang, grounded=True, citations=citations, model=model,
                  sentences=sentences, passages=passages, completion=completion, log=log)


def _not_found(question: str, lang: str, model: str, passages: list[Passage], completion: Completion | None = None,
               log: VerificationLog | None = None) -> Answer:
    return Answer(question=question, answer=NOT_FOUND_ANSWER[lang], lang=lang, grounded=False, citations=[],
                  model=model, mode="none", passages=passages, completion=completion, log=log)
