"""What a number counts: a question counting one group answered by a sentence counting another.

"كم عدد الجنود الأتراك الذين قتلوا في عفرين؟" (how many Turkish soldiers were killed) is not answered
by "قتل 43 مدنيا في قصف للجيش التركي … التي باتت مطوقة من الجنود الأتراك": the sentence names the
soldiers, but its number counts civilians. Word overlap and the number check both pass it. News counts
people by kinds that exclude each other (civilians, soldiers, fighters, children, police, …) and by
what befell them (killed, wounded, held): when the question counts one kind and every number of the
cited sentence that counts a kind of that sort counts another, the sentence does not answer.

A number's kind is the word right after it ("43 مدنيا", "12 soldiers", "36 ألف جندي" past the
multiplier); a number followed by no such word ("160 ألفا", "12 شخصا") counts nothing this check
knows, and is left to the others.
"""

from __future__ import annotations

import re

from rag.text.arabic import clitic_forms, normalize
from rag.text.numbers import number_word_values

# sort -> kind -> (Arabic forms, English words). Arabic forms are normalized (أ→ا, ة→ه, ى→ي) and
# compared without an attached conjunction, preposition or article (clitic_forms).
_KINDS: dict[str, dict[str, tuple[str, str]]] = {
    "who": {
        "civilians": ("مدني مدنيا مدنيين مدنيون", "civilian civilians"),
        "soldiers": (
            "جندي جنديا جنود جنديين عسكري عسكريا عسكريين عسكريون",
            "soldier soldiers troops servicemen",
        ),
        "fighters": (
            "مسلح مسلحا مسلحين مسلحون مقاتل مقاتلا مقاتلين مقاتلون متشدد متشددا متشددين جهادي جهاديا جهاديين "
            "ارهابي ارهابيا ارهابيين متمرد متمردا متمردين",
            "militant militants fighter fighters gunman gunmen jihadist jihadists insurgent insurgents rebel rebels",
        ),
        "children": ("طفل طفلا اطفال طفلين", "child children kids"),
        "women": ("امراه نساء سيده سيدات", "woman women"),
        "police": ("شرطي شرطيا شرطيين", "policeman policemen"),
        "protesters": ("متظاهر متظاهرا متظاهرين متظاهرون محتج محتجا محتجين", "protester protesters demonstrators"),
        "journalists": ("صحفي صحفيا صحفيين صحافي صحافيا صحافيين", "journalist journalists reporters"),
        "diplomats": ("دبلوماسي دبلوماسيا دبلوماسيين دبلوماسيون", "diplomat diplomats"),
        "displaced": ("لاجي لاجيا لاجيين نازح نازحا نازحين مهجر مهجرا مهجرين", "refugee refugees displaced"),
        "detainees": ("سجين سجينا سجناء معتقل معتقلا معتقلين اسير اسيرا اسري", "prisoner prisoners detainee detainees"),
    },
    "fate": {
        "killed": ("قتيل قتيلا قتلي", "dead deaths killed fatalities"),
        "wounded": ("جريح جريحا جرحي مصاب مصابا مصابين", "wounded injured"),
    },
}
_KIND_OF: dict[str, tuple[str, str]] = {}
for _sort, _kinds in _KINDS.items():
    for _kind, (_arabic, _english) in _kinds.items():
        for _form in (*_arabic.split(), *_english.split()):
            _KIND_OF[normalize(_form)] = (_sort, _kind)

_MULTIPLIERS = {
    normalize(w) for w in "الف الفا آلاف الاف مليون ملايين مليار thousand thousands million millions".split()
}
_NUMBER = re.compile(r"\d[\d,.]*")
_TOKEN = re.compile(r"\d[\d,.]*|[^\W\d_]+")
# Where a question says what it counts: after كم / عدد / how many (up to this many words on).
_COUNT_CUES = {"كم", "عدد"}
_QUESTION_REACH = 3


def _kind(word: str) -> tuple[str, str] | None:
    for form in clitic_forms(word):
        for bare in (form, form[2:] if form.startswith(("ال", "لل")) else form):
            found = _KIND_OF.get(bare)
            if found:
                return found
    return None


def _words(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text.lower()))


def _is_number(word: str) -> bool:
    return bool(_NUMBER.fullmatch(word) or number_word_values(word))


def asked_kinds(question: str) -> dict[str, str]:
    """The kinds a how-many question counts, by sort: {"who": "soldiers"} for "كم عدد الجنود …؟"."""
    words = _words(question)
    found: dict[str, str] = {}
    for i, word in enumerate(words):
        is_cue = word in _COUNT_CUES or (word == "many" and i and words[i - 1] == "how")
        if not is_cue:
            continue
        for later in words[i + 1 : i + 1 + _QUESTION_REACH]:
            kind = _kind(later)
            if kind:
                found.setdefault(*kind)
    return found


def counted_kinds(text: str) -> dict[str, set[str]]:
    """The kinds the numbers of a text count, by sort: the kind word right after a number, past
    a multiplier ("36 ألف جندي")."""
    words = _words(text)
    found: dict[str, set[str]] = {}
    for i, word in enumerate(words):
        if not _is_number(word):
            continue
        j = i + 1
        while j < len(words) and words[j] in _MULTIPLIERS:
            j += 1
        kind = _kind(words[j]) if j < len(words) else None
        if kind:
            found.setdefault(kind[0], set()).add(kind[1])
    return found


def counts_another_kind(question: str, cited: str) -> str | None:
    """Why the cited text's numbers count other people than the question asks about, or None."""
    asked = asked_kinds(question)
    if not asked:
        return None
    counted = counted_kinds(cited)
    for sort, kind in asked.items():
        others = counted.get(sort, set())
        if others and kind not in others:
            return f"the question counts {kind}; the cited sentence's numbers count {', '.join(sorted(others))}"
    return None
