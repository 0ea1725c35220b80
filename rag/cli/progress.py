"""Progress on stderr for long commands: a rich bar per eval task."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from rag.cli.output import stderr
from rag.evals.runner import EvalProgress


class EvalProgressBars:
    """A context manager whose instance is the eval runner's progress callback."""

    def __init__(self) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.fields[name]:<20}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=stderr,
            transient=False,
        )
        self._bars: dict[str, TaskID] = {}

    def __enter__(self) -> EvalProgressBars:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def __call__(self, step: EvalProgress) -> None:
        if step.note is not None:
            self._progress.console.print(step.note, markup=False, highlight=False)
            return
        bar = self._bars.get(step.task)
        if bar is None:
            bar = self._bars[step.task] = self._progress.add_task("", total=step.total, name=step.task)
        self._progress.update(bar, completed=step.done, description=step.description)
