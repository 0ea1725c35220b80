"""The `rag` command: thin over the library API in rag.app."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from rag.cli.output import print_json, stderr, stdout
from rag.errors import RagError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Offline Arabic/English news analysis with exactly cited answers, summaries and briefings.",
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def user_errors(func: Callable) -> Callable:
    """Turn a RagError into one `Error: …` line and exit 1 (RAG_DEBUG=1 re-raises)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RagError as exc:
            if _debug_requested():
                raise
            # escape: a message's [brackets] (pip's '.[llm]') are text, not rich markup.
            stderr.print(f"[red]Error:[/red] {escape(str(exc))}", markup=True, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            stderr.print("Interrupted.")
            raise typer.Exit(130) from None

    return wrapper


def _debug_requested() -> bool:
    from rag.config import Settings

    try:
        return Settings.from_env().debug
    except RagError:  # the settings themselves are what is wrong: the error says so
        return False


def progress_wanted(settings) -> bool:
    """Progress bars on stderr: on a terminal, or anywhere with RAG_PROGRESS=1."""
    return stderr.is_terminal or settings.progress


def open_app():
    from rag.app import Rag

    return Rag()


@app.command()
@user_errors
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (.txt .md .html .json .jsonl).")],
    source: Annotated[str | None, typer.Option(help="Outlet name for these articles.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ingest articles; unchanged articles are skipped, bad inputs reported with file and line."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    rag = open_app()
    with Progress(
        SpinnerColumn(),
        TextColumn("ingest {task.completed} articles"),
        BarColumn(bar_width=None),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not progress_wanted(rag.settings),
    ) as progress:
        task = progress.add_task("", total=None)
        report = rag.ingest(
            paths,
            source=source,
            progress=lambda done, title: progress.update(task, completed=done, description=title[:40]),
        )
    for rejection in report.rejected:
        stderr.print(f"rejected {rejection}", markup=False)
    summary = (
        f"{len(report.added)} added, {len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
        f"{len(report.rejected)} rejected, {report.chunks} chunks"
    )
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
def docs(
    date: Annotated[str | None, typer.Option(help="Only articles of this date (YYYY-MM-DD).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List stored articles."""
    from rag.cli.dates import parse_date_option

    articles = open_app().docs(parse_date_option(date) if date else None)
    if as_json:
        print_json(
            {
                "date": date,
                "count": len(articles),
                "docs": [
                    {k: v for k, v in a.to_json().items() if k != "text"} | {"chars": len(a.text)} for a in articles
                ],
            }
        )
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
def search(
    query: str,
    k: Annotated[int, typer.Option("-k", min=1, max=200, help="Number of passages.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Ranked passages for a query (no LLM)."""
    passages = open_app().search(query, k=k)
    if as_json:
        print_json({"query": query, "results": [p.to_json() for p in passages]})
        return
    from rag.cli.render import Renderer

    Renderer().passages(passages)


@app.command()
@user_errors
def ask(
    question: str,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Passages to retrieve.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """A cited answer in the question's language (or an explicit "not found")."""
    from rag.cli.render import Renderer

    rag = open_app()
    warming = warm_in_background(rag)
    try:
        if as_json:
            print_json(rag.ask(question, k=k).to_json())
            return
        view = Renderer()
        if stderr.is_terminal:
            # On a terminal: the evidence at once, the draft streamed, then the verified answer.
            from rag.cli.session import ask_with_evidence

            ask_with_evidence(rag, question, k, view)
            return
        view.answer(rag.ask(question, k=k))
    finally:
        for thread in warming:
            thread.join()  # never leave the interpreter while llama.cpp is still loading


def warm_in_background(rag) -> list:
    """Load, on threads, what a fresh `rag ask` needs after its search: the model's weights, the
    token encoding, the Arabic root stemmer and the lexicon (otherwise each loads on first use,
    one after the other). A failure is left to the call that needs it, which reports it."""
    import threading

    from rag.text.arabic import arabic_root
    from rag.text.lexicon import lexicon
    from rag.text.tokens import count_tokens

    def quietly(*loads):
        def run() -> None:
            for load in loads:
                try:
                    load()
                except Exception:  # noqa: BLE001 - the call that needs it reports any failure
                    return

        return run

    generator = rag.generator  # built here: one Generator, not one per thread
    threads = [
        threading.Thread(target=quietly(lambda: generator.warm(first_call=False)), name="model-warm", daemon=True),
        threading.Thread(
            target=quietly(lambda: count_tokens("تحميل"), lambda: arabic_root("تحميل"), lexicon),
            name="text-warm",
            daemon=True,
        ),
    ]
    for thread in threads:
        thread.start()
    return threads


@app.command()
@user_errors
def summarize(
    doc_ids: Annotated[list[str], typer.Argument(help="One or more document ids (see `rag docs`).")],
    sentences: Annotated[int, typer.Option(min=1, max=12, help="Sentences per language.")] = 4,
    as_json: JsonFlag = False,
) -> None:
    """Bilingual Arabic + English summary; every sentence cites exact source spans."""
    rag = open_app()
    summary = rag.summarize(doc_ids, sentences=sentences, progress=lambda msg: stderr.print(f"[dim]{msg}…[/dim]"))
    if as_json:
        print_json(summary.to_json())
        return
    from rag.cli.render import Renderer

    Renderer().summary(summary)


@app.command()
@user_errors
def brief(
    date: Annotated[str | None, typer.Option(help="Day to brief (YYYY-MM-DD); default today in --tz.")] = None,
    since: Annotated[str | None, typer.Option(help="Brief the dates the last DURATION covers (24h, 2d).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Window start (YYYY-MM-DD[THH:MM]).")] = None,
    to: Annotated[str | None, typer.Option(help="Window end (default now); with --from.")] = None,
    tz: Annotated[
        str | None, typer.Option(help="Time zone of dates and windows (IANA name); default $RAG_TZ, else UTC.")
    ] = None,
    out: Annotated[str, typer.Option("--out", help="Folder for briefing-DATE.md, .html and .json.")] = ".",
    top: Annotated[int, typer.Option(min=1, max=100, help="Stories summarized; the rest are listed.")] = 10,
    words: Annotated[int, typer.Option(min=10, max=200, help="Arabic words per story summary (about).")] = 40,
    listed_english: Annotated[
        int,
        typer.Option(
            "--listed-english",
            min=0,
            max=1000,
            help="English headlines for the first N listed stories (0: none; each costs model time).",
        ),
    ] = 20,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the per-story log lines and errors on stderr.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
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
    from rag.config import Settings

    window = choose_window(date, since, from_, to, tz or Settings.from_env().tz)
    dates = window.dates
    day = dates[-1]
    say = (
        (lambda message: None)
        if quiet
        else (lambda message: stderr.print(f"{message}…", style="dim", markup=False, highlight=False))
    )
    # markup=False: log lines carry article titles, which may contain [brackets].
    log = lambda message: stderr.print(message, markup=False, highlight=False)  # noqa: E731
    briefing = open_app().brief(
        day,
        top=top,
        progress=say,
        log=log,
        dates=dates,
        window=window.to_json() if since or from_ else None,
        previous=previous_briefing(out, day),
        budget=words,
        listed_english=listed_english,
    )
    paths = write_briefing(briefing, out)
    if as_json:
        print_json(briefing.to_json())
    if not quiet:
        for path in paths:
            stderr.print(f"wrote {path}", markup=False)
    stats = briefing.stats or {}
    stderr.print(
        f"{briefing.date} (article dates {', '.join(dates)}, {window.tz}): "
        f"{len(briefing.stories)} stories summarized ({stats.get('from_cache', 0)} from cache), {len(briefing.more_stories)} more and "
        f"{len(briefing.opinion)} opinion/features listed, from {briefing.articles} articles · "
        f"{briefing.model} · {briefing.seconds:.0f} s",
        markup=False,
        highlight=False,
    )


@app.command()
@user_errors
def check(
    text: Annotated[str | None, typer.Argument(help="Text to check; - reads standard input.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the text from this file.")] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Check only against this article (repeatable).")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Passages searched per sentence.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Say for each sentence whether the stored articles support it, with the supporting citations."""
    from rag.errors import UserInputError

    if (text is None) == (file is None):
        _usage_error("give the text to check as an argument, `-` for standard input, or --file F")
    if file is not None:
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _usage_error(f"cannot read {file}: {exc}")
    else:
        content = sys.stdin.read() if text == "-" else text
    if not content.strip():
        _usage_error("nothing to check: the text is empty")
    rag = open_app()
    try:
        report = rag.check(content, doc_ids=doc or [], k=k)
    except UserInputError as exc:
        _usage_error(str(exc))
    if as_json:
        print_json(report.to_json())
    else:
        from rag.cli.render import Renderer

        Renderer().check(report)
    stderr.print(f"{report.supported} supported, {report.unsupported} unsupported", markup=False)
    if report.unsupported:
        raise typer.Exit(1)


def _usage_error(message: str) -> None:
    stderr.print(f"[red]Error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


@app.command()
@user_errors
def repl(
    rtl: Annotated[
        str | None,
        typer.Option(
            help="Arabic display: on = shape and reorder for terminals that cannot (xterm, tmux), off = logical order "
            "(GNOME Terminal/VTE, Konsole, mlterm), auto = guess; default $RAG_RTL or auto."
        ),
    ] = None,
) -> None:
    """Interactive session: questions (with follow-ups), searches, summaries, briefings, sources."""
    from rag.cli.repl import run_repl
    from rag.cli.rtl import choose_rtl
    from rag.config import Settings

    mode = rtl or Settings.from_env().rtl
    choose_rtl(mode, False)  # a bad value is an Error line before the session starts
    run_repl(open_app(), mode)


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
    suite: Annotated[
        str | None, typer.Option(help="Suite name (evals/suites/NAME.toml) or a .toml path; default ci.")
    ] = None,
    as_json: JsonFlag = False,
    out: Annotated[
        Path | None, typer.Option(help="Write the JSON report here (every case) and FILE.md beside it.")
    ] = None,
    baseline: Annotated[Path | None, typer.Option(help="An earlier JSON report: show per-metric deltas.")] = None,
    dataset: Annotated[Path | None, typer.Option(help="Evaluate any JSONL in the QA or summarization schema.")] = None,
    task: Annotated[str | None, typer.Option(help="With --dataset: qa, summarization or retrieval.")] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Generate missing outputs and keep exactly this run's recordings.")
    ] = False,
    replay: Annotated[
        bool, typer.Option("--replay", help="Use recorded outputs only; a missing one is an error.")
    ] = False,
    threshold: Annotated[
        list[str] | None, typer.Option(help="TASK.METRIC=VALUE: add or override a gating threshold.")
    ] = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only this task of the suite (repeatable).")] = None,
    k: Annotated[int | None, typer.Option("-k", min=1, max=100, help="Override every task's retrieval depth.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most N cases per dataset.")] = None,
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
    from rag.cli.progress import EvalProgressBars

    settings = Settings.from_env()
    chosen = adhoc_suite(dataset, task, n=limit, k=k) if dataset is not None else find_suite(suite or "ci")
    with EvalProgressBars() if progress_wanted(settings) else contextlib.nullcontext() as bars:
        options = RunOptions(
            recording_mode="record" if record else "replay" if replay else "cache",
            only=tuple(only or ()),
            k=k,
            limit=limit,
            thresholds=_parse_thresholds(threshold or []),
            baseline=baseline,
            progress=bars,
        )
        report = run_suite(chosen, options, settings)
    json_path, markdown_path = write_reports(report, out or default_report_path(report, settings))
    if as_json:
        print_json(report.to_json())
    else:
        stdout.print(render_markdown(report), markup=False, highlight=False)
    for skipped in report.skipped:
        stderr.print(f"skipped {skipped['task']}: {skipped['reason']}", markup=False)
    stderr.print(
        f"{'passed' if report.passed else 'FAILED'}: {report.cases} cases in {report.seconds:.1f} s; "
        f"reports: {json_path}, {markdown_path}",
        markup=False,
    )
    for failure in report.failures:
        value = "not produced" if failure.value is None else f"{failure.value:.4f}"
        stderr.print(
            f"below threshold: {failure.metric} = {value} "
            f"({'≤' if failure.direction == 'max' else '≥'} {failure.threshold})",
            markup=False,
        )
    if not report.passed:
        raise typer.Exit(1)


# -- rag index: consistency of the article store, Chroma and BM25 (issue 18) -----

index_app = typer.Typer(no_args_is_help=True, help="Check and repair the index (article store, vectors, BM25).")
app.add_typer(index_app, name="index")


@index_app.command("check")
@user_errors
def index_check(as_json: JsonFlag = False) -> None:
    """Counts, orphan vectors, missing vectors, stale BM25; exit 1 when something disagrees."""
    from rag.index.check import check_rag

    check = check_rag(open_app())
    if as_json:
        print_json(check.to_json())
    stderr.print(
        f"{check.articles} articles, {check.chunks} chunks; {check.chunk_vectors} chunk vectors, "
        f"{check.unit_vectors} unit vectors",
        markup=False,
    )
    for problem in check.problems():
        stderr.print(f"inconsistent: {problem}", markup=False)
    stderr.print("consistent" if check.consistent else "inconsistent: `rag index repair` fixes it", markup=False)
    if not check.consistent:
        raise typer.Exit(1)


@index_app.command("repair")
@user_errors
def index_repair(as_json: JsonFlag = False) -> None:
    """Delete orphan vectors, re-embed articles with missing vectors, rebuild BM25."""
    from rag.index.check import repair_rag

    repair = repair_rag(open_app(), say=lambda message: stderr.print(message, markup=False))
    if as_json:
        print_json(repair.to_json())
    for problem in repair.after.problems():
        stderr.print(f"still inconsistent: {problem}", markup=False)
    stderr.print("repaired: consistent" if repair.after.consistent else "not repairable", markup=False)
    if not repair.after.consistent:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()


if __name__ == "__main__":
    main()
