import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("قال الوزير ذلك. ثم غادر", ["قال الوزير ذلك.", "ثم غادر"]),
        ("هل انتهى الاجتماع؟ نعم", ["هل انتهى الاجتماع؟", "نعم"]),
        ("أولا؛ ثانيا", ["أولا؛", "ثانيا"]),
        ("line one\nline two\n\n\nline three", ["line one", "line two", "line three"]),
        ("He said «stop.» Then left.", ["He said «stop.»", "Then left."]),
        ("Wait... what?! Fine", ["Wait...", "what?!", "Fine"]),
    ],
)
def test_splits(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Prices rose 3.5 percent this year.",
        "Dr. Smith arrived late.",
        "The U.S. Army said nothing.",
        "J. R. Smith said nothing.",
        "قال د. محمد إن الوضع صعب.",
        "Mr. and Mrs. Jones met Gen. Lee at 5 p.m. today.",
        "بلغت النسبة ٣.٥ في المئة.",
    ],
)
def test_no_split_on_decimals_abbreviations_initials(text):
    assert sentences(text) == [text]


def test_spans_exclude_surrounding_whitespace():
    text = "  First one.   Second one.  \n  Third  "
    assert sentences(text) == ["First one.", "Second one.", "Third"]


def test_bounded_range():
    text = "Skip this. Keep this. And this. Not this."
    start = text.index("Keep")
    end = text.index("Not") - 1
    assert [text[s.start : s.end] for s in split_sentences(text, start, end)] == ["Keep this.", "And this."]


def test_empty_and_punctuation_only():
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []
    assert split_sentences("...") == []


ALPHABET = "ابتثجحدرسعفقكلمنهوي" + "abcDrUS" + "0123456789٣" + ".!?؟؛…،,«»\"')(" + "   \n\t\r\u00a0\u2029"


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=300))
@settings(max_examples=400)
def test_span_properties(text):
    spans = split_sentences(text)
    previous_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= previous_end  # ordered, non-overlapping
        piece = text[span.start : span.end]
        assert piece == piece.strip()
        previous_end = span.end
    covered = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    missing = [i for i, ch in enumerate(text) if ch.isalnum() and i not in covered]
    assert not missing, (text, missing)
