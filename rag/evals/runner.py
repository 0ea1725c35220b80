"""Run an eval suite: a fresh RAG_HOME per run, recorded generator outputs, thresholds, reports.

The index is always a temporary one (never the user's), in embedded Chroma
even when RAG_CHROMA_URL points at a server. Only the assembled model files
are shared with the user's cache, so a run does not rebuild a gigabyte GGUF.

Generator outputs go through a completion cache folder (<root>/evals/recordings/<suite>
for a suite at <root>/evals/suites/<suite>.toml, named or given by path):
  cache   (default) replay what is recorded, generate and record what is not;
  record  the same, then drop this model's recordings the run did not use, so
          the folder holds exactly this run (commit it for CI);
  replay  replay only: a missing recording is an error, the model never loads.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from rag.config import Settings
from rag.errors import SetupError, UserInputError
from rag.evals.answers import evaluate_answers
from rag.evals.claims import evaluate_claims, load_claims
from rag.evals.qa_data import load_qa_cases, spread_cases
from rag.evals.report import EvalReport, compare, load_baseline
from rag.evals.results import TaskResult, ThresholdCheck
from rag.evals.retrieval import ingest_contexts, ingest_records, run_retrieval
from rag.evals.suites import Suite, TaskSpec, repo_root
from rag.evals.summaries import evaluate_summaries
from rag.evals.summary_data import load_summary_cases
from rag.generate.generator import Completion, CompletionCache

RECORDING_MODES = ("cache", "record", "replay")


def eval_settings(user: Settings, home: Path) -> Settings:
    """The user's settings for a temporary eval home: embedded Chroma, and the user's model
    cache, so a run does not assemble a gigabyte GGUF again."""
    return replace(user, home=home, chroma_url=None, model_cache=user.model_cache_dir)


class TrackingCache(CompletionCache):
    """A completion cache that remembers which recordings a run used."""

    def __init__(self, folder: Path, replay_only: bool = False):
        super().__init__(folder, replay_only)
        self.used: set[str] = set()
        self.replayed = 0
        self.generated = 0

    def get(self, key: str, kind: type = Completion):
        hit = super().get(key, kind)
        if hit is not None:
            self.used.add(key)
            self.replayed += 1
        return hit

    def put(self, key: str, record, system: str, user: str) -> None:
        super().put(key, record, system, user)
        self.used.add(key)
        self.generated += 1

    def prune(self, model: str) -> int:
        """Delete this model's recordings that the run did not use; returns how many."""
        removed = 0
        for path in self.folder.glob("*/*.json"):
            if path.stem in self.used:
                continue
            try:
                recorded_model = json.loads(path.read_text(encoding="utf-8")).get("model")
            except (OSError, ValueError):
                continue
            if recorded_model == model:
                path.unlink()
                removed += 1
        return removed


@dataclass(frozen=True)
class EvalProgress:
    """One step of a run, for a progress display (the CLI's is a rich bar per task)."""

    task: str
    done: int = 0  # cases finished
    total: int = 0  # cases in the task
    description: str = ""  # what is under way: "ingesting", a case, "done"
    note: str | None = None  # a message about the task instead of a step (e.g. why it was skipped)


EvalProgressCallback = Callable[[EvalProgress], None]


@dataclass
class RunOptions:
    recording_mode: str = "cache"
    recordings: Path | None = None  # completion cache folder; default per suite
    only: tuple[str, ...] = ()  # run only these tasks
    k: int | None = None  # override every task's k
    limit: int | None = None  # at most this many cases per dataset
    thresholds: dict[str, float] = field(default_factory=dict)  # --threshold overrides (gating)
    baseline: Path | None = None
    progress: EvalProgressCallback | None = None  # called at every step (rag.cli.progress draws it)

    @property
    def partial(self) -> bool:
        """The run is not the suite as defined (so its recordings are not the suite's recordings)."""
        return bool(self.only) or self.k is not None or self.limit is not None


def recordings_folder(suite: Suite, settings: Settings) -> Path:
    root = repo_root()
    if suite.path is not None and suite.path.resolve().parent.name == "suites":
        # <root>/evals/suites/NAME.toml records beside itself, from any working directory
        # (as find_suite resolves its datasets), so an installed rag replays a checkout's suite.
        root = suite.path.resolve().parents[2]
    safe = re.sub(r"[^\w.-]+", "-", suite.name).strip("-")
    if root is not None and suite.path is not None:
        return root / "evals" / "recordings" / safe
    return settings.cache_dir / "eval-recordings" / safe


def apply_threshold_overrides(suite: Suite, overrides: dict[str, float]) -> Suite:
    """--threshold TASK.METRIC=VALUE (or METRIC=VALUE for a one-task suite) adds or replaces a gating threshold."""
    if not overrides:
        return suite
    tasks = {t.name: dict(t.thresholds) for t in suite.tasks}
    for key, value in overrides.items():
        task_name = next((t for t in tasks if key.startswith(t + ".")), None)
        if task_name is not None:
            tasks[task_name][key[len(task_name) + 1 :]] = value
        elif len(tasks) == 1:
            tasks[next(iter(tasks))][key] = value
        else:
            raise UserInputError(
                f"--threshold {key}: prefix the metric with a task name "
                f"({', '.join(tasks)}), e.g. {next(iter(tasks))}.{key}"
            )
    return replace(suite, tasks=tuple(replace(t, thresholds=tasks[t.name]) for t in suite.tasks))


# -- loading cases -----------------------------------------------------------------


def load_task_cases(task: TaskSpec, limit: int | None = None) -> tuple[list, list]:
    """(cases to run, every record whose article the index holds).

    For QA and retrieval the index holds the context of every answerable record
    in the dataset files, not only of the selected cases: a small case subset
    still searches the whole corpus.
    """
    cases: list = []
    corpus: list = []
    for ref in task.datasets:
        n = min(filter(None, (ref.n, limit)), default=None)
        if task.type == "claims":
            # Round-robin over (document, claim language), so a subset covers many articles and both
            # languages (a third of the claims are Arabic). Nothing is ingested.
            selected = spread_cases(load_claims(ref.path), n, ref.offset, group=lambda c: (c.doc, c.claim_lang))
        elif task.type == "summarization":
            loaded = load_summary_cases(ref.path)[ref.offset :]
            selected = loaded[:n] if n else loaded
            corpus.extend(selected)
        else:
            loaded = load_qa_cases(ref.path)
            if ref.unanswerable:
                loaded = [replace(c, answerable=False) for c in loaded]
            selected = spread_cases(loaded, n, ref.offset)
            if task.type == "retrieval":
                selected = [c for c in selected if c.answerable]
            corpus.extend(c for c in loaded if c.answerable)
        cases.extend(selected)
    if not cases:
        raise UserInputError(f"task {task.name}: its datasets hold no cases")
    return cases, corpus


# -- the run -----------------------------------------------------------------------


class _Progress:
    """The run's steps, counted per task and passed to the caller's callback (if any)."""

    def __init__(self, callback: EvalProgressCallback | None):
        self._callback = callback

    def task(self, name: str, total: int) -> Callable[..., None]:
        """A callback: call(description) before a case, or call() after one."""
        if self._callback is None:
            return lambda *args: None
        state = {"done": 0, "description": ""}
        callback = self._callback

        def update(description: str | None = None, advance: int = 0) -> None:
            state["done"] += advance
            if description is not None:
                state["description"] = description
            callback(EvalProgress(name, state["done"], total, state["description"]))

        return update

    def note(self, task: str, message: str) -> None:
        if self._callback is not None:
            self._callback(EvalProgress(task, note=message))


def run_suite(suite: Suite, options: RunOptions = RunOptions(), settings: Settings | None = None) -> EvalReport:
    if options.recording_mode not in RECORDING_MODES:
        raise UserInputError(f"recording mode must be one of {', '.join(RECORDING_MODES)}")
    from rag.app import Rag

    user = settings or Settings.from_env()
    if options.only:
        suite = suite.only(list(options.only))
    suite = apply_threshold_overrides(suite, options.thresholds)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    cache = TrackingCache(
        options.recordings or recordings_folder(suite, user), replay_only=options.recording_mode == "replay"
    )
    model = None
    if any(t.type not in ("retrieval", "claims") for t in suite.tasks):
        from rag.generate.providers import model_label

        model = model_label(user.llm)
    results: list[TaskResult] = []
    skipped: list[dict] = []
    corpora: dict[tuple, _Corpus] = {}
    progress = _Progress(options.progress)
    with (
        tempfile.TemporaryDirectory(prefix="rag-eval-", ignore_cleanup_errors=True) as tmp,
        contextlib.ExitStack() as closing,
    ):
        for task in suite.tasks:
            missing = task.missing_files()
            if missing:
                reason = f"dataset not found: {', '.join(missing)}"
                skipped.append({"task": task.name, "reason": reason})
                progress.note(task.name, f"skipped {task.name}: {reason}")
                continue
            if options.k is not None:
                task = replace(task, k=options.k)
            cases, corpus_records = load_task_cases(task, options.limit)
            key = _corpus_key(task, corpus_records)
            if key not in corpora:
                rag = Rag(eval_settings(user, Path(tmp) / f"home-{len(corpora) + 1}"), completion_cache=cache)
                closing.callback(rag.close)
                corpora[key] = _Corpus(rag)
            try:
                results.append(run_task(corpora[key], task, cases, corpus_records, progress))
            except SetupError as exc:
                if options.recording_mode == "replay":
                    raise SetupError(
                        f"task {task.name}: {exc}; record it with `rag eval --suite {suite.name} --record`"
                    ) from None
                raise
    if options.recording_mode == "record" and not skipped and not options.partial and model:
        cache.prune(model)
    metrics = {f"{r.name}.{name}": value for r in results for name, value in r.metrics.items()}
    checks = threshold_checks(suite, metrics, {r.name for r in results})
    report = EvalReport(
        suite=suite.name,
        description=suite.description,
        metrics=metrics,
        checks=checks,
        tasks=results,
        skipped=skipped,
        model=model,
        embeddings=user.embeddings,
        recording_mode=options.recording_mode,
        completions={"replayed": cache.replayed, "generated": cache.generated},
        started=started.isoformat(timespec="seconds"),
        seconds=time.perf_counter() - clock,
    )
    if options.baseline is not None:
        report.baseline = {"file": str(options.baseline), "deltas": compare(metrics, load_baseline(options.baseline))}
    return report


@dataclass
class _Corpus:
    """One temporary index and what was ingested into it."""

    rag: object
    doc_ids: dict[str, str] = field(default_factory=dict)  # case or context id -> stored doc_id
    ingest_seconds: float | None = None
    ingested_by: str = ""


def _corpus_key(task: TaskSpec, cases: list) -> tuple:
    """Tasks over the same articles share one temporary index (ingesting is the slow part)."""
    corpus = tuple(sorted(str(ref.path) for ref in task.corpus))
    if task.type == "claims":
        return ("claims",)  # no index: one embedder for every claims task
    if task.type == "summarization":
        return ("summaries", corpus, tuple(sorted(c.case_id for c in cases)))
    return ("contexts", corpus, tuple(sorted({c.context_id for c in cases if c.answerable})))


def run_task(corpus: _Corpus, task: TaskSpec, cases: list, corpus_records: list, progress: _Progress) -> TaskResult:
    started = time.perf_counter()
    rag = corpus.rag
    if task.type == "claims":
        return _run_claims(rag, task, cases, progress, started)
    per_case = len(task.modes) if task.type == "retrieval" else 1
    update = progress.task(task.name, total=len(cases) * per_case)
    if corpus.ingest_seconds is None:
        update("ingesting")
        ingest_started = time.perf_counter()
        for ref in task.corpus:
            rag.ingest([ref.path], source="eval-corpus")
        if task.type == "summarization":
            ingest_records(rag, [c.article_record() for c in corpus_records], source="eval")
            corpus.doc_ids.update(
                {a.origin[3:]: a.doc_id for a in rag.docs() if a.origin and a.origin.startswith("id:")}
            )
        else:
            corpus.doc_ids.update(ingest_contexts(rag, corpus_records))
        corpus.ingest_seconds = time.perf_counter() - ingest_started
        corpus.ingested_by = task.name
    ids = corpus.doc_ids
    if task.type == "retrieval":
        run = run_retrieval(rag, cases, ids, modes=task.modes, k=task.k, advance=lambda: update(None, 1))
        metrics = {name: value for s in run.scores.values() for name, value in s.metrics().items()}
        result = TaskResult(
            name=task.name,
            type="retrieval",
            metrics=metrics,
            cases=len(run.records),
            records=run.records,
            worst=_worst_retrieval(run.records, task.modes),
            info={"k": task.k, "modes": list(task.modes), "without_gold": run.without_gold},
        )
        update("done")
    else:
        if task.type == "qa":
            result = evaluate_answers(rag, cases, ids, k=task.k, advance=_stepper(update))
            result.info["k"] = task.k
        else:
            missing = [c.case_id for c in cases if c.case_id not in ids]
            if missing:
                raise UserInputError(f"task {task.name}: articles {', '.join(missing)} were rejected at ingest")
            result = evaluate_summaries(rag, cases, ids, sentences=task.sentences, advance=_stepper(update))
        update("done", 1)
    result.name = task.name
    result.info["datasets"] = [ref.spec for ref in task.datasets]
    if task.corpus:
        result.info["corpus"] = [ref.spec for ref in task.corpus]
    if corpus.ingested_by == task.name:
        result.info["ingest_seconds"] = round(corpus.ingest_seconds, 2)
    else:
        result.info["index_shared_with"] = corpus.ingested_by
    result.seconds = time.perf_counter() - started
    return result


def _run_claims(rag, task: TaskSpec, cases: list, progress: _Progress, started: float) -> TaskResult:
    update = progress.task(task.name, total=len(cases))
    result = evaluate_claims(rag, cases, advance=_stepper(update))
    update("done", 1)
    result.name = task.name
    result.info["datasets"] = [ref.spec for ref in task.datasets]
    result.seconds = time.perf_counter() - started
    return result


def _stepper(update: Callable[..., None]) -> Callable[[str], None]:
    """Before each case: count the previous one as done and show the new one."""
    state = {"first": True}

    def step(description: str) -> None:
        update(description, 0 if state["first"] else 1)
        state["first"] = False

    return step


def _worst_retrieval(records: list[dict], modes: tuple[str, ...], limit: int = 5) -> list[dict]:
    primary = modes[0]
    misses = [r for r in records if (r["rank"].get(primary) or 99) > 1]
    misses.sort(key=lambda r: -(r["rank"].get(primary) or 99))
    return [{k: r.get(k) for k in ("id", "question", "gold", "rank", "top")} for r in misses[:limit]]


def threshold_checks(suite: Suite, metrics: dict[str, float], ran: set[str]) -> list[ThresholdCheck]:
    checks = []
    for task in suite.tasks:
        if task.name not in ran:
            continue
        for name, value in task.thresholds.items():
            full = f"{task.name}.{name}"
            checks.append(ThresholdCheck(full, value, metrics.get(full), gating=True))
        for name, value in task.advisory.items():
            if name not in task.thresholds:
                full = f"{task.name}.{name}"
                checks.append(ThresholdCheck(full, value, metrics.get(full), gating=False))
    return checks


def write_reports(report: EvalReport, out: Path) -> tuple[Path, Path]:
    """FILE gets the JSON report (with every case), FILE.md the Markdown one."""
    from rag.evals.report import render_markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report.to_json(records=True), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    markdown = out.with_suffix(".md") if out.suffix != ".md" else out.with_name(out.name + ".md")
    markdown.write_text(render_markdown(report), encoding="utf-8")
    return out, markdown


def default_report_path(report: EvalReport, settings: Settings) -> Path:
    safe = re.sub(r"[^\w.-]+", "-", report.suite).strip("-")
    stamp = report.started.replace(":", "").replace("-", "").replace("+0000", "Z")
    return settings.home / "eval-reports" / f"{safe}-{stamp}.json"
