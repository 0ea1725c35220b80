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

from rag.text.arabic import article_forms, normalize
from rag.text.numbers import number_word_values

# sort -> kind -> (Arabic forms, English words). Arabic forms are normalized (أ→ا, ة→ه, ى→ي) and
# compared without an attached conjunction, preposition or article (article_forms).
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
_KIND_OF: dict[str, tuple[str, str]] = {
    normalize(form): (sort, kind)
    for sort, kinds in _KINDS.items()
    for kind, (arabic, english) in kinds.items()
    for form in (*arabic.split(), *english.split())
}

_MULTIPLIERS = {
    normalize(w) for w in "الف الفا آلاف الاف مليون ملايين مليار thousand thousands million millions".split()
}
_NUMBER = re.compile(r"\d[\d,.]*")
_TOKEN = re.compile(r"\d[\d,.]*%?|[^\W\d_]+")
# Where a question says what it counts: after كم / عدد / how many, its first kind word before a verb
# or relative ("How many soldiers were killed?" counts soldiers, not the killed).
_COUNT_CUES = {"كم", "عدد"}
_QUESTION_REACH = 3
_QUESTION_STOPS = frozenset(
    normalize(w)
    for w in "were was are is have has had did do does been will would could الذين الذي التي اللذين اللتين قد".split()
)
# A counted noun stands within this many words after its number ("12 Turkish soldiers", "12 من الجنود").
_NOUN_REACH = 3
_ENGLISH_NUMBERS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds
    dozen dozens scores""".split()
)
# Not a count of people: a year, a share, a date ("4 آذار"), a time.
_NOT_COUNTS = frozenset(
    normalize(w)
    for w in """% بالمئه بالمائه percent per cent عاما عام سنه سنوات years year يناير فبراير مارس ابريل مايو
    يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر كانون شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين january
    february march april may june july august september october november december كيلومتر كيلومترا km ساعه ساعات
    دولار دولارا""".split()
)
_PER_CENT = [["في", normalize("المئة")], ["في", normalize("المائة")]]  # "5 في المئة"; "5 في الغارة" may count anyone
# A dual counts two of its kind without a digit ("قتل جنديان").
_DUALS = {
    normalize(w): kind
    for words, kind in (
        ("جنديان جنديين", ("who", "soldiers")),
        ("طفلان طفلين", ("who", "children")),
        ("شرطيان شرطيين", ("who", "police")),
        ("امراتان امراتين", ("who", "women")),
        ("مدنيان", ("who", "civilians")),
        ("صحفيان صحفيين صحافيان صحافيين", ("who", "journalists")),
        ("دبلوماسيان", ("who", "diplomats")),
        ("مسلحان", ("who", "fighters")),
        ("قتيلان قتيلين", ("fate", "killed")),
        ("جريحان جريحين", ("fate", "wounded")),
    )
    for w in words.split()
}


def _kind(word: str) -> tuple[str, str] | None:
    return next((_KIND_OF[form] for form in article_forms(word) if form in _KIND_OF), None)


def _words(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text.lower()))


def _is_number(word: str) -> bool:
    return bool(_NUMBER.fullmatch(word) or word in _ENGLISH_NUMBERS or number_word_values(word))


def asked_kinds(question: str) -> dict[str, str]:
    """The kind a how-many question counts, by sort: {"who": "soldiers"} for "كم عدد الجنود …؟"."""
    words = _words(question)
    for i, word in enumerate(words):
        is_cue = word in _COUNT_CUES or (word == "many" and i and words[i - 1] == "how")
        if not is_cue:
            continue
        for later in words[i + 1 : i + 1 + _QUESTION_REACH]:
            if later in _QUESTION_STOPS:
                break
            kind = _kind(later)
            if kind:
                return {kind[0]: kind[1]}
    return {}


def counted_kinds(text: str) -> tuple[dict[str, set[str]], int]:
    """The kinds the numbers of a text count, by sort (the first kind word within _NOUN_REACH words
    after a number, past a multiplier: "36 ألف جندي", "12 Turkish soldiers"; a dual), and how many of
    its numbers count something no kind word says (they may count anyone). Years, shares, dates and
    sums are no counts of people."""
    words = _words(text)
    found: dict[str, set[str]] = {}
    unknown = 0
    for i, word in enumerate(words):
        if word in _DUALS:
            sort, kind = _DUALS[word]
            found.setdefault(sort, set()).add(kind)
            continue
        if not _is_number(word) or word.endswith("%") or re.fullmatch(r"(?:19|20)\d\d", word):
            continue
        j = i + 1
        while j < len(words) and words[j] in _MULTIPLIERS:
            j += 1
        if j < len(words) and (words[j] in _NOT_COUNTS or words[j : j + 2] in _PER_CENT):
            continue
        kind = next((k for w in words[j : j + _NOUN_REACH] if not _is_number(w) for k in [_kind(w)] if k), None)
        if kind:
            found.setdefault(kind[0], set()).add(kind[1])
        else:
            unknown += 1
    return found, unknown


def counts_another_kind(question: str, cited: str) -> str | None:
    """Why the cited text's numbers count other people than the question asks about, or None: only
    when every count of people in it says what it counts, and none counts the asked kind."""
    asked = asked_kinds(question)
    if not asked:
        return None
    counted, unknown = counted_kinds(cited)
    if unknown:
        return None
    for sort, kind in asked.items():
        others = counted.get(sort, set())
        if others and kind not in others:
            return f"the question counts {kind}; the cited sentence's numbers count {', '.join(sorted(others))}"
    return None
