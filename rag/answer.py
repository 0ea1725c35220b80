"""`rag ask`: retrieval, a numbered-source prompt, generation, verification, citations.

Grounded by construction: the model only chooses words and source numbers; the
spans come from our splitter, and every sentence passes the support check or is
repaired or dropped. If nothing verified remains, the answer says the articles
do not contain it and `grounded` is false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rag.generate.generator import CUT, YES_NO_LABELS, Completion, Generator, yes_share
from rag.prompting import load_prompt
from rag.records import Citation
from rag.text.answer_types import asks_name, asks_who
from rag.text.arabic import article_forms, clitic_forms, content_tokens, normalize
from rag.text.lang import detect_language
from rag.text.question import Question
from rag.translation import translate_source, verified_translation
from rag.verify.citations import (
    WRONG_LANGUAGE,
    VerificationLog,
    VerifiedSentence,
    assign_citations,
    is_not_found,
    parse_draft,
    verify_draft,
    with_markers,
    without_unfinished_sentence,
)
from rag.verify.coverage import GENERATED_ANSWER, QUOTED_SOURCE, CoverageRule, WordWeights, question_coverage
from rag.verify.relations import answer_apart_from_focus, focus_split, who_head, wrong_answer_type
from rag.verify.sources import SourceSentence, number_evidence, render_sources
from rag.verify.support import (
    MAX_RESTATED_UNSAID,
    SupportChecker,
    adds_nothing,
    adds_only_names_and_numbers,
    restated_unsaid,
)

NOT_FOUND_ANSWER = {"en": "Not found in the articles.", "ar": "لم يرد ذلك في المقالات."}
LANGUAGE_NAMES = {"en": "English", "ar": "Arabic (العربية)"}
ANSWER_MAX_TOKENS = 220
MAX_FALLBACK_TRANSLATIONS = 2  # extra generator calls an English answer may spend on translating sources
LOCATED_MIN_SHARE = 0.5  # of the draft's added words, for a source to count as where its answer came from
# Content words a generated answer to a name question may add to it: more is a sentence said back.
# Right name answers on XQuAD and news added 1-8; copies of a sentence about someone unnamed, 15-22.
NAME_ANSWER_MAX_ADDED = 12
NAMES_NO_ONE = "a name question's answer must name someone; this one says back a whole sentence"
NAMES_NO_ONE_THE_DRAFT_NAMED = "a who-question's quote must name whom the draft named; this sentence does not"
# The model's P(yes) that a cited sentence answers the question, below which it is not used. Measured on
# 150 questions (evals/README.md): 0.5 gives 86 hits and 24 answers to questions the articles cannot
# answer, 0.7 gives 77 and 11: precision first, 0.7.
ANSWERS_MIN = 0.7
WITHHELD_ANSWER = {
    "en": "no English answer verified against the sources; the closest source sentence is quoted "
    "in the original. A stronger model (RAG_LLM=openai:…) may answer in English"
}
WITHHELD_FREE_ENGLISH = {
    "en": "the bundled model's English sentences are not printed (RAG_ENGLISH=auto): on labelled "
    "claims most of its translations that pass the checker are wrong; only an answer "
    "that adds checked names and numbers to the question is given. The closest source "
    "sentence is quoted in the original; RAG_LLM=openai:… (or another server) answers "
    "in English"
}
EVIDENCE_ANSWER = "No English answer could be verified. The closest source sentence, in the original: «{answer}»"


@dataclass
class Answer:
    question: str
    answer: str
    lang: str
    grounded: bool
    citations: list[Citation]
    model: str
    # "generated", "extractive" (a source sentence, quoted), "translated" (one, translated), "evidence" (no
    # answer verified in the question's language: the closest source sentence, in the original, not
    # grounded) or "none"
    mode: str = "generated"
    sentences: list[tuple[str, list[int]]] = field(default_factory=list)
    log: VerificationLog | None = None
    withheld: dict[str, str] = field(default_factory=dict)  # language -> why no answer in it is printed

    def to_json(self) -> dict:
        data = {
            "question": self.question,
            "answer": self.answer,
            "lang": self.lang,
            "grounded": self.grounded,
            "citations": [c.to_json() for c in self.citations],
            "model": self.model,
            "mode": self.mode,
        }
        if self.withheld:
            data["withheld"] = self.withheld
        return data


@dataclass
class _Attempt:
    """What the answer strategies share: the numbered sources, the draft and what its checks found."""

    question: Question
    sources: list[SourceSentence]
    scores: list[float]
    articles: dict
    generator: Generator
    checker: SupportChecker
    coverage: _CoverageCheck
    answers: _AnswersCheck
    on_token: Callable[[str], None] | None = None
    translations_left: int = 0
    free_english: bool = True  # model-written English beyond checked names and numbers may be printed
    completion: Completion | None = None
    log: VerificationLog = field(default_factory=VerificationLog)
    apart: set[int] = field(default_factory=set)  # sources naming a who-answer apart from what was asked

    def answer(
        self,
        verified: list[VerifiedSentence],
        mode: str,
        *,
        grounded: bool = True,
        withheld: dict[str, str] | None = None,
        framing: str = "{answer}",
    ) -> Answer:
        (sentences,), citations = assign_citations(
            [verified], self.sources, {d: a.text for d, a in self.articles.items()}
        )
        text = framing.format(answer=" ".join(with_markers(t, ns) for t, ns in sentences))
        return Answer(
            question=self.question.text,
            answer=text,
            lang=self.question.lang,
            grounded=grounded,
            citations=citations,
            model=self.generator.label,
            mode=mode,
            sentences=sentences,
            log=self.log,
            withheld=dict(withheld or {}),
        )


AnswerStrategy = Callable[[_Attempt], "Answer | None"]


def answer_question(
    question: Question,
    *,
    evidence: list,
    articles: dict,
    generator: Generator,
    checker: SupportChecker,
    word_weights: WordWeights | None = None,
    on_token: Callable[[str], None] | None = None,
    translate_fallback: bool = True,
    english: bool = True,
) -> Answer:
    """A cited answer from the selected `evidence` spans, or "not found".

    The strategies (STRATEGIES) are tried in order and the first answer one makes is
    given: a verified draft, the draft's Arabic sentence translated (English questions),
    a quoted or translated evidence sentence. `word_weights` (e.g. the lexical index's IDF)
    weighs question words in the coverage check (rag.verify.coverage); the question's word
    translations let that check run across languages. Without `english` (the bundled small
    models, rag.app.Rag.prints_english), an English answer is given only when it adds checked names
    and numbers to the question; nothing is translated.
    """
    sources = number_evidence(evidence, articles)
    if not sources:
        return _not_found(question, generator.label)
    attempt = _Attempt(
        question=question,
        sources=sources,
        scores=[e.score for e in evidence],
        articles=articles,
        generator=generator,
        checker=checker,
        coverage=_CoverageCheck(question, sources, checker, word_weights),
        answers=_AnswersCheck(question.text, sources, generator),
        on_token=on_token,
        translations_left=MAX_FALLBACK_TRANSLATIONS if translate_fallback and english else 0,
        free_english=english or question.lang != "en",
    )
    for strategy in STRATEGIES:
        answer = strategy(attempt)
        if answer is not None:
            return answer
    return _not_found(question, generator.label, attempt.log)


def generated_answer(attempt: _Attempt) -> Answer | None:
    """The model's draft, each sentence verified against the sources it cites."""
    question = attempt.question
    system = load_prompt(f"ask.system.{question.lang}").render()
    user = load_prompt("ask.user").render(
        sources=render_sources(attempt.sources), question=question.text, language=LANGUAGE_NAMES[question.lang]
    )
    attempt.completion = attempt.generator.complete(system, user, attempt.on_token, max_tokens=ANSWER_MAX_TOKENS)
    if attempt.completion.finish_reason == CUT:
        attempt.completion.require_complete()  # a stream that broke off is a failure, said in one line
    draft = attempt.completion.text
    if attempt.completion.truncated:  # stopped at its token limit: its last sentence is half a claim
        draft = without_unfinished_sentence(draft)
    if is_not_found(draft):
        return None
    verified, attempt.log = verify_draft(draft, attempt.sources, attempt.checker, question.lang, question=question.text)
    verified = _saying_what_the_sources_say(attempt, verified)
    if not attempt.free_english:
        kept = [v for v in verified if adds_only_names_and_numbers(v.text, question.text)]
        attempt.log.dropped.extend(
            (v.text, "free English from the bundled model is not printed") for v in verified if v not in kept
        )
        verified = kept
    if (
        verified
        and attempt.coverage(verified, attempt.log)
        and _near_focus(attempt, verified)
        and _names_someone(attempt, verified)
        and _of_the_asked_type(attempt, _cited(verified))
        and attempt.answers.accepts(_cited(verified), attempt.log)
    ):
        return attempt.answer(verified, "generated")
    return None


def _saying_what_the_sources_say(attempt: _Attempt, verified: list[VerifiedSentence]) -> list[VerifiedSentence]:
    """The verified sentences that answer: not the question said again ("فرنسا، بحسب المصدر"), and,
    in the sources' language, not the question's premise wrapped around a cited number or phrase
    (rag.verify.support.restated_unsaid)."""
    question, kept = attempt.question, []
    for sentence in verified:
        if adds_nothing(sentence.text, question.text):
            attempt.log.dropped.append((sentence.text, "it only restates the question"))
            continue
        cited = " ".join(attempt.sources[n - 1].in_context() for n in sentence.sources)
        unsaid = restated_unsaid(sentence.text, question.text, cited) if detect_language(cited) == question.lang else []
        if len(unsaid) > MAX_RESTATED_UNSAID:
            attempt.log.dropped.append(
                (sentence.text, f"it restates what its source does not say: {', '.join(unsaid)}")
            )
        else:
            kept.append(sentence)
    return kept


def _of_the_asked_type(attempt: _Attempt, numbers: list[int]) -> bool:
    """The cited sentences hold what the question asks for: a number for how many, a time for when,
    and for "who is X" the phrase X whole (rag.verify.relations.focus_split)."""
    cited = [attempt.sources[n - 1].text for n in numbers]
    question = attempt.question
    reason = wrong_answer_type(question.text, cited)
    if not reason and all(detect_language(t) == question.lang for t in cited):
        reason = next((r for r in (focus_split(question.text, list(question.words), t) for t in cited) if r), None)
    if reason:
        attempt.log.dropped.append((" ".join(attempt.sources[n - 1].text for n in numbers), reason))
    return reason is None


def _near_focus(attempt: _Attempt, verified: list[VerifiedSentence]) -> bool:
    """Each sentence answering a who-question names someone its cited sentence names next to what
    was asked about (rag.verify.relations.answer_apart_from_focus)."""
    question = attempt.question
    for sentence in verified:
        for number in sentence.sources:
            cited = attempt.sources[number - 1].text
            reason = _answer_apart(sentence.text, question, cited)
            if reason:
                # That sentence names someone apart from what was asked: never shown as the evidence for it.
                attempt.log.dropped.append((sentence.text, reason))
                attempt.apart.update(sentence.sources)
                return False
    return True


def _names_someone(attempt: _Attempt, sentences: list) -> bool:
    """A name question ("ما اسم المسؤول …؟") answered by a source sentence said back whole names no
    one: the draft copies a sentence about the person ("… نقلت الوكالة عن مسؤول في الرئاسة قوله …")
    when the articles leave them unnamed. An answer naming someone adds a few words to the question
    (NAME_ANSWER_MAX_ADDED). `sentences`: the answer's (verified or drafted), each with a `text`."""
    question = attempt.question
    if not asks_name(question.text) or len(_added_words(sentences, question.text)) <= NAME_ANSWER_MAX_ADDED:
        return True
    attempt.log.dropped.append((" ".join(s.text for s in sentences), NAMES_NO_ONE))
    return False


def _answer_apart(answer: str, question: Question, cited: str) -> str | None:
    """Why a who-question's answer names someone apart from whom it asks about in the cited sentence
    (rag.verify.relations.answer_apart_from_focus), or None."""
    head = who_head(question.text, list(question.words))
    if detect_language(cited) == question.lang:
        return answer_apart_from_focus(answer, question.text, list(question.words), cited, head)
    translated = question.translations or {}
    focus = [t for w in question.words for t in translated.get(w, [])]
    return answer_apart_from_focus(
        answer, question.text, focus, cited, [t for w in head for t in translated.get(w, [])]
    )


def translated_draft(attempt: _Attempt) -> Answer | None:
    """An English question the model answered in Arabic: that answer, translated and checked again."""
    if attempt.question.lang != "en" or not attempt.translations_left or attempt.completion is None:
        return None
    arabic = wrong_language_answer(
        attempt.completion.text, attempt.log, attempt.sources, attempt.checker, attempt.question.text
    )
    if arabic is None or not attempt.answers.accepts(arabic.sources, attempt.log):
        return None
    attempt.translations_left -= 1
    cited = [attempt.sources[n - 1] for n in arabic.sources]
    translated = verified_translation(
        arabic.text, cited, attempt.sources, attempt.generator, attempt.checker, attempt.question.text
    )
    if (
        translated
        and attempt.coverage.covers([s.text for s in cited], GENERATED_ANSWER)
        and _of_the_asked_type(attempt, arabic.sources)
    ):
        return attempt.answer([translated], "translated")
    return None


def quoted_evidence(attempt: _Attempt) -> Answer | None:
    """Nothing verifiable was written: quote the best evidence sentence (or one the model
    pointed at) when it covers what was asked, translated (and verified) when the question
    is in another language. The model chooses; the words are the source's."""
    question, sources = attempt.question, attempt.sources
    draft = attempt.completion.text if attempt.completion is not None else ""
    refuted = refuted_sources(attempt.log, sources, question.lang)
    # A draft that said a sentence back for a name names no one: nor does a quote found by it.
    names_someone = _names_someone(attempt, parse_draft(draft))
    for number in quotable_sources(draft, sources, attempt.scores, question.text, refuted):
        source = sources[number - 1]
        if detect_language(source.text) == question.lang:
            if not names_someone:
                continue
            if asks_who(question.text) and not holds_what_the_draft_adds(draft, question.text, source.text):
                attempt.log.dropped.append((source.text, NAMES_NO_ONE_THE_DRAFT_NAMED))
                continue
            # The draft's answer held there, but as someone else than whom the question asks about.
            apart = _answer_apart(draft, question, source.text)
            if apart:
                attempt.log.dropped.append((source.text, apart))
                continue
            fallback, mode = VerifiedSentence(" ".join(source.text.split()), [source.number]), "extractive"
        elif question.lang == "en" and attempt.translations_left:
            # A translation must itself be about the question: its source sentence, not
            # just its article, has to mention what was asked.
            if not attempt.coverage.covers([source.text], QUOTED_SOURCE) or not attempt.answers.accepts(
                [number], attempt.log
            ):
                continue
            attempt.translations_left -= 1
            fallback = translate_source(source, sources, attempt.generator, attempt.checker, question.text)
            mode = "translated"
        else:
            continue
        if (
            fallback is not None
            and attempt.coverage([fallback], attempt.log, fallback=True)
            and _of_the_asked_type(attempt, [number])
            and attempt.answers.accepts([number], attempt.log)
        ):
            return attempt.answer([fallback], mode)
    return None


def evidence_in_the_original(attempt: _Attempt) -> Answer | None:
    """An English question no verified English sentence answers, over Arabic sources: the best
    evidence sentence about the question, quoted in the original and said plainly, not grounded
    (the user reads the source; a wrong English sentence would borrow its authority)."""
    question, sources = attempt.question, attempt.sources
    if question.lang != "en":
        return None
    draft = attempt.completion.text if attempt.completion is not None else ""
    # Not an answer, so the model is not asked whether it answers; but a sentence that names someone
    # apart from what was asked ("the Pentagon spokesman is John Kerry" out of a sentence naming both
    # in different clauses) is not shown as the closest evidence either.
    for number in quotable_sources(
        draft, sources, attempt.scores, question.text, attempt.apart | attempt.log.related_otherwise
    ):
        source = sources[number - 1]
        if detect_language(source.text) == question.lang or not attempt.coverage.covers([source.text], QUOTED_SOURCE):
            continue
        if not _of_the_asked_type(attempt, [number]):
            continue
        quoted = VerifiedSentence(" ".join(source.text.split()), [number])
        withheld = WITHHELD_ANSWER if attempt.free_english else WITHHELD_FREE_ENGLISH
        return attempt.answer([quoted], "evidence", grounded=False, withheld=withheld, framing=EVIDENCE_ANSWER)
    return None


STRATEGIES: tuple[AnswerStrategy, ...] = (generated_answer, translated_draft, quoted_evidence, evidence_in_the_original)


def quotable_sources(
    draft: str, sources: list[SourceSentence], scores: list[float], question: str, refuted: set[int] = frozenset()
) -> list[int]:
    """Source numbers worth quoting, best first: the best-scored evidence sentence,
    then those the draft cites, then the one holding most of the draft's own words
    (what it adds to the question). Sources the draft misread (`refuted`) are
    never quoted. Measured on XQuAD (50 ar questions): the evidence-first order
    gives citation hit 0.56, model-cited-first 0.50."""
    shown = {s.number for s in sources}
    sentences = parse_draft(draft)
    cited = [n for sentence in sentences for n in sentence.cited if n in shown]
    added = _added_words(sentences, question)
    located = []
    if added:
        share = [_share_held(added, s.text) for s in sources]
        best = max(range(len(sources)), key=share.__getitem__)
        if share[best] >= LOCATED_MIN_SHARE:
            located = [sources[best].number]
    ranked = sorted(range(len(sources)), key=lambda i: -scores[i])
    top = [sources[i].number for i in ranked if sources[i].number not in refuted][:1]
    return [n for n in dict.fromkeys(top + cited + located) if n not in refuted]


def holds_what_the_draft_adds(draft: str, question: str, source: str) -> bool:
    """Whether a source sentence holds most (LOCATED_MIN_SHARE) of the words the draft adds to the
    question. A quoted sentence answers a who-question only by naming someone, and the model's draft
    says whom: a sentence on the asked subject that names no one the draft named ("ولكتابه ... أهمية
    خاصة" for "who wrote the book?") is about the question, not its answer. Measured on 90 XQuAD-ar
    questions: each of the 3 who-questions answered by a quote was wrong, and none of them held the
    draft's name."""
    added = _added_words(parse_draft(draft), question)
    return bool(added) and _share_held(added, source) >= LOCATED_MIN_SHARE


def _added_words(draft_sentences, question: str) -> set[str]:
    """The content words the draft's sentences add to the question, in no form of a question word
    ("سيف" and "المدبولي" are the question's "لسيف" and "مدبولي": a draft naming only them adds no one)."""
    asked = {form for token in content_tokens(question) for form in article_forms(token)}
    drafted = content_tokens(" ".join(s.text for s in draft_sentences))
    return {token for token in drafted if asked.isdisjoint(article_forms(token))}


def _share_held(words: set[str], text: str) -> float:
    """The share of `words` (not empty) that `text` holds, in any form without an attached conjunction
    or preposition (ولافروف holds لافروف)."""
    forms = {form for token in content_tokens(text) for form in clitic_forms(token)}
    return sum(bool(set(clitic_forms(w)) & forms) for w in words) / len(words)


def wrong_language_answer(
    draft: str, log: VerificationLog, sources: list[SourceSentence], checker: SupportChecker, question: str
) -> VerifiedSentence | None:
    """The first draft sentence dropped only for its language ("في 6 تشرين الأول/أكتوبر 1973 [1]"
    to an English question) that the sources it cites support, or None."""
    wrong_language = {text for text, reason in log.dropped if reason.startswith(WRONG_LANGUAGE)}
    shown = {s.number: s for s in sources}
    for sentence in parse_draft(draft):
        cited = [shown[n] for n in dict.fromkeys(sentence.cited) if n in shown]
        if sentence.text not in wrong_language or not cited:
            continue
        others = [s.text for s in sources if s not in cited]
        if checker.check(sentence.text, [s.text for s in cited], others, question).supported:
            return VerifiedSentence(sentence.text, [s.number for s in cited])
    return None


def refuted_sources(log: VerificationLog, sources: list[SourceSentence], lang: str) -> set[int]:
    """Sources in another language than the question that a dropped draft sentence misread:
    it stated a name, number or negation they lack (on the seed, it named John Kerry as
    "the Pentagon spokesman" from a sentence that never mentions the Pentagon). They are not
    translated instead. A draft that only strays from its source's meaning (low similarity)
    does not refute it: the source may still be the answer, worth translating. Within one
    language an unsupported draft is mostly a loose paraphrase of the right sentence, which
    is still worth quoting (ci suite: excluding those lost 2 of 6)."""
    foreign = {s.number for s in sources if detect_language(s.text) != lang}
    return set(log.misread) & foreign


class _CoverageCheck:
    """The cited sentences mention what the question asks about (rag.verify.coverage).

    The sentences, not their articles: a sentence of an article on the same topic,
    restated in the question's words, passed an article-wide check. Measured on 100
    XQuAD-ar questions, each asked with its paragraph in the collection and again
    with it left out: citation hit 0.58 -> 0.68 (a rejected draft falls back to the
    best evidence sentence), answers given to the unanswerable ones 0.23 -> 0.15
    (with the question-word changes of rag.verify.coverage).
    """

    def __init__(
        self,
        question: Question,
        sources: list[SourceSentence],
        checker: SupportChecker,
        word_weights: WordWeights | None,
    ):
        self.question, self.sources, self.lang = question.text, sources, question.lang
        self.names = question.names
        self.embedder, self.word_weights = checker.embedder, word_weights
        self.translations = question.translations

    def covers(self, texts: list[str], rule: CoverageRule) -> bool:
        """Whether `texts` mention what was asked, across languages through the word translations."""
        return question_coverage(
            self.question, texts, self.embedder, self.word_weights, self.translations, rule=rule
        ).covered

    def __call__(self, verified: list[VerifiedSentence], log: VerificationLog, fallback: bool = False) -> bool:
        """`fallback`: the check for quoted or translated sources (QUOTED_SOURCE), also across
        languages (through word translations). Generated answers there already passed the
        cross-lingual support checks, except those that only restate the question around checked
        numbers (`echo`): their meaning was never matched, so their sources must be
        about the question, whose names may stand in the sentence before, as in the support check."""
        numbers = [n for v in verified for n in dict.fromkeys(v.sources)]
        cited = [self.sources[n - 1].text for n in numbers]
        translations, echo = None, False
        if not all(detect_language(t) == self.lang for t in cited):
            echo = not fallback and any(v.echo for v in verified)
            if not (fallback or echo) or self.translations is None:
                return True
            translations = self.translations
        rule = QUOTED_SOURCE if fallback else GENERATED_ANSWER
        coverage = question_coverage(self.question, cited, self.embedder, self.word_weights, translations, rule=rule)
        if echo and not coverage.covered:
            in_context = [self.sources[n - 1].in_context() for n in numbers]
            with_before = question_coverage(
                self.question, in_context, self.embedder, self.word_weights, translations, rule=rule
            )
            lent = set(coverage.missing) - set(with_before.missing)
            if lent <= {normalize(n) for n in self.names}:
                coverage = with_before
        if not coverage.covered:
            log.dropped.extend(
                (
                    v.text,
                    f"cited sentences never mention: {', '.join(coverage.missing)} "
                    f"({coverage.missing_weight:.0%} of the question)",
                )
                for v in verified
            )
        return coverage.covered


class _AnswersCheck:
    """Does a source sentence answer the question? The model, asked plainly (answers.*
    prompts), with the sentence read after the one before it in its article, which often
    names its subject ("فعند وفاته …"): its probability of "yes", once per source.

    Asked of every sentence an answer would cite, after the other checks passed: a draft
    or quote whose sentences the model doubts answer (P(yes) < ANSWERS_MIN) is not given.
    Measured in evals/README.md ("Asking whether the sentence answers"). A model without
    token probabilities is not asked (None: no check).
    """

    def __init__(self, question: str, sources: list[SourceSentence], generator: Generator):
        self.question, self.sources, self.generator = question, sources, generator
        self.system = load_prompt("answers.system").render()
        self.seen: dict[int, float | None] = {}

    def __call__(self, number: int) -> float | None:
        if number not in self.seen:
            sentence = self.sources[number - 1].in_context()
            user = load_prompt("answers.user").render(sentence=sentence, question=self.question.strip())
            choice = self.generator.choose(self.system, user, YES_NO_LABELS)
            self.seen[number] = yes_share(choice)
        return self.seen[number]

    def accepts(self, numbers: list[int], log: VerificationLog) -> bool:
        """Whether one of the sources `numbers` (the first two) answers, by ANSWERS_MIN."""
        probabilities = [self(n) for n in numbers[:2]]
        if not probabilities or any(p is None for p in probabilities) or max(probabilities) >= ANSWERS_MIN:
            return True
        log.dropped.append(
            (
                " ".join(self.sources[n - 1].text for n in numbers[:2]),
                f"the model doubts it answers the question (yes {max(probabilities):.2f})",
            )
        )
        return False


def _cited(verified: list[VerifiedSentence]) -> list[int]:
    return list(dict.fromkeys(n for v in verified for n in v.sources))


def _not_found(question: Question, model: str, log: VerificationLog | None = None) -> Answer:
    return Answer(
        question=question.text,
        answer=NOT_FOUND_ANSWER[question.lang],
        lang=question.lang,
        grounded=False,
        citations=[],
        model=model,
        mode="none",
        log=log,
    )
