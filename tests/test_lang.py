import pytest

from rag.text.lang import detect_language, is_arabic, script_counts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("قال المتحدث باسم البنتاغون إن المحادثات مستمرة", "ar"),
        ("مُحَمَّدٌ رَسُولُ", "ar"),
        ("The Pentagon spokesman said talks continue", "en"),
        (
            "قال بيتر كوك المتحدث باسم وزارة الدفاع الأميركية (Pentagon) إن المحادثات مع روسيا مستمرة",
            "ar",
        ),  # a Latin name does not flip it
        ("The Pentagon spokesman Peter Cook (بيتر كوك) said on Monday that talks with Russia continue", "en"),
        ("Pentagon البنتاغون Moscow موسكو", "mixed"),
        ("", "und"),
        ("2016-08-23 !!! ٢٠١٦", "und"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_script_counts():
    assert script_counts("abc دار 12") == (3, 3)


def test_is_arabic():
    assert is_arabic("سوريا")
    assert not is_arabic("Syria")
