"""Bytes to text: detect the encoding from evidence, reject what is not text.

Order: binary signatures and NUL bytes; byte-order marks; strict UTF-8; BOM-less
UTF-16 (NUL pattern); Windows-1256 when it yields Arabic text; otherwise
charset-normalizer's best guess if it is coherent. Anything else is rejected
with a reason rather than decoded into mojibake.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from rag.text.lang import script_counts

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "RIFF media file"),
    (b"SQLite format 3", "SQLite database"),
)


class DecodeError(ValueError):
    """The bytes are not text we can read; the message says why."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> DecodedText:
    if not data.strip():
        raise DecodeError("empty file")
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"binary file ({kind}), not text")
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode_strict(data, encoding)
    utf16 = _bomless_utf16(data)
    if utf16:
        return _decode_strict(data, utf16)
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes), not text")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    cp1256 = _try_cp1256(data)
    if cp1256 is not None:
        return cp1256
    return _guess(data)


def _decode_strict(data: bytes, encoding: str) -> DecodedText:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {encoding} text at byte {exc.start}") from exc
    if not text.strip():
        raise DecodeError("empty file")
    return DecodedText(text, encoding.replace("-sig", ""))


def _bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    # Latin text in UTF-16 has a NUL in every other byte; Arabic (U+06xx) has 0x06 there.
    even_06 = sample[0::2].count(6) / (len(sample) / 2)
    odd_06 = sample[1::2].count(6) / (len(sample) / 2)
    if odd_nuls + odd_06 > 0.7 and even_nuls < 0.1:
        return "utf-16-le"
    if even_nuls + even_06 > 0.7 and odd_nuls < 0.1:
        return "utf-16-be"
    return None


def _try_cp1256(data: bytes) -> DecodedText | None:
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        return None
    arabic, latin = script_counts(text)
    # Windows-1256 maps almost every byte to something; accept it only when the
    # high bytes turned into Arabic letters, the signature of real Arabic text.
    high_bytes = sum(1 for b in data if b >= 0x80)
    if arabic and arabic >= 0.6 * high_bytes:
        return DecodedText(text, "windows-1256")
    return None


def _guess(data: bytes) -> DecodedText:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise DecodeError("undecodable text: not UTF-8, UTF-16 or Windows-1256, and no coherent encoding found")
    return DecodedText(str(best), best.encoding)
