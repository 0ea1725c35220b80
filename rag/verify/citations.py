"""Turn a model's draft into verified, exactly cited sentences.

The draft cites source numbers as [n]. For each sentence of the draft:
- numbers that were not shown are dropped;
- the cited source sentences must support the sentence (rag.verify.support), a name
  the question asks about also in the sentence before a cited one;
  an unsupported or uncited sentence is repaired with the best supporting
  source sentence when one exists, and dropped otherwise;
- sentences in the wrong language are dropped.
Surviving citations are renumbered 1..m in order of first use, and each becomes
a Citation whose quote is sliced from the stored article text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.records import Citation
from rag.text.lang import detect_language
from rag.text.sentences import split_sentences
from rag.verify.sources import SourceSentence
from rag.verify.support import ECHO_WITH_NUMBERS, SupportChecker

# [3], [3, 5], [3][5], 【3】, [S3], (3) right after a sentence are all read as citations.
_MARKER = re.compile(r"\s*(?:\[\s*S?\d+(?:\s*[,،-]\s*S?\d+)*\s*\]|【\s*\d+\s*】)")
_NUMBER = re.compile(r"\d+")
NOT_FOUND_TOKEN = "NOT_FOUND"
UNSUPPORTED = "no cited span supports it"  # the drop reason when the sources do not back a claim
WRONG_LANGUAGE = "not in "  # the drop reason, followed by the answer's language code
# A sentence that declines ("not mentioned in the sources") is not a claim to cite.
_DECLINES = re.compile(
    r"not (?:mentioned|stated|found|provided|specified|given|available)|no (?:information|mention)|"
    r"(?:do|does) not (?:say|mention|contain|provide|specify)|cannot be (?:determined|found|answered)|"
    r"لم (?:يرد|يذكر|تذكر|يتم ذكر|تتضمن|يتضمن)|لا (?:توجد|يوجد|تتوفر|تتضمن|تذكر|يذكر) (?:معلومات|ذكر)?|غير (?:مذكور|متوفر)",
    re.IGNORECASE,
)


@dataclass
class DraftSentence:
    text: str  # without markers
    cited: list[int]


@dataclass
class VerifiedSentence:
    text: str
    sources: list[int]  # source numbers (prompt numbering)
    repaired: bool = False
    echo: bool = False  # restates the question and adds only checked numbers (support.ECHO_WITH_NUMBERS)


@dataclass
class VerificationLog:
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, reason)
    misread: list[int] = field(default_factory=list)  # sources cited by a dropped sentence stating what they lack
    related_otherwise: set[int] = field(default_factory=set)  # of those, sources relating the draft's names otherwise
    repaired: int = 0
    invalid_numbers: int = 0


def parse_draft(draft: str) -> list[DraftSentence]:
    """Sentences of the draft with the source numbers each one cites.

    Markers that stand alone (e.g. on the line after a sentence) attach to the
    previous sentence.
    """
    cleaned = _strip_chatter(draft)
    out: list[DraftSentence] = []
    for span in split_sentences(cleaned):
        piece = cleaned[span.start : span.end]
        numbers = [int(n) for m in _MARKER.finditer(piece) for n in _NUMBER.findall(m.group(0))]
        text = _without_false_start(_MARKER.sub("", piece).strip())
        text = re.sub(r"\s+([.!?؟،,؛])", r"\1", text)
        if not re.search(r"\w", text):
            if out and numbers:
                out[-1].cited.extend(numbers)
            continue
        out.append(DraftSentence(text=text, cited=numbers))
    return out


def _without_false_start(text: str) -> str:
    """Drop a sentence's first word when it is a cut-off Arabic article word restarted by the
    second ("الم المتحدث …"): small models sometimes restart a word. An article ال never
    stands alone, so this cannot remove a real word."""
    words = text.split(" ", 2)
    if (
        len(words) > 1
        and words[0].startswith("ال")
        and len(words[0]) <= 3
        and words[1] != words[0]
        and words[1].startswith(words[0])
    ):
        return text[len(words[0]) :].lstrip()
    return text


def _strip_chatter(draft: str) -> str:
    text = draft.strip()
    text = re.sub(r"^(?:answer|الإجابة|الجواب)\s*[:：]\s*", "", text, flags=re.I)
    return text.replace("**", "")


def without_unfinished_sentence(draft: str) -> str:
    """A draft cut at its token limit, without the sentence it was writing ("… وقال إن القصف
    العشوائي [1]" stops mid-claim): only what ends with a sentence's end, or its markers, is kept."""
    ends = list(re.finditer(r"[.!?؟…](?:\s*(?:\[\s*S?\d+(?:\s*[,،-]\s*S?\d+)*\s*\]|【\s*\d+\s*】))*", draft))
    return draft[: ends[-1].end()] if ends else ""


def is_not_found(draft: str) -> bool:
    return NOT_FOUND_TOKEN in draft.upper().replace(" ", "_") and len(draft.strip()) < 40


def verify_draft(
    draft: str,
    sources: list[SourceSentence],
    checker: SupportChecker,
    language: str,
    repair: bool = True,
    question: str = "",
) -> tuple[list[VerifiedSentence], VerificationLog]:
    """Verified sentences of the draft; words echoed from `question` count as the asker's, not as borrowed."""
    by_number = {s.number: s for s in sources}
    log = VerificationLog()
    verified: list[VerifiedSentence] = []
    for sentence in parse_draft(draft):
        if NOT_FOUND_TOKEN in sentence.text or _DECLINES.search(sentence.text):
            log.dropped.append((sentence.text, "declines to answer"))
            continue
        if language in ("ar", "en") and detect_language(sentence.text) not in (language, "mixed"):
            log.dropped.append((sentence.text, f"{WRONG_LANGUAGE}{language}"))
            continue
        valid = [n for n in dict.fromkeys(sentence.cited) if n in by_number]
        log.invalid_numbers += len(set(sentence.cited)) - len(valid)
        others = [s.text for s in sources if s.number not in valid]
        context = [by_number[n].before for n in valid if by_number[n].before]
        verdict = (
            checker.check(sentence.text, [by_number[n].text for n in valid], others, question, context)
            if valid
            else None
        )
        if verdict is not None and verdict.supported:
            verified.append(VerifiedSentence(sentence.text, valid, echo=verdict.reason == ECHO_WITH_NUMBERS))
            continue
        if repair:
            best = checker.best_support(sentence.text, [s.text for s in sources], question, [s.before for s in sources])
            if best is not None:
                log.repaired += 1
                verified.append(VerifiedSentence(sentence.text, [sources[best[0]].number], repaired=True))
                continue
        log.dropped.append((sentence.text, UNSUPPORTED))
        if verdict is not None and verdict.misreading:
            log.misread.extend(n for n in valid if n not in log.misread)
            if verdict.relation:
                log.related_otherwise.update(valid)
    return verified, log


def assign_citations(
    groups: list[list[VerifiedSentence]], sources: list[SourceSentence], article_texts: dict[str, str]
) -> tuple[list[list[tuple[str, list[int]]]], list[Citation]]:
    """Renumber the sources used by any group 1..m (first use first) and build Citations.

    Several groups (e.g. the Arabic and English halves of a summary) share one
    citation list. Returns, per group, (sentence text, citation numbers) pairs.
    """
    by_number = {s.number: s for s in sources}
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    result = []
    for group in groups:
        rendered = []
        for sentence in group:
            ns = []
            for source_number in sentence.sources:
                if source_number not in numbering:
                    s = by_number[source_number]
                    numbering[source_number] = len(citations) + 1
                    citations.append(s.citation(len(citations) + 1, article_texts[s.doc_id]))
                ns.append(numbering[source_number])
            rendered.append((sentence.text, ns))
        result.append(rendered)
    return result, citations


def with_markers(text: str, numbers: list[int]) -> str:
    """A sentence with its [n] markers placed before its final punctuation."""
    markers = "".join(f"[{n}]" for n in numbers)
    match = re.search(r"[.!?؟…]+[\"'»”)]*$", text)
    if match:
        return f"{text[: match.start()]} {markers}{text[match.start() :]}"
    return f"{text} {markers}"
