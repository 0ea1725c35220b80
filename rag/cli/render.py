"""Human-readable output, the one presentation layer of the CLI commands and the REPL.

Results go to `out` (stdout), notes, progress and the live answer stream to `err`
(stderr), so `rag ask Q > file` keeps only the answer. Arabic passes through
rag.cli.rtl when the terminal cannot shape it; that changes only what is printed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from rag.cli.output import stderr, stdout
from rag.cli.rtl import RtlChoice, visual_text
from rag.records import Article, Citation

QUOTE_CHARS = 240  # an evidence quote is cut here on screen (/open shows the whole paragraph)
DRAFT_DONE_AFTER = 1.5  # seconds without a token after which the draft is taken as written (being checked)
EVIDENCE_SHOWN = 3  # the best evidence sentences shown before the answer
WITHDRAWN = "draft withdrawn: not supported by the sources"


def one_line(text: str) -> str:
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Renderer:
    def __init__(self, out: Console = stdout, err: Console = stderr, rtl: RtlChoice | None = None):
        self.out = out
        self.err = err
        self.rtl = rtl or RtlChoice(False, "default")

    # -- text primitives ------------------------------------------------------
    def shown(self, text: str, indent: int = 0, console: Console | None = None) -> str:
        """`text` as it should be printed: shaped and reordered when the terminal needs it."""
        if not self.rtl.shape:
            return text
        width = (console or self.out).width - indent
        return visual_text(text, width).replace("\n", "\n" + " " * indent)

    def line(self, text: str = "", style: str | None = None, err: bool = False, indent: int = 0) -> None:
        console = self.err if err else self.out
        console.print(Text(" " * indent + self.shown(text, indent, console), style=style or ""))

    def note(self, text: str) -> None:
        self.line(text, style="dim", err=True)

    def warn(self, text: str) -> None:
        self.line(text, style="yellow", err=True)

    def error(self, message: str) -> None:
        line = Text("Error: ", style="red")
        line.append(self.shown(one_line(message), 7, self.err))
        self.err.print(line)

    # -- records --------------------------------------------------------------
    def citations(self, citations: Iterable[Citation]) -> None:
        for c in citations:
            head = Text()
            head.append(f"[{c.n}] ", style="bold")
            head.append(self.shown(c.title or c.doc_id, 4))
            head.append(f"  {c.doc_id} {c.start}-{c.end}" + (f"  {c.date}" if c.date else ""), style="dim")
            self.out.print(head)
            self.line("“" + one_line(c.quote) + "”", style="italic", indent=4)

    def answer(self, answer) -> None:
        self.line(answer.answer)
        if answer.citations:
            self.out.print()
            self.citations(answer.citations)
        for lang, why in (getattr(answer, "withheld", None) or {}).items():
            self.note(f"({lang} withheld: {why})")
        self.note(f"{answer.model}{'' if answer.grounded else ' · not grounded'}")

    def summary(self, summary, langs: tuple[str, ...] = ("ar", "en")) -> None:
        for lang in langs:
            self.line(summary.title.get(lang, ""), style="bold")
            sentences = getattr(summary, lang)
            for sentence in sentences:
                markers = "".join(f"[{n}]" for n in sentence["citations"])
                self.line(f"• {sentence['text']} {markers}")
            if not sentences:
                withheld = getattr(summary, "withheld", None) or {}
                self.note(f"({lang}: nothing verified{': ' + withheld[lang] if lang in withheld else ''})")
            self.out.print()
        used = {n for lang in langs for s in getattr(summary, lang) for n in s["citations"]}
        self.citations([c for c in summary.citations if c.n in used or len(langs) == 2])

    def passages(self, passages, full: bool = True) -> None:
        if not passages:
            self.note("No passages found.")
        for i, p in enumerate(passages, 1):
            head = Text()
            head.append(f"[{i}] ", style="bold")
            head.append(self.shown(p.title or p.doc_id, 4))
            head.append(f"  ({p.doc_id} {p.start}-{p.end}, score {p.score:.4f})", style="dim")
            self.out.print(head)
            self.line(p.text) if full else self.line(clip(p.text, 400), indent=4)
            if full:
                self.out.print()

    def evidence(self, spans, articles: dict[str, Article], seconds: float | None = None) -> None:
        """The best evidence sentences, quoted with where they come from (shown before the answer)."""
        timing = f" ({seconds:.1f} s)" if seconds is not None else ""
        if not spans:
            self.note(f"no evidence found{timing}")
            return
        best = sorted(spans, key=lambda s: -s.score)[:EVIDENCE_SHOWN]
        shown = [s for s in spans if s in best]  # in reading order, as the answer sees them
        more = f", {len(spans) - len(shown)} more given to the model" if len(spans) > len(shown) else ""
        self.line(f"evidence{timing}{more}:", style="dim", err=True)
        for span in shown:
            article = articles.get(span.doc_id)
            if article is None:
                continue
            self.line(
                "“" + clip(article.text[span.start : span.end], QUOTE_CHARS) + "”", style="italic", err=True, indent=2
            )
            where = " · ".join(x for x in (article.title, article.source, article.date) if x)
            self.line(f"— {where} · {span.doc_id} {span.start}-{span.end}", style="dim", err=True, indent=4)

    def docs(self, articles: list[Article]) -> None:
        for a in articles:
            self.line(f"{a.doc_id}  {a.date or '----------'}  {(a.source or '-')[:18]:<18}  {a.title}")
        self.note(f"{len(articles)} articles")

    def article(self, article: Article) -> None:
        self.line(f"# {article.title}", style="bold")
        self.line(f"{article.date or ''}  {article.source or ''}  {article.url or ''}".strip(), style="dim")
        self.line(article.text)

    def paragraph(self, citation: Citation, article: Article) -> None:
        """The whole paragraph around a citation, its span highlighted."""
        text = article.text
        start = text.rfind("\n", 0, citation.start) + 1
        end = text.find("\n", citation.end)
        end = len(text) if end < 0 else end
        self.line(f"[{citation.n}] {article.title}", style="bold")
        where = f"{article.doc_id} {citation.start}-{citation.end}"
        self.line(" · ".join(x for x in (article.source, article.date, where) if x), style="dim")
        before, span, after = (
            text[start : citation.start],
            text[citation.start : citation.end],
            text[citation.end : end],
        )
        if self.rtl.shape:
            # Reordering would scatter an inline highlight: the three parts on their own lines.
            for part, style in ((before, "dim"), (span, "bold reverse"), (after, "dim")):
                if part.strip():
                    self.line(part.strip(), style=style)
            return
        shown = Text(before, style="dim")
        shown.append(span, style="bold reverse")
        shown.append(after, style="dim")
        self.out.print(shown)

    def briefing(self, briefing, langs: tuple[str, ...] = ("ar", "en")) -> None:
        for story in briefing.stories:
            self.line(
                "■ " + " — ".join(story.headline.get(lang, "") for lang in langs if story.headline.get(lang)),
                style="bold",
            )
            for lang in langs:
                for sentence in getattr(story, lang):
                    self.line(f"• {sentence['text']} " + "".join(f"[{n}]" for n in sentence["citations"]), indent=2)
            self.note(f"  {', '.join(story.sources)} · {', '.join(story.doc_ids)}")
        for story in briefing.more_stories:
            self.line(
                "· "
                + " — ".join(story.headline.get(lang, "") for lang in langs if story.headline.get(lang))
                + f" ({', '.join(story.sources)})"
            )
        self.note(
            f"{briefing.date}: {len(briefing.stories)} stories summarized, {len(briefing.more_stories)} more "
            f"listed, from {briefing.articles} articles · {briefing.model} · {briefing.seconds:.0f} s"
        )

    def check(self, result) -> None:
        for sentence in result.sentences:
            mark, style = ("✓", "green") if sentence.supported else ("✗", "red")
            head = Text(f"{mark} ", style=style)
            head.append(self.shown(one_line(sentence.text), 2))
            numbers = [c.n for c in sentence.citations]
            if numbers:
                head.append(" " + "".join(f"[{n}]" for n in numbers), style="dim")
            self.out.print(head)
            if not sentence.supported and getattr(sentence, "reason", ""):
                self.line(sentence.reason, style="dim", indent=2)
        cited = {c.n: c for s in result.sentences for c in s.citations}
        self.citations([cited[n] for n in sorted(cited)])

    def busy(self, message: str):
        """A spinner on stderr while something runs (nothing when stderr is not a terminal)."""
        if not self.err.is_terminal:
            return contextlib.nullcontext()
        return self.err.status(Text(message, style="dim"), spinner="dots")

    def stream(self, live: bool | None = None) -> AnswerStream:
        return AnswerStream(self, self.err.is_terminal if live is None else live)


class AnswerStream:
    """The answer while it is written: a spinner and the streamed draft (on a terminal),
    erased when it ends; then `finish` says what became of the draft and prints the answer."""

    def __init__(self, renderer: Renderer, live: bool):
        self.renderer = renderer
        self.draft: list[str] = []
        self.started = time.perf_counter()
        self.first_token: float | None = None
        self._lock = threading.Lock()
        self._last_token: float | None = None
        self._spinner = Spinner("dots", text=Text(""))
        self._live = (
            Live(self, console=renderer.err, transient=True, refresh_per_second=12, vertical_overflow="crop")
            if live
            else None
        )

    def __enter__(self) -> AnswerStream:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._live is not None:
            self._live.stop()  # transient: the draft is erased from the screen

    def __rich__(self):
        """Redrawn by Live on every refresh: the stage follows the time since the last token."""
        if self._last_token is None:
            stage = "reading the evidence…"
        elif time.perf_counter() - self._last_token < DRAFT_DONE_AFTER:
            stage = "writing the answer…"
        else:
            stage = "checking the draft against the sources…"
        self._spinner.update(text=Text(f"{stage} (Ctrl-C stops it)", style="dim"))
        draft = "".join(self.draft)
        if not draft:
            return self._spinner
        return Group(Text(self.renderer.shown(draft, 0, self.renderer.err), style="dim"), self._spinner)

    def token(self, text: str) -> None:
        with self._lock:
            if self.first_token is None:
                self.first_token = time.perf_counter() - self.started
            self.draft.append(text)
            self._last_token = time.perf_counter()

    def finish(self, answer) -> None:
        """Say what became of the streamed draft (never leave it looking like the answer), then the answer."""
        fate = draft_fate(answer, "".join(self.draft))
        if fate:
            self.renderer.warn(fate)
        self.renderer.answer(answer)


def draft_fate(answer, draft: str) -> str | None:
    """What was withdrawn from the streamed draft, in one line; None when it stands as written."""
    if not draft.strip():
        return None
    mode = getattr(answer, "mode", "generated")
    log = getattr(answer, "log", None)
    dropped = len(log.dropped) if log is not None else 0
    if not answer.grounded:
        if one_line(draft) == one_line(answer.answer):
            return None  # the model itself said the articles do not contain it
        return f"{WITHDRAWN}; the articles do not answer this"
    if mode == "extractive":
        return f"{WITHDRAWN}; the best source sentence is quoted instead"
    if mode == "translated":
        return f"{WITHDRAWN}; a verified translation of a source sentence is shown instead"
    if dropped:
        return f"{dropped} draft sentence{'s' if dropped > 1 else ''} withdrawn: not supported by the sources"
    return None


# The commands' default screen: results on stdout, notes on stderr, Arabic in logical order.
_default = Renderer()


def print_citations(citations: Iterable[Citation]) -> None:
    _default.citations(citations)


def print_answer(answer) -> None:
    _default.answer(answer)


def print_summary(summary) -> None:
    _default.summary(summary)
