"""Names in Latin script: which capitalized words of an English sentence are likely names.

Shared by retrieval (an English question's names are looked up by sound,
rag.retrieve.translate) and verification (every name of an English sentence must
be in its Arabic source, rag.verify.names); question analysis needs it too.
"""

from __future__ import annotations

import re

from rag.text.arabic import STOP_WORDS, clitic_forms, normalize
from rag.text.numbers import is_roman_numeral

# Capitalized words that are not names: sentence starts, titles, weekdays are checked by meaning instead.
_NOT_NAMES = frozenset(
    """the a an he she it they we i in on at of for to by with and but or as after before
    however meanwhile also this that these those his her its their there here while during according
    president minister ministry spokesman spokeswoman official officials government state
    foreign prime deputy secretary defense defence department affairs interior general chief army forces
    security council committee front party movement
    will from no what how why who where when is are can does did do should would could more most some several
    many new first last breaking exclusive watch video live both all each every few other another such only even
    since because although though despite today yesterday tomorrow next one two three four five six seven eight nine
    ten none neither either nor yet so thus therefore instead still then now once if unless until whether
    you my your our us me him them it's i'm i've i'd i'll that's there's what's let's don't can't won't
    mr mrs ms dr sir rev senator senate congress congressman over under about above below among against within
    without between through into onto across around upon toward towards via amid per former late acting
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december""".split()
)
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]+\b")


def candidate_names(sentence: str) -> list[tuple[str, str]]:
    """(name word, the run of capitalized words it stands in) for each likely name."""
    names = []
    words = list(_NAME.finditer(sentence))
    for i, match in enumerate(words):
        word = match.group(0)
        if (
            word.lower() in _NOT_NAMES
            or (word.isupper() and len(word) <= 4)
            or is_roman_numeral(word)
            or (_opens_sentence(sentence, match.start()) and _COMMON_OPENING.search(word))
        ):
            continue
        start, end = i, i
        while start > 0 and words[start - 1].end() + 1 == words[start].start():
            start -= 1
        while end + 1 < len(words) and words[end].end() + 1 == words[end + 1].start():
            end += 1
        names.append((word, " ".join(w.group(0) for w in words[start : end + 1])))
    return names


# A sentence's first word that is a verb form or a contraction ("Going", "Moved", "They've",
# "Tomorrow's") is capitalized for its position, not a name.
_COMMON_OPENING = re.compile(r"(?:ing|ed|['’](?:ve|re|ll|d|s|t))$")


def _opens_sentence(sentence: str, at: int) -> bool:
    before = sentence[:at].rstrip(" \"'“‘«(")
    return not before or before[-1] in ".!?:;"


def without_possessive(name: str) -> str:
    """Jacksonville's -> Jacksonville."""
    return re.sub(r"['’]s$", "", name)


def mentions(text: str, name: str) -> bool:
    """Whether `text` has the word `name` (any case, also with a possessive: "Jacksonville's")."""
    bare = without_possessive(name)
    return bool(bare) and re.search(rf"\b{re.escape(bare)}(?:['’]s)?\b", text, re.IGNORECASE) is not None


def is_function_word(word: str) -> bool:
    """بما, كما, لم …: never a name, whatever its skeleton (بما is B M, like Obama)."""
    return any(form in STOP_WORDS for form in clitic_forms(normalize(word), min_rest=2))
