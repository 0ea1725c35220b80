"""Per-text language detection by script: enough for Arabic vs English news."""

from __future__ import annotations


def _is_arabic_letter(ch: str) -> bool:
    cp = ord(ch)
    return 0x0620 <= cp <= 0x064A or 0x066E <= cp <= 0x06D3 or 0x06FA <= cp <= 0x06FF or 0xFB50 <= cp <= 0xFEFC


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, Latin letters) in text."""
    arabic = latin = 0
    for ch in text:
        if _is_arabic_letter(ch):
            arabic += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return arabic, latin


def detect_language(text: str, dominance: float = 0.8) -> str:
    """'ar', 'en' or 'mixed' ('und' when the text has no letters)."""
    arabic, latin = script_counts(text)
    total = arabic + latin
    if total == 0:
        return "und"
    if arabic / total >= dominance:
        return "ar"
    if latin / total >= dominance:
        return "en"
    return "mixed"


def is_arabic(text: str) -> bool:
    return detect_language(text) == "ar"
