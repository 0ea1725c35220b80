"""`rag repl`: the terminal around rag.cli.session.Session.

The prompt (prompt_toolkit: history under RAG_HOME, Ctrl-R search, tab completion,
bracketed paste, Alt-Enter for a newline) runs in the main thread; every line is
handled in one worker thread, so that Ctrl-C, which Python delivers to the main
thread, only sets the session's cancel Event and the prompt comes back. One worker
thread, always the same, because the article store's SQLite connection may only be
used by the thread that opened it. The model loads in a third thread at start.
"""

from __future__ import annotations

import concurrent.futures
import signal
import threading

from rag.cli.output import stderr, stdout
from rag.cli.render import Renderer
from rag.cli.rtl import choose_rtl
from rag.cli.session import COMMANDS, Session

HISTORY_FILE = "repl_history"
WAIT_STEP = 0.1  # seconds between checks for Ctrl-C while a line is handled


def make_completer(session: Session):
    from prompt_toolkit.completion import Completer, Completion

    class ReplCompleter(Completer):
        """Commands after "/", then document ids or dates for the commands that take them."""

        def get_completions(self, document, complete_event):
            text = document.text_before_cursor
            if not text.startswith("/"):
                return
            if " " not in text:
                for name, command in COMMANDS.items():
                    if name.startswith(text[1:]):
                        yield Completion("/" + name, start_position=-len(text), display_meta=command.help)
                return
            command = COMMANDS.get(text[1:].split(" ", 1)[0])
            word = "" if text.endswith(" ") else text.split()[-1]
            if command is None or not command.args:
                return
            if command.args == "doc":
                choices = dict(session.doc_ids)
                if command.usage.startswith("/summarize"):
                    choices = {"last": "the articles just cited or shown"} | choices
            else:
                choices = dict.fromkeys(session.dates, "")
            for value, meta in choices.items():
                if value.startswith(word):
                    yield Completion(value, start_position=-len(word), display_meta=(meta or "")[:50])

    return ReplCompleter()


def key_bindings():
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("escape", "enter")  # Alt-Enter arrives as Esc Enter
    def _newline(event):
        event.current_buffer.insert_text("\n")

    return bindings


def handle_cancellably(worker: concurrent.futures.Executor, session: Session, line: str) -> bool:
    """Run one line in the worker; Ctrl-C stops it (the session prints one line) and the prompt returns."""
    session.cancel.clear()
    future = worker.submit(session.handle, line)
    interrupts = 0
    while True:
        try:
            return future.result(timeout=WAIT_STEP)
        except concurrent.futures.TimeoutError:
            continue
        except KeyboardInterrupt:
            interrupts += 1
            session.cancel.set()
            if interrupts == 1:
                session.view.note("stopping…")
            elif interrupts == 3:
                session.view.note(
                    "still stopping: the model stops after its current step (Ctrl-D at the prompt leaves)"
                )


class StartupReports:
    """Says once, at a prompt, how the background start-up went (never while the prompt is drawn)."""

    def __init__(self, session: Session, warm: concurrent.futures.Future):
        self.session = session
        self.warm = warm
        self.model_reported = False
        self.warm_reported = False

    def report(self) -> None:
        if not self.warm_reported and self.warm.done():
            self.warm_reported = True
            if self.warm.exception() is not None:
                self.session.view.error(f"the index could not be opened: {self.warm.exception()}")
        if not self.model_reported and self.session.model.state == "failed":
            self.model_reported = True
            self.session.view.error(
                f"the model did not load: {self.session.model.detail} (searches still work; /model shows the state)"
            )


def run_repl(rag, rtl: str = "auto") -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    # Ctrl-C is how an answer is stopped: a REPL started where SIGINT is ignored (a job started in
    # the background of a script, nohup) would otherwise never see it, as Python installs its
    # KeyboardInterrupt handler only when SIGINT is not ignored at start.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    view = Renderer(rtl=choose_rtl(rtl, stdout.is_terminal, rag.settings.terminal))
    session = Session(rag, view)
    threading.Thread(target=session.warm_model, name="rag-model-warm", daemon=True).start()
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-repl")
    reports = StartupReports(session, worker.submit(session.warm_retrieval))
    prompt = PromptSession(
        history=FileHistory(str(rag.settings.home / HISTORY_FILE)),
        completer=make_completer(session),
        complete_while_typing=False,
        key_bindings=key_bindings(),
        enable_history_search=False,
    )
    stderr.print(
        "rag — ask about your articles (/help for commands; Ctrl-C stops an answer, Ctrl-D leaves)",
        highlight=False,
        markup=False,
    )
    try:
        while True:
            reports.report()
            try:
                line = prompt.prompt("rag> ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            if not handle_cancellably(worker, session, line):
                break
    finally:
        # The store's SQLite connection belongs to the worker thread: closed there.
        worker.submit(rag.close).result()
        worker.shutdown(wait=True)
