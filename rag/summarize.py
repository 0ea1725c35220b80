"""`rag summarize`: bilingual (Arabic + English) summaries in which every sentence is cited.

Stages: pick the salient sentences of the articles (extractive, any length),
number them, have the generator write an Arabic summary citing those numbers,
and translate each of them into English, one by one; verify every sentence
against its cited spans (English ones cross-lingually), repair or drop what
fails, and assign shared citations. An English summary is written freely only
when no translation verifies. If the generator yields no verified Arabic
sentence, the Arabic summary falls back to the salient sentences themselves,
quoted exactly (always supported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.generate.generator import Completion, Generator
from rag.prompting import load_prompt
from rag.records import Article, Citation
from rag.retrieve.salience import SentenceCandidate, select_salient
from rag.text.arabic import content_tokens
from rag.text.lang import detect_language
from rag.translation import headline_verified, names_glossary, translate_headline, translate_source
from rag.verify.citations import VerificationLog, VerifiedSentence, assign_citations, verify_draft
from rag.verify.sources import SourceSentence, number_evidence, render_sources
from rag.verify.support import SupportChecker

LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
_TITLE = re.compile(r"^\s*(?:\*\*)?\s*(?:TITLE|العنوان)\s*[:：]\s*(.+?)\s*(?:\*\*)?\s*$", re.I | re.M)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")
_MARKER_PRESENT = re.compile(r"\[\s*S?\d+")
_MARKERS = re.compile(r"\s*\[\s*S?\d+(?:\s*[,،]\s*S?\d+)*\s*\]")
SENTENCE_TOKENS = 70
TITLE_CHARS = 90  # an English title taken from the first English sentence, when no translated headline verifies
TITLE_TOKENS = 32  # the English summary prompt's reply cut after its TITLE line
NEAR_DUPLICATE = 0.4  # word Jaccard above which two sentences citing the same sources state one fact
SAME_FACT = 0.6  # word Jaccard above which two sentences citing different sources state one fact


@dataclass
class SummaryHalf:
    title: str
    sentences: list[VerifiedSentence]
    completion: Completion | None
    log: VerificationLog | None
    extractive: bool = False


@dataclass
class Summary:
    doc_ids: list[str]
    title: dict[str, str]
    ar: list[dict]
    en: list[dict]
    citations: list[Citation]
    model: str
    halves: dict[str, SummaryHalf] = field(default_factory=dict)
    withheld: dict[str, str] = field(default_factory=dict)  # language -> why nothing of it is printed

    def to_json(self) -> dict:
        data = {
            "doc_ids": self.doc_ids,
            "title": self.title,
            "ar": self.ar,
            "en": self.en,
            "citations": [c.to_json() for c in self.citations],
            "model": self.model,
        }
        if self.withheld:
            data["withheld"] = self.withheld
        return data


WITHHELD_ENGLISH = (
    "no English sentence verified against its source (names, numbers, negation, who did what, "
    "meaning); nothing unverified is printed. A stronger model (RAG_LLM=openai:…) may fill it"
)
WITHHELD_BUNDLED_ENGLISH = (
    "the bundled model's English is not printed (RAG_ENGLISH=auto): on labelled claims most of "
    "its translations that pass the checker are wrong. RAG_LLM=openai:… (or another server) "
    "writes it; RAG_ENGLISH=verified prints what verifies"
)


def salient_sources(
    articles: list[Article], units: list[tuple[str, int, int, object]], limit: int
) -> list[SourceSentence]:
    """Number the `limit` most salient sentence units of the articles, in article order."""
    by_doc = {a.doc_id: a for a in articles}
    positions: dict[str, int] = {}
    candidates = []
    for doc_id, start, end, vector in sorted(units, key=lambda u: (u[0], u[1])):
        position = positions.get(doc_id, 0)
        positions[doc_id] = position + 1
        text = by_doc[doc_id].text[start:end]
        candidates.append(SentenceCandidate(doc_id, start, end, position, vector, len(text.split())))
    chosen = select_salient(candidates, limit)
    order = {a.doc_id: i for i, a in enumerate(articles)}
    chosen.sort(key=lambda s: (order[s.doc_id], s.start))
    return number_evidence(chosen, by_doc)


def summarize_articles(
    articles: list[Article],
    units,
    generator: Generator,
    checker: SupportChecker,
    sentences: int = 4,
    progress=None,
    english: bool = True,
) -> Summary:
    """`english`: whether model-written English that verifies is printed (rag.app.Rag.prints_english);
    without it the English half is withheld and no English is generated at all."""
    # One source sentence per summary sentence: a small model condenses and
    # translates sentence by sentence far more faithfully than it fuses.
    sources = salient_sources(articles, units, limit=sentences)
    headline = articles[0].title
    halves = {
        "ar": _write_half("ar", sources, headline, generator, checker, progress),
        "en": _english_half(sources, headline, generator, checker, progress)
        if english
        else SummaryHalf(title="", sentences=[], completion=None, log=None),
    }
    for half in halves.values():
        half.sentences = _dedupe(half.sentences, sources, checker)
    if not halves["ar"].sentences:
        halves["ar"] = _extractive_half(sources, sentences, articles)
    texts = {a.doc_id: a.text for a in articles}
    (ar, en), citations = assign_citations([halves["ar"].sentences, halves["en"].sentences], sources, texts)
    # The Arabic title is the lead article's own headline, exact; the English one is its
    # translation, kept only if it verifies against the headline like any English sentence.
    english_title = halves["en"].title if en else ""
    if english_title and not headline_verified(english_title, headline, checker):
        english_title = ""
    english_title = (
        english_title
        or (translate_headline(headline, generator, checker) if en and english else "")
        or (shortened(en[0][0]) if en else "")
    )
    title = {"ar": headline, "en": english_title}
    return Summary(
        doc_ids=[a.doc_id for a in articles],
        title=title,
        ar=[{"text": t, "citations": ns} for t, ns in ar],
        en=[{"text": t, "citations": ns} for t, ns in en],
        citations=citations,
        model=generator.label,
        halves=halves,
        withheld={} if en else {"en": WITHHELD_ENGLISH if english else WITHHELD_BUNDLED_ENGLISH},
    )


def _write_half(
    lang: str, sources: list[SourceSentence], headline: str, generator: Generator, checker: SupportChecker, progress
) -> SummaryHalf:
    if progress:
        progress(f"writing the {LANGUAGE_NAMES[lang]} summary")
    system, user = _summary_prompt(lang, sources, headline)
    completion = generator.complete(system, user, max_tokens=SENTENCE_TOKENS * len(sources) + 60)
    title, body = split_title(completion.text, len(sources))
    verified, log = verify_draft(body, sources, checker, lang)
    if title and detect_language(title) not in (lang, "mixed"):
        title = ""
    return SummaryHalf(
        title=title, sentences=_dedupe(verified, sources)[: len(sources)], completion=completion, log=log
    )


def _summary_prompt(lang: str, sources: list[SourceSentence], headline: str) -> tuple[str, str]:
    """The system and user prompts asking for the TITLE line and one summary line per source."""
    system = load_prompt(f"summarize.system.{lang}").render()
    headline = " ".join(headline.split())
    glossary = names_glossary(headline + "\n" + "\n".join(s.text for s in sources), end="\n") if lang == "en" else ""
    user = load_prompt("summarize.user").render(
        sources=render_sources(sources), headline=headline, glossary=glossary, language=LANGUAGE_NAMES[lang]
    )
    return system, user


def _english_title(sources: list[SourceSentence], headline: str, generator: Generator) -> str:
    """The TITLE line of the English summary prompt, written alone (the reply cut after
    TITLE_TOKENS: the same line the whole summary starts with), or "".

    The headline translated with its sources in view: on 16 NTREX articles, similarity to the
    original headline 0.478 (names-checked, else the headline translated alone, else the first
    English sentence), against 0.430 with the headline translated alone first; and it reads
    "ينتقد موسكو" as "criticizes Moscow" where the lone translation wrote "is located in Moscow".
    """
    system, user = _summary_prompt("en", sources, headline)
    title, _ = split_title(generator.complete(system, user, max_tokens=TITLE_TOKENS).text)
    return title if title and detect_language(title) in ("en", "mixed") else ""


def _english_half(
    sources: list[SourceSentence], headline: str, generator: Generator, checker: SupportChecker, progress
) -> SummaryHalf:
    """Each source's own verified English translation; a free English summary only when
    no translation verifies.

    One sentence translated is what a small model does most faithfully. Asked for a whole
    English summary, it fuses and misreads with every name and number right: "Secretary of
    State Kerry announced that the US and Russia will not negotiate a military alliance"
    over a sentence saying that nothing has moved since Kerry met Lavrov. Measured on 16
    NTREX articles (evals/README.md, "English summaries"): mean similarity of each English
    sentence to the English original of its source 0.620 -> 0.663, sentences below 0.5
    17% -> 4%, for 25 sentences where there were 29; a translation takes 2.8 s, the free
    summary 14.4 s. Free summaries of only the sources no translation verified (as a
    supplement) added no verified sentence on that sample: those sources are the hard ones.
    """
    if progress:
        progress(f"translating {len(sources)} source sentence(s) into English")
    translated = [t for t in (translate_source(s, sources, generator, checker) for s in sources) if t is not None]
    if translated:
        if progress:
            progress("writing the English title")
        return SummaryHalf(
            title=_english_title(sources, headline, generator), sentences=translated, completion=None, log=None
        )
    return _write_half("en", sources, headline, generator, checker, progress)


def shortened(text: str, limit: int = TITLE_CHARS) -> str:
    """`text` cut to at most `limit` characters at a word boundary, marked with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1].isalnum() and " " in head:  # the last word of `head` goes on: leave it out
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(",;:،؛ ") + "…"


def split_title(draft: str, n_sources: int = 0) -> tuple[str, str]:
    """The TITLE line, and the summary lines without bullets.

    The prompt asks for one line per source, in order: a line that forgot its
    marker is read as citing the source at its position (then verified like any
    other citation).
    """
    match = _TITLE.search(draft)
    title = _MARKERS.sub("", match.group(1)).strip().strip("\"'«»") if match else ""
    body = _TITLE.sub("", draft)
    lines = [_BULLET.sub("", line).strip() for line in body.splitlines()]
    lines = [line for line in lines if re.search(r"\w", line)]
    out = []
    for position, line in enumerate(lines, 1):
        if not _MARKER_PRESENT.search(line) and position <= n_sources:
            line = f"{line} [{position}]"
        out.append(line)
    return title, "\n".join(out)


def _dedupe(
    sentences: list[VerifiedSentence], sources: list[SourceSentence], checker: SupportChecker | None = None
) -> list[VerifiedSentence]:
    """One sentence per fact.

    Of two sentences citing the same sources with mostly the same words, the one
    closer to the cited wording stays (a small model restating a source twice
    often gets the attribution right only once). Two near-identical sentences
    citing different sources (two outlets reporting one fact) become one, which
    also cites the other's sources when those verify it (with a `checker`).
    """
    texts = {s.number: s.text for s in sources}
    kept: list[VerifiedSentence] = []
    for sentence in sentences:
        twin = next(
            (
                i
                for i, k in enumerate(kept)
                if k.sources == sentence.sources and _word_jaccard(k.text, sentence.text) >= NEAR_DUPLICATE
            ),
            None,
        )
        if twin is not None:
            cited = " ".join(texts.get(n, "") for n in sentence.sources)
            if _shared_bigrams(sentence.text, cited) > _shared_bigrams(kept[twin].text, cited):
                kept[twin] = sentence
            continue
        same_fact = next((k for k in kept if _word_jaccard(k.text, sentence.text) >= SAME_FACT), None)
        if same_fact is None:
            kept.append(sentence)
            continue
        extra = [n for n in sentence.sources if n not in same_fact.sources]
        extra_texts = [texts[n] for n in extra if n in texts]
        if extra_texts and checker is not None and checker.check(same_fact.text, extra_texts).supported:
            same_fact.sources.extend(extra)
    return kept


def _word_jaccard(a: str, b: str) -> float:
    x, y = set(content_tokens(a)), set(content_tokens(b))
    return len(x & y) / len(x | y) if x | y else 1.0


def _shared_bigrams(sentence: str, cited: str) -> float:
    """Share of the sentence's word pairs that occur, in order, in the cited text."""
    words, source = content_tokens(sentence), content_tokens(cited)
    pairs = set(zip(words, words[1:]))
    return len(pairs & set(zip(source, source[1:]))) / len(pairs) if pairs else 0.0


def _extractive_half(sources: list[SourceSentence], sentences: int, articles: list[Article]) -> SummaryHalf:
    """The salient sentences themselves, quoted: the fallback when generation fails verification."""
    chosen = sources[:sentences]
    return SummaryHalf(
        title=articles[0].title,
        sentences=[VerifiedSentence(" ".join(s.text.split()), [s.number]) for s in chosen],
        completion=None,
        log=None,
        extractive=True,
    )
