"""What kind of answer a question asks for, and whether a text holds one.

"كم عدد القتلى؟" / "how many" asks for a number, "متى" / "when" / "في أي عام" for a time. A
sentence holding no number cannot answer the first; one holding no number and no time word cannot
answer the second. "من هو" / "who" asks for someone (`asks_who`). Used to refuse an answer of the wrong kind (rag.verify.relations) and to rank
the sentences that could answer first (rag.retrieve.evidence).
"""

from __future__ import annotations

import re

from rag.text.arabic import clitic_forms, normalize
from rag.text.numbers import number_word_values

NUMBER = "number"
TIME = "time"
AGE = "age"  # a number of years: "ما سنّ …" / "how old"

_ASKS_NUMBER = re.compile(
    r"(?:^|\s)(?:و|ف|ب)?كم(?:\s|$)|\bhow (?:many|much)\b|\bwhat (?:number|percentage|share)\b"
    # "ما عدد" (how many), "ما نسبة" (what share): a number is the answer.
    r"|(?:^|\s)(?:و|ف)?ما\s+(?:هو\s+|هي\s+)?(?:عدد|نسبة|نسبه)(?:\s|$)",
    re.I,
)
# How old: an age is asked, and so a number (asked_types).
_ASKS_AGE = re.compile(
    r"(?:^|\s)(?:و|ف)?(?:ما|كم)\s+(?:هو\s+|هي\s+)?(?:سن|عمر)\u0651?(?:\s|$)|\bhow old\b|\bwhat age\b", re.I
)
# An age is a number of years: "52 عاماً", "الـ52 عاما", "(52 سنة)", "52 years old", "52-year-old",
# "aged 52", "at the age of 52".
_AGE_WORDS = re.compile(
    r"\d+\s*(?:\S+\s+)?(?:عام|عاما|عاماً|سنة|سنوات|years?)\b|\d+-years?-old\b|\bage[ds]?\s+(?:of\s+)?\d+"
    r"|العمر|عمره|عمرها",
    re.I,
)
# Fractions answer "what share" / "ما نسبة" as numbers do ("نصف الناخبين", "half of the vote").
_FRACTIONS = re.compile(
    r"\b(?:half|third|quarter|fifth)s?\b|(?:^|\s)(?:و|ب|ل)?(?:ال)?(?:نصف|ثلث|ربع|خمس|ثلثي)(?:\s|$)", re.I
)
_ASKS_TIME = re.compile(
    r"(?:^|\s)(?:و|ف)?متى(?:\s|$)|\bwhen\b|\bwhat (?:year|day|date|month|time)\b|"
    r"(?:في )?(?:أي|اي) (?:عام|سنة|يوم|شهر|تاريخ)",
    re.I,
)
_TIME_WORDS = frozenset(
    normalize(w)
    for w in """أمس امس اليوم غدا الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد
    يوم صباح مساء ليلة الشهر الأسبوع العام عام سنة يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر
    نوفمبر ديسمبر كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين القرن منتصف أواخر أوائل عقد
    yesterday today tomorrow monday tuesday wednesday thursday friday saturday sunday morning evening night week month
    year january february march april may june july august september october november december century decade""".split()
)


# At the start, or after a fronted phrase and its comma ("قبل مانينغ، من هو ..." / "Before Manning, who ...").
_ASKS_WHO = re.compile(
    r"(?:^|[،,]\s*)(?:and\s+)?(?:who|whom|whose)\b|^\s*(?:و)?(?:من|مَن)\s"
    r"|[،,]\s*(?:و)?(?:من|مَن)\s+(?:هو|هي|هم|كان|كانت|كانوا|الذي|التي|الذين)(?:\s|$)",
    re.I,
)
# "ما اسم المسؤول …؟", "What is the name of the official …?": a name is asked (and so, someone).
# Matched on normalized text (إسم is اسم), at the start or after a fronted phrase and its comma.
_ASKS_NAME = re.compile(
    r"(?:^|[،,]\s*)(?:و)?ما\s*(?:هو\s*|هي\s*)?(?:اسم|اسماء)(?:\s|$)"
    r"|(?:^|,\s*)what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+the\s+(?:full\s+)?names?\s+of\b"
    r"|(?:^|,\s*)what(?:'s|\s+is|\s+was)\s+(?:the\s+)?[\w-]+(?:'s|s')\s+(?:full\s+)?name\b|^\s*name\s+the\b",
    re.I,
)


def asks_who(question: str) -> bool:
    """A question opening with who / من, or asking it after a fronted phrase, or asking someone's name
    (ما اسم / what is the name of): it asks for someone."""
    return bool(_ASKS_WHO.search(_bare(question))) or asks_name(question)


def asks_name(question: str) -> bool:
    """A question asking for a name: "ما اسم …؟", "What is the name of …?"."""
    return bool(_ASKS_NAME.search(normalize(_bare(question)).replace("\u2019", "'")))


def _bare(question: str) -> str:
    return question.strip().lstrip("\u200f\u200e")


def asked_types(question: str) -> frozenset[str]:
    """NUMBER for how many / كم, TIME for when / متى: both when it asks both, none for other questions;
    with NUMBER, AGE for how old / ما سنّ."""
    age = bool(_ASKS_AGE.search(question))
    kinds = {NUMBER} if age or _ASKS_NUMBER.search(question) else set()
    kinds |= {TIME} if _ASKS_TIME.search(question) else set()
    return frozenset(kinds | ({AGE} if age else set()))


def holds_type(text: str, kind: str) -> bool:
    """Whether the text holds an answer of that kind: a number (digits or number words) for NUMBER;
    digits or a time word for TIME (a number word alone, الثاني or خمسة, is no time)."""
    if kind == NUMBER:
        return bool(re.search(r"\d", text)) or bool(number_word_values(text)) or bool(_FRACTIONS.search(text))
    if kind == AGE:
        return bool(_AGE_WORDS.search(text))
    if re.search(r"\d", text):
        return True
    words = re.findall(r"[\w\u0600-\u06ff]+", text.lower())
    return any(form in _TIME_WORDS for w in words for form in clitic_forms(normalize(w), min_rest=2))


def holds_asked(text: str, kinds: frozenset[str]) -> bool:
    """Whether the text holds an answer of every kind asked (any text does when none is)."""
    return all(holds_type(text, kind) for kind in kinds)
