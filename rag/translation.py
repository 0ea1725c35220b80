"""One Arabic source sentence into one verified English sentence.

The easiest task to do faithfully for a small model, used wherever English
must rest on an Arabic span: the English half of a summary, and English
answers the generator could not phrase verifiably. The translation is checked
against its source like any other sentence (names, numbers, meaning).
"""

from __future__ import annotations

from rag.generate.generator import Generator
from rag.prompting import load_prompt
from rag.text.gazetteer import gazetteer
from rag.text.lang import detect_language
from rag.verify.citations import VerifiedSentence
from rag.verify.sources import SourceSentence
from rag.verify.support import SupportChecker

TRANSLATION_MAX_TOKENS = 90  # one sentence of at most ~35 words
SHORT_SENTENCE_WORDS = 40  # longer sources are retried on their leading clauses


def names_glossary(arabic_text: str, end: str = "\n\n") -> str:
    """A line giving the usual English names of the places and bodies in the text, or ""."""
    glossary = gazetteer().glossary(arabic_text)
    return f"English names: {glossary}{end}" if glossary else ""


def translate_source(
    source: SourceSentence,
    sources: list[SourceSentence],
    generator: Generator,
    checker: SupportChecker,
    question: str = "",
) -> VerifiedSentence | None:
    """The verified English translation of `source`, or None when it does not verify.

    A long sentence whose translation fails (small models garble names in long
    inputs: "Vasilyev" for لافروف) is tried once more on its leading clauses; the
    result is still checked against, and cites, the whole source sentence.
    """
    sentence = " ".join(source.text.split())
    attempts = [sentence] + [lead for lead in [leading_clauses(sentence)] if lead != sentence]
    for text in attempts:
        verified = verified_translation(text, [source], sources, generator, checker, question)
        if verified is not None:
            return verified
    return None


def verified_translation(
    text: str,
    cited: list[SourceSentence],
    sources: list[SourceSentence],
    generator: Generator,
    checker: SupportChecker,
    question: str = "",
) -> VerifiedSentence | None:
    """`text` (Arabic) in English, citing `cited`, when those sources support the English."""
    numbers = [s.number for s in cited]
    others = [s.text for s in sources if s.number not in numbers]
    english = translate_text(text, generator)
    if english and checker.check(english, [s.text for s in cited], others, question).supported:
        return VerifiedSentence(english, numbers, repaired=True)
    return None


def leading_clauses(sentence: str, max_words: int = SHORT_SENTENCE_WORDS) -> str:
    """The sentence cut after the last clause boundary (، , ؛ ;) within `max_words` words,
    or the sentence itself when it is short or has no such boundary."""
    words = sentence.split()
    if len(words) <= max_words:
        return sentence
    cut = None
    for i, word in enumerate(words[:max_words]):
        if word.endswith(("،", ",", "؛", ";")) and i >= 5:
            cut = i
    return " ".join(words[: cut + 1]).rstrip("،,؛;") if cut is not None else sentence


def translate_text(sentence: str, generator: Generator) -> str:
    """The model's English for one Arabic sentence or headline (unverified; "" if none)."""
    system = load_prompt("translate.system").render()
    user = load_prompt("translate.user").render(glossary=names_glossary(sentence), sentence=sentence)
    completion = generator.complete(system, user, max_tokens=TRANSLATION_MAX_TOKENS)
    text = " ".join(completion.text.strip().split("\n")[0].split())
    return text if text and detect_language(text) == "en" else ""


def translate_headline(arabic: str, generator: Generator, checker: SupportChecker) -> str:
    """A verified English rendering of one Arabic headline, or "" when none verifies."""
    english = translate_text(" ".join(arabic.split()), generator)
    return english if headline_verified(english, arabic, checker) else ""


def headline_verified(english: str, arabic: str, checker: SupportChecker) -> bool:
    """An English headline checked against its Arabic like any English sentence (names, negation, meaning)."""
    return bool(english) and checker.check(english, [arabic]).supported
