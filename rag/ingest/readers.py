"""Read article files into drafts: .txt, .md, .html, .json, .jsonl, files and folders.

Readers never raise for bad input: each problem becomes a `Rejection` with the
file (and line, for JSONL) and a reason, and everything readable is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rag.ingest.boilerplate import remove_boilerplate
from rag.ingest.clean import clean_name, junk_reason, strip_invisible
from rag.ingest.decode import DecodeError, decode_bytes
from rag.ingest.html import extract_html, looks_like_html
from rag.records import Rejection

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
MAX_ARTICLE_CHARS = 2_000_000
MAX_FILE_BYTES = 64 * 1024 * 1024  # for non-JSONL files; JSONL is streamed line by line
_TITLE_MAX_CHARS = 200


@dataclass(frozen=True)
class ArticleDraft:
    """An article as read, before it gets its id and is stored."""

    title: str
    text: str
    origin: str | None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    location: str = ""  # file or file:line, for reporting a later failure


ReadResult = ArticleDraft | Rejection


def read_paths(paths: list[Path], source: str | None = None) -> Iterator[ReadResult]:
    for path in paths:
        if not path.exists():
            yield Rejection(str(path), "no such file or folder")
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            for file in files:
                yield from read_file(file, source)
        else:
            yield from read_file(path, source)


def read_file(path: Path, source: str | None = None) -> Iterator[ReadResult]:
    """Drafts and rejections from one file; never raises, whatever the file holds.

    An unexpected failure (a parser bug, a pathological page) costs only the file
    (or JSONL line) it happened in, reported as a rejection; the run goes on.
    """
    try:
        for item in _read_file(path, source):
            yield item if isinstance(item, Rejection) else _finish(item)
    except Exception as exc:  # noqa: BLE001 - one bad file must never cost the good ones
        yield Rejection(str(path), f"cannot read file ({_describe(exc)})")


def _finish(draft: ArticleDraft) -> ReadResult:
    """The final draft: invisible controls removed (the text is final: offsets point into it), junk rejected."""
    text = strip_invisible(draft.text).strip()
    reason = junk_reason(text)
    if reason:
        return Rejection(draft.location, reason)
    title = clean_name(draft.title) or _first_line_title(text)
    return _with(draft, text=text, title=title, source=clean_name(draft.source))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _read_file(path: Path, source: str | None) -> Iterator[ReadResult]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        # Inside folders, unknown files are reported (not silently skipped) so nothing is lost unseen.
        yield Rejection(
            str(path), f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
        return
    if suffix == ".jsonl":
        yield from _read_jsonl(path, source)
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Rejection(
                str(path),
                f"file too large ({size / 1e6:.0f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB); split it or use JSONL",
            )
            return
        text = _normalize_newlines(decode_bytes(path.read_bytes()).text)
    except DecodeError as exc:
        yield Rejection(str(path), str(exc))
        return
    except OSError as exc:
        yield Rejection(str(path), f"cannot read file ({exc.strerror or exc})")
        return
    if suffix == ".json":
        yield from _read_json_document(path, text, source)
    elif suffix in (".html", ".htm") or looks_like_html(text):
        yield _from_html(text, origin=f"file:{path.resolve()}", location=str(path), source=source)
    else:
        yield _from_plain_text(
            text,
            origin=f"file:{path.resolve()}",
            location=str(path),
            source=source,
            markdown=suffix in (".md", ".markdown"),
        )


def _read_jsonl(path: Path, source: str | None) -> Iterator[ReadResult]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Rejection(str(path), f"cannot read file ({exc.strerror or exc})")
        return
    any_line = False
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            any_line = True
            location = f"{path}:{number}"
            try:
                line = decode_bytes(raw).text
                record = json.loads(line)
                item = from_record(record, path, location, source)
            except DecodeError as exc:
                item = Rejection(location, str(exc))
            except json.JSONDecodeError as exc:
                truncated = " (truncated record?)" if not raw.endswith(b"\n") else ""
                item = Rejection(location, f"invalid JSON ({exc.msg} at column {exc.colno}){truncated}")
            except Exception as exc:  # noqa: BLE001 - one bad record costs only its line
                item = Rejection(location, f"cannot read record ({_describe(exc)})")
            yield item
    if not any_line:
        yield Rejection(str(path), "empty file")


def _read_json_document(path: Path, text: str, source: str | None) -> Iterator[ReadResult]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejection(f"{path}:{exc.lineno}", f"invalid JSON ({exc.msg} at column {exc.colno})")
        return
    except RecursionError:
        yield Rejection(str(path), "JSON nested too deeply")
        return
    records = data if isinstance(data, list) else data.get("articles", [data]) if isinstance(data, dict) else None
    if not isinstance(records, list):
        yield Rejection(str(path), "expected a JSON object or a list of objects")
        return
    for index, record in enumerate(records):
        yield from_record(record, path, f"{path}[{index}]", source)


def from_record(record: object, path: Path, location: str, source: str | None) -> ReadResult:
    """One JSON record (title, text, optional id, date, source, url) to a draft."""
    if not isinstance(record, dict):
        return Rejection(location, "expected a JSON object with 'title' and 'text'")
    text = record.get("text", record.get("content", record.get("body")))
    if not isinstance(text, str) or not text.strip():
        return Rejection(location, "missing or empty 'text' field")
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        return Rejection(location, "'title' must be a string")
    if len(text) > MAX_ARTICLE_CHARS:
        return Rejection(location, f"article too long ({len(text):,} characters > {MAX_ARTICLE_CHARS:,})")
    record_id = record.get("id")
    # Only an explicit id identifies a record across versions; a line number does not
    # (inserting a line would make it "replace" its neighbour), so id-less records are
    # identified by content alone.
    origin = f"id:{record_id}" if record_id not in (None, "") else None
    base = {"origin": origin, "source": source or _opt_str(record.get("source"))}
    text = _normalize_newlines(text)
    if looks_like_html(text):
        draft = _from_html(text, location=location, **base)
        if isinstance(draft, Rejection):
            return draft
        return _with(
            draft,
            title=title or draft.title,
            date=_parse_date(record.get("date")) or draft.date,
            url=_opt_str(record.get("url")) or draft.url,
        )
    cleaned = remove_boilerplate(text, title)
    if not cleaned.text:
        return Rejection(location, "no article text left after removing boilerplate")
    return ArticleDraft(
        title=(title or cleaned.title_hint or _first_line_title(cleaned.text)).strip(),
        text=cleaned.text,
        date=_parse_date(record.get("date")),
        url=_opt_str(record.get("url")),
        location=location,
        **base,
    )


def _from_plain_text(text: str, origin: str, location: str, source: str | None, markdown: bool) -> ReadResult:
    meta: dict[str, str] = {}
    if markdown:
        text, meta = _split_front_matter(text)
    lines = text.strip().split("\n", 1)
    first = lines[0].strip()
    title = meta.get("title")
    if markdown and not title and first.startswith("#"):
        title, text = first.lstrip("#").strip(), (lines[1] if len(lines) > 1 else "")
    elif not title and _is_headline(first) and len(lines) > 1:
        # Title = first line, when that line is a headline and not the article's first paragraph.
        title, text = first, lines[1]
    cleaned = remove_boilerplate(text, title)
    if not cleaned.text:
        return Rejection(location, "no article text left after removing boilerplate")
    if len(cleaned.text) > MAX_ARTICLE_CHARS:
        return Rejection(
            location,
            f"article too long ({len(cleaned.text):,} characters > {MAX_ARTICLE_CHARS:,}); split it or use JSONL",
        )
    title = title or cleaned.title_hint or _first_line_title(cleaned.text)
    return ArticleDraft(
        title=title,
        text=cleaned.text,
        origin=origin,
        source=source or meta.get("source"),
        date=_parse_date(meta.get("date")),
        url=meta.get("url"),
        location=location,
    )


def _from_html(html: str, origin: str, location: str, source: str | None) -> ReadResult:
    page = extract_html(html)
    cleaned = remove_boilerplate(page.text, page.title)
    if not cleaned.text:
        return Rejection(location, "HTML page has no article text")
    title = page.title or cleaned.title_hint or _first_line_title(cleaned.text)
    return ArticleDraft(
        title=title,
        text=cleaned.text,
        origin=origin,
        source=source,
        date=_parse_date(page.date),
        url=page.url,
        location=location,
    )


def _is_headline(line: str) -> bool:
    return 0 < len(line) <= _TITLE_MAX_CHARS // 2 + 20 and not re.search(r"[.!?؟:]\s*$", line)


def _first_line_title(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    if len(first) <= _TITLE_MAX_CHARS // 2:
        return first
    cut = first[: _TITLE_MAX_CHARS // 2].rsplit(" ", 1)[0]
    return cut + "…"


def _split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    match = re.match(r"\A---\n(.*?)\n---\n?", text, re.S)
    if not match:
        return text, {}
    meta = {}
    for line in match.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return text[match.end() :], meta


def _parse_date(value: object) -> str | None:
    """YYYY-MM-DD from an ISO date or timestamp; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        try:
            return datetime(int(match[1]), int(match[2]), int(match[3])).strftime("%Y-%m-%d")
        except ValueError:
            return None
    for fmt in ("%d/%m/%Y", "%Y/%m/%d", "%a, %d %b %Y %H:%M:%S %z", "%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(value, fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


def _normalize_newlines(text: str) -> str:
    # Invisible controls go first too, so title and boilerplate rules see the visible text.
    return strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))


def _opt_str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _with(draft: ArticleDraft, **changes) -> ArticleDraft:
    from dataclasses import replace

    return replace(draft, **changes)
