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


def names_glossary(arabic_text: str, end: str = "\n\n") -> str:
    """A line giving the usual English names of the places and bodies in the text, or ""."""
    glossary = gazetteer().glossary(arabic_text)
    return f"English names: {glossary}{end}" if glossary else ""


def translate_source(source: SourceSentence, sources: list[SourceSentence], generator: Generator,
                     checker: SupportChecker, question: str = "") -> VerifiedSentence | None:
    """The verified English translation of `source`, or None when it does not verify."""
    system = load_prompt("translate.system").render()
    sentence = " ".join(source.text.split())
    user = load_prompt("translate.user").render(glossary=names_glossary(sentence), sentence=sentence)
    completion = generator.complete(system, user, max_tokens=TRANSLATION_MAX_TOKENS)
    text = " ".join(completion.text.strip().split("\n")[0].split())
    if not text or detect_language(text) != "en":
        return None
    others = [s.text for s in sources if s.number != source.number]
    if not checker.check(text, [source.text], others, question).supported:
        return None
    return VerifiedSentence(text, [source.number], repaired=True)
