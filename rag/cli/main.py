"""The `rag` command: thin over the library API in rag.app."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer

from rag.cli.output import print_json, stderr, stdout
from rag.errors import RagError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Offline Arabic/English news analysis with exactly cited answers, summaries and briefings.")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def user_errors(func: Callable) -> Callable:
    """Turn a RagError into one `Error: …` line and exit 1 (RAG_DEBUG=1 re-raises)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RagError as exc:
            if os.environ.get("RAG_DEBUG"):
                raise
            stderr.print(f"[red]Error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            stderr.print("Interrupted.")
            raise typer.Exit(130) from None

    return wrapper


def open_app():
    from rag.app import Rag

    return Rag()


@app.command()
@user_errors
def ingest(paths: Annotated[list[str], typer.Argument(help="Files or folders (.txt .md .html .json .jsonl).")],
           source: Annotated[Optional[str], typer.Option(help="Outlet name for these articles.")] = None,
           as_json: JsonFlag = False) -> None:
    """Ingest articles; unchanged articles are skipped, bad inputs reported with file and line."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    rag = open_app()
    with Progress(SpinnerColumn(), TextColumn("ingest {task.completed} articles"), BarColumn(bar_width=None),
                  TextColumn("{task.description}"), TimeElapsedColumn(), console=stderr, transient=True,
                  disable=not stderr.is_terminal and os.environ.get("RAG_PROGRESS") != "1") as progress:
        task = progress.add_task("", total=None)
        report = rag.ingest(paths, source=source,
                            progress=lambda done, title: progress.update(task, completed=done, description=title[:40]))
    for rejection in report.rejected:
        stderr.print(f"rejected {rejection}", markup=False)
    summary = (f"{len(report.added)} added, {len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
               f"{len(report.rejected)} rejected, {report.chunks} chunks")
    if as_json:
        print_json(report.to_json())
    else:
        for doc_id in report.added:
            article = rag.store.get(doc_id)
            stdout.print(f"{doc_id}  {article.title if article else ''}", markup=False)
    stderr.print(summary, markup=False)
    if report.rejected:
        raise typer.Exit(1)


@app.command()
@user_errors
def docs(date: Annotated[Optional[str], typer.Option(help="Only articles of this date (YYYY-MM-DD).")] = None,
         as_json: JsonFlag = False) -> None:
    """List stored articles."""
    from rag.cli.dates import parse_date_option

    articles = open_app().docs(parse_date_option(date) if date else None)
    if as_json:
        print_json({"date": date, "count": len(articles),
                    "docs": [{k: v for k, v in a.to_json().items() if k != "text"} | {"chars": len(a.text)} for a in articles]})
        return
    for a in articles:
        stdout.print(f"{a.doc_id}  {a.date or '----------'}  {(a.source or '-')[:18]:<18}  {a.title}", markup=False)
    stderr.print(f"{len(articles)} articles", markup=False)


@app.command()
@user_errors
def show(doc_id: str, as_json: JsonFlag = False) -> None:
    """Print a stored original article."""
    article = open_app().show(doc_id)
    if as_json:
        print_json(article.to_json())
        return
    stdout.print(f"# {article.title}", markup=False)
    stdout.print(f"{article.date or ''}  {article.source or ''}  {article.url or ''}".strip(), markup=False)
    stdout.print(article.text, markup=False)


@app.command()
@user_errors
def search(query: str, k: Annotated[int, typer.Option("-k", min=1, max=200, help="Number of passages.")] = 5,
           as_json: JsonFlag = False) -> None:
    """Ranked passages for a query (no LLM)."""
    passages = open_app().search(query, k=k)
    if as_json:
        print_json({"query": query, "results": [p.to_json() for p in passages]})
        return
    if not passages:
        stderr.print("No passages found.")
    for i, p in enumerate(passages, 1):
        stdout.print(f"[bold][{i}][/bold] {p.title} [dim]({p.doc_id} {p.start}-{p.end}, score {p.score:.4f})[/dim]")
        stdout.print(p.text, markup=False)
        stdout.print()


@app.command()
@user_errors
def ask(question: str, k: Annotated[int, typer.Option("-k", min=1, max=50, help="Passages to retrieve.")] = 5,
        as_json: JsonFlag = False) -> None:
    """A cited answer in the question's language (or an explicit "not found")."""
    rag = open_app()
    streaming = not as_json and stderr.is_terminal
    on_token = (lambda text: stderr.print(text, end="", style="dim", markup=False)) if streaming else None
    answer = rag.ask(question, k=k, on_token=on_token)
    if streaming:
        stderr.print()
    if as_json:
        print_json(answer.to_json())
        return
    print_answer(answer)


@app.command()
@user_errors
def summarize(doc_ids: Annotated[list[str], typer.Argument(help="One or more document ids (see `rag docs`).")],
              sentences: Annotated[int, typer.Option(min=1, max=12, help="Sentences per language.")] = 4,
              as_json: JsonFlag = False) -> None:
    """Bilingual Arabic + English summary; every sentence cites exact source spans."""
    rag = open_app()
    summary = rag.summarize(doc_ids, sentences=sentences, progress=lambda msg: stderr.print(f"[dim]{msg}…[/dim]"))
    if as_json:
        print_json(summary.to_json())
        return
    print_summary(summary)


@app.command()
@user_errors
def brief(date: Annotated[Optional[str], typer.Option(help="Day to brief (YYYY-MM-DD); default today in --tz.")] = None,
          since: Annotated[Optional[str], typer.Option(help="Brief the dates the last DURATION covers (24h, 2d).")] = None,
          from_: Annotated[Optional[str], typer.Option("--from", help="Window start (YYYY-MM-DD[THH:MM]).")] = None,
          to: Annotated[Optional[str], typer.Option(help="Window end (default now); with --from.")] = None,
          tz: Annotated[Optional[str], typer.Option(help="Time zone of dates and windows (IANA name); default "
                                                         "$RAG_TZ, else UTC.")] = None,
          out: Annotated[str, typer.Option("--out", help="Folder for briefing-DATE.md, .html and .json.")] = ".",
          top: Annotated[int, typer.Option(min=1, max=100, help="Stories summarized; the rest are listed.")] = 10,
          words: Annotated[int, typer.Option(min=10, max=200, help="Arabic words per story summary (about).")] = 40,
          listed_english: Annotated[int, typer.Option("--listed-english", min=0, max=1000,
                                                      help="English headlines for the first N listed stories "
                                                           "(0: none; each costs model time).")] = 20,
          quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the per-story log lines and errors on stderr.")] = False,
          as_json: JsonFlag = False) -> None:
    """Daily briefing: the day's stories ranked by news value, each with a short cited summary.

    Exit codes: 0 written; 1 no articles for the dates (or another error); 2 usage error.
    """
    from rag.brief.continuing import previous_briefing
    from rag.brief.render import write_briefing
    from rag.brief.window import choose_window

    if sum(x is not None for x in (date, since, from_)) > 1:
        raise typer.BadParameter("give one of --date, --since and --from")
    if to is not None and from_ is None:
        raise typer.BadParameter("--to goes with --from")
    window = choose_window(date, since, from_, to, tz or os.environ.get("RAG_TZ") or "UTC")
    dates = window.dates
    day = dates[-1]
    say = (lambda message: None) if quiet else \
        (lambda message: stderr.print(f"{message}…", style="dim", markup=False, highlight=False))
    # markup=False: log lines carry article titles, which may contain [brackets].
    log = lambda message: stderr.print(message, markup=False, highlight=False)  # noqa: E731
    briefing = open_app().brief(day, top=top, progress=say, log=log, dates=dates,
                                window=window.to_json() if since or from_ else None,
                                previous=previous_briefing(out, day), budget=words,
                                listed_english=listed_english)
    paths = write_briefing(briefing, out)
    if as_json:
        print_json(briefing.to_json())
    if not quiet:
        for path in paths:
            stderr.print(f"wrote {path}", markup=False)
    stats = briefing.stats or {}
    stderr.print(f"{briefing.date} (article dates {', '.join(dates)}, {window.tz}): "
                 f"{len(briefing.stories)} stories summarized ({stats.get('from_cache', 0)} from cache), {len(briefing.more_stories)} more and "
                 f"{len(briefing.opinion)} opinion/features listed, from {briefing.articles} articles · "
                 f"{briefing.model} · {briefing.seconds:.0f} s", markup=False, highlight=False)


def print_summary(summary) -> None:
    from rag.cli.render import print_citations

    for lang in ("ar", "en"):
        stdout.print(f"[bold]{summary.title[lang]}[/bold]")
        for sentence in getattr(summary, lang):
            markers = "".join(f"[{n}]" for n in sentence["citations"])
            stdout.print(f"• {sentence['text']} {markers}", markup=False)
        stdout.print()
    print_citations(summary.citations)


def print_answer(answer) -> None:
    from rag.cli.render import print_citations

    stdout.print(answer.answer, markup=False)
    if answer.citations:
        stdout.print()
        print_citations(answer.citations)
    stderr.print(f"[dim]{answer.model}{'' if answer.grounded else ' · not grounded'}[/dim]")


@app.command()
@user_errors
def repl() -> None:
    """Interactive session: questions, searches, summaries, briefings, sources."""
    from rag.cli.repl import run_repl

    run_repl(open_app())


def _parse_thresholds(values: list[str]) -> dict[str, float]:
    out = {}
    for item in values:
        name, sep, number = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = float(number)
        except ValueError:
            raise typer.BadParameter(f"expected METRIC=NUMBER, got {item!r}", param_hint="--threshold") from None
    return out


@app.command("eval")
@user_errors
def eval_command(
    suite: Annotated[Optional[str], typer.Option(help="Suite name (evals/suites/NAME.toml) or a .toml path; default ci.")] = None,
    as_json: JsonFlag = False,
    out: Annotated[Optional[Path], typer.Option(help="Write the JSON report here (every case) and FILE.md beside it.")] = None,
    baseline: Annotated[Optional[Path], typer.Option(help="An earlier JSON report: show per-metric deltas.")] = None,
    dataset: Annotated[Optional[Path], typer.Option(help="Evaluate any JSONL in the QA or summarization schema.")] = None,
    task: Annotated[Optional[str], typer.Option(help="With --dataset: qa, summarization or retrieval.")] = None,
    record: Annotated[bool, typer.Option("--record", help="Generate missing outputs and keep exactly this run's recordings.")] = False,
    replay: Annotated[bool, typer.Option("--replay", help="Use recorded outputs only; a missing one is an error.")] = False,
    threshold: Annotated[list[str], typer.Option(help="TASK.METRIC=VALUE: add or override a gating threshold.")] = [],
    only: Annotated[list[str], typer.Option(help="Run only this task of the suite (repeatable).")] = [],
    k: Annotated[Optional[int], typer.Option("-k", min=1, max=100, help="Override every task's retrieval depth.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N cases per dataset.")] = None,
) -> None:
    """Run an eval suite; exit 1 when a metric misses its threshold."""
    from rag.config import Settings
    from rag.evals.report import render_markdown
    from rag.evals.runner import RunOptions, default_report_path, run_suite, write_reports
    from rag.evals.suites import adhoc_suite, find_suite

    if record and replay:
        raise typer.BadParameter("choose one of --record and --replay")
    if dataset is not None and suite is not None:
        raise typer.BadParameter("give --suite or --dataset, not both")
    if (dataset is None) != (task is None):
        raise typer.BadParameter("--dataset and --task go together")
    settings = Settings.from_env()
    chosen = adhoc_suite(dataset, task, n=limit, k=k) if dataset is not None else find_suite(suite or "ci")
    options = RunOptions(recording_mode="record" if record else "replay" if replay else "cache", only=tuple(only),
                         k=k, limit=limit,
                         thresholds=_parse_thresholds(threshold), baseline=baseline,
                         progress=stderr.is_terminal or os.environ.get("RAG_PROGRESS") == "1")
    report = run_suite(chosen, options, settings)
    json_path, markdown_path = write_reports(report, out or default_report_path(report, settings))
    if as_json:
        print_json(report.to_json())
    else:
        stdout.print(render_markdown(report), markup=False, highlight=False)
    for skipped in report.skipped:
        stderr.print(f"skipped {skipped['task']}: {skipped['reason']}", markup=False)
    stderr.print(f"{'passed' if report.passed else 'FAILED'}: {report.cases} cases in {report.seconds:.1f} s; "
                 f"reports: {json_path}, {markdown_path}", markup=False)
    for failure in report.failures:
        value = "not produced" if failure.value is None else f"{failure.value:.4f}"
        stderr.print(f"below threshold: {failure.metric} = {value} "
                     f"({'≤' if failure.direction == 'max' else '≥'} {failure.threshold})", markup=False)
    if not report.passed:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()


if __name__ == "__main__":
    main()
