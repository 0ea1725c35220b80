"""Usual English names for places, bodies and groups named in Arabic news.

A small model translating "البنتاغون" or "داعش" guesses; a translator gets a
glossary. The names come from a hand-curated table (data/names.tsv) and are
found in Arabic text after normalization, with attached clitics (و ف ب ل ك)
stripped, longest match first ("وزارة الدفاع الأميركية" before "الأميركية").
The other way, an English question's "Pentagon" gets its Arabic spellings
(`arabic_words`): a precise translation where word embeddings only guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text.arabic import STOP_WORDS, clitic_forms, word_tokens

NAMES_FILE = Path(__file__).resolve().parent / "data" / "names.tsv"


@dataclass(frozen=True)
class NameMatch:
    arabic: str  # the table's spelling that matched
    english: str
    other_english: tuple[str, ...] = ()  # other accepted English spellings (Kyiv beside Kiev)


class Gazetteer:
    def __init__(self, entries: dict[tuple[str, ...], NameMatch]):
        self._entries = entries
        self._longest = max((len(k) for k in entries), default=0)
        self._arabic_by_english: dict[tuple[str, ...], list[str]] = {}
        for key, match in entries.items():
            for english in _english_keys(match.english):
                self._arabic_by_english.setdefault(english, []).extend(
                    t for t in key if t not in STOP_WORDS and t not in self._arabic_by_english.get(english, [])
                )
        self._longest_english = max((len(k) for k in self._arabic_by_english), default=0)

    @classmethod
    def from_file(cls, path: Path = NAMES_FILE) -> Gazetteer:
        entries: dict[tuple[str, ...], NameMatch] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            english, spellings, *other = line.split("\t")
            others = tuple(other[0].split("|")) if other else ()
            for arabic in spellings.split("|"):
                key = tuple(word_tokens(arabic))
                if key in entries:
                    raise ValueError(f"{path.name}: {arabic!r} is listed twice (as {entries[key].english!r} too)")
                entries[key] = NameMatch(arabic, english, others)
        return cls(entries)

    def entries(self) -> list[NameMatch]:
        """Every spelling of the table, with its English name."""
        return list(self._entries.values())

    def find(self, text: str) -> list[NameMatch]:
        """Names in the text, each once, in order of first appearance."""
        tokens = word_tokens(text)
        found: dict[str, NameMatch] = {}
        i = 0
        while i < len(tokens):
            for length in range(min(self._longest, len(tokens) - i), 0, -1):
                match = self._match(tokens[i : i + length])
                if match:
                    found.setdefault(match.english, match)
                    i += length
                    break
            else:
                i += 1
        return list(found.values())

    def _match(self, tokens: list[str]) -> NameMatch | None:
        for first in clitic_forms(tokens[0]):
            match = self._entries.get((first, *tokens[1:]))
            if match:
                return match
        return None

    def arabic_words(self, words: list[str]) -> dict[str, list[str]]:
        """For English content words (normalized, in question order), the normalized Arabic
        words of the names they form: ["pentagon"] -> {"pentagon": ["البنتاغون", "البنتاجون"]};
        the words of a longer name ("united", "states") each get its Arabic words."""
        found: dict[str, list[str]] = {}
        i = 0
        while i < len(words):
            for length in range(min(self._longest_english, len(words) - i), 0, -1):
                arabic = self._arabic_by_english.get(tuple(words[i : i + length]))
                if arabic:
                    for word in words[i : i + length]:
                        found[word] = list(dict.fromkeys(found.get(word, []) + arabic))
                    i += length
                    break
            else:
                i += 1
        return found

    def glossary(self, text: str) -> str:
        """ "روسيا = Russia; البنتاغون = the Pentagon" for the names in the text ("" if none)."""
        return "; ".join(f"{m.arabic} = {m.english}" for m in self.find(text))


def _english_keys(english: str) -> list[tuple[str, ...]]:
    """ "Islamic State (ISIS)" -> [("islamic", "state", "isis"), ("islamic", "state"), ("isis",)], stop words out."""

    def key(text: str) -> tuple[str, ...]:
        return tuple(t for t in word_tokens(text) if t not in STOP_WORDS)

    main, _, aside = english.partition("(")
    keys = [key(english), key(main), key(aside)]
    return [k for k in dict.fromkeys(keys) if k]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.from_file()
