"""Invisible controls out, junk in: the last checks before a draft becomes an article.

Bidi overrides and isolates can make a title read backwards on screen, and
zero-width characters make two equal strings differ; neither carries meaning in
Arabic or English news. They are removed from the title, the outlet name and the
text before storing, so every offset points into the cleaned, final text.

A text is kept only when it holds real words of the scripts we read (Arabic or
Latin letters): decoded random bytes come out as "!", "K", "ع" or CJK noise.
"""

from __future__ import annotations

import unicodedata
from itertools import islice

from rag.text.lang import _is_arabic_letter

# Bidi embedding/override (U+202A–U+202E), isolates (U+2066–U+2069), marks
# (U+200E, U+200F, U+061C); zero-width space/joiners (U+200B–U+200D), word joiner
# (U+2060), and the byte-order mark used as a zero-width no-break space (U+FEFF).
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_TABLE = str.maketrans("", "", INVISIBLE)
MIN_WORDS = 2
MAX_CONTROL_SHARE = 0.01  # C0/C1 control characters (tabs and newlines aside): binary, not text
MIN_LETTER_SHARE = 0.5  # of the visible characters


def strip_invisible(text: str) -> str:
    return text.translate(_INVISIBLE_TABLE)


def clean_name(name: str | None) -> str | None:
    """A title or outlet name without invisible controls, with its spaces collapsed."""
    if name is None:
        return None
    cleaned = " ".join(strip_invisible(name).split())
    return cleaned or None


def junk_reason(text: str) -> str | None:
    """Why `text` is not an article (None when it is one)."""
    visible = [ch for ch in text if not ch.isspace()]
    letters = sum(1 for ch in visible if ch.isalpha())
    if letters == 0:
        return "no text (no letters)"
    controls = sum(1 for ch in visible if unicodedata.category(ch) == "Cc")
    if controls > MAX_CONTROL_SHARE * len(visible):
        return f"not text ({controls} control characters)"
    if letters < MIN_LETTER_SHARE * len(visible):
        return "not text (mostly symbols, few letters)"
    # Counted until there are enough: an article has thousands (all of them: 1 s per 600 articles).
    words = sum(1 for _ in islice((t for t in text.split() if _is_word(t.strip(_EDGE_PUNCTUATION))), MIN_WORDS))
    if words < MIN_WORDS:
        return f"too little text ({words} word{'' if words == 1 else 's'} in Arabic or Latin letters)"
    return None


_EDGE_PUNCTUATION = "\"'«»“”‘’()[]{}<>.,;:!?؟،؛…-–—*#/\\|"


def _is_word(token: str) -> bool:
    """Two or more letters (with their marks) of one script we read: Arabic or Latin."""
    letters = [ch for ch in token if unicodedata.category(ch)[0] != "M"]
    if len(letters) < 2 or not all(ch.isalpha() for ch in letters):
        return False
    return all(_is_arabic_letter(ch) for ch in letters) or all(_is_latin_letter(ch) for ch in letters)


def _is_latin_letter(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN ")
