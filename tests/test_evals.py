"""The eval harness: metrics computed by hand, suites, reports, and the `rag eval` gate.

Retrieval runs need no LLM. Generation runs replay the committed recordings of
the `ci` suite (evals/recordings/ci), so they are fast and need no model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pytest

from fakes import KeywordEmbedder
from helpers import ROOT
from rag.answer import Answer
from rag.errors import SetupError, UserInputError
from rag.evals import metrics as m
from rag.evals.answers import score_answer, summarize_answer_records
from rag.evals.qa_data import QACase, context_id, load_qa_cases, spread_cases
from rag.evals.report import EvalReport, compare, render_markdown
from rag.evals.results import TaskResult, ThresholdCheck, meets
from rag.evals.runner import RunOptions, apply_threshold_overrides, load_task_cases, run_suite, write_reports
from rag.evals.suites import find_suite, parse_suite, suite_names
from rag.evals.summaries import lead_sentences, score_summary, summarize_summary_records
from rag.records import Article, Citation
from rag.verify.support import SupportChecker

RECORDINGS = ROOT / "evals" / "recordings" / "ci"


# -- retrieval metrics ---------------------------------------------------------------


def test_rank_metrics_by_hand():
    hits = [False, True, False]
    assert m.recall_at_k(hits, 1) == 0.0 and m.recall_at_k(hits, 5) == 1.0
    assert m.reciprocal_rank(hits) == 0.5
    assert m.ndcg_at_k(hits, 10) == pytest.approx(1 / math.log2(3))
    assert m.ndcg_at_k([False] * 10 + [True], 10) == 0.0
    assert m.reciprocal_rank([]) == 0.0


# -- answer metrics ------------------------------------------------------------------


def test_exact_match_after_arabic_normalization():
    # Diacritics, hamza forms, the article and ta marbuta do not count as differences.
    assert m.exact_match("الكِتابُ", "كتاب") == 1.0
    assert m.exact_match("أحمد", "احمد") == 1.0
    assert m.exact_match("مدرسة", "مدرسه") == 1.0
    assert m.exact_match("كتاب جديد", "كتاب") == 0.0


def test_token_f1_by_hand():
    # prediction ذهب/ولد/الي/مدرسه, gold ولد/مدرسه: P = 2/4, R = 2/2, F1 = 2/3
    assert m.token_f1("ذهب الولد إلى المدرسة", "الولد المدرسة") == pytest.approx(2 / 3)
    assert m.token_f1("لا شيء", "الولد") == 0.0


def test_contains_answer_and_best_gold():
    assert m.contains_answer("فاز بولونيا وارسو بالبطولة", "بولونيا وارسو") == 1.0
    assert m.contains_answer("فاز بولونيا بالبطولة", "بولونيا وارسو") == 0.0
    assert m.best_over_golds(m.exact_match, "1946", ["in 1946", "1946"]) == 1.0


def test_strip_markers():
    assert m.strip_markers("فاز الفريق [1]. وخسر الآخر [2, 3].") == "فاز الفريق. وخسر الآخر."


# -- citation metrics ----------------------------------------------------------------


def test_citation_invariant_check():
    text = "قال المتحدث إن المحادثات مستمرة."
    assert m.citation_holds(text, 4, 11, text[4:11])
    assert not m.citation_holds(text, 4, 11, text[5:12])
    assert not m.citation_holds(None, 0, 3, "قال")
    assert not m.citation_holds(text, 5, 2, "")


def test_share_of_nothing_is_the_given_default():
    assert m.share(3, 4) == 0.75
    assert m.share(0, 0) == 1.0 and m.share(0, 0, empty=0.0) == 0.0


# -- summary metrics -----------------------------------------------------------------


def test_rouge_tokens_keep_arabic():
    # rouge_score's default tokenizer keeps [a-z0-9] only: it would return [] here.
    assert m.rouge_tokens("أعلنت الحكومةُ خطةً جديدة") == ["اعلنت", "حكوم", "خط", "جديد"]
    assert m.rouge_tokens("The Ministers met") == ["the", "minister", "met"]


def test_rouge_by_hand():
    # unigrams: 2 shared of 4 predicted and 3 reference -> P 1/2, R 2/3, F1 4/7
    assert m.rouge_n("cat sat on mat", "cat sat here", 1) == pytest.approx(4 / 7)
    # bigrams: "cat sat" shared, of 3 and 2 -> P 1/3, R 1/2, F1 2/5
    assert m.rouge_n("cat sat on mat", "cat sat here", 2) == pytest.approx(2 / 5)
    # LCS "cat sat" = 2 -> same as ROUGE-1 here
    assert m.rouge_l("cat sat on mat", "cat sat here") == pytest.approx(4 / 7)
    # LCS respects order: "on cat" vs "cat on" share 2 unigrams but an LCS of 1
    assert m.rouge_n("on cat", "cat on", 1) == 1.0
    assert m.rouge_l("on cat", "cat on") == pytest.approx(0.5)
    assert m.rouge_n("", "cat", 1) == 0.0


def test_rouge_on_arabic_ignores_spelling_variants():
    assert m.rouge_l("أعلنت الحكومةُ الخطة", "اعلنت الحكومة الخطه") == 1.0
    assert 0 < m.rouge_n("أعلنت الحكومة خطة جديدة للتعليم", "الحكومة تعلن خطة التعليم", 1) < 1


def test_lcs_length():
    assert m.lcs_length(list("abcbdab"), list("bdcaba")) == 4
    assert m.lcs_length([], ["a"]) == 0


def test_language_correct_and_cosine():
    assert m.language_correct("قال الوزير إن الخطة جاهزة.", "ar")
    assert m.language_correct("The minister said the plan is ready.", "en")
    assert not m.language_correct("The minister said the plan is ready.", "ar")
    assert m.cosine([1, 0], [1, 0]) == pytest.approx(1.0)
    assert m.cosine([1, 0], [0, 2]) == 0.0
    assert m.cosine([0, 0], [1, 1]) == 0.0


def test_lead_sentences():
    assert lead_sentences("الأولى هنا. الثانية هنا! الثالثة؟", 2) == "الأولى هنا. الثانية هنا!"


# -- thresholds and baselines ----------------------------------------------------------


def test_thresholds_are_minima_except_costs():
    assert meets("qa.citation_invariant", 1.0, 1.0)
    assert not meets("qa.citation_invariant", 0.999, 1.0)
    assert meets("qa.citation_invariant", 0.7 + 0.2 + 0.1, 1.0)  # floating point sum, still 1.0
    assert meets("qa.prompt_tokens_per_case", 900, 1000)
    assert not meets("qa.seconds_per_case", 12.0, 10.0)
    assert meets("qa.wrong_rate", 0.04, 0.05) and not meets("qa.ar.wrong_rate", 0.06, 0.05)
    assert ThresholdCheck("qa.en.wrong_rate", 0.05, 0.0).direction == "max"
    assert not meets("claims.unfaithful_accepted", 0.3, 0.2) and meets("claims.faithful_accepted", 0.9, 0.85)
    assert not ThresholdCheck("x.mrr", 0.5, None).passed  # a metric that was not produced fails


def test_baseline_deltas():
    deltas = compare(
        {"a.mrr": 0.9, "a.seconds_per_case": 2.0, "new": 1.0}, {"a.mrr": 0.8, "a.seconds_per_case": 3.0, "old": 1.0}
    )
    assert deltas["a.mrr"] == {"baseline": 0.8, "current": 0.9, "delta": pytest.approx(0.1), "better": True}
    assert deltas["a.seconds_per_case"]["better"] is True  # lower cost is better
    assert deltas["new"]["delta"] is None and deltas["old"]["current"] is None


# -- datasets and suites -----------------------------------------------------------------


def test_spread_cases_round_robin_over_paragraphs():
    cases = [QACase(f"{c}{i}", "q", c, "a", 0, c) for c in "AB" for i in range(3)]
    assert [c.case_id for c in spread_cases(cases)] == ["A0", "B0", "A1", "B1", "A2", "B2"]
    assert [c.case_id for c in spread_cases(cases, n=3, offset=1)] == ["B0", "A1", "B1"]


def test_committed_datasets_are_small_consistent_and_credited():
    datasets = ROOT / "evals" / "datasets"
    ar = load_qa_cases(datasets / "xquad_ar.jsonl")
    crossling = load_qa_cases(datasets / "xquad_crossling_enq_arctx.jsonl")
    unanswerable = load_qa_cases(datasets / "xquad_unanswerable.jsonl")
    assert len(ar) == 60 and len({c.context_id for c in ar}) == 12
    assert [c.case_id for c in crossling] == [c.case_id for c in ar]
    assert all(c.question_lang == "en" and c.answers_en for c in crossling)
    assert all(c.context[c.answer_start : c.answer_start + len(c.answer)] == c.answer for c in ar)
    assert unanswerable and not any(c.answerable for c in unanswerable)
    assert not {c.context_id for c in unanswerable} & {c.context_id for c in ar}
    news = load_qa_cases(datasets / "news_qa.jsonl")
    assert len(news) == 80 and len({c.context_id for c in news}) == 10
    answerable = [c for c in news if c.answerable]
    assert len(answerable) == 60 and all(
        c.context[c.answer_start : c.answer_start + len(c.answer)] == c.answer for c in answerable
    )
    fresh = load_qa_cases(datasets / "news_qa_fresh.jsonl")
    assert len(fresh) == 96 and len({c.context_id for c in fresh}) == 12
    assert not {c.context for c in fresh} & {c.context for c in news}  # other articles
    assert sum(c.answerable for c in fresh) == 72 and all(
        c.context[c.answer_start : c.answer_start + len(c.answer)] == c.answer for c in fresh if c.answerable
    )
    readme = (datasets / "README.md").read_text(encoding="utf-8")
    for path in [*datasets.glob("*.jsonl"), *datasets.glob("*.tsv")]:
        assert path.name in readme, f"{path.name} has no source/license line"
        # A record repeats its context: the seed set's 16 answerable questions carry the seed 16 times; the
        # claims sets repeat each Arabic sentence (and the one before it) beside every claim about it; the
        # news set carries each of its 10 articles (about 50 KB in all) beside its 8 questions.
        limit = {"seed_": 200_000, "claims_": 400_000, "news_": 450_000}.get(path.name.split("_")[0] + "_", 120_000)
        assert path.stat().st_size < limit


def test_every_shipped_suite_parses():
    assert {"ci", "full", "retrieval", "qa", "summarization", "verify", "news"} <= set(suite_names(ROOT))
    for name in suite_names(ROOT):
        suite = find_suite(name)
        assert suite.tasks and suite.description
        for task in suite.tasks:
            if task.type not in ("retrieval", "claims"):  # a claims task cites nothing
                assert task.thresholds.get("citation_invariant") == 1.0, (name, task.name)


def test_ci_qa_task_mixes_languages_and_unanswerable_cases():
    task = next(t for t in find_suite("ci").tasks if t.name == "qa")
    cases, corpus = load_task_cases(task)
    assert len(cases) == 12
    assert sum(not c.answerable for c in cases) == 4
    assert {c.question_lang for c in cases} == {"ar", "en"}
    # the whole corpus of the dataset files is ingested, not only the asked paragraphs
    assert len({c.context_id for c in corpus}) == 12


@pytest.mark.parametrize(
    "body, message",
    [
        ("name = 'x'\n", "at least one"),
        ("[[tasks]]\ntype = 'ranking'\ndataset = 'a.jsonl'\n", "type must be one of"),
        ("[[tasks]]\ntype = 'qa'\ndataset = 'a.jsonl'\ncolour = 'red'\n", "unknown keys colour"),
        ("[[tasks]]\ntype = 'qa'\ndataset = 'a.jsonl'\n[tasks.thresholds]\nmrr = 'high'\n", "must be a number"),
        ("[[tasks]]\ntype = 'qa'\ndataset = 'a.jsonl'\nk = 0\n", "k must be a positive integer"),
        ("[[tasks]]\ntype = 'qa'\n", "needs a dataset"),
        ("[[tasks\n", "not a valid suite file"),
    ],
)
def test_bad_suite_files_are_user_errors(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UserInputError, match=message):
        parse_suite(path, tmp_path)


def test_threshold_overrides_name_their_task():
    suite = find_suite("ci")
    changed = apply_threshold_overrides(suite, {"qa.citation_precision": 0.9})
    assert next(t for t in changed.tasks if t.name == "qa").thresholds["citation_precision"] == 0.9
    with pytest.raises(UserInputError, match="prefix the metric with a task name"):
        apply_threshold_overrides(suite, {"mrr": 0.9})
    with pytest.raises(UserInputError, match="has no task 'nope'"):
        suite.only(["nope"])


def test_missing_dataset_is_skipped_with_a_message(tmp_path):
    path = tmp_path / "suites" / "gone.toml"
    path.parent.mkdir()
    path.write_text("[[tasks]]\nname = 'far'\ntype = 'retrieval'\ndataset = '../shared/none.jsonl'\n", encoding="utf-8")
    report = run_suite(parse_suite(path, tmp_path), RunOptions(recordings=tmp_path / "rec"))
    assert report.skipped == [{"task": "far", "reason": "dataset not found: ../shared/none.jsonl"}]
    assert report.passed is False  # nothing ran, nothing proven
    assert "far: dataset not found" in render_markdown(report)


# -- scoring answers and summaries (fakes, no model) --------------------------------------

CONTEXT = "تأسس نادي بولونيا وارسو عام 1911. وفاز الفريق بالبطولة عام 1946 وبالكأس عام 1952."
GOLD = "1946"


@dataclass
class FakeStore:
    articles: dict[str, Article]

    def get(self, doc_id):
        return self.articles.get(doc_id)


@dataclass
class FakeRag:
    articles: dict[str, Article]
    # the English and Arabic texts of a test share a direction
    embedder: KeywordEmbedder = field(default_factory=lambda: KeywordEmbedder("1946", "١٩٤٦"))

    @property
    def store(self):
        return FakeStore(self.articles)

    @property
    def text_embedder(self):  # Rag.text_embedder: the same encoder unless RAG_EMBEDDINGS says `...+use`
        return self.embedder

    def show(self, doc_id):
        return self.articles[doc_id]


def qa_case(answerable=True) -> QACase:
    return QACase(
        "q1", "متى فاز الفريق بالبطولة؟", CONTEXT, GOLD, CONTEXT.index(GOLD), context_id(CONTEXT), answerable=answerable
    )


def cite(n, start, end, quote=None) -> Citation:
    return Citation(n, "d1", start, end, CONTEXT[start:end] if quote is None else quote)


def test_answer_scores_hit_invariant_and_precision():
    rag = FakeRag({"d1": Article("d1", "بولونيا", CONTEXT)})
    second = CONTEXT.index("وفاز")
    answer = Answer(
        question="؟",
        answer="فاز الفريق بالبطولة عام 1946 [1].",
        lang="ar",
        grounded=True,
        citations=[cite(1, second, len(CONTEXT))],
        model="fake",
        sentences=[("وفاز الفريق بالبطولة عام 1946", [1])],
    )
    checker = SupportChecker(rag.embedder)
    record = score_answer(rag, checker, qa_case(), answer, {context_id(CONTEXT): "d1"}, seconds=1.5)
    assert record["citation_hit"] == 1.0 and record["contains_gold"] == 1.0
    assert record["citations_broken"] == [] and (record["supported_pairs"], record["cited_pairs"]) == (1, 1)

    # A citation whose quote is not the stored text breaks the invariant; one that misses the gold span misses.
    bad = Answer(
        question="؟",
        answer="تأسس النادي عام 1911 [1].",
        lang="ar",
        grounded=True,
        citations=[cite(1, 0, second - 1, quote="تأسس نادي آخر")],
        model="fake",
        sentences=[("تأسس النادي عام 1911", [1])],
    )
    bad_record = score_answer(rag, checker, qa_case(), bad, {context_id(CONTEXT): "d1"}, seconds=0.5)
    assert len(bad_record["citations_broken"]) == 1 and bad_record["citation_hit"] == 0.0

    refused = Answer(
        question="؟", answer="لم يرد ذلك في المقالات.", lang="ar", grounded=False, citations=[], model="fake"
    )
    refusal = score_answer(rag, checker, qa_case(answerable=False), refused, {}, seconds=0.1)
    result = summarize_answer_records([record, bad_record, refusal])
    assert result.metrics["citation_invariant"] == 0.5
    assert result.metrics["citation_hit_rate"] == 0.5
    assert result.metrics["unanswerable_accuracy"] == 1.0
    assert result.metrics["seconds_per_case"] == pytest.approx((1.5 + 0.5 + 0.1) / 3)
    assert result.worst[0]["why"].startswith("citation invariant broken; no citation contains the gold span")
    assert [w["id"] for w in result.worst] == ["q1"]  # the good answer and the refusal are not "worst"
    # Judged by the gold data, not by the checker: the second answer is cited and wrong.
    assert result.metrics["wrong_rate"] == 0.5 and result.metrics["selective_precision"] == 0.5
    assert result.info["answered"] == 2 and result.info["wrong"] == 1


def _qa_record(lang, answerable=True, grounded=True, hit=0.0, contains=0.0, refused=0.0) -> dict:
    record = {
        "id": "x",
        "question_lang": lang,
        "lang": lang,
        "answerable": answerable,
        "grounded": grounded,
        "citations_total": 0,
        "citations_broken": [],
        "cited_pairs": 0,
        "supported_pairs": 0,
        "replayed": False,
        "model_calls": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "generation_seconds": 0.0,
        "seconds": 0.0,
        "question": "q",
        "gold": "g",
        "answer": "a",
        "citations": [],
    }
    if answerable:
        record.update(exact_match=0.0, token_f1=0.0, contains_gold=contains, citation_hit=hit)
    else:
        record["refused"] = refused
    return record


def test_wrong_rate_and_selective_precision_count_only_answered_cases_per_language():
    records = [
        _qa_record("ar", hit=1.0),  # right by its citation
        _qa_record("ar", contains=1.0),  # right by its answer
        _qa_record("ar"),  # answered, wrong
        _qa_record("ar", grounded=False),  # "not found": neither right nor wrong
        _qa_record("en"),  # answered, wrong
        _qa_record("en", answerable=False, grounded=True),  # unanswerable cases count in unanswerable_accuracy
    ]
    metrics = summarize_answer_records(records).metrics
    assert metrics["wrong_rate"] == pytest.approx(2 / 4) and metrics["selective_precision"] == pytest.approx(2 / 4)
    assert metrics["ar.wrong_rate"] == pytest.approx(1 / 3) and metrics["ar.selective_precision"] == pytest.approx(
        2 / 3
    )
    assert metrics["en.wrong_rate"] == 1.0 and metrics["en.unanswerable_accuracy"] == 0.0
    assert metrics["ar.answered_rate"] == 0.75 and "ar.unanswerable_accuracy" not in metrics
    # Nothing answered: nothing printed was wrong.
    quiet = summarize_answer_records([_qa_record("ar", grounded=False)]).metrics
    assert quiet["wrong_rate"] == 0.0 and quiet["selective_precision"] == 1.0 and "ar.wrong_rate" not in quiet


@dataclass
class FakeHalf:
    completion: object = None
    extractive: bool = False


@dataclass
class FakeSummary:
    ar: list
    en: list
    citations: list
    halves: dict


def test_summary_scores_against_reference_and_lead():
    from rag.evals.summary_data import SummaryCase

    rag = FakeRag({"d1": Article("d1", "بولونيا", CONTEXT)})
    second = CONTEXT.index("وفاز")
    summary = FakeSummary(
        ar=[{"text": "فاز الفريق بالبطولة عام 1946.", "citations": [1]}],
        en=[
            {"text": "The team won the title in 1946.", "citations": [1]},
            {"text": "Uncited English.", "citations": []},
        ],
        citations=[cite(1, second, len(CONTEXT))],
        halves={"ar": FakeHalf(), "en": FakeHalf()},
    )
    case = SummaryCase("s1", "بولونيا", CONTEXT, reference="فاز الفريق بالبطولة عام 1946")
    record = score_summary(rag, SupportChecker(rag.embedder), case, "d1", summary, sentences=1, seconds=2.0)
    assert record["generated"] == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}  # the reference, word for word
    assert record["lead"] == CONTEXT[: CONTEXT.index("وفاز") - 1]
    result = summarize_summary_records([record], sentences=1)
    assert result.metrics["cited_sentence_rate"] == pytest.approx(2 / 3)
    assert result.metrics["language_correct"] == 1.0
    assert result.metrics["crosslingual_similarity"] == pytest.approx(1.0)  # same fake direction
    assert result.metrics["citation_invariant"] == 1.0
    assert result.metrics["lead.rouge1"] < result.metrics["rouge1"]


def test_translated_article_scores_its_english_summary_against_the_english_original(tmp_path):
    from rag.evals.summary_data import load_summary_cases

    data = tmp_path / "ntrex.jsonl"
    original = "The club was founded in 1911. The team won the title in 1946 and the cup in 1952."
    data.write_text(
        json.dumps({"id": "n1", "title": "بولونيا", "text": CONTEXT, "text_en": original}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "n2", "text": CONTEXT})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception) as rejected:  # no summary and no English original: nothing to score against
        load_summary_cases(data)
    assert "n2" in str(rejected.value) or ":2" in str(rejected.value)
    data.write_text(data.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    (case,) = load_summary_cases(data)
    assert case.reference == "" and case.english_reference == original
    rag = FakeRag({"d1": Article("d1", "بولونيا", CONTEXT)})
    second = CONTEXT.index("وفاز")
    summary = FakeSummary(
        ar=[{"text": "فاز الفريق بالبطولة عام 1946.", "citations": [1]}],
        en=[{"text": "The team won the title in 1946.", "citations": [1]}],
        citations=[cite(1, second, len(CONTEXT))],
        halves={"ar": FakeHalf(), "en": FakeHalf()},
    )
    record = score_summary(rag, SupportChecker(rag.embedder), case, "d1", summary, sentences=1, seconds=1.0)
    assert record["generated"] is None and 0.4 < record["en_scores"]["rouge1"] < 1.0
    assert record["en_lead_scores"]["rouge1"] < record["en_scores"]["rouge1"]  # 1911 founding vs the 1946 title
    result = summarize_summary_records([record], sentences=1)
    assert "rouge1" not in result.metrics
    assert result.metrics["en.rouge1"] == pytest.approx(record["en_scores"]["rouge1"])
    assert result.metrics["en.reference_similarity"] == pytest.approx(1.0)  # the fake puts both on the 1946 axis
    assert result.worst[0]["why"].startswith("English ROUGE-L")


# -- reports ---------------------------------------------------------------------------


def sample_report(value=0.5) -> EvalReport:
    task = TaskResult(
        "retrieval_ar",
        "retrieval",
        {
            f"{mode}.{k}": value
            for mode in ("hybrid", "dense", "lexical")
            for k in ("recall_at_1", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10")
        },
        cases=3,
    )
    metrics = {f"retrieval_ar.{k}": v for k, v in task.metrics.items()}
    checks = [ThresholdCheck("retrieval_ar.hybrid.mrr", 0.8, metrics["retrieval_ar.hybrid.mrr"])]
    return EvalReport("demo", "", metrics, checks, [task], started="2026-01-01T00:00:00+00:00")


def test_report_json_has_the_contract_shape_and_markdown_marks_failures(tmp_path):
    report = sample_report()
    data = report.to_json()
    assert {"suite", "metrics", "thresholds", "passed", "cases"} <= set(data)
    assert data["passed"] is False and data["cases"] == 3
    assert data["thresholds"] == {"retrieval_ar.hybrid.mrr": 0.8}
    markdown = render_markdown(report)
    assert "| retrieval_ar.hybrid.mrr | 0.500 | ≥ 0.800 | **FAIL** |" in markdown
    assert "| lexical (BM25) |" in markdown
    json_path, md_path = write_reports(report, tmp_path / "out" / "report.json")
    assert json.loads(json_path.read_text(encoding="utf-8"))["suite"] == "demo"
    assert md_path.name == "report.md" and md_path.read_text(encoding="utf-8") == markdown


def test_markdown_shows_the_english_rouge_table_for_translated_articles():
    metrics = {f"en.{m}": 0.2 for m in ("rouge1", "rouge2", "rougeL")} | {
        f"en.lead.{m}": 0.5 for m in ("rouge1", "rouge2", "rougeL")
    }
    task = TaskResult("summaries_ntrex", "summarization", metrics, cases=1, info={"lead_n": 3})
    report = EvalReport(
        "demo",
        "",
        {f"summaries_ntrex.{k}": v for k, v in metrics.items()},
        [],
        [task],
        started="2026-01-01T00:00:00+00:00",
    )
    markdown = render_markdown(report)
    assert "generated English summary vs the original's lead-3" in markdown
    assert "| generated | 0.200 | 0.200 | 0.200 |" in markdown and "Arabic summary" not in markdown


# -- the gate: retrieval on the ci suite (no LLM) -----------------------------------------


def run_cli(*args: str):
    from typer.testing import CliRunner

    from rag.cli.main import app

    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.mark.slow
def test_crippled_retrieval_fails_the_ci_suite_and_normal_retrieval_passes(tmp_path):
    normal = run_cli(
        "eval", "--suite", "ci", "--only", "retrieval_crossling", "--json", "--out", str(tmp_path / "normal.json")
    )
    assert normal.exit_code == 0, normal.stderr
    report = json.loads(normal.stdout)
    assert report["passed"] is True and report["cases"] == 60
    metrics = report["metrics"]
    # the baselines run beside hybrid
    assert {"retrieval_crossling.dense.mrr", "retrieval_crossling.lexical.mrr"} <= set(metrics)
    assert metrics["retrieval_crossling.hybrid.mrr"] >= metrics["retrieval_crossling.lexical.mrr"]

    # Only the top passage: recall@5 becomes recall@1, below its threshold.
    crippled = run_cli(
        "eval",
        "--suite",
        "ci",
        "--only",
        "retrieval_crossling",
        "-k",
        "1",
        "--json",
        "--out",
        str(tmp_path / "crippled.json"),
        "--baseline",
        str(tmp_path / "normal.json"),
    )
    assert crippled.exit_code == 1
    bad = json.loads(crippled.stdout)
    assert bad["passed"] is False
    assert "retrieval_crossling.hybrid.recall_at_5" in {f["metric"] for f in bad["failures"]}
    assert bad["baseline"]["deltas"]["retrieval_crossling.hybrid.recall_at_5"]["delta"] < 0
    assert "below threshold: retrieval_crossling.hybrid.recall_at_5" in crippled.stderr
    assert (tmp_path / "crippled.md").read_text(encoding="utf-8").count("**FAIL**") >= 1


@pytest.mark.slow
def test_any_qa_jsonl_runs_with_advisory_thresholds(tmp_path):
    records = [
        json.loads(line)
        for line in (ROOT / "evals/datasets/xquad_ar.jsonl").read_text(encoding="utf-8").splitlines()[:10]
    ]
    dataset = tmp_path / "mine.jsonl"
    dataset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = run_cli(
        "eval", "--dataset", str(dataset), "--task", "retrieval", "--json", "--out", str(tmp_path / "r.json")
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["suite"] == "dataset:mine.jsonl" and data["cases"] == 10
    assert data["thresholds"] == {} and "retrieval.hybrid.recall_at_5" in data["advisory_thresholds"]
    gated = run_cli(
        "eval",
        "--dataset",
        str(dataset),
        "--task",
        "retrieval",
        "--json",
        "--out",
        str(tmp_path / "g.json"),
        "--threshold",
        "hybrid.recall_at_1=1.01",
    )
    assert gated.exit_code == 1
    assert json.loads(gated.stdout)["thresholds"] == {"retrieval.hybrid.recall_at_1": 1.01}


def test_cli_usage_errors(tmp_path):
    assert run_cli("eval", "--record", "--replay").exit_code == 2
    assert run_cli("eval", "--dataset", str(tmp_path / "x.jsonl")).exit_code == 2
    unknown = run_cli("eval", "--suite", "nope")
    assert unknown.exit_code == 1 and "Error: no suite named 'nope'" in unknown.stderr


# -- generation, replayed from the committed recordings -----------------------------------


@pytest.mark.slow
def test_replay_only_mode_errors_on_a_missing_recording(tmp_path):
    suite = find_suite("ci").only(["summaries"])
    with pytest.raises(SetupError, match="record it with `rag eval --suite ci --record`"):
        run_suite(suite, RunOptions(recording_mode="replay", recordings=tmp_path / "empty", limit=1))


@pytest.mark.slow
@pytest.mark.skipif(not RECORDINGS.is_dir(), reason="no recordings in evals/recordings/ci yet")
def test_ci_generation_tasks_pass_from_recordings(tmp_path):
    result = run_cli(
        "eval",
        "--suite",
        "ci",
        "--only",
        "qa",
        "--only",
        "summaries",
        "--replay",
        "--json",
        "--out",
        str(tmp_path / "gen.json"),
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert report["completions"]["generated"] == 0 and report["completions"]["replayed"] > 0
    assert report["metrics"]["qa.citation_invariant"] == 1.0
    assert report["metrics"]["summaries.citation_invariant"] == 1.0
    full = json.loads((tmp_path / "gen.json").read_text(encoding="utf-8"))
    assert len(full["records"]["qa"]) == 12 and len(full["records"]["summaries"]) == 2
    # Every model call an answer makes is counted (the draft and the yes/no asks), all replayed.
    qa = full["records"]["qa"]
    assert all(r["replayed"] for r in qa) and sum(r["model_calls"] for r in qa) > len(qa)


def test_record_mode_prunes_only_this_models_unused_recordings(tmp_path):
    from rag.evals.runner import TrackingCache
    from rag.generate.generator import Completion

    cache = TrackingCache(tmp_path / "rec")
    for key, model in (("aa1", "m1"), ("bb2", "m1"), ("cc3", "m2")):
        cache.put(key, Completion(text="x", model=model, prompt_tokens=1, completion_tokens=1, seconds=0.1), "s", "u")
    fresh = TrackingCache(tmp_path / "rec")
    assert fresh.get("aa1").cached is True
    assert fresh.prune("m1") == 1  # bb2: m1's, unused; cc3 belongs to another model
    assert sorted(p.stem for p in (tmp_path / "rec").glob("*/*.json")) == ["aa1", "cc3"]
    assert (fresh.replayed, fresh.generated) == (1, 0)
