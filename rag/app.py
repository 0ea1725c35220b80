"""The library API: one object per RAG_HOME that the CLI, the REPL and the evals use.

Components are built lazily, so `rag docs` never loads the embedder and
importing `rag` needs no model, key or server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.answer import Answer, answer_question
from rag.brief.briefing import Briefing, BriefingOptions, build_briefing
from rag.brief.cache import BriefCache
from rag.brief.clauses import WORD_BUDGET
from rag.brief.continuing import mark_continuing
from rag.brief.stories import Story, group_stories
from rag.check import CheckReport, check_text
from rag.config import Settings
from rag.errors import UserInputError
from rag.generate.generator import CompletionCache, Generator
from rag.index.articles import ArticleStore
from rag.index.chunker import ChunkingPolicy
from rag.index.embeddings import Embedder, collection_suffix, evidence_spec, make_embedder, text_spec
from rag.index.encoder import record_encoder, require_encoder
from rag.index.lexical import LexicalIndex
from rag.index.shared_lock import writer_lock
from rag.index.shared_store import open_article_store
from rag.index.vectors import ChunkVectors, open_vectors
from rag.ingest.pipeline import Ingestor, ProgressCallback
from rag.ingest.readers import read_paths
from rag.prompting import use_prompts_dir
from rag.records import Article, IngestReport, Passage
from rag.retrieve.evidence import EvidenceSpan, select_evidence
from rag.retrieve.hybrid import HybridRetriever, RetrievalPolicy
from rag.retrieve.translate import TermTranslator
from rag.summarize import Summary, summarize_articles
from rag.text.question import Question
from rag.text.tokens import use_bpe_file
from rag.verify.sources import SourceSentence, number_evidence
from rag.verify.support import SupportChecker


@dataclass
class Gathered:
    question: Question  # with its words' translations (rag.retrieve.translate)
    passages: list[Passage]
    articles: dict[str, Article]
    evidence: list[EvidenceSpan]  # the sentences an answer may cite, scored

    @property
    def translations(self) -> dict[str, list[str]]:
        return dict(self.question.translations or {})


def use_settings_files(settings: Settings) -> None:
    """Point the process-wide file loaders (prompt templates, the o200k BPE file) at the
    settings' choices: they are read by modules that take no Settings."""
    use_prompts_dir(settings.prompts_dir)
    use_bpe_file(settings.o200k_file)


class Rag:
    def __init__(
        self,
        settings: Settings | None = None,
        chunking: ChunkingPolicy = ChunkingPolicy(),
        retrieval: RetrievalPolicy = RetrievalPolicy(),
        completion_cache: CompletionCache | None = None,
    ):
        self.settings = settings or Settings.from_env()
        self.completion_cache = completion_cache
        self.max_evidence = 6
        self.chunking = chunking
        self.retrieval = retrieval
        self.settings.home.mkdir(parents=True, exist_ok=True)
        use_settings_files(self.settings)

    # -- components (lazy) --------------------------------------------------
    @cached_property
    def store(self) -> ArticleStore:
        """SQLite under RAG_HOME, or with RAG_CHROMA_URL the server's store shared by all workers."""
        return open_article_store(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings.embeddings, self.settings.openai_base_url, self.settings.openai_api_key)

    @cached_property
    def text_embedder(self) -> Embedder:
        """The encoder of symmetric text-to-text comparisons (term translation, verification,
        briefings): the index encoder itself unless RAG_EMBEDDINGS says `...+use`."""
        spec = text_spec(self.settings.embeddings)
        return make_embedder(spec, self.settings.openai_base_url, self.settings.openai_api_key)

    @cached_property
    def evidence_embedder(self) -> Embedder | None:
        """The encoder that re-scores the evidence sentences when a question is asked
        (`...+e5-evidence`), or None: the index's stored sentence vectors are compared."""
        spec = evidence_spec(self.settings.embeddings)
        return make_embedder(spec) if spec else None

    @property
    def vocabulary_folder(self) -> Path:
        """The term translator's word vectors: one folder per encoder (their vectors differ)."""
        name = self.text_embedder.name
        return self.settings.home / ("vocab" if name == "use-multilingual" else f"vocab-{collection_suffix(name)}")

    @cached_property
    def index_vectors(self) -> ChunkVectors:
        """The chunk vectors of this encoder, whichever encoder built the index (for check and repair)."""
        return open_vectors(self.settings, self.embedder, store_id=self.store.store_id())

    @cached_property
    def vectors(self) -> ChunkVectors:
        """The chunk vectors, once the index is known to be built with this encoder (rag.index.encoder)."""
        require_encoder(self.store, self.index_vectors, self.embedder.name)
        return self.index_vectors

    @cached_property
    def lexical(self) -> LexicalIndex:
        return LexicalIndex(self.store, self.settings.home / "bm25")

    @cached_property
    def translator(self) -> TermTranslator:
        return TermTranslator(self.store, self.text_embedder, self.vocabulary_folder)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.vectors, self.lexical, self.embedder, self.translator, self.retrieval)

    # -- operations ---------------------------------------------------------
    def ingest(
        self, paths: list[str | Path], source: str | None = None, progress: ProgressCallback | None = None
    ) -> IngestReport:
        items = read_paths([Path(p) for p in paths], source=source)
        with self.writer_lock("rag ingest"):
            report = Ingestor(self.store, self.vectors, self.embedder, self.chunking).ingest(items, progress)
            if report.added:
                record_encoder(self.store, self.embedder.name)
            if report.added or report.replaced:
                self.lexical.refresh()
                # The term translator's vocabulary now, not in the first process that searches.
                self.translator.refresh()
        return report

    def writer_lock(self, command: str, say=None):
        """One writer per RAG_HOME (rag.index.lock) and, on a server, per RAG_INDEX (rag.index.shared_lock)."""
        return writer_lock(self.settings, command, say)

    def docs(self, date: str | None = None) -> list[Article]:
        return self.store.list(date)

    def show(self, doc_id: str) -> Article:
        article = self.store.get(doc_id)
        if article is None:
            raise UserInputError(f"unknown document id {doc_id!r}; `rag docs` lists the stored articles")
        return article

    def search(self, query: str, k: int = 5, policy: RetrievalPolicy | None = None) -> list[Passage]:
        return self.retriever.search(query, k=k, policy=policy)

    @cached_property
    def generator(self) -> Generator:
        from rag.generate.providers import chat_capabilities, make_chat_model, model_label

        spec = self.settings.llm
        # The capability comes from the spec, so a replayed choice never builds the model.
        return Generator(
            lambda: make_chat_model(spec, self.settings),
            model_label(spec),
            params={"temperature": 0.0},
            cache=self.completion_cache,
            gives_token_probabilities=chat_capabilities(spec).gives_token_probabilities,
        )

    @cached_property
    def checker(self) -> SupportChecker:
        return SupportChecker(self.text_embedder)

    @property
    def prints_english(self) -> bool:
        """Whether model-written English that verifies is printed (RAG_ENGLISH; "auto": not from the
        bundled small models, whose verified translations were mostly wrong on labelled claims)."""
        from rag.generate.providers import parse_llm_spec

        policy = self.settings.english
        return policy == "verified" or (policy == "auto" and not parse_llm_spec(self.settings.llm).bundled)

    def gather(self, question: str | Question, k: int = 5) -> Gathered:
        """What an answer is written from: the question analysed once, the passages found, their
        articles, and the selected evidence."""
        if not isinstance(question, Question):
            question = Question.parse(question)
        passages = self.search(question.text, k=k)
        articles = self.store.get_many(p.doc_id for p in passages)
        # The question words in the other script, looked up once for evidence and coverage.
        question = question.with_translations(
            self.translator.word_translations(list(question.words), list(question.names))
        )
        evidence = select_evidence(
            question,
            passages,
            articles,
            self.vectors,
            self.embedder,
            max_sentences=self.max_evidence,
            rescorer=self.evidence_embedder,
            term_weights=self.lexical.term_idf,
        )
        return Gathered(question, passages, articles, evidence)

    def ask(self, question: str, k: int = 5, on_token=None, gathered: Gathered | None = None) -> Answer:
        """A cited answer; `gathered` (from `gather`) when the caller already retrieved, e.g. to
        show the evidence first."""
        if not question.strip():
            raise UserInputError("the question is empty")
        found = gathered or self.gather(question, k)
        return answer_question(
            found.question,
            evidence=found.evidence,
            articles=found.articles,
            generator=self.generator,
            checker=self.checker,
            word_weights=self.lexical.idf,
            on_token=on_token,
            english=self.prints_english,
        )

    def check(self, text: str, doc_ids: list[str] | None = None, k: int = 5) -> CheckReport:
        """Whether the stored articles (or only `doc_ids`) support each sentence of `text`."""
        if not text.strip():
            raise UserInputError("nothing to check: the text is empty")
        doc_ids = list(dict.fromkeys(doc_ids or []))
        for doc_id in doc_ids:
            self.show(doc_id)  # an unknown id is an error, not "unsupported"
        finder = self._sentences_of(doc_ids) if doc_ids else self._evidence_for(k)
        return check_text(text, finder, self.checker, self.store.get_many)

    def _evidence_for(self, k: int):
        """A sentence -> the evidence the question path would select for it (over a search)."""

        def find(sentence: str) -> list[SourceSentence]:
            found = self.gather(sentence, k)
            ranked = sorted(found.evidence, key=lambda e: -e.score)
            return number_evidence(ranked, found.articles)

        return find

    def _sentences_of(self, doc_ids: list[str]):
        """A sentence -> every sentence of the given articles, closest first (encoder cosine)."""
        articles = self.store.get_many(doc_ids)
        chunk_ids = [c.chunk_id for d in doc_ids for c in self.store.chunks_for(d)]
        units = self.vectors.unit_spans(chunk_ids)

        def find(sentence: str) -> list[SourceSentence]:
            if not units:
                return []
            vector = self.embedder.embed_array([sentence])[0]
            scored = sorted(units, key=lambda u: -float(u[3] @ vector))
            spans = [EvidenceSpan(d, s, e, float(v @ vector)) for d, s, e, v in scored]
            return number_evidence(spans, articles)

        return find

    def summarize(self, doc_ids: list[str], sentences: int = 4, progress=None) -> Summary:
        if not doc_ids:
            raise UserInputError("give at least one document id")
        articles = [self.show(doc_id) for doc_id in dict.fromkeys(doc_ids)]
        chunk_ids = [c.chunk_id for a in articles for c in self.store.chunks_for(a.doc_id)]
        units = self.vectors.unit_spans(chunk_ids)
        return summarize_articles(
            articles, units, self.generator, self.checker, sentences, progress, english=self.prints_english
        )

    def stories(self, dates: str | list[str]) -> tuple[list[Article], list[Story]]:
        """The articles of the given date(s), grouped into stories ranked by news value."""
        dates = [dates] if isinstance(dates, str) else list(dates)
        articles = [a for day in dates for a in self.store.list(day)]
        if not articles:
            raise UserInputError(
                f"no articles dated {', '.join(dates)}; `rag docs` lists the stored articles and their dates"
            )
        vectors = self.vectors.document_vectors([a.doc_id for a in articles])
        articles = [a for a in articles if a.doc_id in vectors]
        matrix = np.stack([vectors[a.doc_id] for a in articles])
        return articles, group_stories(articles, matrix)

    def brief(
        self,
        date: str,
        top: int = 10,
        progress=None,
        log=None,
        dates: list[str] | None = None,
        window: dict | None = None,
        previous: dict | None = None,
        budget: int = WORD_BUDGET,
        listed_english: int = 20,
    ) -> Briefing:
        """The briefing of `date` (or of `dates`, named after `date`); see rag.brief.briefing.

        `previous`: the previous day's briefing JSON, to mark continuing stories; `log`: one line per story.
        """
        started = time.perf_counter()
        covered = dates or [date]
        articles, stories = self.stories(covered)
        clustered = time.perf_counter() - started
        briefing = build_briefing(
            date,
            articles,
            stories,
            self.generator,
            self.checker,
            self.text_embedder.embed_array,
            BriefCache(self.settings.cache_dir / "brief"),
            BriefingOptions(top, budget, listed_english, english=self.prints_english),
            progress,
            log,
        )
        briefing.dates, briefing.window = covered, window
        if previous:
            briefing.stats["continuing"] = mark_continuing(
                briefing.stories + briefing.more_stories, previous, self.text_embedder.embed_array
            )
        briefing.stats["seconds"]["clustering_and_ranking"] = round(clustered, 2)
        briefing.seconds = time.perf_counter() - started
        return briefing

    def as_retriever(self, k: int = 5):
        """This store's hybrid retrieval as a LangChain retriever."""
        from rag.retrieve.langchain_retriever import RagRetriever

        return RagRetriever(rag=self, k=k)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
