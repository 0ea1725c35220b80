"""The claims eval: labelled (Arabic span, claim) pairs judged by the project's checker.

Metric arithmetic is tested with a judge written here (no embedder); the committed sets are
checked for what makes them a fair test (disjoint documents, exact spans, both languages and
labels, every kind); the real checker runs on the ci subset through `rag eval`.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from helpers import ROOT
from rag.errors import UserInputError
from rag.evals.claims import (
    KINDS,
    ClaimCase,
    evaluate_claims,
    judge_claim,
    load_claims,
    summarize_claim_records,
)
from rag.evals.report import EvalReport, render_markdown
from rag.evals.runner import load_task_cases
from rag.evals.suites import find_suite

DATASETS = ROOT / "evals" / "datasets"
# ../shared/data beside the checkout (a worktree under wt/ has it two levels up).
NTREX = (
    next(
        (
            p
            for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
            if (p / "data" / "parallel" / "ntrex_ar_en_sentences.jsonl").is_file()
        ),
        ROOT.parent / "shared",
    )
    / "data"
    / "parallel"
    / "ntrex_ar_en_sentences.jsonl"
)


def case(claim, label="faithful", lang="en", kind=None, doc="d1", span="ذهب الوزير إلى القاهرة.") -> ClaimCase:
    return ClaimCase(
        case_id=claim[:20],
        doc=doc,
        span_ar=span,
        before_ar="",
        claim=claim,
        claim_lang=lang,
        label=label,
        kind=kind or ("faithful" if label == "faithful" else "swap"),
    )


def accepts_if_marked(rag, c: ClaimCase) -> tuple[bool, str]:
    """A stand-in judge for metric arithmetic: accepts claims containing 'ok'."""
    return ("ok" in c.claim), "marked" if "ok" in c.claim else "unmarked"


# -- metrics by hand ------------------------------------------------------------------------


def test_acceptance_rates_per_label_language_and_kind():
    cases = [
        case("ok en faithful"),
        case("en faithful rejected"),
        case("ok ar faithful", lang="ar"),
        case("ok swap accepted", label="unfaithful", kind="swap"),
        case("swap rejected", label="unfaithful", kind="swap"),
        case("negation rejected", label="unfaithful", kind="negation", lang="ar"),
        case("ok model right", kind="model_output"),
        case("ok model wrong", label="unfaithful", kind="model_output"),
        case("model wrong rejected", label="unfaithful", kind="model_output"),
    ]
    result = evaluate_claims(None, cases, judge=accepts_if_marked)
    m = result.metrics
    assert m["faithful_accepted"] == pytest.approx(3 / 4) and m["unfaithful_accepted"] == pytest.approx(2 / 5)
    assert m["en.faithful_accepted"] == pytest.approx(2 / 3) and m["ar.faithful_accepted"] == 1.0
    assert m["ar.unfaithful_accepted"] == 0.0 and m["en.unfaithful_accepted"] == pytest.approx(2 / 4)
    assert m["kind.swap.accepted"] == 0.5 and m["kind.negation.accepted"] == 0.0
    assert m["kind.faithful.accepted"] == pytest.approx(2 / 3)
    # A kind with both labels is also split by label; single-label kinds are not.
    assert m["kind.model_output.faithful_accepted"] == 1.0 and m["kind.model_output.unfaithful_accepted"] == 0.5
    assert "kind.swap.unfaithful_accepted" not in m and "kind.role.accepted" not in m
    assert result.info["counts"] == {"en.faithful": 3, "en.unfaithful": 4, "ar.faithful": 1, "ar.unfaithful": 1}
    assert result.info["unfaithful_accepted_by"] == {"marked": 2}
    assert result.info["faithful_rejected_by"] == {"unmarked": 1}


def test_worst_cases_put_accepted_unfaithful_claims_first_one_kind_each():
    records = [
        {
            "id": str(i),
            "claim": f"c{i}",
            "claim_lang": "en",
            "label": label,
            "kind": kind,
            "accepted": accepted,
            "reason": "r",
            "note": "",
            "span_ar": "س",
            "doc": "d",
            "seconds": 0.0,
        }
        for i, (label, kind, accepted) in enumerate(
            [
                ("faithful", "faithful", False),
                ("unfaithful", "swap", True),
                ("unfaithful", "swap", True),
                ("unfaithful", "negation", True),
                ("unfaithful", "number", False),
                ("faithful", "faithful", True),
            ]
        )
    ]
    worst = summarize_claim_records(records).worst
    assert [w["id"] for w in worst] == ["1", "3", "2", "0"]
    assert worst[0]["why"] == "unfaithful claim accepted (swap, en)"
    assert worst[-1]["why"].startswith("faithful claim rejected")


def test_bad_claim_records_are_user_errors_naming_the_line(tmp_path):
    path = tmp_path / "claims.jsonl"
    good = {"id": "a", "span_ar": "نص", "claim": "text", "claim_lang": "en", "label": "faithful", "kind": "faithful"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "label": "mostly"}) + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match=r"claims.jsonl:2: not a claims record \(label must be one of"):
        load_claims(path)
    path.write_text(json.dumps({**good, "kind": "vibes"}) + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="kind must be one of"):
        load_claims(path)


def test_markdown_lists_the_worst_claims():
    records = [
        {
            "id": "1",
            "claim": "Boots is taking on Sainsbury's",
            "claim_lang": "en",
            "label": "unfaithful",
            "kind": "swap",
            "accepted": True,
            "reason": "meaning match",
            "note": "swapped",
            "span_ar": "تتنافس سينسبري",
            "doc": "d",
            "seconds": 0.1,
        }
    ]
    task = summarize_claim_records(records)
    report = EvalReport(
        "verify",
        "",
        {f"claims.{k}": v for k, v in task.metrics.items()},
        [],
        [task],
        started="2026-01-01T00:00:00+00:00",
    )
    markdown = render_markdown(report)
    assert "**Boots is taking on Sainsbury's** — unfaithful claim accepted (swap, en)" in markdown
    assert "checker: meaning match; label: swapped" in markdown


# -- the committed sets ---------------------------------------------------------------------


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line]


def test_claims_sets_are_large_disjoint_and_cover_every_kind_in_both_languages():
    dev, test = _records("claims_dev.jsonl"), _records("claims_test.jsonl")
    assert len(dev) + len(test) >= 300
    assert not {r["doc"] for r in dev} & {r["doc"] for r in test}, "dev and test must come from different documents"
    for rows in (dev, test):
        assert len({r["doc"] for r in rows}) >= 50
        counts = Counter((r["claim_lang"], r["label"]) for r in rows)
        assert all(counts[(lang, label)] >= 20 for lang in ("en", "ar") for label in ("faithful", "unfaithful"))
        assert {r["kind"] for r in rows} == set(KINDS)
        assert all(r["labelled_by"] and r["source"] for r in rows)
        # A kind names the edit, so it fixes the label; only the model's outputs carry either.
        assert all((r["label"] == "faithful") == (r["kind"] == "faithful") for r in rows if r["kind"] != "model_output")
    assert sum(r["kind"] == "model_output" for r in dev + test) >= 50
    for path in (DATASETS / "claims_dev.jsonl", DATASETS / "claims_test.jsonl"):
        assert len(load_claims(path)) == len(_records(path.name))  # every record parses
    assert "claims_dev.jsonl" in (DATASETS / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not NTREX.is_file(), reason="shared NTREX data not present")
def test_claims_spans_are_the_exact_ntrex_sentences_with_the_one_before():
    sentences = [json.loads(line) for line in NTREX.read_text(encoding="utf-8").splitlines() if line]
    by_id = {s["id"]: s for s in sentences}
    for r in _records("claims_dev.jsonl") + _records("claims_test.jsonl"):
        source = by_id[r["sentence_id"]]
        assert r["span_ar"] == source["ar"] and r["doc"] == source["doc_id"]
        if r["before_ar"]:
            previous = sentences[sentences.index(source) - 1]
            assert previous["doc_id"] == r["doc"] and previous["ar"] == r["before_ar"]


@pytest.mark.skipif(not NTREX.is_file(), reason="shared NTREX data not present")
def test_committed_claims_sets_are_what_the_builder_makes():
    """An edit to claims_edits.tsv or to the model outputs' labels must be followed by a rebuild."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_claims", ROOT / "evals" / "build_claims.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    splits = builder.build_splits(builder.Ntrex(NTREX.parent))
    assert splits["dev"] == _records("claims_dev.jsonl") and splits["test"] == _records("claims_test.jsonl")


def test_ci_claims_subset_mixes_labels_languages_and_documents():
    task = next(t for t in find_suite("ci").tasks if t.type == "claims")
    cases, corpus = load_task_cases(task)
    assert len(cases) == 80 and corpus == []
    assert {(c.claim_lang, c.label) for c in cases} == {
        ("en", "faithful"),
        ("en", "unfaithful"),
        ("ar", "faithful"),
        ("ar", "unfaithful"),
    }
    assert len({c.doc for c in cases}) >= 40 and sum(c.claim_lang == "ar" for c in cases) >= 25
    assert all(t.type == "claims" for t in find_suite("verify").tasks)
    assert task.thresholds["unfaithful_accepted"] < 1.0 and task.thresholds["faithful_accepted"] > 0.0


# -- the real checker ---------------------------------------------------------------------


@pytest.mark.slow
def test_real_checker_judges_claims_and_rejects_a_changed_number():
    from rag.app import Rag
    from rag.config import Settings

    rag = Rag(Settings.from_env())
    try:
        span = "قال مسؤولون إن سمكة قرش هاجمت يوم السبت طفلاً يبلغ من العمر 13 عامًا وأصابته أثناء الغوص."
        right = case(
            "A shark attacked and injured a 13-year-old boy on Saturday while he was diving, officials said.", span=span
        )
        number = case(
            "A shark attacked and injured a 31-year-old man on Saturday while he was diving, officials said.",
            label="unfaithful",
            kind="number",
            span=span,
        )
        assert judge_claim(rag, right) == (True, "meaning match")
        accepted, reason = judge_claim(rag, number)
        assert not accepted and "31" in reason
    finally:
        rag.close()


@pytest.mark.slow
def test_ci_claims_task_passes_with_todays_checker(tmp_path):
    from test_evals import run_cli

    result = run_cli("eval", "--suite", "ci", "--only", "claims", "--json", "--out", str(tmp_path / "claims.json"))
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["cases"] == 80 and report["completions"] == {"replayed": 0, "generated": 0}
    metrics = report["metrics"]
    for name in (
        "unfaithful_accepted",
        "faithful_accepted",
        "en.unfaithful_accepted",
        "ar.faithful_accepted",
        "kind.swap.accepted",
    ):
        assert 0.0 <= metrics[f"claims.{name}"] <= 1.0
    full = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))
    assert len(full["records"]["claims"]) == 80 and full["tasks"]["claims"]["worst"]


@pytest.mark.slow
def test_any_claims_jsonl_runs_with_issue_15_bar_as_advisory_thresholds(tmp_path):
    from test_evals import run_cli

    result = run_cli(
        "eval",
        "--dataset",
        str(DATASETS / "claims_dev.jsonl"),
        "--task",
        "claims",
        "--limit",
        "12",
        "--json",
        "--out",
        str(tmp_path / "adhoc.json"),
    )
    assert result.exit_code == 0, result.stdout + result.stderr  # advisory thresholds never fail the run
    report = json.loads(result.stdout)
    assert report["cases"] == 12
    assert report["advisory_thresholds"]["claims.unfaithful_accepted"] == 0.05
