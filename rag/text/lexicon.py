"""Which English words an Arabic text can be read as, by a bilingual lexicon.

The encoder's word vectors put an English word near Arabic words of the same topic, not only
of the same meaning ("womb" near بالوعة, "lecture" near جلسة), so a mistranslation whose words
stay on topic passes a cosine test. The lexicon (rag/text/data/lexicon_ar_en.tsv, from Arabic
WordNet and Wiktionary's Arabic joined to Princeton WordNet, CC BY-SA 3.0, see LEXICON-LICENSE.txt
beside it; built by scripts/build_lexicon.py) says which English words an Arabic word translates
to. An Arabic word is keyed by its light stem, clitics stripped, the way a source word is, so its
other forms (الشركات, شركة) find it; an English word is taken back to its lemmas by WordNet's rules
and irregular forms (reported: report; went: go).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text.arabic import clitic_forms, light_stem, normalize

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon_ar_en.tsv"
_VERB_ENDINGS = ("ing", "ed")
# An English word's Arabic stems used as search terms and for evidence overlap, at most (rag.retrieve).
FEW_STEMS = 10
# A word with more Arabic stems than this ("take" has 71, "set" 53) is found in almost any source:
# the checks leave it to the encoder.
MANY_SENSES = 20
# WordNet's detachment rules (morphy): an inflected ending and what the lemma ends in instead.
_DETACHMENTS = (
    ("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
    ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""),
    ("er", ""), ("est", ""), ("er", "e"), ("est", "e"), ("ly", ""), ("ily", "y"),
)  # fmt: skip


def english_key(word: str) -> str:
    """light_stem (which takes a Latin plural's s) and a verb's -ing or -ed: showed / show."""
    word = light_stem(word.lower())
    for ending in _VERB_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def english_lemmas(word: str, irregular: dict[str, frozenset[str]]) -> set[str]:
    """The word and every lemma WordNet's rules could take it back to (stabbed: stab, stabbe,
    stabb; went: go); a lexicon look-up keeps the ones it knows."""
    word = word.lower().strip("'’")
    word = word[:-2] if word.endswith(("'s", "’s")) else word
    lemmas = {word} | set(irregular.get(word, ()))
    for ending, replacement in _DETACHMENTS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            base = word[: -len(ending)] + replacement
            lemmas.add(base)
            if not replacement and len(base) >= 3 and base[-1] == base[-2]:
                lemmas.add(base[:-1])  # a doubled consonant: stabbed, stabb, stab
    return lemmas


@dataclass(frozen=True, eq=False)
class Lexicon:
    by_stem: dict[str, frozenset[str]]  # Arabic light stem -> English lemmas
    irregular: dict[str, frozenset[str]]  # irregular English form -> its lemmas

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> Lexicon:
        tables: dict[str, dict[str, frozenset[str]]] = {"stem": {}, "form": {}}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            kind, key, english = line.split("\t")
            tables[kind][key] = frozenset(english.split("|"))
        return cls(tables["stem"], tables["form"])

    def readings(self, arabic_word: str) -> frozenset[str]:
        """The English lemmas an Arabic word (any form, clitics attached) can be read as."""
        return _readings(self, normalize(arabic_word))

    def english_found(self, english_words: list[str], arabic_words: list[str]) -> set[str]:
        """The English words (as given) that some Arabic word of the text translates to; not a word
        of more than MANY_SENSES Arabic stems, which would be found anywhere."""
        readable = frozenset().union(*(self.readings(w) for w in arabic_words)) if arabic_words else frozenset()
        return {
            w
            for w in english_words
            if english_lemmas(w, self.irregular) & readable and len(self.arabic_stems(w)) <= MANY_SENSES
        }

    def arabic_stems(self, english_word: str, at_most: int | None = None) -> frozenset[str]:
        """The Arabic light stems the lexicon gives for an English word (any inflection); none when
        there are more than `at_most` (a word of many senses, "company" with 26, would match
        anything)."""
        inverse = _inverse(self)
        lemmas = english_lemmas(english_word, self.irregular)
        stems = frozenset().union(*(inverse.get(lemma, frozenset()) for lemma in lemmas))
        return frozenset() if at_most is not None and len(stems) > at_most else stems


@lru_cache(maxsize=4)
def _inverse(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    inverse: dict[str, set[str]] = {}
    for stem, english in lexicon.by_stem.items():
        for lemma in english:
            inverse.setdefault(lemma, set()).add(stem)
    return {lemma: frozenset(stems) for lemma, stems in inverse.items()}


@lru_cache(maxsize=65536)
def _readings(lexicon: Lexicon, word: str) -> frozenset[str]:
    found: set[str] = set()
    for form in clitic_forms(word, min_rest=2):
        found |= lexicon.by_stem.get(light_stem(form), frozenset())
    return frozenset(found)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon.load()
