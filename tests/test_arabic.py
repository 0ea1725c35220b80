from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text.arabic import content_tokens, index_tokens, light_stem, normalize, normalize_with_offsets

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىة" + "ٱکیڪ"
HARAKAT = "".join(chr(c) for c in range(0x064B, 0x0653)) + "\u0670"
TATWEEL = "\u0640"
DIGITS = "0123456789" + "٠١٢٣٤٥٦٧٨٩" + "۰۱۲۳۴۵۶۷۸۹"
LATIN = "abcXYZ"
PUNCT = "،؛؟.,!%٪"
INVISIBLE = "\u200f\u200e\u200c\ufeff"

arabic_heavy_text = st.text(
    alphabet=st.sampled_from(ARABIC_LETTERS + HARAKAT + TATWEEL + DIGITS + LATIN + PUNCT + INVISIBLE + "  \n"),
    max_size=200,
)


def test_alef_forms_unified():
    assert normalize("أحمد إسلام آمال ٱلله") == "احمد اسلام امال الله"


def test_alef_maqsura_and_ta_marbuta():
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("على") == normalize("علي")
    assert normalize("الحكومة") == "الحكومه"


def test_diacritics_and_tatweel_removed():
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("كـــتـاب") == "كتاب"
    assert normalize("قُرْآنٌ") == "قران"


def test_digits_to_ascii():
    assert normalize("٢٠١٦") == "2016"
    assert normalize("۱۳۹۵") == "1395"
    assert normalize("عام ٢٠١٨ و۲۰۱۹") == "عام 2018 و2019"


def test_latin_lowercased_and_arabic_punctuation():
    assert normalize("Pentagon، لماذا؟") == "pentagon, لماذا?"


def test_normalize_with_offsets_simple():
    original = "الحُكُومَةُ"
    result = normalize_with_offsets(original)
    assert result.text == "الحكومه"
    assert [original[i] for i in result.offsets] == list("الحكومة")
    # a span of the normalized text maps back to the original span, diacritics included
    start = result.text.index("حكومه")
    assert result.original_span(start, start + 5) == (2, len(original) - 1)


@given(arabic_heavy_text)
@settings(max_examples=300)
def test_normalize_with_offsets_maps_back(text):
    result = normalize_with_offsets(text)
    assert result.text == normalize(text)
    assert len(result.offsets) == len(result.text)
    assert result.original_length == len(text)
    for char, offset in zip(result.text, result.offsets):
        assert 0 <= offset < len(text)
        assert normalize(text[offset]) == char
    assert all(a < b for a, b in zip(result.offsets, result.offsets[1:]))


@given(arabic_heavy_text, st.data())
@settings(max_examples=200)
def test_original_span_covers_normalized_span(text, data):
    result = normalize_with_offsets(text)
    n = len(result.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    a, b = result.original_span(start, end)
    assert 0 <= a <= b <= len(text)
    assert normalize(text[a:b]) == result.text[start:end]


def test_light_stem_conflates_definite_and_conjunction_prefixes():
    forms = ["الحكومة", "حكومة", "والحكومة", "بالحكومة", "للحكومة", "وبالحكومة"]
    stems = {light_stem(normalize(f)) for f in forms}
    assert len(stems) == 1, stems


def test_index_tokens_conflate_and_drop_stop_words():
    tokens = index_tokens("قالت الحكومة في بيان إن حكومة البلاد والحكومة السابقة")
    stem = light_stem(normalize("حكومة"))
    assert tokens.count(stem) == 3
    assert normalize("في") not in tokens and "ان" not in tokens


def test_index_tokens_latin_and_numbers():
    assert index_tokens("The Pentagon spokesmen said 3.5 billion") == [
        "pentagon",
        "spokesmen",
        "said",
        "3.5",
        "billion",
    ]
    assert index_tokens("Ministries") == ["ministry"]


def test_short_tokens_not_over_stemmed():
    # stripping must leave at least two letters
    assert len(light_stem("الي")) >= 2
    assert light_stem("") == ""


def test_content_tokens_keep_unstemmed_forms():
    assert content_tokens("والحكومة الجديدة") == ["والحكومه", "الجديده"]


def test_clitic_forms_strip_attached_conjunctions_and_prepositions():
    from rag.text.arabic import clitic_forms

    assert clitic_forms("وبالجيش") == ["وبالجيش", "بالجيش", "الجيش"]
    assert clitic_forms("للجيش") == ["للجيش", "الجيش", "لجيش", "جيش"]
    assert clitic_forms("ولا") == ["ولا"]  # too short to leave a word
    assert clitic_forms("ولا", min_rest=2) == ["ولا", "لا"]
    assert clitic_forms("مصر") == ["مصر"]
