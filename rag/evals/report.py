"""The eval report: one JSON document (the contract's shape plus details) and a Markdown rendering."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import UserInputError
from rag.evals.results import TaskResult, ThresholdCheck, lower_is_better


@dataclass
class EvalReport:
    suite: str
    description: str
    metrics: dict[str, float]  # task.metric -> value
    checks: list[ThresholdCheck]
    tasks: list[TaskResult]
    skipped: list[dict] = field(default_factory=list)  # {"task", "reason"}
    model: str | None = None
    embeddings: str | None = None
    recording_mode: str = "cache"  # cache | record | replay
    completions: dict = field(default_factory=dict)  # {"replayed": n, "generated": m}
    started: str = ""
    seconds: float = 0.0
    baseline: dict | None = None  # {"file", "deltas": {metric: {baseline, current, delta}}}

    @property
    def cases(self) -> int:
        return sum(t.cases for t in self.tasks)

    @property
    def failures(self) -> list[ThresholdCheck]:
        return [c for c in self.checks if c.gating and not c.passed]

    @property
    def passed(self) -> bool:
        # A run that evaluated nothing proves nothing.
        return bool(self.tasks) and not self.failures

    def to_json(self, records: bool = False) -> dict:
        """The contract's {suite, metrics, thresholds, passed, cases} plus details; `records` adds every case."""
        data = {
            "suite": self.suite,
            "metrics": {k: _round(v) for k, v in self.metrics.items()},
            "thresholds": {c.metric: c.threshold for c in self.checks if c.gating},
            "passed": self.passed,
            "cases": self.cases,
            "advisory_thresholds": {c.metric: c.threshold for c in self.checks if not c.gating},
            "failures": [c.to_json() for c in self.failures],
            "description": self.description,
            "model": self.model,
            "embeddings": self.embeddings,
            "recording_mode": self.recording_mode,
            "completions": self.completions,
            "started": self.started,
            "seconds": round(self.seconds, 2),
            "tasks": {
                t.name: {
                    "type": t.type,
                    "cases": t.cases,
                    "seconds": round(t.seconds, 2),
                    "info": t.info,
                    "worst": t.worst,
                }
                for t in self.tasks
            },
            "skipped": self.skipped,
        }
        if self.baseline is not None:
            data["baseline"] = self.baseline
        if records:
            data["records"] = {t.name: t.records for t in self.tasks}
        return data


def _round(value: float) -> float:
    return round(value, 4) if isinstance(value, float) else value


# -- baselines -------------------------------------------------------------------


def load_baseline(path: Path) -> dict[str, float]:
    """The metrics of an earlier JSON report (`rag eval --out FILE` or `--json` output)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        metrics = data["metrics"]
        if not isinstance(metrics, dict):
            raise TypeError("'metrics' is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserInputError(f"--baseline {path}: not an eval report ({exc})") from None
    return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}


def compare(current: dict[str, float], baseline: dict[str, float]) -> dict[str, dict]:
    """Per metric: baseline, current and delta (current - baseline); None where one side lacks it."""
    out = {}
    for name in list(current) + [n for n in baseline if n not in current]:
        now, before = current.get(name), baseline.get(name)
        delta = None if now is None or before is None else now - before
        out[name] = {
            "baseline": _round(before) if before is not None else None,
            "current": _round(now) if now is not None else None,
            "delta": _round(delta) if delta is not None else None,
            "better": None if not delta else (delta < 0) == lower_is_better(name),
        }
    return out


# -- Markdown --------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _cell(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.replace("|", "\\|")


def render_markdown(report: EvalReport) -> str:
    lines = [f"# Eval report: {report.suite}", ""]
    if report.description:
        lines += [report.description, ""]
    status = "PASSED" if report.passed else "FAILED"
    lines += [
        f"**{status}**: {len(report.failures)} gating threshold(s) failed; {report.cases} cases; "
        f"{report.seconds:.1f} s.",
        "",
        f"- started: {report.started}",
        f"- model: {report.model or '—'} ({report.recording_mode}: {report.completions.get('replayed', 0)} replayed, "
        f"{report.completions.get('generated', 0)} generated completions)",
        f"- embeddings: {report.embeddings or '—'}",
        "",
    ]
    checks = {c.metric: c for c in report.checks}
    deltas = (report.baseline or {}).get("deltas", {})
    header = "| metric | value | threshold | status |"
    rule = "|---|---:|---:|---|"
    if deltas:
        header += " baseline | Δ |"
        rule += "---:|---:|"
    lines += ["## Metrics", "", header, rule]
    for name, value in report.metrics.items():
        check = checks.get(name)
        if check is None:
            threshold, state = "", ""
        else:
            threshold = f"{'≤' if check.direction == 'max' else '≥'} {_fmt(check.threshold)}"
            state = (
                ("pass" if check.passed else "**FAIL**")
                if check.gating
                else ("ok (advisory)" if check.passed else "below (advisory)")
            )
        row = f"| {name} | {_fmt(value)} | {threshold} | {state} |"
        if deltas:
            d = deltas.get(name, {})
            delta = d.get("delta")
            row += f" {_fmt(d.get('baseline'))} | {'' if delta is None else f'{delta:+.3f}'} |"
        lines.append(row)
    missing = [c for c in report.checks if c.value is None]
    for c in missing:
        lines.append(f"| {c.metric} | not produced | {_fmt(c.threshold)} | {'**FAIL**' if c.gating else 'advisory'} |")
    lines.append("")
    lines += _comparisons(report)
    if report.skipped:
        lines += ["## Skipped", ""] + [f"- {s['task']}: {s['reason']}" for s in report.skipped] + [""]
    lines += _worst(report)
    return "\n".join(lines).rstrip() + "\n"


def _comparisons(report: EvalReport) -> list[str]:
    """Baselines run beside the product: BM25-only and dense-only retrieval, lead-N summaries."""
    lines = []
    for task in report.tasks:
        if task.type == "retrieval":
            modes = [m for m in ("hybrid", "dense", "lexical") if f"{m}.mrr" in task.metrics]
            names = ("recall_at_1", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10")
            lines += [
                f"## {task.name}: hybrid vs dense-only vs BM25-only",
                "",
                "| mode | " + " | ".join(names) + " |",
                "|---|" + "---:|" * len(names),
            ]
            for mode in modes:
                label = {"lexical": "lexical (BM25)"}.get(mode, mode)
                lines.append(f"| {label} | " + " | ".join(_fmt(task.metrics[f"{mode}.{n}"]) for n in names) + " |")
            lines.append("")
        elif task.type == "summarization":
            lines += _rouge_tables(task)
    return lines


def _rouge_tables(task) -> list[str]:
    """Generated vs lead-N: the Arabic summary against the newsroom's, the English one
    against the English original (each table only when the task has those references)."""
    n, rouge = task.info.get("lead_n"), ("rouge1", "rouge2", "rougeL")
    lines = []
    for prefix, title in (
        ("", "generated Arabic summary vs lead-{n}, against the newsroom summary"),
        ("en.", "generated English summary vs the original's lead-{n}, against the English original"),
    ):
        if f"{prefix}rouge1" not in task.metrics:
            continue
        lines += [
            f"## {task.name}: {title.format(n=n)}",
            "",
            "| summary | ROUGE-1 | ROUGE-2 | ROUGE-L |",
            "|---|---:|---:|---:|",
            "| generated | " + " | ".join(_fmt(task.metrics[f"{prefix}{m}"]) for m in rouge) + " |",
            f"| lead-{n} | " + " | ".join(_fmt(task.metrics[f"{prefix}lead.{m}"]) for m in rouge) + " |",
            "",
        ]
    return lines


def _worst(report: EvalReport) -> list[str]:
    lines = []
    for task in report.tasks:
        if not task.worst:
            continue
        lines += [f"## Worst cases: {task.name}", ""]
        for i, case in enumerate(task.worst, 1):
            if task.type == "retrieval":
                ranks = ", ".join(f"{m} {r if r else 'miss'}" for m, r in case["rank"].items())
                lines += [f"{i}. **{_cell(case['question'])}** ({ranks})", f"   - gold: {_cell(case['gold'])}"]
                if case.get("top"):
                    lines.append(f"   - top passage: {_cell(case['top']['text'], 200)}")
            elif task.type == "qa":
                lines += [
                    f"{i}. **{_cell(case['question'])}** — {case['why']}",
                    f"   - gold: {_cell(case['gold']) or '(not in the corpus)'}",
                    f"   - answer: {_cell(case['answer'])}",
                ]
                for c in case["citations"]:
                    lines.append(f"   - [{c['n']}] {c['doc_id']} {c['start']}-{c['end']}: “{_cell(c['quote'], 200)}”")
            elif task.type == "claims":
                lines += [
                    f"{i}. **{_cell(case['claim'])}** — {case['why']}",
                    f"   - source: “{_cell(case['span_ar'], 200)}”",
                    f"   - checker: {_cell(case['reason'])}; label: {_cell(case['note'])}",
                ]
            else:
                lines += [
                    f"{i}. **{_cell(case['title'])}** — {case['why']}",
                    f"   - reference: {_cell(case['reference'])}",
                    f"   - ar: {_cell(' '.join(case['ar']))}",
                    f"   - en: {_cell(' '.join(case['en']))}",
                ]
            lines.append("")
    return lines
