"""The `rag` command: thin over the library API in rag.app."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
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


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()


if __name__ == "__main__":
    main()
