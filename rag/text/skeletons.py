"""Consonant skeletons: how a Latin name and an Arabic word sound, compared without vowels.

Arabic writes no short vowels, so a Latin name and an Arabic word are each reduced to
classes of consonants and compared: Pentagon → B N T G N, البنتاغون → B N T G N. Used
to check that a name is in an Arabic source (rag.verify.names) and to find how the
articles spell a name of an English question (rag.retrieve.translate).
"""

from __future__ import annotations

import functools
import re
from difflib import SequenceMatcher

from rag.text.arabic import normalize

# Arabic letters to consonant classes; long vowels, hamza carriers and ta marbuta are dropped.
_ARABIC_CLASS = {
    "ب": "B",
    "پ": "B",
    "ت": "T",
    "ط": "T",
    "ث": "S",
    "س": "S",
    "ص": "S",
    "ج": "G",
    "غ": "G",
    "ح": "H",
    "ه": "H",
    "خ": "K",
    "ك": "K",
    "ق": "K",
    "د": "D",
    "ض": "D",
    "ذ": "S",
    "ز": "S",
    "ظ": "S",
    "ر": "R",
    "ش": "X",
    "ف": "F",
    "ڤ": "F",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "ع": "",
    "ا": "",
    "و": "",
    "ي": "",
    "ى": "",
    "ء": "",
    "ة": "",
    "ئ": "",
    "ؤ": "",
    "أ": "",
    "إ": "",
    "آ": "",
}
_LATIN_DIGRAPHS = (
    ("sch", "X"),
    ("sh", "X"),
    ("ch", "X"),
    ("th", "S"),
    ("kh", "K"),
    ("gh", "G"),
    ("ph", "F"),
    ("ck", "K"),
    ("qu", "K"),
    ("ou", ""),
    ("ee", ""),
    ("oo", ""),
)
_LATIN_CLASS = {
    "b": "B",
    "p": "B",
    "t": "T",
    "d": "D",
    "s": "S",
    "c": "K",
    "k": "K",
    "q": "K",
    "g": "G",
    "j": "G",
    "h": "H",
    "r": "R",
    "z": "S",
    "x": "KS",
    "f": "F",
    "v": "F",
    "l": "L",
    "m": "M",
    "n": "N",
    "w": "",
    "y": "",
    "a": "",
    "e": "",
    "i": "",
    "o": "",
    "u": "",
}
# Letters besides the consonants: the semivowels, for names whose consonant skeleton is a single
# letter (Elway: L W Y), and the vowels Arabic writes long, to rank spellings (Luther: لوثر over لوثار).
_EXTRA_LATIN = {
    "consonants": {},
    "semivowels": {"w": "W", "y": "Y"},
    "vowels": {"a": "A", "e": "Y", "i": "Y", "y": "Y", "o": "W", "u": "W", "w": "W"},
}
_EXTRA_ARABIC = {
    "consonants": {},
    "semivowels": {"و": "W", "ي": "Y", "ى": "Y"},
    "vowels": {"و": "W", "ي": "Y", "ى": "A", "ا": "A", "أ": "A", "إ": "A", "آ": "A"},
}
_ARABIC_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل")
_DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an", "ese", "is", "i", "'s")


def latin_skeleton(word: str, letters: str = "consonants") -> str:
    word = word.lower().replace("’", "'").strip("'")
    for digraph, cls in _LATIN_DIGRAPHS:
        word = word.replace(digraph, f"<{cls}>")
    classes = {**_LATIN_CLASS, **_EXTRA_LATIN[letters]}
    out = re.sub(
        r"<([A-Z]*)>|([a-z])", lambda m: m.group(1) if m.group(1) is not None else classes.get(m.group(2), ""), word
    )
    return re.sub(r"(.)\1+", r"\1", out)


def arabic_skeletons(word: str, letters: str = "consonants") -> set[str]:
    """Skeletons of the word with and without its article / conjunction prefixes."""
    word = normalize(word)
    forms = {word} | {word[len(p) :] for p in _ARABIC_PREFIXES if word.startswith(p) and len(word) - len(p) >= 2}
    # A final ه may be a ta marbuta (normalized to ه): النصرة is Nusra, not Nusrah.
    forms |= {form[:-1] for form in forms if form.endswith("ه") and len(form) > 2}
    classes = {**_ARABIC_CLASS, **_EXTRA_ARABIC[letters]}
    return {re.sub(r"(.)\1+", r"\1", "".join(classes.get(ch, "") for ch in form)) for form in forms}


def latin_forms(name: str) -> set[str]:
    lower = name.lower()
    # English spellings Arabic does not hear: a silent gh (Kavanaugh / كافانو), th as t (Thomas / توماس).
    spellings = {lower, lower.replace("gh", ""), lower.replace("th", "t")}
    # A soft c (Pacific / باسيفيك, Lance / لانس), a silent h after w (Wheeling / ويلينغ), a Spanish g
    # before e or i and a first j (Sergio / سيرخيو, Jose / خوسيه): each spelling is one more form,
    # beside the usual one (Jordan stays G R D N as well).
    spellings |= {
        re.sub(r"c(?=[eiy])", "s", lower),
        lower.replace("wh", "w"),
        re.sub(r"g(?=[ei])|^j", "kh", lower),
    }
    spellings |= {
        word[: -len(suffix)]
        for word in set(spellings)
        for suffix in _DEMONYM_SUFFIXES
        if word.endswith(suffix) and len(word) - len(suffix) >= 3
    }
    return {f for f in map(latin_skeleton, spellings) if f}


def loose_skeleton(skeleton: str) -> str:
    """Arabic writes an English hard g as ك or ق as often as ج or غ (Genghis / جنكيز)."""
    return skeleton.replace("G", "K")


def spelling_similarity(name: str, arabic_word: str) -> float:
    """How alike a Latin name and an Arabic word sound, long vowels included (0..1)."""
    latin = _latin_with_vowels(name)
    return max((SequenceMatcher(None, latin, form).ratio() for form in _arabic_with_vowels(arabic_word)), default=0.0)


# A name of an English query is compared with every corpus word of its skeleton (about a hundred
# at 1000 articles), the same words query after query: their skeletons are worked out once.
@functools.lru_cache(maxsize=4096)
def _latin_with_vowels(name: str) -> str:
    return latin_skeleton(name, "vowels")


@functools.lru_cache(maxsize=65536)
def _arabic_with_vowels(word: str) -> tuple[str, ...]:
    return tuple(sorted(arabic_skeletons(word, "vowels")))
