"""Claims evaluation: does the checker accept what a bilingual reader would sign, and only that?

Each record of a claims set (evals/datasets/claims_*.jsonl, built by evals/build_claims.py)
pairs an exact Arabic source sentence (`span_ar`, with the sentence before it, `before_ar`)
with a claim in English or Arabic and a human label, faithful or unfaithful, and a kind
(faithful, role, swap, substitution, attribution, misread_word, negation, antonym, number,
addition, model_output). The judge is the project's checker; the labels are independent of
it, so these metrics can fail:

- `unfaithful_accepted` (a maximum): share of unfaithful claims the checker accepts, the
  wrong-but-cited sentences we would print;
- `faithful_accepted` (a minimum): share of faithful claims it accepts;
- both per claim language (`en.`, `ar.`) and `kind.<kind>.accepted` per kind (for a kind with
  both labels, model_output, also `kind.<kind>.faithful_accepted` / `.unfaithful_accepted`).

No index and no LLM: only the embedder the checker uses.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.evals.metrics import mean
from rag.evals.qa_data import read_jsonl_records
from rag.evals.results import TaskResult

LABELS = ("faithful", "unfaithful")
LANGUAGES = ("en", "ar")
KINDS = (
    "faithful",
    "role",
    "swap",
    "substitution",
    "attribution",
    "misread_word",
    "negation",
    "antonym",
    "number",
    "addition",
    "model_output",
)


@dataclass(frozen=True)
class ClaimCase:
    case_id: str
    doc: str
    span_ar: str  # the Arabic source sentence, exact
    before_ar: str  # the sentence before it in its document ("" for the first)
    claim: str
    claim_lang: str  # "en" | "ar"
    label: str  # "faithful" | "unfaithful"
    kind: str
    note: str = ""
    labelled_by: str = ""


def load_claims(path: Path, limit: int | None = None) -> list[ClaimCase]:
    """The claim records of a JSONL file; a bad line is a UserInputError naming file:line."""

    def parse(record: dict, number: int) -> ClaimCase:
        case = ClaimCase(
            case_id=str(record.get("id") or f"{path.stem}-{number}"),
            doc=str(record.get("doc", "")),
            span_ar=record["span_ar"],
            before_ar=record.get("before_ar") or "",
            claim=record["claim"],
            claim_lang=record["claim_lang"],
            label=record["label"],
            kind=record.get("kind", record["label"]),
            note=record.get("note", ""),
            labelled_by=record.get("labelled_by", ""),
        )
        if (
            not isinstance(case.span_ar, str)
            or not case.span_ar.strip()
            or not isinstance(case.claim, str)
            or not case.claim.strip()
        ):
            raise ValueError("span_ar and claim must be non-empty strings")
        if case.label not in LABELS:
            raise ValueError(f"label must be one of {', '.join(LABELS)}, got {case.label!r}")
        if case.claim_lang not in LANGUAGES:
            raise ValueError(f"claim_lang must be one of {', '.join(LANGUAGES)}, got {case.claim_lang!r}")
        if case.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {case.kind!r}")
        return case

    return read_jsonl_records(path, "claims", parse, limit)


def judge_claim(rag, case: ClaimCase) -> tuple[bool, str]:
    """The one place the claims eval asks the product whether a claim is supported by its span:
    (accepted, reason). Repoint it here when the checker's library call changes."""
    from rag.verify.support import SupportChecker

    context = [case.before_ar] if case.before_ar else []
    verdict = SupportChecker(rag.embedder).check(case.claim, [case.span_ar], context=context)
    return verdict.supported, verdict.reason


def evaluate_claims(
    rag, cases: list[ClaimCase], advance: Callable[[str], None] | None = None, judge: Callable = judge_claim
) -> TaskResult:
    records = []
    for case in cases:
        if advance:
            advance(case.claim[:60])
        started = time.perf_counter()
        accepted, reason = judge(rag, case)
        records.append(
            {
                **_case_fields(case),
                "accepted": bool(accepted),
                "reason": reason,
                "seconds": time.perf_counter() - started,
            }
        )
    return summarize_claim_records(records)


def _case_fields(case: ClaimCase) -> dict:
    fields = asdict(case)
    fields["id"] = fields.pop("case_id")
    return fields


def acceptance_metrics(records: list[dict]) -> dict[str, float]:
    """faithful_accepted and unfaithful_accepted over the records that have each label."""
    metrics = {}
    for label in LABELS:
        group = [r for r in records if r["label"] == label]
        if group:
            metrics[f"{label}_accepted"] = mean([float(r["accepted"]) for r in group])
    return metrics


def summarize_claim_records(records: list[dict]) -> TaskResult:
    metrics = acceptance_metrics(records)
    for lang in LANGUAGES:
        group = [r for r in records if r["claim_lang"] == lang]
        metrics.update({f"{lang}.{name}": value for name, value in acceptance_metrics(group).items()})
    for kind in KINDS:
        group = [r for r in records if r["kind"] == kind]
        if not group:
            continue
        metrics[f"kind.{kind}.accepted"] = mean([float(r["accepted"]) for r in group])
        if len({r["label"] for r in group}) > 1:
            metrics.update({f"kind.{kind}.{name}": value for name, value in acceptance_metrics(group).items()})
    metrics["seconds_per_case"] = mean([r["seconds"] for r in records])
    counts = {
        f"{lang}.{label}": sum(r["claim_lang"] == lang and r["label"] == label for r in records)
        for lang in LANGUAGES
        for label in LABELS
    }
    return TaskResult(
        name="claims",
        type="claims",
        metrics=metrics,
        cases=len(records),
        records=records,
        worst=worst_claims(records),
        info={
            "counts": counts,
            "documents": len({r["doc"] for r in records}),
            "kinds": {k: sum(r["kind"] == k for r in records) for k in KINDS if any(r["kind"] == k for r in records)},
            # Which signal let the wrong claims through, and which turned the right ones away.
            "unfaithful_accepted_by": _reasons(r for r in records if r["label"] == "unfaithful" and r["accepted"]),
            "faithful_rejected_by": _reasons(r for r in records if r["label"] == "faithful" and not r["accepted"]),
        },
    )


def _reasons(records) -> dict[str, int]:
    """Verdict reasons without their details ("names not in the cited text: Ash" -> "names not in
    the cited text"), most frequent first."""
    counts = Counter(r["reason"].split(":", 1)[0] for r in records)
    return dict(counts.most_common())


def worst_claims(records: list[dict], limit: int = 10) -> list[dict]:
    """Unfaithful claims accepted first (what we would print wrongly), then faithful ones rejected,
    spread over kinds so one kind does not fill the list."""
    wrong = [r for r in records if r["label"] == "unfaithful" and r["accepted"]]
    missed = [r for r in records if r["label"] == "faithful" and not r["accepted"]]
    picked = _one_per_kind_first(wrong, limit - min(len(missed), limit // 3))
    picked += missed[: limit - len(picked)]
    return [
        {
            "id": r["id"],
            "why": ("unfaithful claim accepted" if r["label"] == "unfaithful" else "faithful claim rejected")
            + f" ({r['kind']}, {r['claim_lang']})",
            "claim": r["claim"],
            "span_ar": r["span_ar"],
            "reason": r["reason"],
            "note": r["note"],
        }
        for r in picked
    ]


def _one_per_kind_first(records: list[dict], limit: int) -> list[dict]:
    seen, first, rest = set(), [], []
    for r in records:
        (rest if r["kind"] in seen else first).append(r)
        seen.add(r["kind"])
    return (first + rest)[:limit]
