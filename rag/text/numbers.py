"""Numbers an Arabic text writes in words: خمس مراحل (5), 300 ألف (300000), السبعينيات (1970).

A translation says "5 phases" or "the 1970s" where the Arabic source spells the
number out, so the number check of an English sentence over Arabic text needs
the values of those words. Cardinals and ordinals to 99 (الثالث والستين: 63,
التاسع عشر: 19), a hundred and two hundred, decades, and digits or number words
multiplied by ألف / مليون / مليار are read; anything else is left alone.
"""

from __future__ import annotations

import re

from rag.text.arabic import clitic_forms, normalize, word_tokens

# Roman numerals as English writes them after a name (Super Bowl XXXIII, World War II, Louis XIV):
# I, V and X only, so that DC, MD or CD (places, degrees) are never read as numbers.
_ROMAN = re.compile(r"\b(?=[IVX]{2,}\b)X{0,3}(?:IX|IV|V?I{0,3})\b")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}

_UNITS = {
    1: "واحد واحدة أحد إحدى حادي الحادي الأول الأولى أول",
    2: "اثنان اثنين اثنتان اثنتين اثنا اثنتا الثاني الثانية ثاني",
    3: "ثلاث ثلاثة الثالث الثالثة ثالث",
    4: "أربع أربعة الرابع الرابعة رابع",
    5: "خمس خمسة الخامس الخامسة خامس",
    6: "ست ستة السادس السادسة سادس",
    7: "سبع سبعة السابع السابعة سابع",
    8: "ثمان ثماني ثمانية الثامن الثامنة ثامن",
    9: "تسع تسعة التاسع التاسعة تاسع",
    10: "عشر عشرة العاشر العاشرة عاشر",
}
_TENS = {
    20: "عشرون عشرين",
    30: "ثلاثون ثلاثين",
    40: "أربعون أربعين",
    50: "خمسون خمسين",
    60: "ستون ستين",
    70: "سبعون سبعين",
    80: "ثمانون ثمانين",
    90: "تسعون تسعين",
    100: "مئة مائة",
    200: "مئتان مئتين مائتين",
}
_MULTIPLIERS = {1000: "ألف آلاف ألفا الاف", 10**6: "مليون ملايين", 10**9: "مليار مليارات"}
_DECADE_SUFFIX = "ينيات"


def _table(groups: dict[int, str]) -> dict[str, int]:
    return {normalize(word): value for value, words in groups.items() for word in words.split()}


UNITS, TENS, MULTIPLIERS = _table(_UNITS), _table(_TENS), _table(_MULTIPLIERS)
TEN = 10


def number_word_values(text: str) -> set[str]:
    """The values, as digit strings, of the numbers the text writes in words."""
    tokens = word_tokens(text)
    values: set[str] = set()
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        unit, tens = _lookup(token, UNITS), _lookup(token, TENS)
        decade = _decade(token)
        if decade:
            values.add(str(decade))
        if token.isdigit() and _lookup(nxt, MULTIPLIERS):
            values.add(str(int(token) * _lookup(nxt, MULTIPLIERS)))
        if unit:
            values.add(str(unit))
            if unit < TEN and _lookup(nxt, UNITS) == TEN:  # التاسع عشر
                values.add(str(unit + TEN))
            if unit < TEN and nxt.startswith("و") and _lookup(nxt[1:], TENS):  # الثالث والستين
                values.add(str(unit + _lookup(nxt[1:], TENS)))
            if _lookup(nxt, MULTIPLIERS):  # خمسة آلاف
                values.add(str(unit * _lookup(nxt, MULTIPLIERS)))
        if tens:
            values.add(str(tens))
            if _lookup(nxt, MULTIPLIERS):
                values.add(str(tens * _lookup(nxt, MULTIPLIERS)))
    return values


def _lookup(token: str, table: dict[str, int]) -> int:
    for form in clitic_forms(token, min_rest=2):
        for candidate in (form, form[2:] if form.startswith("ال") else form):
            if candidate in table:
                return table[candidate]
    return 0


def _decade(token: str) -> int:
    """السبعينيات -> 1970 (the twentieth century, as news means it unless it says otherwise)."""
    for form in clitic_forms(token, min_rest=2):
        form = form[2:] if form.startswith("ال") else form
        if form.endswith(_DECADE_SUFFIX):
            tens = TENS.get(normalize(form[: -len(_DECADE_SUFFIX)] + "ين"))
            if tens and tens < 100:
                return 1900 + tens
    return 0


def roman_numeral_values(text: str) -> set[str]:
    """The values, as digit strings, of the Roman numerals of two letters or more in the text."""
    return {str(roman_value(m.group(0))) for m in _ROMAN.finditer(text) if m.group(0)}


def is_roman_numeral(word: str) -> bool:
    return bool(_ROMAN.fullmatch(word))


def roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[ch] for ch in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
