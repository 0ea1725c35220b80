"""`rag check`: every sentence of a text checked against the stored articles, on the seed and on a
second article, with paraphrases of right and wrong claims, through the library and the command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import ROOT, SEED_FILES

pytestmark = pytest.mark.slow

# (claim, supported?) about the seed: paraphrases of its facts and of the misreadings a small model
# writes (the wrong country, the wrong ally, the wrong speaker, who accused whom, the opposite).
SEED_CLAIMS = [
    ("The Pentagon spokesman is John Kerry.", False),
    ("John Kerry is the spokesman of the Pentagon.", False),
    ("The Pentagon spokesman is Peter Cook.", True),
    ("Kerry was visiting Russia when he said the talks were nearing an end.", False),
    ("The Nusra Front is affiliated with the Syrian regime.", False),
    ("The Nusra Front is affiliated with al-Qaeda.", True),
    ("Vladimir Putin said the talks were nearing an end.", False),
    ("Cook said Russian surprise attacks make cooperation easier.", False),
    ("Cook said Russian indiscriminate bombing makes any future cooperation agreement much harder.", True),
    ("Russia accused Washington of intensifying the shelling in Aleppo.", False),
    ("قال كيري إن القصف العشوائي الروسي في سوريا يجعل أي اتفاق مستقبلي أكثر صعوبة.", False),
    ("قال كوك إن القصف العشوائي الروسي في سوريا يجعل أي اتفاق مستقبلي أكثر صعوبة.", True),
    ("المتحدث باسم البنتاغون هو جون كيري.", False),
    ("تم إحراز تقدم منذ لقاء كيري ولافروف الشهر الماضي في موسكو.", False),
]
OTHER = {
    "title": "أسعار النفط تتراجع",
    "date": "2018-04-10",
    "source": "wire",
    "text": (
        "انخفضت أسعار النفط بنسبة 5 في المئة في تعاملات الثلاثاء بعد تقرير المخزونات الأميركية. "
        "وقال وزير الطاقة السعودي خالد الفالح إن المملكة ستواصل دعم استقرار السوق."
    ),
}
OTHER_CLAIMS = [
    ("Oil prices fell 5 percent on Tuesday.", True),
    ("Oil prices rose 5 percent on Tuesday.", False),
    ("Oil prices fell 15 percent on Tuesday.", False),
    ("قال وزير الطاقة السعودي إن المملكة ستواصل دعم استقرار السوق.", True),
    ("قال وزير الطاقة السعودي إن المملكة لن تواصل دعم استقرار السوق.", False),
]


@pytest.fixture(scope="module")
def rag(tmp_path_factory):
    from rag.app import Rag
    from rag.config import Settings

    home = tmp_path_factory.mktemp("check-home")
    other = home / "other.json"
    other.write_text(json.dumps(OTHER, ensure_ascii=False), encoding="utf-8")
    rag = Rag(Settings(home=home))
    report = rag.ingest([str(f) for f in SEED_FILES] + [str(other)])
    assert len(report.added) == 2
    yield rag
    rag.close()


@pytest.mark.parametrize("claim,supported", SEED_CLAIMS + OTHER_CLAIMS)
def test_claims_about_the_articles(rag, claim, supported):
    report = rag.check(claim)
    (sentence,) = report.sentences
    assert sentence.supported is supported, sentence.reason
    for citation in sentence.citations:
        assert rag.show(citation.doc_id).text[citation.start : citation.end] == citation.quote
    if supported:
        assert sentence.citations and report.to_json()["supported"] == 1


def test_only_the_given_documents_are_searched(rag):
    other = next(a for a in rag.docs() if a.title == OTHER["title"])
    seed = next(a for a in rag.docs() if a.doc_id != other.doc_id)
    assert rag.check("The Pentagon spokesman is Peter Cook.", doc_ids=[seed.doc_id]).supported == 1
    assert rag.check("The Pentagon spokesman is Peter Cook.", doc_ids=[other.doc_id]).supported == 0


def test_a_draft_of_several_sentences_is_split_and_its_markers_ignored(rag):
    report = rag.check("The Pentagon spokesman is Peter Cook [1]. Oil prices rose 5 percent on Tuesday [2].")
    assert [s.supported for s in report.sentences] == [True, False]
    assert [s.text for s in report.sentences] == [
        "The Pentagon spokesman is Peter Cook.",
        "Oil prices rose 5 percent on Tuesday.",
    ]


def _rag(home, *args, stdin=None):
    env = {"RAG_HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli.main", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def test_the_command_exit_codes_and_json(rag):
    home = rag.settings.home
    seed = next(a for a in rag.docs() if a.title != OTHER["title"])
    bad = _rag(home, "check", "The Pentagon spokesman is John Kerry.", "--doc", seed.doc_id, "--json")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    data = json.loads(bad.stdout)
    assert data["unsupported"] == 1 and data["sentences"][0]["reason"]
    good = _rag(home, "check", "-", "--json", stdin="The Pentagon spokesman is Peter Cook.")
    assert good.returncode == 0
    (sentence,) = json.loads(good.stdout)["sentences"]
    assert sentence["supported"] and sentence["citations"][0]["quote"] in seed.text
    assert {"n", "doc_id", "start", "end", "quote", "title", "date", "url"} <= set(sentence["citations"][0])
    usage = _rag(home, "check")
    assert usage.returncode == 2 and usage.stderr.startswith("Error:")
    unknown = _rag(home, "check", "x", "--doc", "nope")
    assert unknown.returncode == 2 and "unknown document id" in unknown.stderr
