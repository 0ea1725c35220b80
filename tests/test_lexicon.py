"""The bilingual lexicon (rag.text.lexicon) and the checks that lean on it: an English word is
found in an Arabic text whatever the forms on either side, a name translated rather than spelled is
there, and on-topic words the source does not say are not. Sentences written for these tests."""

from __future__ import annotations

import pytest

from rag.text.lexicon import english_lemmas, lexicon
from rag.text.skeletons import latin_forms
from rag.verify.names import name_matches, unmatched_names

FACTORY = "قالت الصحيفة إن الشركة أغلقت مصنعها في المدينة الأسبوع الماضي."


@pytest.mark.parametrize(
    "english, arabic",
    [
        ("factories", "للمصانع"),
        ("newspaper", "وصحيفة"),
        ("hospitals", "بالمستشفى"),
        ("typhoon", "الإعصار"),
        ("elections", "والانتخابات"),
    ],
)
def test_an_english_word_is_read_in_any_form_of_its_arabic(english, arabic):
    assert lexicon().english_found([english], [arabic]) == {english}


def test_a_word_of_many_senses_is_left_to_the_encoder():
    # "take" has 71 Arabic stems in WordNet: found that way, it would be found in any source.
    assert lexicon().english_found(["take", "company"], ["أخذ", "الشركة"]) == set()


def test_english_words_go_back_to_their_lemmas_by_rule_and_by_wordnets_irregular_forms():
    irregular = lexicon().irregular
    assert "company" in english_lemmas("companies", irregular)
    assert "stab" in english_lemmas("stabbed", irregular)
    assert "go" in english_lemmas("went", irregular)
    assert "child" in english_lemmas("children", irregular)


def test_a_word_the_arabic_does_not_say_is_not_read_in_it():
    assert not lexicon().english_found(["hospital", "school"], ["الشركة", "مصنعها"])


def test_on_topic_words_the_source_does_not_say_are_refused(checker):
    assert checker.check("The newspaper said the company closed its factory in the city.", [FACTORY]).supported
    verdict = checker.check("The newspaper said the hospital closed its school in the village.", [FACTORY])
    assert not verdict.supported and "hospital" in verdict.reason


@pytest.mark.parametrize(
    "name, arabic",
    [("Pacific", "باسيفيك"), ("Lance", "لانس"), ("Wheeling", "ويلينغ"), ("Sergio", "سيرخيو"), ("Jose", "خوسيه")],
)
def test_a_soft_c_a_silent_h_and_a_spanish_g_are_heard_as_arabic_writes_them(name, arabic):
    assert name_matches(name, [arabic])


def test_the_other_spellings_keep_the_hard_ones():
    # Cyprus is قبرص (K B R S): the soft-c spelling is one more form, not a replacement.
    assert name_matches("Cyprus", ["قبرص"])
    assert len(latin_forms("Cyprus")) >= 2


def test_a_name_translated_rather_than_spelled_is_found_by_the_lexicon(embedder):
    assert (
        unmatched_names("Typhoon Haiyan struck the islands on Friday.", "ضرب إعصار هايان الجزر يوم الجمعة", embedder)
        == []
    )
    # A storm (العاصفة) is not a typhoon, and the name is not there either.
    assert unmatched_names("Typhoon Haiyan struck the islands.", "ضربت العاصفة الجزر يوم الجمعة", embedder) == [
        "Typhoon",
        "Haiyan",
    ]


def test_only_a_first_word_or_a_names_leading_word_may_be_a_translated_word():
    from rag.verify.names import _named_as_a_word

    # Cook is a cook (طباخ) in the lexicon; as Peter Cook's last name the lexicon is not asked.
    assert lexicon().english_found(["cook"], ["الطباخ"]) == {"cook"}
    assert not _named_as_a_word("The spokesman Peter Cook left Moscow.", "Cook", "Peter Cook")
    assert _named_as_a_word("Typhoon Haiyan struck the islands.", "Typhoon", "Typhoon Haiyan")
    assert _named_as_a_word("Ash covered the southern districts.", "Ash", "Ash")
    assert not _named_as_a_word("They met Rice in Cairo.", "Rice", "Rice")
