"""What the model spent on each evaluated case, and its mean per task (answers and summaries alike)."""

from __future__ import annotations

from rag.evals.metrics import mean
from rag.generate.generator import GeneratorUsage


def case_costs(usage: GeneratorUsage, seconds: float) -> dict:
    """A case record's cost fields: `usage` counts every model call the case made (recorded
    costs when replayed); `seconds` is this run's wall clock, retrieval and checks included."""
    return {
        "model_calls": usage.calls,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "generation_seconds": usage.seconds,
        "replayed": usage.calls > 0 and usage.replayed == usage.calls,
        "seconds": seconds,
    }


def cost_metrics(records: list[dict]) -> dict[str, float]:
    """The per-case means of those fields (thresholds on them are maxima)."""
    return {
        "prompt_tokens_per_case": mean([r["prompt_tokens"] for r in records]),
        "completion_tokens_per_case": mean([r["completion_tokens"] for r in records]),
        "generation_seconds_per_case": mean([r["generation_seconds"] for r in records]),
        "seconds_per_case": mean([r["seconds"] for r in records]),
    }


def search_milliseconds(rag, queries: list[str], policy, k: int = 5) -> list[float]:
    """Wall milliseconds of `rag.search` for each query under a retrieval policy (the benchmarks)."""
    import time

    times = []
    for query in queries:
        started = time.perf_counter()
        rag.search(query, k=k, policy=policy)
        times.append((time.perf_counter() - started) * 1000)
    return times
