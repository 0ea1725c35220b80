"""QA datasets in the documented schema (XQuAD / ARCD style JSONL).

Each record: question, context, answers [{text, answer_start}] (answer_start a str
index into context). Every distinct context becomes one article. Optional:
`question_lang` ("ar" | "en"), `answers_en` (reference answers in English, for
answers to English questions over Arabic text) and `answerable` (false: the
context is never ingested, so the right answer is "not found").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import UserInputError


@dataclass(frozen=True)
class QACase:
    case_id: str
    question: str
    context: str
    answer: str
    answer_start: int
    context_id: str
    question_lang: str = "ar"
    answerable: bool = True
    answers_en: tuple[str, ...] = ()

    def golds(self, lang: str) -> list[str]:
        """Acceptable answers in `lang` (English references when the answer is English and we have them)."""
        if lang == "en" and self.answers_en:
            return list(self.answers_en)
        return [self.answer]


def context_id(context: str) -> str:
    return "ctx-" + hashlib.sha256(context.encode("utf-8")).hexdigest()[:12]


def load_qa_cases(path: Path, limit: int | None = None) -> list[QACase]:
    def parse(record: dict, number: int) -> QACase:
        answer = record["answers"][0]
        return QACase(
            case_id=str(record.get("id", number)),
            question=record["question"],
            context=record["context"],
            answer=answer["text"],
            answer_start=int(answer["answer_start"]),
            context_id=context_id(record["context"]),
            question_lang=record.get("question_lang", record.get("lang", "ar")),
            answerable=bool(record.get("answerable", True)),
            answers_en=tuple(a["text"] for a in record.get("answers_en") or []),
        )

    return read_jsonl_records(path, "QA", parse, limit)


def read_jsonl_records(path: Path, kind: str, parse, limit: int | None = None) -> list:
    """`parse(record, line_number)` for each non-blank line; a bad line is a UserInputError naming file:line."""
    items: list = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                items.append(parse(json.loads(line), number))
            except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                raise UserInputError(f"{path}:{number}: not a {kind} record ({exc})") from None
            if limit and len(items) >= limit:
                break
    return items


def spread_cases(cases: list, n: int | None = None, offset: int = 0, group=lambda case: case.context_id) -> list:
    """Cases taken round-robin across groups (contexts), skipping the first `offset`, at most `n`.

    A small subset then covers as many paragraphs as possible instead of
    all five questions of the first paragraph.
    """
    groups: dict[str, list] = {}
    for case in cases:
        groups.setdefault(group(case), []).append(case)
    ordered = []
    for round_ in range(max((len(g) for g in groups.values()), default=0)):
        ordered.extend(g[round_] for g in groups.values() if round_ < len(g))
    ordered = ordered[offset:]
    return ordered[:n] if n else ordered


def context_records(cases: list[QACase]) -> list[dict]:
    """One article record per distinct context, as JSONL-ready dicts."""
    seen: dict[str, dict] = {}
    for case in cases:
        if case.context_id not in seen:
            title = case.context.strip().split("\n", 1)[0][:80]
            seen[case.context_id] = {"id": case.context_id, "title": title, "text": case.context}
    return list(seen.values())
