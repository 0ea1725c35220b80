"""A number the source qualifies, stated as exact.

"أكثر من 120 ألفا فروا من ديارهم" is "more than 120,000 fled", not "120,000 people fled": the
figure is kept and the claim is wrong. A translator drops such a qualifier easily, and a number
check that compares values passes it. So for each number of a claim that the source gives only
with a qualifier before it (أكثر من، نحو، حوالي، قرابة، ما لا يقل عن …) or after it (على الأقل،
تقريبا), the claim must carry one too, in either language ("more than", "about", "at least", …;
which one is left to the meaning checks: "nearly" for نحو is a reading, not a misreading).
"""

from __future__ import annotations

import re

from rag.text.arabic import clitic_forms, normalize
from rag.text.numbers import MULTIPLIERS

# Normalized, without an attached و / ف / ب / ل on the first word (compared through clitic_forms).
_ARABIC_BEFORE = tuple(
    tuple(normalize(w) for w in phrase.split())
    for phrase in """أكثر من|أزيد من|أقل من|نحو|حوالي|قرابة|زهاء|ما يقارب|يقارب|ما يزيد عن|ما يزيد على|يزيد عن
    |يزيد على|ما لا يقل عن|لا يقل عن|ما يربو على|يربو على|ما يصل إلى|على الأقل""".replace("\n", "").split("|")
)
_ARABIC_AFTER = tuple(tuple(normalize(w) for w in p.split()) for p in ("على الأقل", "تقريبا", "فأكثر", "أو أكثر"))
_ENGLISH_BEFORE = tuple(
    tuple(p.split())
    for p in """more than|over|above|at least|nearly|almost|about|around|approximately|roughly|some|close to|up to
    |less than|fewer than|under|as many as|upwards of|in excess of|an estimated|estimated|at most|no fewer than
    |no less than|just over|just under|well over""".replace("\n", "").split("|")
)
_ENGLISH_AFTER = tuple(tuple(p.split()) for p in ("or more", "at least", "plus", "or so", "and more"))
_ENGLISH_MULTIPLIERS = {"thousand": 1000, "million": 10**6, "billion": 10**9}
# A number: digits with thousands commas, or one decimal part (29.07.2018 is three numbers, not one).
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_WORD = re.compile(_DIGITS.pattern + r"|[^\W\d_]+|[^\w\s]")
REACH = 4  # words before a number (or after it, up to the next number or mark) where its qualifier stands


def qualifier_dropped(claim: str, source: str, asked: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The first number of `claim` that `source` gives only with a qualifier while the claim gives
    it bare, said as a reason; None when there is none. Numbers the question asked with (`asked`)
    are the asker's."""
    qualified: dict[str, list[bool]] = {}
    for value, _, is_qualified in _numbers(source):
        qualified.setdefault(value, []).append(is_qualified)
    asked_values = {_value(n) for n in asked}
    for value, written, is_qualified in _numbers(claim):
        if value in asked_values or not qualified.get(value) or not all(qualified[value]) or is_qualified:
            continue
        return f"the source gives {written} with a qualifier (more than, about, at least …); the sentence states it as exact"
    return None


def _numbers(text: str) -> list[tuple[str, str, bool]]:
    """Each number written in digits: its value (times the ألف / thousand after it), as written,
    and whether a qualifier stands with it."""
    words = [normalize(w) for w in _WORD.findall(text)]
    found = []
    for i, word in enumerate(words):
        if not _DIGITS.fullmatch(word):
            continue
        number = float(word.replace(",", ""))
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        multiplier = MULTIPLIERS.get(following) or MULTIPLIERS.get(following.removeprefix("و"))
        multiplier = multiplier or _ENGLISH_MULTIPLIERS.get(following, 1)
        found.append((_value(str(number * multiplier)), word, _qualified_at(words, i)))
    return found


def _qualified_at(words: list[str], i: int) -> bool:
    """Whether a qualifier stands with the number at `words[i]`: before it, or after it (its counted
    noun between) up to the next number or punctuation mark ("5 killed and at least 20 wounded":
    "at least" is 20's)."""
    before = [w.lower() for w in words[max(0, i - REACH) : i] if w.isalpha()]
    after: list[str] = []
    for word in words[i + 1 : i + 1 + REACH]:
        if not word.isalpha():
            break
        after.append(word.lower())
    for phrase in _ARABIC_BEFORE + _ENGLISH_BEFORE:
        if len(before) >= len(phrase) and _says(before[-len(phrase) :], phrase):
            return True
    following = words[i + 1 + len(after)] if i + 1 + len(after) < len(words) else ""
    return any(
        _says(after[k : k + len(phrase)], phrase)
        # "… and at least 20": a phrase right before the next number is that number's.
        and not (k + len(phrase) == len(after) and _DIGITS.fullmatch(following))
        for phrase in _ARABIC_AFTER + _ENGLISH_AFTER
        for k in range(len(after) - len(phrase) + 1)
    )


def _says(words: list[str], phrase: tuple[str, ...]) -> bool:
    """The words are the phrase, whole words, its first one perhaps with a clitic (وأكثر من, ونحو)."""
    return (
        len(words) == len(phrase)
        and list(phrase[1:]) == words[1:]
        and phrase[0] in ({words[0]} | set(clitic_forms(words[0])))
    )


def _value(digits: str) -> str:
    """A number's value as a plain string: 120,000 and 120000 and 120000.0 alike."""
    number = float(digits.replace(",", ""))
    return str(int(number)) if number.is_integer() else str(number)
