"""What a task evaluation returns, and how a metric is checked against its threshold."""

from __future__ import annotations

from dataclasses import dataclass, field

# Costs and error rates: lower is better, so their thresholds are maxima (`ar.wrong_rate`,
# `claims.en.unfaithful_accepted` too). Everything else is a minimum.
LOWER_IS_BETTER_SUFFIXES = ("tokens_per_case", "seconds_per_case", "wrong_rate", "unfaithful_accepted")
_EPSILON = 1e-9  # 0.7 + 0.2 + 0.1 is not 1.0 in floating point; a threshold of 1.0 must still hold


def lower_is_better(metric: str) -> bool:
    return metric.endswith(LOWER_IS_BETTER_SUFFIXES)


def meets(metric: str, value: float, threshold: float) -> bool:
    if lower_is_better(metric):
        return value <= threshold + _EPSILON
    return value >= threshold - _EPSILON


@dataclass
class TaskResult:
    name: str
    type: str
    metrics: dict[str, float]  # unprefixed names, e.g. "hybrid.recall_at_5"
    cases: int
    records: list[dict] = field(default_factory=list)  # one per case, for the JSON report
    worst: list[dict] = field(default_factory=list)  # the cases to read first
    info: dict = field(default_factory=dict)  # counts and settings worth reporting
    seconds: float = 0.0


@dataclass(frozen=True)
class ThresholdCheck:
    metric: str  # full name, task.metric
    threshold: float
    value: float | None  # None: the metric was not produced (a typo, or a task that did not run)
    gating: bool = True

    @property
    def passed(self) -> bool:
        return self.value is not None and meets(self.metric, self.value, self.threshold)

    @property
    def direction(self) -> str:
        return "max" if lower_is_better(self.metric) else "min"

    def to_json(self) -> dict:
        return {
            "metric": self.metric,
            "value": self.value,
            "threshold": self.threshold,
            "direction": self.direction,
            "passed": self.passed,
            "gating": self.gating,
        }
