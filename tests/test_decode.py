import codecs

import pytest

from rag.ingest.decode import DecodeError, decode_bytes

ARABIC = (
    "قال المتحدث باسم وزارة الدفاع الأميركية إن المحادثات مع الجانب الروسي مستمرة.\n"
    "وأضاف أن الوضع في حلب يثير القلق، وأن «التصعيد الأخير» يزيد المعاناة."
)
ENGLISH = "The Pentagon spokesman said on Monday that talks with Russia continue.\nNo deal yet."


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (ARABIC.encode("utf-8"), ARABIC, "utf-8"),
        (ENGLISH.encode("utf-8"), ENGLISH, "utf-8"),
        (codecs.BOM_UTF8 + ARABIC.encode("utf-8"), ARABIC, "utf-8"),
        (codecs.BOM_UTF16_LE + ARABIC.encode("utf-16-le"), ARABIC, "utf-16"),
        (codecs.BOM_UTF16_BE + ARABIC.encode("utf-16-be"), ARABIC, "utf-16"),
        (ARABIC.encode("utf-16-le"), ARABIC, "utf-16-le"),
        (ARABIC.encode("utf-16-be"), ARABIC, "utf-16-be"),
        (ENGLISH.encode("utf-16-le"), ENGLISH, "utf-16-le"),
        (ENGLISH.encode("utf-16-be"), ENGLISH, "utf-16-be"),
        (ARABIC.encode("cp1256"), ARABIC, "windows-1256"),
        (("Reuters - " + ARABIC).encode("cp1256"), "Reuters - " + ARABIC, "windows-1256"),
    ],
    ids=[
        "utf8-ar",
        "utf8-en",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf16le",
        "utf16be",
        "utf16le-en",
        "utf16be-en",
        "cp1256",
        "cp1256-mixed",
    ],
)
def test_decodes(data, text, encoding):
    decoded = decode_bytes(data)
    assert decoded.text == text
    assert decoded.encoding == encoding


def test_bom_is_not_part_of_text():
    assert not decode_bytes(codecs.BOM_UTF8 + b"hello").text.startswith("\ufeff")
    assert not decode_bytes("hello".encode("utf-16")).text.startswith("\ufeff")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\t\r\n  ", "empty"),
        (codecs.BOM_UTF8 + b"  \n", "empty"),
        (codecs.BOM_UTF16_LE, "empty"),
        ("  \n ".encode("utf-16"), "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04" + b"\x00" * 30, "ZIP"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),
        (b"header\x00\x01\x02\x03binary\xff\xfe\x00" * 20, "NUL"),
        (bytes(range(128, 256)) * 4, "undecodable"),
    ],
    ids=[
        "empty",
        "whitespace",
        "bom8-whitespace",
        "bom16-only",
        "utf16-whitespace",
        "png",
        "pdf",
        "zip",
        "gzip",
        "nul-binary",
        "high-bytes",
    ],
)
def test_rejects_with_reason(data, reason):
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    assert reason.lower() in str(info.value).lower()


def test_decode_error_is_value_error():
    assert issubclass(DecodeError, ValueError)
