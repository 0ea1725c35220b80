"""The REPL's logic without a terminal: a Session fed lines over a real index of the seed
(real embedder, Chroma, store, verification) with a scripted chat model."""

from __future__ import annotations

import concurrent.futures
import io
import shutil

import pytest
from rich.console import Console

from rag.app import Rag
from rag.cli.followup import Turn, clean_rewrite, needs_context, rewrite_follow_up, unsupported_terms
from rag.cli.render import Renderer, draft_fate
from rag.cli.rtl import choose_rtl, visual_line, visual_text
from rag.cli.session import Session
from rag.config import Settings
from rag.generate.generator import Generator
from tests.fakes import ScriptedChatModel
from tests.helpers import SEEDS

COOK = "فيما وجه بيتر كوك المتحدث باسم البنتاغون مساء الاثنين انتقادات لاذعة لروسيا بشأن ضرباتها الجوية في سوريا"
ANSWER_AR = "المتحدث باسم البنتاغون هو بيتر كوك [1]."
LAVROV_REWRITE = "ماذا قال لافروف عن المتحدث باسم البنتاغون بيتر كوك؟"


@pytest.fixture(scope="module")
def rag(tmp_path_factory):
    app = Rag(Settings(home=tmp_path_factory.mktemp("repl-home")))
    app.ingest([SEEDS])
    return app


class Screen:
    """A Renderer writing results and notes into one string, in order, as a terminal shows them."""

    def __init__(self, rtl: str = "off"):
        self.buffer = io.StringIO()
        self.renderer = Renderer(
            Console(file=self.buffer, width=2000, color_system=None),
            Console(file=self.buffer, width=2000, color_system=None),
            choose_rtl(rtl, False),
        )

    def text(self) -> str:
        return self.buffer.getvalue()

    def clear(self) -> None:
        self.buffer.seek(0)
        self.buffer.truncate()


def session_with(rag, replies, token_delay: float = 0.0):
    chat = ScriptedChatModel(replies=replies, token_delay=token_delay)
    rag.generator = Generator(lambda: chat, "scripted")
    screen = Screen()
    return Session(rag, screen.renderer), screen, chat


def answers(system: str, user: str) -> str:
    """The scripted model: rewrites follow-ups into a fixed standalone question, answers with Cook."""
    if "standalone question" in system:
        return LAVROV_REWRITE
    return ANSWER_AR


def test_question_shows_evidence_then_the_verified_answer_and_keeps_the_turn(rag):
    session, screen, _ = session_with(rag, [answers])
    assert session.handle("من هو المتحدث باسم البنتاغون؟") is True
    text = screen.text()
    assert "evidence (" in text and "3a95f273aef0ff82 886-1124" in text  # the Cook sentence, with its span
    assert text.index("evidence (") < text.index("بيتر كوك [1]")
    assert session.last_citations and session.last_citations[0].quote.startswith("فيما وجه بيتر كوك")
    assert session.timings.evidence is not None and session.timings.final >= session.timings.evidence
    assert [t.question for t in session.turns] == ["من هو المتحدث باسم البنتاغون؟"]
    for c in session.last_citations:
        assert rag.show(c.doc_id).text[c.start : c.end] == c.quote


def test_sources_and_open_show_the_cited_span_and_its_paragraph(rag):
    session, screen, _ = session_with(rag, [answers])
    session.handle("من هو المتحدث باسم البنتاغون؟")
    screen.clear()
    session.handle("/sources")
    assert "[1]" in screen.text() and COOK in screen.text()
    screen.clear()
    session.handle("/open 1")
    shown = screen.text()
    article = rag.show(session.last_citations[0].doc_id)
    paragraph = next(p for p in article.text.split("\n") if COOK in p)
    assert " ".join(paragraph.split()) in " ".join(shown.split())
    screen.clear()
    session.handle("/open 9")
    assert "Error: no citation [9]" in screen.text()


def test_unsupported_draft_is_withdrawn_not_shown_as_the_answer(rag):
    invented = "The Pentagon spokesman is John Smith, who resigned in 1999 [1]."
    session, screen, _ = session_with(rag, [invented])
    session.handle("Who is the Pentagon spokesman?")
    text = screen.text()
    assert "withdrawn" in text and "John Smith" not in text


def test_follow_up_is_rewritten_with_names_from_the_conversation(rag):
    session, screen, chat = session_with(rag, [answers])
    session.handle("من هو المتحدث باسم البنتاغون؟")
    session.handle("وماذا قال لافروف؟")
    assert f"follow-up → {LAVROV_REWRITE}" in screen.text()
    assert session.turns[-1].asked == LAVROV_REWRITE
    assert any("بيتر كوك" in user for system, user in chat.prompts if "standalone question" in system)
    session.handle("/new")
    assert session.turns == []


def test_rewrite_bringing_a_new_name_is_discarded():
    turns = [Turn("Who criticised Russia?", "Who criticised Russia?", "Pentagon spokesman Peter Cook [1].")]
    good = rewrite_follow_up(
        "and what did he say about Aleppo?",
        turns,
        Generator(lambda: ScriptedChatModel(replies=["What did Peter Cook say about Aleppo?"]), "s"),
    )
    assert good.accepted and good.question == "What did Peter Cook say about Aleppo?"
    bad = rewrite_follow_up(
        "and what did he say?",
        turns,
        Generator(lambda: ScriptedChatModel(replies=["What did Vladimir Putin say in 2015?"]), "s"),
    )
    assert not bad.accepted and bad.question == "and what did he say?"
    assert "Putin" in bad.note and "2015" in bad.note and "asking as typed" in bad.note


def test_names_are_matched_across_scripts_and_arabic_words_must_come_from_the_conversation():
    context = "Q: ما موقف البنتاغون من التعاون العسكري مع روسيا؟ A: قال كيري إن المحادثات مع لافروف تقترب"
    assert unsupported_terms("What did Lavrov say about Russia?", context) == []
    assert unsupported_terms("ماذا قال لافروف عن التعاون العسكري؟", context) == []
    assert unsupported_terms("ماذا قال بوتين عن التعاون العسكري؟", context) == ["بوتين"]
    assert unsupported_terms("Did 12 people die?", "twelve died") == ["12"]


def test_only_questions_that_lean_on_the_conversation_are_rewritten():
    turns = [Turn("q", "q", "a")]
    assert needs_context("and what did Lavrov say?", turns)
    assert needs_context("What did he say next?", turns)
    assert needs_context("وماذا قال لافروف؟", turns)
    assert not needs_context("Who is the Pentagon spokesman quoted in the article?", turns)
    assert not needs_context("and what did Lavrov say?", [])
    assert clean_rewrite('Standalone question: "What did Lavrov say?"\nextra') == "What did Lavrov say?"


def test_ctrl_c_cancels_the_answer_and_the_next_question_works(rag):
    # As in the REPL: the session works in one worker thread (SQLite stays in the thread that opened it),
    # the cancel Event is set from another.
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    own = worker.submit(Rag, Settings(home=rag.settings.home)).result()
    session, screen, chat = session_with(own, [answers], token_delay=0.3)
    running = worker.submit(session.handle, "من هو المتحدث باسم البنتاغون؟")
    assert chat.started.wait(60)
    session.cancel.set()
    assert running.result(timeout=30) is True
    assert "cancelled" in screen.text() and session.turns == []
    session.cancel.clear()
    chat.token_delay = 0.0
    screen.clear()
    worker.submit(session.handle, "من هو المتحدث باسم البنتاغون؟").result(timeout=60)
    assert "بيتر كوك [1]" in screen.text() and len(session.turns) == 1
    worker.submit(own.close).result()
    worker.shutdown()


def test_errors_are_one_line_and_the_session_goes_on(rag, tmp_path):
    session, screen, _ = session_with(rag, [answers])
    for line in (
        "/bogus",
        "/k 0",
        "/show nope",
        "/open x",
        '/search "unclosed',
        "/docs 2016-13-45",
        "/summarize",
        "/lang fr",
    ):
        screen.clear()
        assert session.handle(line) is True
        lines = [row for row in screen.text().splitlines() if row.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), (line, lines)
    empty = Rag(Settings(home=tmp_path / "empty"))
    empty_session, empty_screen, _ = session_with(empty, [answers])
    empty_session.handle("Who is the spokesman?")
    assert "Error: no articles in the index" in empty_screen.text()
    assert session.handle("/quit") is False


def test_settings_commands_and_model_report(rag):
    session, screen, _ = session_with(rag, [answers])
    session.handle("/k 3")
    session.handle("/lang en")
    assert session.k == 3 and session.lang == "en"
    session.model.state = "failed"
    session.model.detail = "no GGUF model file at /x.gguf"
    screen.clear()
    session.handle("/model")
    text = screen.text()
    assert "model: scripted" in text and "failed (no GGUF model file at /x.gguf)" in text and "rtl: off" in text
    screen.clear()
    session.handle("/help")
    assert all(f"/{name}" in screen.text() for name in ("search", "open", "summarize", "check", "lang", "k", "new"))
    session.handle("/check Peter Cook criticised Russia.")
    assert ("not available in this build" in screen.text()) != hasattr(rag, "check")


def test_search_docs_show_and_summarize_last(rag):
    summary_reply = "انتقد المتحدث باسم البنتاغون بيتر كوك الضربات الجوية الروسية في سوريا [1]."
    session, screen, _ = session_with(rag, [summary_reply])
    session.handle("/search بيتر كوك")
    assert "3a95f273aef0ff82" in screen.text() and session.last_doc_ids == ["3a95f273aef0ff82"]
    session.handle("/docs")
    session.handle("/show 3a95f273aef0ff82")
    assert "# البنتاغون ينتقد موسكو" in screen.text()
    screen.clear()
    session.handle("/summarize last")
    assert "summarizing 3a95f273aef0ff82" in screen.text() and "Error" not in screen.text()


def test_rtl_shapes_and_reorders_only_what_is_printed():
    line = "قال بيتر كوك"
    shown = visual_line(line)
    assert shown != line and "ك" not in shown  # presentation forms, not the logical letters
    assert visual_line("Peter Cook") == "Peter Cook"
    assert all(len(row) <= 30 for row in visual_text(" ".join([line] * 10), 30).splitlines())
    assert not choose_rtl("auto", True, {"VTE_VERSION": "7200"}).shape
    assert not choose_rtl("auto", True, {"KONSOLE_VERSION": "230800"}).shape
    assert choose_rtl("auto", True, {"TERM": "xterm-256color"}).shape
    assert not choose_rtl("auto", False, {}).shape
    assert choose_rtl("on", False, {}).shape


def test_draft_fate_says_what_was_withdrawn():
    class A:
        grounded, mode, answer, log = True, "extractive", "quote", None

    assert "withdrawn" in draft_fate(A(), "an invented claim [1].")
    A.mode = "generated"
    assert draft_fate(A(), "a claim [1].") is None


def test_tab_completes_commands_doc_ids_and_dates(rag):
    from prompt_toolkit.document import Document

    from rag.cli.repl import make_completer

    session, _, _ = session_with(rag, [answers])
    session.refresh_completions()
    completer = make_completer(session)

    def words(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), None)]

    assert words("/su") == ["/summarize"] and {"/search", "/show", "/sources"} <= set(words("/s"))
    assert words("/show 3a") == ["3a95f273aef0ff82"]
    assert words("/summarize ")[0] == "last"
    session.dates = ["2016-08-24", "2016-08-23"]
    assert words("/docs 2016-08-2") == ["2016-08-24", "2016-08-23"]
    assert words("who is") == [] and words("/k ") == []


def test_servers_down_are_one_line_errors(rag, tmp_path, monkeypatch):
    # A Chroma server that is not there (port 9: discard, closed here), then an LLM server that is not there.
    home = tmp_path / "home"
    shutil.copytree(rag.settings.home, home)
    screen = Screen()
    chroma_down = Session(Rag(Settings(home=home, chroma_url="http://127.0.0.1:9")), screen.renderer)
    chroma_down.handle("/search بيتر كوك")
    lines = [line for line in screen.text().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "127.0.0.1:9" in lines[0]

    # Settings carries the server and key (nothing but rag.config reads the environment).
    view = Screen()
    llm_down = Session(
        Rag(
            Settings(
                home=home,
                llm="openai:some-model",
                openai_base_url="http://127.0.0.1:9/v1",
                openai_api_key="sk-test-not-a-key",
            )
        ),
        view.renderer,
    )
    llm_down.warm_model()
    assert llm_down.handle("من هو المتحدث باسم البنتاغون؟") is True
    errors = [line for line in view.text().splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "127.0.0.1:9" in errors[0] and "sk-test" not in view.text()
    llm_down.handle("/model")
    assert "OpenAI-compatible server http://127.0.0.1:9/v1" in view.text()


def test_ctrl_c_cancels_a_summary_too(rag):
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    own = worker.submit(Rag, Settings(home=rag.settings.home)).result()
    session, screen, chat = session_with(
        own, ["انتقد المتحدث باسم البنتاغون بيتر كوك الضربات الروسية [1]."], token_delay=0.3
    )
    running = worker.submit(session.handle, "/summarize 3a95f273aef0ff82")
    assert chat.started.wait(60)
    session.cancel.set()
    assert running.result(timeout=30) is True
    assert "cancelled" in screen.text() and "Error" not in screen.text()
    worker.submit(own.close).result()
    worker.shutdown()


def test_rtl_on_changes_the_screen_only(rag):
    chat = ScriptedChatModel(replies=[answers])
    rag.generator = Generator(lambda: chat, "scripted")
    screen = Screen(rtl="on")
    session = Session(rag, screen.renderer)
    session.handle("من هو المتحدث باسم البنتاغون؟")
    assert "بيتر كوك" not in screen.text()  # shown shaped and reordered
    assert visual_line("بيتر كوك") in screen.text()
    quote = session.last_citations[0].quote
    assert quote.startswith("فيما وجه بيتر كوك")  # what is stored and cited is logical
    assert rag.show(session.last_citations[0].doc_id).text[session.last_citations[0].start :].startswith(quote)


def test_ctrl_c_during_the_models_last_call_stops_when_the_call_returns():
    # Ctrl-C while the model reads its prompt (no token streamed, then no later call): the answer
    # must not be shown as if nothing was pressed.
    import threading

    from rag.cli.session import Cancelled, InterruptibleGenerator

    pressed = threading.Event()

    def checkpoint() -> None:
        if pressed.is_set():
            raise Cancelled()

    class Inner:
        def complete(self, system, user, on_token=None, **options):
            pressed.set()  # pressed mid-call
            return "done"

        def choose(self, *args, **kwargs):
            pressed.set()
            return {"yes": 1.0}

    generator = InterruptibleGenerator(Inner(), checkpoint)
    for call in (lambda: generator.complete("s", "u"), lambda: generator.choose("s", "u", ["yes", "no"])):
        pressed.clear()
        with pytest.raises(Cancelled):
            call()
