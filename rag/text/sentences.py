"""Sentence splitting that returns exact spans of the original text.

Splits after . ! ? ؟ ؛ … (and runs of them, with closing quotes or brackets) when
whitespace follows, and at every line break. A period does not end a sentence
after a known abbreviation or a single-letter initial; decimals such as 3.5
never split because no whitespace follows their point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TERMINATORS = ".!?؟؛…"
_CLOSERS = "\"'»”’)]}›"
_BOUNDARY = re.compile(rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s)|\n+")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev
    inc ltd co corp vs etc e.g i.e u.s u.k u.n a.m p.m no jan feb mar apr jun jul aug sep sept oct nov dec
    د م ص ج ق ه أ""".split()
)
# No abbreviation or initial is longer than this; looking further back would make
# splitting quadratic on text with many dots and few spaces.
_MAX_ABBREVIATION_CHARS = 32


@dataclass(frozen=True)
class SentenceSpan:
    start: int
    end: int


def _is_abbreviation(text: str, dot_index: int) -> bool:
    start = dot_index
    while start > 0 and not text[start - 1].isspace() and dot_index - start <= _MAX_ABBREVIATION_CHARS:
        start -= 1
    if start == dot_index or dot_index - start > _MAX_ABBREVIATION_CHARS:
        return False  # no word before the dot, or one too long to be an abbreviation
    word = text[start:dot_index].lower().lstrip("(\"'«“")
    if word in _ABBREVIATIONS:
        return True
    # A single Latin capital initial ("J. Smith"), or dotted acronyms ("U.S.").
    return (len(word) == 1 and word.isalpha() and word.isascii()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[SentenceSpan]:
    """Sentence spans within text[start:end], trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans: list[SentenceSpan] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        if match.group(0)[0] == "." and len(match.group(0)) == 1 and _is_abbreviation(text, match.start()):
            continue
        boundary = match.end() if match.group(0)[0] != "\n" else match.start()
        _append_trimmed(text, cursor, boundary, spans)
        cursor = match.end()
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[SentenceSpan]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append(SentenceSpan(start, end))
    elif end > start and spans:
        # Stray punctuation: attach it to the previous sentence rather than lose it.
        last = spans.pop()
        spans.append(SentenceSpan(last.start, end))
