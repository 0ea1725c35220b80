"""The REPL's logic as a library: a session fed input lines, printing through rag.cli.render.

No terminal is needed: the tests feed lines to `Session.handle` and read what the
Renderer's consoles wrote. rag.cli.repl adds the terminal (prompt, history,
completion, Ctrl-C in a worker thread, model warm-up) around it.

Cancelling: `session.cancel` is an Event set from another thread (the REPL's main
thread on Ctrl-C). Every model call goes through an InterruptibleGenerator, whose
token callback raises Cancelled when it is set, which closes the model's token
stream (and so releases llama.cpp's lock); progress callbacks between stages check it too.
"""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.cli.followup import Turn, rewrite_follow_up
from rag.cli.render import Renderer, one_line
from rag.errors import RagError, UserInputError
from rag.records import Citation
from rag.verify.sources import number_evidence

LANGS = {"auto": ("ar", "en"), "ar": ("ar",), "en": ("en",)}
MAX_K = 50


class Cancelled(BaseException):
    """The user pressed Ctrl-C: stop the running operation. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` on the way swallows it."""


@dataclass(frozen=True)
class Command:
    usage: str
    help: str
    args: str = ""  # what to complete after it: "doc", "date" or ""


COMMANDS: dict[str, Command] = {
    "search": Command("/search QUERY", "ranked passages, no model"),
    "docs": Command("/docs [YYYY-MM-DD]", "list stored articles (of one day)", "date"),
    "show": Command("/show DOC_ID", "the original article", "doc"),
    "sources": Command("/sources [N...]", "the last answer's or summary's sources in full"),
    "open": Command("/open N", "the whole paragraph around citation N, its span highlighted"),
    "summarize": Command("/summarize DOC_ID...|last", "bilingual cited summary (last: the articles just cited)", "doc"),
    "brief": Command("/brief [YYYY-MM-DD]", "the day's briefing (top stories)", "date"),
    "check": Command("/check TEXT", "which sentences of TEXT the articles support"),
    "lang": Command("/lang ar|en|auto", "languages shown of summaries and briefings (answers follow the question)"),
    "k": Command("/k N", "passages retrieved per question and search"),
    "model": Command("/model", "which model, how it runs, its load state; the RTL mode"),
    "new": Command("/new", "forget the conversation (follow-ups start over)"),
    "help": Command("/help", "this help"),
    "quit": Command("/quit", "leave (Ctrl-D works too)"),
}
KEYS_HELP = """\
  keys: Enter sends · Alt-Enter (or Esc then Enter) inserts a newline · pasting keeps newlines
        Ctrl-C stops what is running · Ctrl-R searches the history · Tab completes commands, ids, dates"""


@dataclass
class ModelState:
    state: str = "not loaded"  # not loaded, loading, ready, failed
    detail: str = ""  # why it failed, or how long loading took
    where: str = ""  # embedded GGUF path or server URL

    def describe(self) -> str:
        return self.state + (f" ({self.detail})" if self.detail else "")


@dataclass
class QuestionTimings:
    """Seconds after the question was taken (the bench reads these)."""

    evidence: float | None = None
    first_token: float | None = None
    final: float | None = None


class InterruptibleGenerator:
    """A Generator whose calls stop with Cancelled once `checkpoint` says so, mid-stream included."""

    def __init__(self, inner, checkpoint: Callable[[], None]):
        self.inner = inner
        self.checkpoint = checkpoint

    def complete(self, system: str, user: str, on_token: Callable[[str], None] | None = None, **options):
        self.checkpoint()

        def token(text: str) -> None:
            self.checkpoint()
            if on_token is not None:
                on_token(text)

        completion = self.inner.complete(system, user, token, **options)
        self.checkpoint()  # Ctrl-C while the model read its prompt: stop when it is done reading
        return completion

    def choose(self, *args, **kwargs):
        self.checkpoint()
        choice = self.inner.choose(*args, **kwargs)
        self.checkpoint()
        return choice

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def ask_with_evidence(
    rag,
    question: str,
    k: int,
    view: Renderer,
    checkpoint: Callable[[], None] = lambda: None,
    timings: QuestionTimings | None = None,
):
    """Retrieval first (its evidence printed at once), then the answer streamed, then the verified answer."""
    timings = timings if timings is not None else QuestionTimings()
    started = time.perf_counter()
    with view.busy("searching the articles…"):
        found = rag.gather(question, k)
    checkpoint()
    timings.evidence = time.perf_counter() - started
    view.evidence(found.evidence, found.articles, timings.evidence)
    with view.stream() as stream:

        def on_token(text: str) -> None:
            checkpoint()
            if timings.first_token is None:
                timings.first_token = time.perf_counter() - started
            stream.token(text)

        answer = rag.ask(question, k=k, on_token=on_token, gathered=found)
        checkpoint()  # Ctrl-C before the answer is shown stops it, even after the model's last call
    timings.final = time.perf_counter() - started
    stream.finish(answer)
    return answer, found


def evidence_citations(found) -> list[Citation]:
    """The evidence spans an answer was given, numbered as citations (quote = the stored text)."""
    sources = number_evidence([e for e in found.evidence if e.doc_id in found.articles], found.articles)
    return [s.citation(s.number, found.articles[s.doc_id].text) for s in sources]


def failure_line(exc: BaseException) -> str:
    """An unexpected failure (a server down, a broken file) in one line."""
    name = type(exc).__name__
    text = one_line(str(exc)) or name
    if isinstance(exc, ConnectionError) or "connect" in name.lower() or "connection" in text.lower():
        return f"cannot reach a server ({name}: {text[:200]}); is Chroma (RAG_CHROMA_URL) or the LLM server running?"
    return f"{name}: {text[:300]}"


def describe_model(rag) -> str:
    """How the model runs, without secrets: the embedded GGUF file or the server's public URL."""
    from rag.generate.providers import _public_url, parse_llm_spec

    spec = parse_llm_spec(rag.settings.llm)
    if spec.provider == "llamacpp":
        return f"embedded llama.cpp ({'bundled ' + spec.model if spec.bundled else 'GGUF ' + spec.model})"
    return f"OpenAI-compatible server {_public_url(rag.settings.openai_base_url)}, model {spec.model}"


@dataclass
class Session:
    rag: object
    view: Renderer = field(default_factory=Renderer)
    k: int = 5
    lang: str = "auto"
    cancel: threading.Event = field(default_factory=threading.Event)
    turns: list[Turn] = field(default_factory=list)
    last_citations: list = field(default_factory=list)
    last_doc_ids: list[str] = field(default_factory=list)
    last_evidence: list = field(default_factory=list)  # the last question's evidence, as Citations
    model: ModelState = field(default_factory=ModelState)
    timings: QuestionTimings = field(default_factory=QuestionTimings)
    doc_ids: dict[str, str] = field(default_factory=dict)  # doc id -> title, for completion
    dates: list[str] = field(default_factory=list)  # article dates, for completion

    def __post_init__(self):
        self.rag.generator = InterruptibleGenerator(self.rag.generator, self.checkpoint)

    # -- the loop's entry point -------------------------------------------------
    def handle(self, line: str) -> bool:
        """Run one input line; False means the session should end. Errors are one line."""
        line = line.strip()
        if not line:
            return True
        try:
            if not line.startswith("/"):
                self.ask(line)
                return True
            return self.command(line)
        except Cancelled:
            self.view.warn("cancelled: stopped; nothing was saved half-way")
        except RagError as exc:
            self.view.error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a server down or a bug: one line, and the session goes on
            if self.rag.settings.debug:
                raise
            self.view.error(failure_line(exc))
        return True

    def checkpoint(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def progress(self, message: str) -> None:
        self.checkpoint()
        self.view.note(f"{message}…")

    def command(self, line: str) -> bool:
        try:
            name, *args = shlex.split(line[1:])
        except ValueError as exc:
            raise UserInputError(f'{exc} (quote with "…")') from None
        if name in ("quit", "exit", "q"):
            return False
        if name not in COMMANDS:
            raise UserInputError(f"unknown command /{name}; /help lists the commands")
        getattr(self, f"cmd_{name}")(args)
        return True

    # -- questions ------------------------------------------------------------
    def ask(self, question: str) -> None:
        self.require_index()
        with self.view.busy("making the follow-up standalone…"):
            rewrite = rewrite_follow_up(question, self.turns, self.rag.generator)
        if rewrite.note:
            self.view.note(rewrite.note)
        self.timings = QuestionTimings()
        answer, found = ask_with_evidence(self.rag, rewrite.question, self.k, self.view, self.checkpoint, self.timings)
        self.turns.append(Turn(question, rewrite.question, answer.answer))
        self.last_citations = list(answer.citations)
        self.last_evidence = evidence_citations(found)
        cited = [c.doc_id for c in answer.citations] or [e.doc_id for e in found.evidence]
        self.last_doc_ids = list(dict.fromkeys(cited))

    def require_index(self) -> None:
        if self.rag.store.count() == 0:
            raise UserInputError(
                f"no articles in the index at {self.rag.settings.home} yet; ingest some first: rag ingest PATH"
            )

    # -- commands -------------------------------------------------------------
    def cmd_help(self, args: list[str]) -> None:
        self.view.line("  QUESTION" + " " * 24 + "a cited answer; follow-ups use the conversation")
        for command in COMMANDS.values():
            self.view.line(f"  {command.usage:<32}{command.help}")
        self.view.line(KEYS_HELP, style="dim")

    def cmd_search(self, args: list[str]) -> None:
        if not args:
            raise UserInputError("usage: /search QUERY")
        self.require_index()
        with self.view.busy("searching…"):
            passages = self.rag.search(" ".join(args), k=self.k)
        self.checkpoint()
        self.last_doc_ids = list(dict.fromkeys(p.doc_id for p in passages))
        self.view.passages(passages, full=False)

    def cmd_docs(self, args: list[str]) -> None:
        from rag.cli.dates import parse_date_option

        self.view.docs(self.rag.docs(parse_date_option(args[0]) if args else None))

    def cmd_show(self, args: list[str]) -> None:
        if len(args) != 1:
            raise UserInputError("usage: /show DOC_ID")
        article = self.rag.show(args[0])
        self.last_doc_ids = [article.doc_id]
        self.view.article(article)

    def cmd_sources(self, args: list[str]) -> None:
        if not self.last_citations and self.last_evidence:
            self.view.note("the last answer cited nothing; the evidence it was given (/open N shows one):")
        chosen = [c for c in self.citable() if not args or str(c.n) in args]
        if not chosen:
            raise UserInputError(
                "no sources yet: ask a question or summarize first"
                if not self.last_citations
                else f"no source {' '.join(args)}; the last ones are 1-{len(self.last_citations)}"
            )
        self.view.citations(chosen)

    def cmd_open(self, args: list[str]) -> None:
        if len(args) != 1 or not args[0].isdigit():
            raise UserInputError("usage: /open N (a citation number of the last answer or summary)")
        citation = next((c for c in self.citable() if c.n == int(args[0])), None)
        if citation is None:
            raise UserInputError(
                f"no citation [{args[0]}]"
                + (
                    f"; the last ones are 1-{len(self.last_citations)}"
                    if self.last_citations
                    else "; ask a question first"
                )
            )
        self.view.paragraph(citation, self.rag.show(citation.doc_id))

    def citable(self) -> list:
        """What /sources and /open number: the last citations, else the last question's evidence."""
        return self.last_citations or self.last_evidence

    def cmd_summarize(self, args: list[str]) -> None:
        if not args:
            raise UserInputError("usage: /summarize DOC_ID... or /summarize last")
        doc_ids = self.last_doc_ids if args == ["last"] else args
        if not doc_ids:
            raise UserInputError("no articles yet for `last`: ask, search or /show first")
        self.view.note(f"summarizing {', '.join(doc_ids)} (Ctrl-C stops)")
        summary = self.rag.summarize(doc_ids, progress=self.progress)
        self.last_citations, self.last_evidence = list(summary.citations), []
        self.last_doc_ids = list(dict.fromkeys(doc_ids))
        self.view.summary(summary, LANGS[self.lang])

    def cmd_brief(self, args: list[str]) -> None:
        from rag.cli.dates import parse_date_option

        briefing = self.rag.brief(parse_date_option(args[0] if args else None), top=5, progress=self.progress)
        self.last_citations, self.last_evidence = [c for story in briefing.stories for c in story.citations], []
        self.view.briefing(briefing, LANGS[self.lang])

    def cmd_check(self, args: list[str]) -> None:
        if not args:
            raise UserInputError("usage: /check TEXT")
        if not hasattr(self.rag, "check"):
            raise UserInputError("/check is not available in this build (no Rag.check)")
        result = self.rag.check(" ".join(args))
        self.view.check(result)

    def cmd_lang(self, args: list[str]) -> None:
        if len(args) != 1 or args[0] not in LANGS:
            raise UserInputError(f"usage: /lang ar|en|auto (now {self.lang})")
        self.lang = args[0]
        self.view.note(f"summaries and briefings show: {'+'.join(LANGS[self.lang])}; answers follow the question")

    def cmd_k(self, args: list[str]) -> None:
        if len(args) != 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_K:
            raise UserInputError(f"usage: /k N with N from 1 to {MAX_K} (now {self.k})")
        self.k = int(args[0])
        self.view.note(f"k = {self.k} passages per question and search")

    def cmd_model(self, args: list[str]) -> None:
        generator = self.rag.generator
        self.view.line(f"model: {generator.label}")
        self.view.line(f"  runs: {self.model.where or describe_model(self.rag)}")
        self.view.line(f"  state: {self.model.describe()}")
        self.view.line(
            f"  k: {self.k} · languages shown: {'+'.join(LANGS[self.lang])} · conversation: {len(self.turns)} turns"
        )
        self.view.line(f"  rtl: {self.view.rtl.describe()}")

    def cmd_new(self, args: list[str]) -> None:
        self.turns.clear()
        self.view.note("conversation cleared: the next question starts afresh")

    def cmd_quit(self, args: list[str]) -> None:  # handled in command(); listed for /help
        pass

    # -- background work (called by the REPL, in other threads) ---------------
    def warm_model(self) -> None:
        """Load the model (a background thread at REPL start); its state shows in /model."""
        self.model.state = "loading"
        started = time.perf_counter()
        try:
            self.rag.generator.warm()
            chat = self.rag.generator.chat_model
            path = getattr(chat, "model_path", None)
            if path:
                self.model.where = f"embedded llama.cpp, GGUF {path}"
            self.model.state = "ready"
            self.model.detail = (
                f"loaded in {time.perf_counter() - started:.1f} s"
                if path
                else "client ready; the server is first contacted by the first question"
            )
        except Exception as exc:  # noqa: BLE001 - reported by /model and at the prompt, never a crash
            self.model.state = "failed"
            self.model.detail = str(exc) if isinstance(exc, RagError) else failure_line(exc)

    def warm_retrieval(self) -> None:
        """Open the store, embedder and lexical index (in the worker thread: SQLite stays in one thread)."""
        if self.rag.store.count():
            self.rag.search("warm up", k=1)
        self.refresh_completions()

    def refresh_completions(self) -> None:
        articles = self.rag.docs(None)
        self.doc_ids = {a.doc_id: a.title for a in articles}
        self.dates = sorted({a.date for a in articles if a.date}, reverse=True)
