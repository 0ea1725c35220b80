"""Usual English names for places, bodies and groups named in Arabic news.

A small model translating "البنتاغون" or "داعش" guesses; a translator gets a
glossary. The names come from a hand-curated table (data/names.tsv) and are
found in Arabic text after normalization, with attached clitics (و ف ب ل ك)
stripped, longest match first ("وزارة الدفاع الأميركية" before "الأميركية").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text.arabic import _TOKEN_RE, normalize

NAMES_FILE = Path(__file__).resolve().parent / "data" / "names.tsv"
_CLITICS = "وفبكل"


@dataclass(frozen=True)
class NameMatch:
    arabic: str  # the table's spelling that matched
    english: str


class Gazetteer:
    def __init__(self, entries: dict[tuple[str, ...], NameMatch]):
        self._entries = entries
        self._longest = max((len(k) for k in entries), default=0)

    @classmethod
    def from_file(cls, path: Path = NAMES_FILE) -> Gazetteer:
        entries: dict[tuple[str, ...], NameMatch] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            english, spellings = line.split("\t")
            for arabic in spellings.split("|"):
                key = tuple(_TOKEN_RE.findall(normalize(arabic)))
                if key in entries:
                    raise ValueError(f"{path.name}: {arabic!r} is listed twice (as {entries[key].english!r} too)")
                entries[key] = NameMatch(arabic, english)
        return cls(entries)

    def find(self, text: str) -> list[NameMatch]:
        """Names in the text, each once, in order of first appearance."""
        tokens = _TOKEN_RE.findall(normalize(text))
        found: dict[str, NameMatch] = {}
        i = 0
        while i < len(tokens):
            for length in range(min(self._longest, len(tokens) - i), 0, -1):
                match = self._match(tokens[i:i + length])
                if match:
                    found.setdefault(match.english, match)
                    i += length
                    break
            else:
                i += 1
        return list(found.values())

    def _match(self, tokens: list[str]) -> NameMatch | None:
        for first in _without_clitics(tokens[0]):
            match = self._entries.get((first, *tokens[1:]))
            if match:
                return match
        return None

    def glossary(self, text: str) -> str:
        """"روسيا = Russia; البنتاغون = the Pentagon" for the names in the text ("" if none)."""
        return "; ".join(f"{m.arabic} = {m.english}" for m in self.find(text))


def _without_clitics(token: str) -> list[str]:
    forms = [token]
    if token.startswith("لل"):
        forms.append("ال" + token[2:])
    for n in (1, 2):
        if len(token) > n + 2 and all(ch in _CLITICS for ch in token[:n]):
            forms.append(token[n:])
    return forms


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.from_file()
