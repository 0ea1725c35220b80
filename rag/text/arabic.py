"""Arabic-aware normalization for matching and indexing.

Every transformation here is either a one-to-one character substitution or a
deletion, so a normalized string always comes with a map back to the code-point
offsets of the original text. Stored article text is never normalized; only the
copies used for matching are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks.
_DIACRITICS = (
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
_TATWEEL = "\u0640"
_INVISIBLE = ["\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u061c"]

_SUBSTITUTIONS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ؤ": "و",
    "ئ": "ي",
    "ة": "ه",
    "ک": "ك",
    "ڪ": "ك",
    "٪": "%",
    "،": ",",
    "؛": ";",
    "؟": "?",
}
# Arabic-Indic (U+0660..) and Persian (U+06F0..) digits to ASCII.
for _i in range(10):
    _SUBSTITUTIONS[chr(0x0660 + _i)] = str(_i)
    _SUBSTITUTIONS[chr(0x06F0 + _i)] = str(_i)

_TABLE: dict[int, str | None] = {ord(k): v for k, v in _SUBSTITUTIONS.items()}
for _ch in _DIACRITICS + [_TATWEEL] + _INVISIBLE:
    _TABLE[ord(_ch)] = None


def normalize(text: str) -> str:
    """Normalize for matching: unify letter variants, drop marks, lowercase Latin."""
    return text.translate(_TABLE).lower()


@dataclass(frozen=True)
class NormalizedText:
    """A normalized string plus, for each of its characters, the original offset."""

    text: str
    offsets: list[int]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text back to the original."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else self.original_length
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize_with_offsets(text: str) -> NormalizedText:
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        mapped = _TABLE.get(ord(ch), ch)
        if mapped is None:
            continue
        mapped = mapped.lower()
        # lower() of a few code points yields two characters; keep the map aligned.
        for piece in mapped:
            out.append(piece)
            offsets.append(i)
    return NormalizedText("".join(out), offsets, len(text))


_TOKEN_RE = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)

_PREFIXES = ("وبال", "وكال", "وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("هما", "كما", "ها", "ان", "ات", "ون", "ين", "يه", "يا", "هم", "كم", "نا", "ه", "ي")


def light_stem(token: str) -> str:
    """Light10-style Arabic stemmer on a normalized token; leaves Latin tokens as they are.

    Light stemming (affix stripping, no roots) is what works best for Arabic
    retrieval: it conflates الحكومة / حكومة / حكومتها without merging unrelated words.
    """
    if not token or not ("\u0600" <= token[0] <= "\u06ff"):
        return _stem_latin(token)
    if len(token) > 3 and token[0] == "و" and token[1:].startswith(_PREFIXES):
        token = token[1:]
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            token = token[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:
            token = token[: -len(suffix)]
            break
    return token


CLITICS = "وفبكل"  # conjunctions and prepositions written attached to the next word


def clitic_forms(token: str, min_rest: int = 3) -> list[str]:
    """A normalized token and its forms without one or two leading clitics
    (وبالجيش -> بالجيش, الجيش; للجيش -> الجيش), each leaving at least `min_rest` letters.

    Stripping is blind (ب is also a first letter, as in بنك); callers look the forms
    up in a vocabulary or a text, never take one of them as the word.
    """
    forms = [token]
    if token.startswith("لل") and len(token) - 1 >= min_rest:
        forms.append("ال" + token[2:])
    for n in (1, 2):
        if len(token) - n >= min_rest and all(ch in CLITICS for ch in token[:n]):
            forms.append(token[n:])
    return list(dict.fromkeys(forms))


def article_forms(token: str) -> list[str]:
    """A normalized token's `clitic_forms` and those forms without the article (المدبولي -> مدبولي,
    للجنود -> الجنود -> جنود), each of more than two letters."""
    forms = clitic_forms(token)
    return list(dict.fromkeys(forms + [f[2:] for f in forms if f.startswith("ال") and len(f) > 4]))


def _stem_latin(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def word_tokens(text: str) -> list[str]:
    """Normalized tokens, stop words kept."""
    return _TOKEN_RE.findall(normalize(text))


def index_tokens(text: str) -> list[str]:
    """Tokens for lexical indexing: normalized, lightly stemmed, stop words removed."""
    return [light_stem(t) for t in _TOKEN_RE.findall(normalize(text)) if t not in STOP_WORDS]


def content_tokens(text: str) -> list[str]:
    """Normalized tokens without stemming or stop words (for overlap checks)."""
    return [t for t in _TOKEN_RE.findall(normalize(text)) if t not in STOP_WORDS]


STOP_WORDS = frozenset(
    normalize(w)
    for w in """
    في من على الى إلى عن مع أن إن ان كان كانت هذا هذه ذلك تلك التي الذي الذين ما لا لم لن قد
    و او أو ثم بل حتى كل بعد قبل عند بين هو هي هم هن انه أنه إنه كما اي أي وقد وفي ومن وعلى
    وان وأن فقد لقد ايضا أيضا غير منذ خلال حيث عليه عليها فيه فيها به بها له لها اذا إذا
    the a an of to in on at for from by with and or is are was were be been it its this that
    these those as which who whom what when where why how not no but if then than so such
    do does did has have had will would can could should may might into about over after
    before between during also there their they them he she his her we our you your i
    """.split()
)

# Interrogatives, Arabic and English: what a question asks with, never what it is about.
INTERROGATIVES = frozenset(
    normalize(w)
    for w in """ماذا متى أين اين لماذا كيف كم هل أي أية اي ما من
    what which who whom whose when where why how many much""".split()
)


def vocabulary_words(text: str) -> set[str]:
    """The distinct words of a text worth a translation: no stop words, numbers or single letters."""
    return {
        w for w in word_tokens(text) if w not in STOP_WORDS and not w.isdigit() and len(w) > 1 and not w[0].isdigit()
    }


@lru_cache(maxsize=1)
def _root_stemmer():
    from nltk.stem.isri import ISRIStemmer

    return ISRIStemmer()


_VERB_ENDINGS = ("وا", "ت")  # a past verb's plural and feminine endings, which ISRI leaves on hollow verbs
_WEAK_LETTERS = str.maketrans("", "", "اويى")


@lru_cache(maxsize=65536)
def arabic_root(token: str) -> str | None:
    """The ISRI root of a normalized Arabic token without its weak letters (يشعر, شعر -> شعر;
    بالانسحاب, انسحبت -> سحب; فازت, فازوا, فاز -> فز), or None for a Latin token, a number or a root
    under three letters. Roots conflate more than light stems do (مكتب, كتب): a check may take a
    shared root as "the same word, another form", never as a match for retrieval."""
    if not token or not ("\u0600" <= token[0] <= "\u06ff"):
        return None
    for ending in _VERB_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            token = token[: -len(ending)]
            break
    root = _root_stemmer().stem(token)
    if len(root) < 3:
        return None
    skeleton = root.translate(_WEAK_LETTERS)
    return skeleton if len(skeleton) >= 2 else root


def word_key(token: str) -> str:
    """A normalized word whatever its form, for checks: its root, else its light stem (مزارعًا and
    مزارع, هاجمت and هاجم, تثق and ثقة)."""
    return arabic_root(token) or light_stem(token)
