"""`rag repl`: an interactive session over one RAG_HOME.

Plain text is a question (answered with citations). Commands start with a slash.
The library is loaded once, so follow-up questions skip model start-up.
"""
from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.cli.output import stderr, stdout
from rag.errors import RagError

HELP = """\
  <question>              ask; the answer cites the articles ([n])
  /search <query>         ranked passages, no model
  /docs [YYYY-MM-DD]      list stored articles
  /show <doc_id>          the original article
  /summarize <doc_id>...  bilingual cited summary
  /brief [YYYY-MM-DD]     the day's briefing (top stories)
  /sources [n]            the last answer's sources in full (or source n)
  /help                   this help
  /quit                   leave (Ctrl-D works too)"""


@dataclass
class ReplSession:
    rag: object
    last_citations: list = field(default_factory=list)

    def handle(self, line: str) -> bool:
        """Run one input line; False means the session should end."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith("/"):
            self._ask(line)
            return True
        try:
            command, *args = shlex.split(line[1:])
        except ValueError as exc:
            stderr.print(f"Error: {exc}", markup=False)
            return True
        handler = self._commands().get(command)
        if handler is None:
            stderr.print(f"Unknown command /{command}; /help lists the commands.", markup=False)
            return True
        if command in ("quit", "exit", "q"):
            return False
        try:
            handler(args)
        except RagError as exc:
            stderr.print(f"Error: {exc}", markup=False)
        return True

    def _commands(self) -> dict[str, Callable[[list[str]], None]]:
        return {"help": lambda args: stdout.print(HELP, markup=False), "search": self._search, "docs": self._docs,
                "show": self._show, "summarize": self._summarize, "brief": self._brief, "sources": self._sources,
                "quit": lambda args: None, "exit": lambda args: None, "q": lambda args: None}

    def _ask(self, question: str) -> None:
        from rag.cli.main import print_answer

        try:
            answer = self.rag.ask(question, on_token=None)
        except RagError as exc:
            stderr.print(f"Error: {exc}", markup=False)
            return
        self.last_citations = answer.citations
        print_answer(answer)

    def _search(self, args: list[str]) -> None:
        for i, p in enumerate(self.rag.search(" ".join(args), k=5), 1):
            stdout.print(f"[{i}] {p.title} ({p.doc_id} {p.start}-{p.end})", markup=False)
            stdout.print("    " + " ".join(p.text.split())[:400], markup=False)

    def _docs(self, args: list[str]) -> None:
        for a in self.rag.docs(args[0] if args else None):
            stdout.print(f"{a.doc_id}  {a.date or '----------'}  {a.title}", markup=False)

    def _show(self, args: list[str]) -> None:
        if not args:
            stderr.print("usage: /show <doc_id>")
            return
        article = self.rag.show(args[0])
        stdout.print(f"# {article.title}\n{article.text}", markup=False)

    def _summarize(self, args: list[str]) -> None:
        from rag.cli.main import print_summary

        if not args:
            stderr.print("usage: /summarize <doc_id>...")
            return
        summary = self.rag.summarize(args, progress=lambda m: stderr.print(f"{m}…", style="dim", markup=False))
        self.last_citations = summary.citations
        print_summary(summary)

    def _brief(self, args: list[str]) -> None:
        from rag.cli.dates import parse_date_option

        briefing = self.rag.brief(parse_date_option(args[0] if args else None), top=5,
                                  progress=lambda m: stderr.print(m, style="dim", markup=False))
        for story in briefing.stories:
            stdout.print(f"■ {story.headline['ar']}\n  {story.headline['en']}  ({', '.join(story.sources)})", markup=False)
        for story in briefing.more_stories:
            stdout.print(f"· {story.headline['ar']} — {story.headline['en']} ({', '.join(story.sources)})", markup=False)

    def _sources(self, args: list[str]) -> None:
        from rag.cli.render import print_citations

        chosen = [c for c in self.last_citations if not args or str(c.n) in args]
        if not chosen:
            stderr.print("No sources yet: ask a question or summarize first.")
            return
        print_citations(chosen)


def run_repl(rag) -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    session = ReplSession(rag)
    history = FileHistory(str(rag.settings.home / "repl_history"))
    prompt = PromptSession(history=history)
    stderr.print("rag — ask about your articles (/help for commands, Ctrl-D to leave)")
    while True:
        try:
            line = prompt.prompt("rag> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if not session.handle(line):
            break
