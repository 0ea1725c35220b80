"""Are the names in an English sentence present in its Arabic source?

A small model translating Arabic news invents or garbles names ("Obama" for a
sentence about Kerry). Names are checked by consonant skeletons (rag.text.skeletons):
the Latin name and each Arabic word are reduced to classes of consonants (Arabic writes
no short vowels, so vowels are dropped on both sides) and compared. Pentagon → B N T G N
matches البنتاغون → B N T G N; Obama → B M matches nothing in a sentence about
Kerry. Names that are translated rather than transliterated (Aleppo / حلب) pass
when the multilingual encoder puts them next to a word of the source.
"""

from __future__ import annotations

import os
import re
from difflib import SequenceMatcher
from functools import lru_cache

from rag.text.gazetteer import NameMatch, gazetteer
from rag.text.lexicon import lexicon
from rag.text.names import candidate_names, is_function_word, mentions, without_possessive
from rag.text.skeletons import arabic_skeletons, latin_forms, latin_skeleton, loose_skeleton

SKELETON_MATCH = 0.8
MEANING_MATCH = 0.6


def name_matches(name: str, arabic_words: list[str]) -> bool:
    """A name, or each part of a hyphenated one (Berners-Lee / بيرنرز لي), has a skeleton among the words.

    Parts too short to compare (Lee: L) are left to the other parts.
    """
    parts = [p for p in name.split("-") if len(latin_skeleton(p)) >= 2]
    if len(parts) <= 1:
        return skeleton_matches(name, arabic_words)
    return all(skeleton_matches(part, arabic_words) for part in parts)


def skeleton_matches(name: str, arabic_words: list[str]) -> bool:
    targets = set().union(*(arabic_skeletons(w) for w in arabic_words)) if arabic_words else set()
    forms = latin_forms(name)
    for form in forms:
        for target in targets:
            # A one-consonant skeleton (Cook → K) matches too much by chance: meaning decides.
            if form == target and len(form) >= 2:
                return True
            # A name's final s, spelled on one side only (Harrod / هارودز, Harrods / هارود).
            if len(form) >= 3 and (target == form + "S" or (len(target) >= 3 and form == target + "S")):
                return True
            # Fuzzy only for longer skeletons: two or three consonants match too much by chance.
            if (
                len(form) >= 4
                and len(target) >= 4
                and SequenceMatcher(None, loose_skeleton(form), loose_skeleton(target)).ratio() >= SKELETON_MATCH
            ):
                return True
    if any(len(form) < 2 for form in forms):
        # One consonant is too little to compare: with the semivowels, Elway (L W Y) matches إلواي.
        wide = latin_skeleton(name, "semivowels")
        return len(wide) >= 3 and any(wide in arabic_skeletons(w, "semivowels") for w in arabic_words)
    return False


def _named_as_a_word(sentence: str, name: str, phrase: str) -> bool:
    """A capitalized word that may be a common word translated: the sentence's first word, or a word
    of a longer name other than its last (Typhoon of Typhoon Haiyan, House of House Minority Leader)."""
    parts = phrase.split()
    opens = sentence.lstrip(" \"'“‘«(").startswith(name)
    return opens or (len(parts) > 1 and parts[-1] != name)


def unmatched_names(sentence: str, arabic_text: str, embedder) -> list[str]:
    """Names of the English sentence with no counterpart in the Arabic text."""
    words = [w for w in re.findall(r"[\u0600-\u06ff]+", arabic_text) if not is_function_word(w)]
    # Names the names table knows in the Arabic text (الحوثيون: "the Houthis") match by their English words.
    found = gazetteer().find(arabic_text)
    known = {w for match in found for w in re.findall(r"[a-z]+", match.english.lower())}
    candidates = list(dict.fromkeys(candidate_names(sentence)))
    # A name the Arabic text itself writes in Latin letters (MWPs, Yandhi) is there as it is.
    missing = [
        (n, phrase)
        for n, phrase in candidates
        if without_possessive(n).lower() not in known and not mentions(arabic_text, n) and not name_matches(n, words)
    ]
    # A name translated rather than spelled (Hurricane / إعصار before Rosa, Ash / الرماد opening a
    # sentence): the lexicon reads it in a word of the text. Never a person's last name: Cook, King,
    # Rice, White are words too, and طباخ or الملك in the source is not the man.
    translatable = [without_possessive(n) for n, phrase in missing if _named_as_a_word(sentence, n, phrase)]
    translated = lexicon().english_found(translatable, words)
    missing = [(n, phrase) for n, phrase in missing if without_possessive(n) not in translated]
    misspelled = _misspelled_known_names([n for n, _ in candidates], found)
    if not missing or not words:
        return [n for n, _ in missing] + misspelled
    vocabulary = sorted(set(words))
    probes = [n for n, _ in missing] + [phrase for _, phrase in missing]
    vectors = embedder.embed_array(probes + vocabulary)
    best = (vectors[: len(probes)] @ vectors[len(probes) :].T).max(axis=1)
    k = len(missing)
    return [name for i, (name, _) in enumerate(missing) if max(best[i], best[k + i]) < MEANING_MATCH] + misspelled


KNOWN_PREFIX = 4  # letters a rendering shares with the usual English name (Kenyan, Syrian, Iraqi, Turkish)


def _misspelled_known_names(names: list[str], found: list[NameMatch]) -> list[str]:
    """Of the sentence's `names`, those spelling a one-word place or body of the names table that the
    Arabic text holds (`found`) as another word than its usual English: "Kina" for كينيا (Kenya) has
    the skeleton of the Arabic (K N) and reads as another place. Forms of the usual name (Kenyan),
    other spellings of it (Kyiv, Idleb) and the table's other names (France for الفرنسية) pass."""
    known = [m for m in found if len(m.arabic.split()) == 1 and len(m.english.split()) == 1]
    misspelled = []
    for name in names:
        word = without_possessive(name).lower()
        if word in _usual_names():  # France for الفرنسية (French): another name of the table, not a garble
            continue
        for match in known:
            usual = match.english.lower()
            if (
                skeleton_matches(name, [match.arabic])
                and not _same_start(word, usual)
                and not _spelled_alike(word, usual)
            ):
                misspelled.append(name)
                break
    return misspelled


@lru_cache(maxsize=1)
def _usual_names() -> frozenset[str]:
    """Every word of the names table's English names, lower case."""
    return frozenset(
        w
        for m in gazetteer().entries()
        for name in (m.english, *m.other_english)
        for w in re.findall(r"[a-z]+", name.lower())
    )


USUAL_SPELLING = 0.7  # letter similarity to the usual name at which a rendering is another spelling of it


def _spelled_alike(word: str, usual: str) -> bool:
    """Another spelling of the usual name (Kyiv / Kiev, Idleb / Idlib, Katar / Qatar, Teheran / Tehran),
    not another word ("Kina" for Kenya: 0.67)."""
    return SequenceMatcher(None, word, usual).ratio() >= USUAL_SPELLING


def _same_start(word: str, usual: str) -> bool:
    """The usual name or a form of it (Kenya, Kenyan; Iraq, Iraqi; Turkey, Turkish)."""
    return len(os.path.commonprefix([word, usual])) >= min(KNOWN_PREFIX, len(usual) - 1)
