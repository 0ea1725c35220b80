"""Who did what: checks of an English claim against its Arabic source that names and
meaning miss.

A small model translating Arabic news keeps every name and misreads the relation:
"The Pentagon spokesman is John Kerry" over a sentence naming Kerry in one clause and
the Pentagon's spokesman in another; "the UN Security Council asked the Arab foreign
ministers" for the ministers asking the Council; "according to the Ministry of Tourism"
for a figure the Arab Tourism Organization gave. Each check places the claim's words in
the Arabic source (names by consonant skeleton, role and institution words through a
curated table, data/roles.tsv, other words through the multilingual encoder) and compares
where they stand:

- identity: a name and the role it is given ("Pentagon spokesman Peter Cook", "X is Y")
  must stand together in the source (within IDENTITY_WINDOW words);
- order: two names linked by a verb in one English clause ("A asked B") must stand in the
  same order in the source; measured on NTREX (1166 name pairs of professional
  translations) whole sentences reverse 6.6% of pairs, mostly across reporting clauses,
  which this check leaves out;
- attribution: who "according to …" / "… said" names must be in the source, each word of
  it, with a reporting word there too;
- words: every content word of the claim must have a counterpart in the source.
Each returns the reason a claim fails, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.text.answer_types import AGE, NUMBER, TIME, asked_types, asks_name, asks_who, holds_type
from rag.text.arabic import STOP_WORDS, clitic_forms, content_tokens, light_stem, normalize, word_key
from rag.text.lexicon import lexicon
from rag.text.names import candidate_names, is_function_word, without_possessive
from rag.verify.counted import counts_another_kind
from rag.verify.names import name_matches

ROLES_FILE = Path(__file__).resolve().parent.parent / "text" / "data" / "roles.tsv"
IDENTITY_WINDOW = 4  # words between a name and its role in the source, at most
WORD_MATCH = 0.5  # single-word encoder cosine for a content word's counterpart the lexicon does not know
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]+")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Words between two names that make them one phrase or a list, not agent and patient.
_LINKING = frozenset("and or of the 's ’s & , de al el bin ibn".split())
_REPORTING_EN = re.compile(r"\b(?:according to|said|says|told|stated|announced|reported|quoted)\b", re.I)
_PASSIVE = re.compile(r"\b(?:by|was|were|been|being)\b", re.I)
_REPORTING_AR = frozenset(
    light_stem(normalize(w))
    for w in """قال قالت يقول تقول أكد أكدت يؤكد أعلن أعلنت يعلن
    أفاد أفادت يفيد ذكر ذكرت يذكر صرح صرحت أوضح أوضحت أشار أشارت كشف كشفت أضاف أضافت نقل نقلت وفق وفقا
    حسب بحسب طبقا تصريح تصريحات بيان مصدر مصادر""".split()
)
_CLAIM_STOP = frozenset(
    """said says say told tell would could should also just like one two many much very more
    most new made make makes get got take took given give gave went going come came according well
    still even however including include includes included since yet last next first among while""".split()
)


@dataclass(frozen=True)
class Placed:
    """The source's Arabic words, with a normalized form and stems for lookups."""

    words: list[str]
    forms: list[set[str]]

    @classmethod
    def of(cls, arabic: str) -> Placed:
        words = _ARABIC_WORD.findall(arabic)
        forms = []
        for word in words:
            variants = clitic_forms(normalize(word), min_rest=2)
            forms.append(set(variants) | {light_stem(v) for v in variants})
        return cls(words, forms)

    def positions_of(self, words: list[str]) -> list[int]:
        """Where any form of any of `words` (clitics off, light stem) stands."""
        stems = {light_stem(f) for word in words for f in clitic_forms(normalize(word))}
        return [i for i, forms in enumerate(self.forms) if forms & stems]

    def name_positions(self, name: str) -> list[int]:
        return [i for i, w in enumerate(self.words) if not is_function_word(w) and name_matches(name, [w])]

    def role_positions(self, word: str) -> list[int]:
        stems = roles().get(word.lower(), ())
        return [i for i, forms in enumerate(self.forms) if any(s in forms for s in stems)]


@lru_cache(maxsize=1)
def roles() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in ROLES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, forms = line.split("\t")
        stems = {light_stem(normalize(f)) for f in forms.split("|")} | {normalize(f) for f in forms.split("|")}
        table[english.lower()] = tuple(sorted(stems))
    return table


@dataclass(frozen=True)
class NamePhrase:
    words: tuple[str, ...]  # the name words of one run of capitalized words ("John Kerry")
    start: int
    end: int

    def positions(self, placed: Placed) -> list[int]:
        return sorted({i for word in self.words for i in placed.name_positions(word)})


def _names(claim: str) -> list[NamePhrase]:
    """The claim's name phrases, one per run of capitalized words, in order."""
    runs: dict[str, list[str]] = {}
    for name, phrase in candidate_names(claim):
        runs.setdefault(phrase, []).append(without_possessive(name))
    out, searched_from = [], 0
    for phrase, words in runs.items():
        start = claim.find(phrase, searched_from)
        if start < 0:
            start = claim.find(phrase)
        if start >= 0:
            out.append(NamePhrase(tuple(words), start, start + len(phrase)))
            searched_from = start + len(phrase)
    return sorted(out, key=lambda n: n.start)


# Words that may stand between a name and its role in one noun phrase ("Kerry, the Pentagon's
# spokesman", "the spokesman is Kerry").
_PHRASE_GLUE = frozenset("the a an of to with is was are were 's ’s , former current".split())


def unlinked_identity(claim: str, arabic: str, placed: Placed | None = None) -> str | None:
    """A name given a role in the claim ("Pentagon spokesman Peter Cook", "the spokesman is John
    Kerry", "Kerry, the Pentagon spokesman") whose role stands far from it in the source."""
    placed = placed or Placed.of(arabic)
    tokens = [(m.group(0), m.start()) for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*|,", claim)]
    for phrase in _names(claim):
        name_at = phrase.positions(placed)
        if not name_at:
            continue  # the names check decides about a name the source lacks
        for role in _roles_next_to(tokens, phrase.start, phrase.end):
            role_at = placed.role_positions(role)
            if not role_at:
                continue
            gap = min(abs(n - r) for n in name_at for r in role_at)
            if gap > IDENTITY_WINDOW:
                return (
                    f"the claim links {' '.join(phrase.words)} to {role!r}; the source does not "
                    f"(they stand {gap} words apart)"
                )
    return None


def _roles_next_to(tokens: list[tuple[str, int]], start: int, end: int) -> list[str]:
    """Role words in the noun phrase around a name: walking out from it over role words,
    capitalized words and glue ("the", "of", "is", ","), never across a verb."""
    found = []
    before = [w for w, at in tokens if at < start][::-1]
    after = [w for w, at in tokens if at >= end]
    for side in (before, after):
        for word in side[:5]:
            lower = word.lower()
            if lower in roles():
                if lower not in _NOT_ROLES:
                    found.append(lower)
            elif not (word[0].isupper() or lower in _PHRASE_GLUE):
                break
    return found


_NOT_ROLES = frozenset("foreign general prime head crown source sources".split())


@dataclass(frozen=True)
class Entity:
    """A run of name and role words of the claim ("the UN Security Council", "Arab foreign
    ministers", "Peter Cook") and where its words stand in the source."""

    text: str
    start: int
    end: int
    positions: tuple[int, ...]


def entities(claim: str, placed: Placed) -> list[Entity]:
    """The claim's runs of capitalized and role words, with their places in the source (names by
    skeleton, role words through the table); runs the source does not place are left out."""
    out: list[Entity] = []
    run: list[re.Match] = []
    for match in list(_ENGLISH_WORD.finditer(claim)) + [None]:
        word = match.group(0) if match else ""
        gap = claim[run[-1].end() : match.start()] if run and match else ""
        joins = (
            match is not None
            and (word[0].isupper() or word.lower() in roles())
            and word.lower() not in ("the", "a", "an")
            and (not run or gap == " ")
        )
        if joins:
            run.append(match)
            continue
        if run:
            positions = set()
            for m in run:
                w = without_possessive(m.group(0))
                positions |= set(placed.role_positions(w)) if w.lower() in roles() else set(placed.name_positions(w))
            if positions:
                out.append(
                    Entity(
                        claim[run[0].start() : run[-1].end()], run[0].start(), run[-1].end(), tuple(sorted(positions))
                    )
                )
        run = (
            [match]
            if match is not None
            and (word[0].isupper() or word.lower() in roles())
            and word.lower() not in ("the", "a", "an")
            else []
        )
    return out


def swapped_order(claim: str, arabic: str, placed: Placed | None = None) -> str | None:
    """Two names or bodies that a verb links in one clause of the claim ("A asked B") standing in
    the other order in the source (who asked whom)."""
    placed = placed or Placed.of(arabic)
    found = entities(claim, placed)
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            between = claim[a.end : b.start]
            words = [w.lower() for w in _ENGLISH_WORD.findall(between)]
            if not words or re.search(r"[,;:\"“”«»()]", between) or all(w in _LINKING for w in words):
                continue
            if _REPORTING_EN.search(between) or _PASSIVE.search(between) or _NOT_A_TRANSITIVE_LINK & set(words):
                continue
            if not any(_looks_like_verb(w) for w in words):
                continue
            if set(a.positions) & set(b.positions):
                continue
            # The two mentions closest together in the source are the ones the clause speaks of.
            a_at, b_at = min(((x, y) for x in a.positions for y in b.positions), key=lambda p: abs(p[0] - p[1]))
            if b_at < a_at:
                return f"{a.text} and {b.text} stand in the other order in the source (who did what to whom)"
    return None


# An identity ("X is Y") or a relative clause between two names links them, but not as agent and patient.
_NOT_A_TRANSITIVE_LINK = frozenset("is are am be who whom whose which that where when as like than".split())
_IRREGULAR_VERBS = frozenset(
    """met beat hit told led won lost sent sold bought fought struck shot took gave made
    sought brought caught left meets beats hits leads wins loses sends sells buys fights strikes shoots takes
    gives makes seeks brings catches leaves""".split()
)


def _looks_like_verb(word: str) -> bool:
    """A past or present verb form, as a news sentence links its agent to its patient ("asked",
    "urges", "met")."""
    return (
        word in _IRREGULAR_VERBS
        or (len(word) > 4 and word.endswith("ed"))
        or (len(word) > 4 and word.endswith(("es", "ts", "ks", "ns", "ls", "rs", "ys", "ps", "ds")))
    )


_ATTRIBUTION = re.compile(
    r"\baccording to ((?:the )?[^,.;]+)|(?:^|, )((?:the )?[A-Za-z][^,.;]*?) (?:said|says|told)\b", re.I
)


def unsupported_attribution(claim: str, arabic: str, embedder, placed: Placed | None = None) -> str | None:
    """An attribution ("according to the Ministry of Tourism", "the ministry said") whose
    words the source does not all hold, or with no reporting word in the source."""
    placed = placed or Placed.of(arabic)
    for match in _ATTRIBUTION.finditer(claim):
        phrase = match.group(1) or match.group(2) or ""
        # Every word of who is credited, capitalized or not ("the Ministry of Tourism"); names the
        # names check already placed need no other counterpart.
        names = {n for n, _ in candidate_names(phrase) if placed.name_positions(n)}
        words = [w.lower() for w in _content_words(phrase) if w not in names]
        missing = unaligned_words(" ".join(words), arabic, embedder, placed) if words else []
        if missing:
            return f"attributed to {phrase.strip()!r}; the source does not say {', '.join(missing)}"
        if match.group(1) and not any(
            light_stem(normalize(w)) in _REPORTING_AR or normalize(w) in _REPORTING_AR for w in placed.words
        ):
            return f"attributed to {phrase.strip()!r}; the source attributes nothing"
    return None


# A contraction (didn't, she'll, they're) is grammar; a possessive's word (country's) is the word.
_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:ll|re|ve|d|m))$", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")


def _content_words(text: str) -> list[str]:
    words = [_POSSESSIVE.sub("", w) for w in _ENGLISH_WORD.findall(text) if not _CONTRACTION.search(w)]
    words = [w for w in words if len(w) >= 3]
    return [w for w in words if w.lower() not in STOP_WORDS and w.lower() not in _CLAIM_STOP]


def alignable_words(claim: str) -> list[str]:
    """The claim's lower-case content words, once each: what unaligned_words checks."""
    return list(dict.fromkeys(w for w in _content_words(claim) if not w[0].isupper()))


def unaligned_words(claim: str, arabic: str, embedder, placed: Placed | None = None) -> list[str]:
    """The claim's lower-case content words with no counterpart in the source: a role word of the
    table whose Arabic is absent, or a word the bilingual lexicon (rag.text.lexicon) does not read in
    any source word and whose nearest source word (encoder cosine) is below WORD_MATCH.
    Capitalized words are the names check's."""
    placed = placed or Placed.of(arabic)
    words = alignable_words(claim)
    if not words:
        return []
    candidates = sorted({w for w in placed.words if normalize(w) not in STOP_WORDS and len(w) >= 2})
    missing = []
    free = []
    for word in words:
        if word.lower() in roles() and word.lower() not in _NOT_ROLES:
            if not placed.role_positions(word):
                missing.append(word)
            continue
        free.append(word)
    if free:
        # A word the lexicon reads in a source word is there; the encoder judges only the rest.
        found = lexicon().english_found(free, placed.words)
        free = [w for w in free if w not in found]
    if free:
        if not candidates:
            return missing + free
        vectors = embedder.embed_array(free + candidates)
        best = (vectors[: len(free)] @ vectors[len(free) :].T).max(axis=1)
        missing += [w for w, score in zip(free, best) if score < WORD_MATCH]
    return missing


def best_word_match(word: str, arabic: str, embedder) -> float:
    """The cosine of `word` to its nearest Arabic word of the text (for calibration and tests)."""
    candidates = sorted(set(_ARABIC_WORD.findall(arabic)))
    if not candidates:
        return 0.0
    vectors = embedder.embed_array([word] + candidates)
    return float(np.max(vectors[1:] @ vectors[0]))


@dataclass(frozen=True)
class _OppositePair:
    english: tuple[frozenset[str], frozenset[str]]
    arabic: tuple[tuple[str, ...], tuple[str, ...]]


ANTONYMS_FILE = ROLES_FILE.with_name("antonyms.tsv")


@lru_cache(maxsize=1)
def opposites() -> list[_OppositePair]:
    pairs = []
    for line in ANTONYMS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en_a, ar_a, en_b, ar_b = line.split("\t")
        pairs.append(
            _OppositePair(
                (frozenset(en_a.split("|")), frozenset(en_b.split("|"))),
                (tuple(normalize(w) for w in ar_a.split("|")), tuple(normalize(w) for w in ar_b.split("|"))),
            )
        )
    return pairs


def _says_arabic(text: str, forms: tuple[str, ...]) -> bool:
    """Whether a normalized Arabic text holds one of the forms (a word prefix, clitics stripped)."""
    words = [f for w in _ARABIC_WORD.findall(normalize(text)) for f in clitic_forms(w, min_rest=2)]
    joined = " " + " ".join(words) + " "
    return any((" " + form) in joined for form in forms)


def opposite_word(claim: str, source: str) -> str | None:
    """The claim says one of a pair of opposites (rose / fell, won / lost, accepted / rejected)
    where its source says only the other."""
    english = {w.lower() for w in _ENGLISH_WORD.findall(claim)}
    for pair in opposites():
        for side in (0, 1):
            other = 1 - side
            says_side = bool(english & pair.english[side]) or _says_arabic(claim, pair.arabic[side])
            says_other = bool(english & pair.english[other]) or _says_arabic(claim, pair.arabic[other])
            if (
                says_side
                and not says_other
                and _says_arabic(source, pair.arabic[other])
                and not _says_arabic(source, pair.arabic[side])
            ):
                said = sorted(english & pair.english[side]) or [pair.arabic[side][0]]
                return f"says {said[0]!r} where the source says its opposite"
    return None


_ARABIC_NEGATION = frozenset(normalize(w) for w in "لا لم لن ليس ليست ليسوا لسنا غير عدم دون بدون".split())


def _negation_positions(words: list[str]) -> list[int]:
    """Where the negations (لا، لم، لن، ليس، غير، عدم، دون …, clitics off) stand among `words`."""
    return [
        i for i, w in enumerate(words) if any(f in _ARABIC_NEGATION for f in clitic_forms(normalize(w), min_rest=2))
    ]


def arabic_negations(text: str) -> int:
    return len(_negation_positions(_ARABIC_WORD.findall(text)))


def negation_mismatch_arabic(claim: str, source: str) -> str | None:
    """An Arabic claim that negates what its source does not, or drops the source's negation of
    a word it repeats ("لم يتم إحراز تقدم" told as "تم إحراز تقدم"; "لن تقوم" as "ستقوم", even when
    another clause of the claim keeps a negation of its own)."""
    claimed, sourced = arabic_negations(claim), arabic_negations(source)
    if claimed and not sourced:
        return "negates what the source does not"
    if not sourced:
        return None
    negated_in_source, negated_in_claim = _negated_words(source), _negated_words(claim)
    affirmed = {word_key(f) for w in _affirmed_words(claim) for f in clitic_forms(normalize(w))}
    dropped = sorted((negated_in_source - negated_in_claim) & affirmed)
    if dropped:
        return f"drops the source's negation of {dropped[0]}"
    return None


NEGATION_REACH = 2  # words after a negation that it governs


def _affirmed_words(text: str) -> list[str]:
    """The words of a text that no negation governs (not among the NEGATION_REACH after one)."""
    words = _ARABIC_WORD.findall(text)
    governed = {i + k for i in _negation_positions(words) for k in range(1, NEGATION_REACH + 1)}
    return [w for i, w in enumerate(words) if i not in governed and normalize(w) not in STOP_WORDS]


def _negated_words(text: str) -> set[str]:
    """Word keys (roots, else stems) of the words each negation of the text governs."""
    words = _ARABIC_WORD.findall(text)
    out: set[str] = set()
    for i in _negation_positions(words):
        for after in words[i + 1 : i + 1 + NEGATION_REACH]:
            if normalize(after) not in STOP_WORDS:
                out |= {word_key(f) for f in clitic_forms(normalize(after))}
    return out


_COPULA_AR = re.compile(r"^(.+?)\s+(?:هو|هي|هم|هما)\s+(.+)$")


def identity_sides(claim: str) -> tuple[str, str] | None:
    """The two sides of an Arabic identity claim ("X هو Y"), or None."""
    match = _COPULA_AR.match(claim.strip().rstrip(".!؟"))
    return (match.group(1), match.group(2)) if match else None


def unlinked_identity_arabic(claim: str, source: str) -> str | None:
    """ "المتحدث باسم البنتاغون هو جون كيري": the two sides of an Arabic identity claim must stand
    together in the source."""
    match = _COPULA_AR.match(claim.strip().rstrip(".!؟"))
    if not match:
        return None
    placed = Placed.of(source)
    sides = []
    for side in match.groups():
        stems = {
            light_stem(f)
            for w in _ARABIC_WORD.findall(side)
            if normalize(w) not in STOP_WORDS
            for f in clitic_forms(normalize(w))
        }
        sides.append([i for i, forms in enumerate(placed.forms) if forms & stems])
    if not all(sides):
        return None
    gap = min(abs(a - b) for a in sides[0] for b in sides[1])
    if gap > IDENTITY_WINDOW + 2:
        return f"the two sides of the claim stand apart in the source ({gap} words)"
    return None


def strict_role_words() -> frozenset[str]:
    """Role and institution words whose Arabic must be in the source (adjectives such as
    "foreign" and "general" are matched by meaning instead)."""
    return frozenset(w for w in roles() if w not in _NOT_ROLES)


FOCUS_WINDOW = 8  # words between an answer's name and the nearest word of what the question asks about
_WHO_IS = re.compile(r"^\s*(?:and\s+)?who\s+(?:is|was|are|were)\b|^\s*(?:و)?(?:من|مَن)\s+(?:هو|هي|هم|كان|كانت)\s", re.I)
FOCUS_REACH = 2  # words apart in the cited text within which two adjacent words of a who-question's focus must stand


def focus_split(question_text: str, focus: list[str], cited: str) -> str | None:
    """A who-question whose focus is a phrase ("وزير الدفاع الأميركي") that the cited sentence holds
    only in pieces ("وزير الخارجية الأميركي …، وزارة الدفاع"): that sentence says who someone else
    is. Asked of "who is X" questions, whose X is one phrase (a title, a role); in "من انتقد روسيا
    مساء الاثنين؟" the words are a verb's parts and stand anywhere. `focus`: the question's content
    words in order, in the cited text's script."""
    if not _WHO_IS.search(question_text) or len(focus) < 2:
        return None
    placed = Placed.of(cited)
    at_first = placed.positions_of([focus[0]])
    for first, second in zip(focus, focus[1:]):
        # "نظير كيري الروسي" is said "كيري ... نظيره الروسي": the pronoun on the head word stands
        # for the word after it in the question, when that word came shortly before.
        found = placed.positions_of([second])
        at_second = sorted(set(found) | set(_pronoun_for(placed, at_first, found)))
        if at_first and at_second and not any(abs(a - b) <= FOCUS_REACH for a in at_first for b in at_second):
            return f"the cited text never puts '{first}' beside '{second}'"
        at_first = at_second
    return None


PRONOUN_REACH = 4  # words before a head word with a possessive pronoun ("نظيره") where what it stands for may be
_POSSESSIVE = re.compile(r"(?:ه|ها|هما|هم)$")


def _pronoun_for(placed: Placed, heads: list[int], possessors: list[int]) -> list[int]:
    """The positions of head words carrying a possessive pronoun (نظيره, وزيرها) with one of
    `possessors` among the PRONOUN_REACH words before them: there the pronoun is that word."""
    return [
        h
        for h in heads
        if _POSSESSIVE.search(normalize(placed.words[h])) and any(0 < h - p <= PRONOUN_REACH for p in possessors)
    ]


def answer_apart_from_focus(
    answer: str, question_text: str, focus: list[str], cited: str, head: list[str] | None = None
) -> str | None:
    """A who-question's answer naming someone the cited sentence names far from what the question
    asks about ("Who is the Pentagon spokesman?" -> "John Kerry", out of a sentence naming Kerry in
    one clause and the Pentagon's spokesman in another). `focus`: the question's content words in
    the cited text's script (the words themselves, or their translations). `head`: those of them
    naming whom it asks about (`who_head`); an answer past a reporting verb from them, which the
    sentence gives to someone else before the verb, is another speaker (`another_speaker`)."""
    if not asks_who(question_text):
        return None
    placed = Placed.of(cited)
    focus_at = placed.positions_of(focus)
    answer_at = _answer_positions(answer, question_text, placed)
    if not focus_at or not answer_at:
        return None
    gap = min(abs(a - f) for a in answer_at for f in focus_at)
    if gap > FOCUS_WINDOW:
        return f"the answer stands {gap} words from what the question asks about in the cited sentence"
    return another_speaker(placed, answer_at, placed.positions_of(head)) if head else None


OWN_REACH = 2  # words either side of the answer's words that are its own phrase ("مسؤول في الحكومة الفرنسية")
ROLE_REACH = 3  # words between a word of whom the question asks about and the role that makes it someone's
_PERSON_ROLES = """spokesman spokeswoman spokesperson minister ministers secretary president chairman head chief
leader commander general ambassador envoy official officials governor king prince emir mayor director member
members expert experts analyst reporter correspondent journalist editor source sources""".split()


def another_speaker(placed: Placed, answer_at: list[int], head_at: list[int]) -> str | None:
    """The answer stands only past a reporting verb from whom the question asks about, and before the
    verb a role word goes with those words: "… التشاؤم الذي أبداه المتحدث باسم البنتاغون، قال مسؤول
    بالخارجية …" gives the Pentagon to its spokesman, and the State Department official speaks in
    the next clause. "وفي البنتاغون، قال المتحدث بيتر كوك" gives the Pentagon to no one before the
    verb: Cook is its spokesman. The answer's own words ("مسؤول" of "مسؤول بالخارجية") are not the
    question's."""
    own = {p for a in answer_at for p in range(a - OWN_REACH, a + OWN_REACH + 1)}
    head_at = [f for f in head_at if f not in own]
    near = [(a, f) for a in answer_at for f in head_at if abs(a - f) <= FOCUS_WINDOW]
    if not near:
        return None
    verbs = [i for i, w in enumerate(placed.words) if set(clitic_forms(normalize(w))) & _REPORTING_VERBS_AR]
    if any(_in_one_clause(a, f, verbs) for a, f in near):
        return None
    roles_at = [i for i, forms in enumerate(placed.forms) if forms & _person_role_stems() and i not in own]
    if all(any(abs(r - f) <= ROLE_REACH and _in_one_clause(r, f, verbs) for r in roles_at) for _, f in near):
        return "the answer is the subject of another reporting clause than whom the question asks about"
    return None


# Reporting verbs as written (with an attached و or ف stripped): "بالإضافة" or "إشارة" are nouns.
_REPORTING_VERBS_AR = frozenset(
    normalize(w)
    for w in """قال قالت يقول تقول أكد أكدت يؤكد تؤكد أعلن أعلنت يعلن تعلن أفاد أفادت صرح صرحت أوضح أوضحت
    أشار أشارت كشف كشفت أضاف أضافت""".split()
)


@lru_cache(maxsize=1)
def _person_role_stems() -> frozenset[str]:
    return frozenset(stem for role in _PERSON_ROLES for stem in roles().get(role, ()))


def _in_one_clause(first: int, second: int, verbs: list[int]) -> bool:
    """No reporting verb stands between the two words: one clause holds both."""
    low, high = sorted((first, second))
    return not any(low < v < high for v in verbs)


# "that" is left out: "Who said that …" opens what was said, not a relative clause.
_RELATIVE = re.compile(r"\s(?:الذي|التي|الذين|اللذان|اللذين|اللتان|اللتين|اللاتي|اللواتي|who|which|whose)\s", re.I)


def who_head(question_text: str, words: list[str]) -> list[str]:
    """Of a who-question's content words, those naming whom it asks about, before its relative
    clause: "المسؤول" and "البنتاغون" of "من المسؤول في البنتاغون الذي انتقد الضربات …؟" (the
    strikes and Syria may stand anywhere in the answering sentence). All of them when there is no
    such clause, or when nothing stands before it ("من الذي عين …")."""
    text = " " + question_text.strip() + " "
    match = _RELATIVE.search(text, text.find(" ", 1))  # after the opening من / who
    if not match:
        return words
    before = set(content_tokens(text[: match.start()]))
    head = [w for w in words if w in before]
    return head or words


def _answer_positions(answer: str, question_text: str, placed: Placed) -> list[int]:
    """Where the names the answer adds to the question stand in the source: Latin names by
    skeleton, Arabic words by their forms."""
    if _ARABIC_WORD.search(answer) and not _ENGLISH_WORD.search(answer):
        asked = {light_stem(f) for w in _ARABIC_WORD.findall(question_text) for f in clitic_forms(normalize(w))}
        added = [
            w
            for w in _ARABIC_WORD.findall(answer)
            if normalize(w) not in STOP_WORDS and not {light_stem(f) for f in clitic_forms(normalize(w))} & asked
        ]
        stems = {light_stem(f) for w in added for f in clitic_forms(normalize(w))}
        return [i for i, forms in enumerate(placed.forms) if forms & stems]
    asked = {w.lower() for w in _ENGLISH_WORD.findall(question_text)}
    return sorted(
        {
            i
            for phrase in _names(answer)
            for word in phrase.words
            if word.lower() not in asked
            for i in placed.name_positions(word)
        }
    )


def identity_side_apart(claim: str, source: str) -> str | None:
    """A side of an Arabic identity claim whose words the source never puts together ("وزير الدفاع
    الأميركي هو جون كيري" over a sentence with "وزير الخارجية الأميركي جون كيري" and, elsewhere,
    "وزارة الدفاع"): one title read as another."""
    sides = identity_sides(claim)
    if not sides:
        return None
    placed = Placed.of(source)
    for side in sides:
        words = [w for w in _ARABIC_WORD.findall(side) if normalize(w) not in STOP_WORDS]
        at = []
        for word in words:
            stems = {light_stem(f) for f in clitic_forms(normalize(word))}
            positions = [i for i, forms in enumerate(placed.forms) if forms & stems]
            if positions:
                at.append(positions)
        for first, second in zip(at, at[1:]):
            if min(abs(a - b) for a in first for b in second) > 2:
                return f"the source never puts the words of {side.strip()!r} together"
    return None


# Someone the sentence leaves unnamed ("قال مسؤول عسكري … دون الإفصاح عن اسمه", "an official who asked
# not to be named"): it cannot answer what their name is. Matched on normalized text (أ→ا, ة→ه).
_UNNAMED = re.compile(
    r"(?:دون|بدون|من دون|شريطه عدم|مشترطا عدم|مفضلا عدم|مفضله عدم|فضل عدم|طالبا عدم|طالبه عدم|طلب عدم|طلبت عدم"
    r"|رفض|رفضت|رافضا|رافضه|لم يرغب في|لم ترغب في)\s+"
    r"(?:الافصاح|الكشف|ذكر|نشر|الاعلان|افصاح|كشف)\s+(?:عن\s+)?(?:اسم|هوي)"
    r"|لم\s+(?:يذكر|تذكر|يكشف|تكشف|يفصح|تفصح|يتم\s+الكشف|يتم\s+الافصاح)\s+(?:عن\s+)?(?:اسم|هوي)"
    r"|لم\s+(?:يسم|تسم)(?:ه|ها|هم)?(?:\s|$)|لم\s+(?:تعرف|يعرف)\s+(?:هويته|هويتها|اسمه|اسمها)|مجهول\s+الهويه"
    r"|(?:asked|declined|refused|did not want|requested)\s+(?:not\s+)?to\s+be\s+(?:named|identified)"
    r"|requested\s+anonymity|condition\s+of\s+anonymity|speaking\s+anonymously|not\s+authori[sz]ed\s+to\s+speak"
    r"|\b(?:unnamed|anonymous|unidentified)\b|\b(?:was|were|has|have)\s+not\s+(?:yet\s+)?(?:been\s+)?(?:named|identified)\b"
    r"|(?:did\s+not|declined\s+to|refused\s+to)\s+give\s+(?:his|her|their)\s+names?",
    re.I,
)


def wrong_answer_type(question_text: str, cited: list[str]) -> str | None:
    """A question asking how many (كم), when (متى) or how old (ما سنّ) answered from sentences that hold
    no number, no time or no age: "كم عدد القتلى في حلب؟" is never answered by a sentence about Aleppo
    that counts nothing, nor "ما سنّ رئيس الحكومة الجديد؟" by one that calls it the third government."""
    joined = " ".join(cited)
    kinds = asked_types(question_text)
    if NUMBER in kinds and not holds_type(joined, NUMBER):
        return "the question asks how many; the cited text gives no number"
    if TIME in kinds and not holds_type(joined, TIME):
        return "the question asks when; the cited text gives no time"
    if AGE in kinds and not holds_type(joined, AGE):
        return "the question asks how old; the cited text gives no age"
    if asks_name(question_text) and _UNNAMED.search(normalize(joined)):
        return "the question asks for a name; the cited sentence says it was not given"
    return counts_another_kind(question_text, joined) if NUMBER in kinds else None
