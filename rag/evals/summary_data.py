"""Summarization datasets in the documented schema (ANT / BBC Arabic style JSONL).

Each record: text (the article), summary (the reference, written by the newsroom),
title; optional id, date, source, url. Each record becomes one article.
Parallel documents (NTREX style) carry `text_en`, the English original of the
Arabic `text`, instead of or beside `summary`: the English summary is scored
against it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rag.evals.qa_data import read_jsonl_records


@dataclass(frozen=True)
class SummaryCase:
    case_id: str
    title: str
    text: str
    reference: str  # the newsroom's Arabic summary; "" when the record has none
    date: str | None = None
    source: str | None = None
    url: str | None = None
    english_reference: str = ""  # the English original of a translated article (NTREX)

    def article_record(self) -> dict:
        """The JSONL record `rag ingest` reads; its id maps the stored article back to this case."""
        record = {"id": self.case_id, "title": self.title, "text": self.text}
        record.update({k: v for k, v in (("date", self.date), ("source", self.source), ("url", self.url)) if v})
        return record


def load_summary_cases(path: Path) -> list[SummaryCase]:
    def parse(record: dict, number: int) -> SummaryCase:
        text, reference, english = record["text"], record.get("summary", ""), record.get("text_en", "")
        if not isinstance(text, str) or not text.strip():
            raise TypeError("'text' must be a non-empty string")
        if not all(isinstance(r, str) for r in (reference, english)) or not (reference.strip() or english.strip()):
            raise TypeError("a 'summary' or a 'text_en' string is needed")
        case_id = str(record.get("id") or "sum-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])
        return SummaryCase(
            case_id=case_id,
            title=str(record.get("title") or ""),
            text=text,
            reference=reference,
            date=record.get("date"),
            source=record.get("source"),
            url=record.get("url"),
            english_reference=english,
        )

    return read_jsonl_records(path, "summarization", parse)
