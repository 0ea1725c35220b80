"""The question record: built once where a question enters, passed down to every stage.

Its language, content words (without interrogatives, question frames and the
answer's type), names and their translations into the articles' script are
worked out here, once: retrieval, evidence selection, generation and the checks
all read the same analysis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from rag.text.arabic import INTERROGATIVES, STOP_WORDS, clitic_forms, content_tokens, light_stem, normalize, word_tokens
from rag.text.lang import detect_language
from rag.text.names import candidate_names, without_possessive

WordTranslations = Mapping[str, list[str]]  # a question word -> its candidate translations


@dataclass(frozen=True)
class Question:
    text: str
    lang: str  # "ar" or "en": the answer's language
    words: tuple[str, ...]  # content words (question_words)
    names: tuple[str, ...]  # words that look like names (query_names)
    # words -> their candidate words in the other script; None until looked up (rag.retrieve.translate)
    translations: WordTranslations | None = None

    @classmethod
    def parse(cls, text: str) -> Question:
        text = text.strip()
        return cls(
            text=text, lang=question_language(text), words=tuple(question_words(text)), names=tuple(query_names(text))
        )

    def with_translations(self, translations: WordTranslations) -> Question:
        return replace(self, translations=translations)


def question_language(question: str) -> str:
    """The answer's language: the question's, Arabic or English."""
    lang = detect_language(question)
    if lang in ("ar", "en"):
        return lang
    return "ar" if any("\u0600" <= ch <= "\u06ff" for ch in question) else "en"


def query_names(query: str) -> list[str]:
    """The query's words that look like names (capitalized, or an acronym), as word_tokens splits them."""
    names = [name for name, _ in candidate_names(query)] + re.findall(r"\b[A-Z]{2,4}\b", query)
    return [part for name in names for part in without_possessive(name).split("-") if part]


# Interrogatives and question frames ("the number of", "the name of", "in the article"): not about the subject.
QUESTION_WORDS = INTERROGATIVES | frozenset(
    normalize(w)
    for w in """
    عدد اسم نوع سبب مدى مقدار قيمة تاريخ العام عام سنة المقال المقالة المقالات عندما حينما بينما تجاه نحو
    جنسية لقب منصب مهنة وظيفة تسمى يسمى تدعى يدعى
    شيء الشيء أشياء الأشياء يجب ينبغي أجل لدى مدة المدة طريقة الطريقة
    number name kind type year article articles
    nationality title position job called named""".split()
)
# "أي شركة", "which company": the noun after these names the kind of thing the answer is
# (هارودز is the company), which the answering sentence need not say. Not "what": "what happened".
_ANSWER_TYPE_MARKERS = frozenset(normalize(w) for w in "أي أية اي which".split())


# "كم من الوقت" (how long) asks for a duration: its الوقت is a frame; elsewhere (سيد الوقت, a Time
# Lord) time is what the question is about.
_HOW_LONG = re.compile(r"كم\s+(?:من\s+)?(الوقت)")


def question_words(question: str) -> list[str]:
    """The question's content words, without interrogatives, question frames and the answer's type."""
    answer_type = _answer_type_words(question) | {normalize(m) for m in _HOW_LONG.findall(normalize(question))}
    words = (w for w in content_tokens(question) if len(w) >= 3 and w not in answer_type and not _is_frame(w))
    # A function word with a pronoun attached (خلالها, لدينا) is still a function word.
    return [
        w
        for w in dict.fromkeys(words)
        if len(light_stem(w)) >= 3 and light_stem(w) not in QUESTION_WORDS and light_stem(w) not in STOP_WORDS
    ]


def _is_frame(word: str) -> bool:
    """An interrogative or question frame, also with a clitic attached (بماذا, ولماذا)."""
    return any(form in QUESTION_WORDS for form in clitic_forms(word, min_rest=2))


def _answer_type_words(question: str) -> set[str]:
    """The noun right after "أي" or "which" ("أي شركة": the company is the answer).

    Not after "ما هي": "ما هي الحديقة الساكسونية" asks what the Saxon Garden is.
    """
    tokens = word_tokens(question)
    return {
        after
        for token, after in zip(tokens, tokens[1:])
        if token in _ANSWER_TYPE_MARKERS and after not in STOP_WORDS and not _is_frame(after)
    }
