"""Eval suites: TOML files under evals/suites/, parsed into a strict model.

A suite names one or more tasks. Each task has a type (retrieval, qa,
summarization, claims), one or more datasets (paths relative to the repository root;
`../shared/...` reaches data beside it), optional extra corpus files ingested
as distractor articles, a retrieval depth k and metric thresholds:

    name = "ci"
    description = "…"

    [[tasks]]
    name = "retrieval_ar"
    type = "retrieval"
    dataset = "evals/datasets/xquad_ar.jsonl"      # or [[tasks.datasets]] tables: path, n, offset, unanswerable
    corpus = ["evals/datasets/xquad_ar_distractors.jsonl"]
    k = 10

    [tasks.thresholds]
    "hybrid.recall_at_5" = 0.98                    # a minimum; costs and error rates take a maximum

A task whose dataset file is absent is skipped with a message, not failed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.errors import UserInputError

TASK_TYPES = ("retrieval", "qa", "summarization", "claims")
RETRIEVAL_MODES = ("hybrid", "dense", "lexical")
_TASK_KEYS = {
    "name",
    "type",
    "dataset",
    "datasets",
    "n",
    "offset",
    "corpus",
    "k",
    "modes",
    "sentences",
    "thresholds",
    "description",
}
_DATASET_KEYS = {"path", "n", "offset", "unanswerable"}

# Reported for --dataset runs (not gating unless given with --threshold): the
# levels below which we would call the product broken on a new data set.
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "retrieval": {"hybrid.recall_at_5": 0.8, "hybrid.mrr": 0.6},
    "qa": {"citation_invariant": 1.0, "citation_precision": 0.8, "contains_gold": 0.3, "citation_hit_rate": 0.3},
    "summarization": {"citation_invariant": 1.0, "cited_sentence_rate": 1.0, "language_correct": 0.9, "rouge1": 0.15},
    # Issue 15's bar for the checker: at most 5% of unfaithful claims accepted, at least 85% of faithful ones.
    "claims": {"unfaithful_accepted": 0.05, "faithful_accepted": 0.85},
}


@dataclass(frozen=True)
class DatasetRef:
    spec: str  # as written in the suite (shown in messages)
    path: Path  # resolved
    n: int | None = None
    offset: int = 0
    unanswerable: bool = False  # every record becomes an unanswerable question (its context is not ingested)


@dataclass(frozen=True)
class TaskSpec:
    name: str
    type: str
    datasets: tuple[DatasetRef, ...]
    corpus: tuple[DatasetRef, ...] = ()
    k: int = 10
    modes: tuple[str, ...] = RETRIEVAL_MODES
    sentences: int = 3
    thresholds: dict[str, float] = field(default_factory=dict)  # gating
    advisory: dict[str, float] = field(default_factory=dict)  # reported only
    description: str = ""

    def missing_files(self) -> list[str]:
        return [ref.spec for ref in self.datasets + self.corpus if not ref.path.is_file()]


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    tasks: tuple[TaskSpec, ...]
    path: Path | None = None

    def only(self, names: list[str]) -> Suite:
        unknown = [n for n in names if n not in {t.name for t in self.tasks}]
        if unknown:
            raise UserInputError(
                f"suite {self.name!r} has no task {', '.join(map(repr, unknown))}; "
                f"its tasks: {', '.join(t.name for t in self.tasks)}"
            )
        return replace(self, tasks=tuple(t for t in self.tasks if t.name in names))


def repo_root() -> Path | None:
    """The folder holding evals/suites: the working directory or the source checkout of `rag`."""
    import rag

    for candidate in (Path.cwd(), Path(rag.__file__).resolve().parent.parent):
        if (candidate / "evals" / "suites").is_dir():
            return candidate
    return None


def suite_names(root: Path | None = None) -> list[str]:
    root = root or repo_root()
    return sorted(p.stem for p in (root / "evals" / "suites").glob("*.toml")) if root else []


def find_suite(name: str) -> Suite:
    """A suite by name (evals/suites/NAME.toml) or by the path of a TOML file."""
    if name.endswith(".toml") or "/" in name:
        path = Path(name).expanduser()
        if not path.is_file():
            raise UserInputError(f"no suite file at {path}")
        # A suite file at <root>/evals/suites/x.toml resolves datasets against <root>.
        root = path.resolve().parents[2] if path.resolve().parent.name == "suites" else Path.cwd()
        return parse_suite(path, root)
    root = repo_root()
    if root is None:
        raise UserInputError(
            "cannot find the evals/suites folder; run `rag eval` from the project checkout "
            "or pass --suite path/to/suite.toml"
        )
    path = root / "evals" / "suites" / f"{name}.toml"
    if not path.is_file():
        raise UserInputError(f"no suite named {name!r}; available: {', '.join(suite_names(root)) or 'none'}")
    return parse_suite(path, root)


def parse_suite(path: Path, root: Path) -> Suite:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserInputError(f"{path}: not a valid suite file ({exc})") from None
    where = str(path)
    name = data.get("name") or path.stem
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise UserInputError(f"{where}: a suite needs at least one [[tasks]] table")
    specs = tuple(parse_task(t, root, f"{where}: task {i}") for i, t in enumerate(tasks, 1))
    names = [t.name for t in specs]
    if len(set(names)) != len(names):
        raise UserInputError(f"{where}: task names must be unique, got {', '.join(names)}")
    return Suite(name=str(name), description=str(data.get("description", "")), tasks=specs, path=path)


def parse_task(data: object, root: Path, where: str) -> TaskSpec:
    if not isinstance(data, dict):
        raise UserInputError(f"{where}: expected a table")
    unknown = set(data) - _TASK_KEYS
    if unknown:
        raise UserInputError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    task_type = data.get("type")
    if task_type not in TASK_TYPES:
        raise UserInputError(f"{where}: type must be one of {', '.join(TASK_TYPES)}, got {task_type!r}")
    name = str(data.get("name") or task_type)
    where = f"{where} ({name})"
    if "dataset" in data and "datasets" in data:
        raise UserInputError(f"{where}: give either dataset or [[tasks.datasets]], not both")
    if "dataset" in data:
        entries = [{"path": data["dataset"], "n": data.get("n"), "offset": data.get("offset", 0)}]
    elif "n" in data or "offset" in data:
        raise UserInputError(f"{where}: with [[tasks.datasets]], put n and offset in each dataset table")
    else:
        entries = data.get("datasets")
        if not isinstance(entries, list) or not entries:
            raise UserInputError(f"{where}: needs a dataset")
    datasets = tuple(_dataset(entry, root, where) for entry in entries)
    corpus = data.get("corpus", [])
    if isinstance(corpus, str):
        corpus = [corpus]
    modes = tuple(data.get("modes", RETRIEVAL_MODES))
    if not modes or any(m not in RETRIEVAL_MODES for m in modes):
        raise UserInputError(f"{where}: modes must be among {', '.join(RETRIEVAL_MODES)}")
    return TaskSpec(
        name=name,
        type=task_type,
        datasets=datasets,
        corpus=tuple(_dataset({"path": c}, root, where) for c in corpus),
        k=_positive_int(data.get("k", 10), "k", where),
        modes=modes,
        sentences=_positive_int(data.get("sentences", 3), "sentences", where),
        thresholds=parse_thresholds(data.get("thresholds", {}), where),
        description=str(data.get("description", "")),
    )


def _dataset(entry: object, root: Path, where: str) -> DatasetRef:
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise UserInputError(f"{where}: a dataset needs a path")
    unknown = set(entry) - _DATASET_KEYS
    if unknown:
        raise UserInputError(f"{where}: unknown dataset keys {', '.join(sorted(unknown))}")
    spec = entry["path"]
    path = Path(spec).expanduser()
    n = entry.get("n")
    unanswerable = entry.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise UserInputError(f"{where}: unanswerable must be true or false")
    return DatasetRef(
        spec=spec,
        path=path if path.is_absolute() else root / path,
        n=_positive_int(n, "n", where) if n is not None else None,
        offset=_non_negative_int(entry.get("offset", 0) or 0, "offset", where),
        unanswerable=unanswerable,
    )


def parse_thresholds(data: object, where: str) -> dict[str, float]:
    if not isinstance(data, dict):
        raise UserInputError(f"{where}: thresholds must be a table of metric = number")
    out = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserInputError(f"{where}: threshold {key!r} must be a number, got {value!r}")
        out[str(key)] = float(value)
    return out


def _positive_int(value: object, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserInputError(f"{where}: {key} must be a positive integer, got {value!r}")
    return value


def _non_negative_int(value: object, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserInputError(f"{where}: {key} must be a non-negative integer, got {value!r}")
    return value


def adhoc_suite(dataset: Path, task_type: str, n: int | None = None, k: int | None = None, sentences: int = 3) -> Suite:
    """A one-task suite over any JSONL in the documented QA or summarization schema.

    Its thresholds are the defaults for the task type, reported but not gating
    (pass --threshold to gate).
    """
    if task_type not in TASK_TYPES:
        raise UserInputError(f"--task must be one of {', '.join(TASK_TYPES)}, got {task_type!r}")
    path = dataset.expanduser()
    if not path.is_file():
        raise UserInputError(f"no dataset file at {path}")
    task = TaskSpec(
        name=task_type,
        type=task_type,
        datasets=(DatasetRef(str(dataset), path.resolve(), n),),
        k=k or (10 if task_type == "retrieval" else 5),
        sentences=sentences,
        advisory=dict(DEFAULT_THRESHOLDS[task_type]),
    )
    return Suite(name=f"dataset:{path.name}", description=f"{task_type} on {path}", tasks=(task,))
