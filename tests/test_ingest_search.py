"""Ingest and search through the library API, against embedded Chroma and a Chroma server."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import SEED_FILES, SEED_HEADLINE, SEEDS
from rag.app import Rag
from rag.errors import UserInputError
from rag.index.vectors import connect_chroma
from rag.retrieve.hybrid import RetrievalPolicy

pytestmark = pytest.mark.slow

BOILERPLATE = ["لم تشترك", "انشئ حساباً", "نشراتنا البريدية", "الخارجية: لن نستمر"]


@pytest.fixture(scope="module")
def seeded(backend, tmp_path_factory):
    """One index per backend holding the seed articles, shared by the module's read-only tests."""
    home = tmp_path_factory.mktemp(f"seeded-{backend.name}")
    rag = Rag(backend.settings(home))
    report = rag.ingest([SEEDS])
    yield rag, report
    rag.close()


@pytest.fixture(scope="module")
def seed_id(seeded) -> str:
    _, report = seeded
    return report.added[0]


def check_passages(rag: Rag, passages) -> None:
    assert passages == sorted(passages, key=lambda p: p.score, reverse=True)
    for p in passages:
        article = rag.show(p.doc_id)
        assert 0 <= p.start < p.end <= len(article.text)
        assert p.text == article.text[p.start : p.end]
        assert p.title == article.title


def vector_ids(rag: Rag, doc_id: str) -> list[str]:
    """Ids of every Chroma record (in any collection) that belongs to doc_id."""
    client = connect_chroma(rag.settings)
    return [i for collection in client.list_collections() for i in collection.get(where={"doc_id": doc_id})["ids"]]


def test_ingest_report(seeded):
    _, report = seeded
    assert len(report.added) == len(SEED_FILES) == 1
    assert not report.rejected and not report.replaced and not report.unchanged
    assert report.chunks >= 2


def test_docs_and_show(seeded, seed_id):
    rag, _ = seeded
    [article] = rag.docs()
    assert article.doc_id == seed_id
    shown = rag.show(seed_id)
    assert shown.title == SEED_HEADLINE
    assert shown.lang == "ar"
    assert shown.origin == f"file:{SEED_FILES[0].resolve()}"
    assert shown.text.startswith("بعد إعلان وزير الخارجية الأميركي جون كيري")
    assert shown.text.endswith("في موسكو الشهر الماضي».")
    for chrome in BOILERPLATE:
        assert chrome not in shown.text
    assert SEED_HEADLINE not in shown.text


def test_show_unknown_id(seeded):
    rag, _ = seeded
    with pytest.raises(UserInputError, match="unknown document id"):
        rag.show("0000000000000000")


def test_chunks_cover_the_stored_text(seeded, seed_id):
    rag, _ = seeded
    article = rag.show(seed_id)
    chunks = rag.store.chunks_for(seed_id)
    assert chunks and chunks[0].start == 0 and chunks[-1].end == len(article.text)
    for chunk in chunks:
        assert chunk.text == article.text[chunk.start : chunk.end]


def test_reingest_is_a_noop(seeded, seed_id):
    rag, _ = seeded
    generation = rag.store.generation()
    report = rag.ingest([SEEDS])
    assert report.unchanged == [seed_id]
    assert not report.added and not report.replaced and not report.rejected and report.chunks == 0
    assert rag.store.generation() == generation
    assert [a.doc_id for a in rag.docs()] == [seed_id]


@pytest.mark.parametrize("query", ["Who is the Pentagon spokesman?", "من هو المتحدث باسم البنتاغون؟"])
def test_search_finds_the_spokesman(seeded, query):
    rag, _ = seeded
    passages = rag.search(query, k=5)
    assert passages
    check_passages(rag, passages)
    assert any("بيتر كوك" in p.text for p in passages[:3])


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_search_modes_keep_the_offset_invariant(seeded, mode):
    rag, _ = seeded
    passages = rag.search("القصف العشوائي في حلب", k=3, policy=RetrievalPolicy(mode=mode))
    assert passages
    check_passages(rag, passages)


def test_search_k_and_empty_query(seeded):
    rag, _ = seeded
    assert len(rag.search("روسيا", k=1)) == 1
    assert rag.search("   ", k=5) == []
    assert rag.search("روسيا", k=0) == []


def test_a_fresh_instance_sees_the_index(seeded, backend):
    """A new process (here: a new Rag on the same home) searches without re-ingesting."""
    rag, _ = seeded
    other = Rag(backend.settings(rag.settings.home))
    try:
        passages = other.search("Who is the Pentagon spokesman?", k=3)
        check_passages(other, passages)
        assert any("بيتر كوك" in p.text for p in passages)
    finally:
        other.close()


# -- tests with an index of their own (fresh RAG_HOME, same backend) ----------
# Their articles are unique to them: on a shared server, chunk ids are content hashes.

HARBOUR_V1 = (
    "Harbour expansion approved\n"
    "The city council of Port Ellery approved the harbour expansion on Tuesday after a long debate.\n"
    "The plan adds two container berths and a new breakwater, the council said.\n"
)
HARBOUR_V2 = (
    "Harbour expansion postponed\n"
    "The city council of Port Ellery postponed the harbour expansion vote on Tuesday.\n"
    "Councillors asked for a new environmental study of the bay.\n"
)


def test_changed_file_replaces_the_old_version(tmp_path, backend):
    path = tmp_path / "news" / "harbour.txt"
    path.parent.mkdir()
    path.write_text(HARBOUR_V1, encoding="utf-8")
    rag = Rag()
    assert rag.settings.chroma_url == backend.chroma_url
    try:
        [old_id] = rag.ingest([path]).added
        assert any(p.doc_id == old_id for p in rag.search("container berths breakwater", k=5))

        path.write_text(HARBOUR_V2, encoding="utf-8")
        report = rag.ingest([path.parent])
        [new_id] = report.added
        assert report.replaced == [old_id]
        assert new_id != old_id and not report.unchanged

        assert [a.doc_id for a in rag.docs()] == [new_id]
        with pytest.raises(UserInputError):
            rag.show(old_id)
        assert rag.show(new_id).title == "Harbour expansion postponed"
        for mode in ("dense", "lexical", "hybrid"):
            passages = rag.search("container berths breakwater", k=5, policy=RetrievalPolicy(mode=mode))
            assert all(p.doc_id != old_id for p in passages)
            check_passages(rag, passages)
        # the old vectors are gone from Chroma, not only filtered out
        assert vector_ids(rag, old_id) == []
        assert vector_ids(rag, new_id)
        assert rag.store.chunk_count() == len(rag.store.chunks_for(new_id))
    finally:
        rag.close()


def test_ingest_reports_rejections_and_keeps_the_rest(tmp_path, backend):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Lighthouse restored\nThe old lighthouse at Cape Varn reopened on Sunday.\n", encoding="utf-8"
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "feed.jsonl").write_text(
        '{"title": "Ferry", "text": "The Varn ferry resumed service."}\n{oops\n', encoding="utf-8"
    )
    rag = Rag()
    try:
        report = rag.ingest([folder])
        assert len(report.added) == 2
        assert sorted(r.location for r in report.rejected) == sorted(
            [str(folder / "empty.txt"), f"{folder / 'feed.jsonl'}:2"]
        )
        assert {a.title for a in rag.docs()} == {"Lighthouse restored", "Ferry"}
    finally:
        rag.close()


def test_inserting_a_jsonl_record_keeps_the_existing_ones(tmp_path, backend):
    alpha = {"title": "Quarry", "text": "The Hollin quarry closed after sixty years of work."}
    beta = {"title": "Orchard", "text": "The Hollin orchard had its best apple harvest in a decade."}
    gamma = {"title": "Bridge", "text": "A footbridge over the Hollin river opened on Friday."}
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (alpha, beta)), encoding="utf-8")
    rag = Rag()
    try:
        rag.ingest([path])
        path.write_text("".join(json.dumps(r) + "\n" for r in (gamma, alpha, beta)), encoding="utf-8")
        report = rag.ingest([path])
        assert {a.title for a in rag.docs()} == {"Quarry", "Orchard", "Bridge"}
        assert not set(report.replaced) & set(report.unchanged)
    finally:
        rag.close()


def test_a_name_of_an_english_question_is_translated_by_its_sound(seeded):
    from rag.retrieve.translate import query_names
    from rag.text.arabic import normalize

    rag, _ = seeded
    # The encoder alone puts "Nusra" next to لاذعة; its consonants find النصرة.
    question = "What did Obama say about Nusra?"
    translations = rag.translator.word_translations(["obama", "nusra"], query_names(question))
    assert translations["nusra"][0] == normalize("النصرة")
    assert normalize("بما") not in translations["obama"]  # B M, but a function word


def test_a_new_process_reads_the_saved_vocabulary_without_reading_every_article(seeded):
    from rag.retrieve.translate import TermTranslator

    rag, _ = seeded
    rag.translator.word_translations(["pentagon"])  # builds and saves the vocabulary for this generation
    reads = []

    class CountingStore:
        def __init__(self, store):
            self._store = store

        def generation(self):
            return self._store.generation()

        def list(self, *args):
            reads.append(args)
            return self._store.list(*args)

    fresh = TermTranslator(CountingStore(rag.store), rag.embedder, rag.settings.home / "vocab")
    assert fresh.word_translations(["pentagon"]) == rag.translator.word_translations(["pentagon"])
    assert reads == []  # the saved vocabulary is stamped with the store's generation


class _CountingStore:
    """An article store that records which articles a vocabulary refresh reads."""

    def __init__(self, store):
        self._store, self.listed, self.fetched = store, 0, []

    def generation(self):
        return self._store.generation()

    def ids(self):
        return self._store.ids()

    def list(self, *args):
        self.listed += 1
        return self._store.list(*args)

    def get_many(self, ids):
        ids = list(ids)
        self.fetched.append(sorted(ids))
        return self._store.get_many(ids)


def test_a_vocabulary_read_on_a_warming_thread_is_used_without_reading_every_article(seeded):
    from rag.retrieve.translate import TermTranslator

    rag, _ = seeded
    rag.translator.word_translations(["pentagon"])  # saved for this generation
    store = _CountingStore(rag.store)
    fresh = TermTranslator(store, rag.embedder, rag.settings.home / "vocab")
    warming = fresh.warm_in_background()
    assert warming is not None and fresh.warm_in_background() is None  # once
    warming.join()
    assert fresh.word_translations(["pentagon", "aleppo"]) == rag.translator.word_translations(["pentagon", "aleppo"])
    assert store.listed == 0
    assert fresh.warm_in_background() is None  # loaded: nothing left to warm


def test_a_fresh_search_warms_its_indexes_while_the_query_is_embedded_and_finds_the_same(seeded):
    rag, _ = seeded
    queries = ["What did the Pentagon spokesman say about Aleppo?", "ماذا قال المتحدث باسم البنتاغون؟"]
    expected = [[(p.chunk_id, round(p.score, 5)) for p in rag.search(q, k=3)] for q in queries]
    fresh = Rag(rag.settings)  # the same home, a new process's objects: nothing read yet
    try:
        warming = fresh.vectors.warm_in_background()
        assert warming is not None and fresh.vectors.warm_in_background() is None
        warming.join()
        assert [[(p.chunk_id, round(p.score, 5)) for p in fresh.search(q, k=3)] for q in queries] == expected
    finally:
        fresh.close()
    colder = Rag(rag.settings)
    try:  # warmed inside the search itself
        assert [[(p.chunk_id, round(p.score, 5)) for p in colder.search(q, k=3)] for q in queries] == expected
    finally:
        colder.close()


def test_a_vocabulary_whose_files_two_savers_interleaved_is_not_trusted(seeded):
    import numpy as np

    from rag.retrieve.translate import TermTranslator

    rag, _ = seeded
    rag.translator.word_translations(["pentagon"])  # saved for this generation
    folder = rag.settings.home / "vocab"
    words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy")
    try:
        # Another saver's vectors beside these words: same length, rows in another order.
        np.save(folder / "vectors.npy", vectors[::-1])
        fresh = TermTranslator(rag.store, rag.embedder, folder)
        assert fresh.word_translations(["pentagon"]) == rag.translator.word_translations(["pentagon"])
        assert np.array_equal(np.load(folder / "vectors.npy")[: len(words)], vectors)  # built again, saved
    finally:
        np.save(folder / "vectors.npy", vectors)


def test_the_saved_vocabulary_is_rebuilt_when_the_index_changed(tmp_path):
    from rag.retrieve.translate import TermTranslator

    rag = Rag()
    try:
        first = tmp_path / "a.json"
        first.write_text(
            json.dumps({"title": "مطار", "text": "افتتح مطار جديد في المدينة الساحلية."}, ensure_ascii=False),
            encoding="utf-8",
        )
        rag.ingest([first])
        rag.translator.word_translations(["airport"])
        second = tmp_path / "b.json"
        second.write_text(
            json.dumps({"title": "ميناء", "text": "وصلت سفينة شحن إلى الميناء الجديد."}, ensure_ascii=False),
            encoding="utf-8",
        )
        rag.ingest([second])
        fresh = TermTranslator(rag.store, rag.embedder, rag.settings.home / "vocab")
        fresh.word_translations(["ship"])
        from rag.text.arabic import normalize

        assert normalize("الميناء") in fresh._words  # a word of the article ingested after the save
    finally:
        rag.close()


def test_an_english_question_gets_the_lexicons_arabic_for_its_words(tmp_path):
    from rag.text.arabic import light_stem, normalize

    rag = Rag()
    try:
        path = tmp_path / "engine.json"
        path.write_text(
            json.dumps(
                {"title": "قاطرة", "text": "عملت القاطرة بالبخار في المصنع القديم، ثم توقفت عن العمل عام 1950."},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        rag.ingest([path])
        terms = rag.translator.translate("When did the steam locomotive stop working?")
        assert light_stem(normalize("بخار")) in terms  # from the lexicon: steam / بخار
        assert "1950" not in terms  # only the question's own digits are kept
        assert rag.translator._lexicon_terms(["hospitals"]) == [light_stem(normalize("مستشفى"))]
        # A word of many senses (company: شركة, رفقة, حزب, صحبة …) adds nothing from the lexicon.
        assert rag.translator._lexicon_terms(["company"]) == []
    finally:
        rag.close()


def test_a_large_vocabulary_is_searched_through_a_shortlist_that_finds_what_the_full_product_finds(
    tmp_path, monkeypatch
):
    import rag.retrieve.translate as translate

    rag = Rag()
    try:
        rag.ingest(SEED_FILES)
        words = ["pentagon", "spokesman", "russia", "military", "aleppo", "bombing", "cooperation", "weapons"]
        exact = rag.translator.word_translations(words)
        folder = rag.settings.home / "vocab"
        assert not list(folder.glob("reduced-*.npy"))
        # The seed's vocabulary (about 700 words) stands in for 204k: a shortlist of 40 found in the
        # reduced space, then scored exactly, gives the full product's translations for most words.
        monkeypatch.setattr(translate, "_REDUCE_ABOVE", 10)
        monkeypatch.setattr(translate, "_SHORTLIST", 40)
        shortlisted = rag.translator.word_translations(words)
        assert sum(shortlisted[w][:1] == exact[w][:1] for w in words) >= len(words) - 1
        saved = list(folder.glob("reduced-*.npy"))
        assert len(saved) == 1 and list(folder.glob("projection-*.npy"))
        # Read back by a new process, under the fingerprint of the same words: the same projection.
        fresh = translate.TermTranslator(rag.store, rag.embedder, folder)
        assert fresh.word_translations(words) == shortlisted
        assert np.array_equal(fresh._projection, rag.translator._projection)
        # A new article changes the vocabulary: the saved projection of the old words goes.
        extra = tmp_path / "extra.json"
        extra.write_text(
            json.dumps({"title": "ميناء", "text": "وصلت سفينة شحن إلى الميناء الجديد."}, ensure_ascii=False),
            encoding="utf-8",
        )
        rag.ingest([extra])
        rag.translator.refresh()
        assert not list(folder.glob("reduced-*.npy"))
    finally:
        rag.close()


def test_the_evidence_sentence_with_the_questions_rare_word_comes_first(tmp_path):
    articles = [
        ("الأكسجين في الطب", "يستخدم غاز الأكسجين في المستشفيات لعلاج المرضى. ويعزل الغاز من الهواء في مصانع كبيرة."),
        ("الأكسجين والماء", "يذوب غاز الأكسجين في الماء بكميات صغيرة. وتحتاج الأسماك إلى الغاز المذاب لتعيش."),
        ("الغلاف الجوي", "يشكل غاز الأكسجين خمس الهواء تقريبا. ويعزل العلماء الغاز لدراسة خصائصه."),
        (
            "تاريخ الأكسجين",
            "عزل الباحثون غاز الأكسجين من الهواء وأجروا عليه تجارب كثيرة في المختبر. أما شيله فقد عمل "
            "طويلا في صيدلية صغيرة بمدينة أوبسالا السويدية. وبعد ذلك انتشرت دراسة الغاز في أوروبا.",
        ),
    ]
    paths = []
    for i, (title, text) in enumerate(articles):
        paths.append(tmp_path / f"a{i}.json")
        paths[-1].write_text(json.dumps({"title": title, "text": text}, ensure_ascii=False), encoding="utf-8")
    rag = Rag()
    try:
        rag.ingest(paths)
        gathered = rag.gather("أين عمل شيله على غاز الأكسجين؟")
        best = max(gathered.evidence, key=lambda e: e.score)
        # Word overlap weighed by rarity (IDF over the index's chunks): the sentence with the name
        # beats its neighbour with three of the question's common words (عمل aside: غاز, الأكسجين).
        assert "شيله" in gathered.articles[best.doc_id].text[best.start : best.end]
    finally:
        rag.close()


def test_sentence_vectors_are_fetched_by_id_as_the_metadata_filter_finds_them(seeded):
    rag, _ = seeded
    chunk_ids = sorted(rag.vectors.chunk_ids())[:3]
    by_filter = rag.vectors._units.get(where={"chunk_id": {"$in": chunk_ids}}, include=["embeddings", "metadatas"])
    by_id = [meta for _, _, meta in rag.vectors._units_of(chunk_ids)]
    assert sorted(m["start"] for m in by_id) == sorted(m["start"] for m in by_filter["metadatas"])
    assert len(by_id) == len(by_filter["metadatas"]) > len(chunk_ids)
    spans = rag.vectors.unit_spans(chunk_ids)
    assert {(d, s, e) for d, s, e, _ in spans} == {(m["doc_id"], m["start"], m["end"]) for m in by_filter["metadatas"]}


def _write(path, title, text):
    path.write_text(json.dumps({"title": title, "text": text}, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_vocabulary_reads_only_the_articles_stored_since_it_was_saved(tmp_path, monkeypatch):
    from rag.retrieve import translate
    from rag.text.arabic import normalize

    rag = Rag()
    try:
        rag.ingest([_write(tmp_path / "a.json", "مطار", "افتتح مطار جديد في المدينة الساحلية.")])
        store = _CountingStore(rag.store)
        folder = tmp_path / "vocab"
        translate.TermTranslator(store, rag.embedder, folder).word_translations(["airport"])
        assert store.listed == 1  # built whole once, and saved with the articles it covers
        report = rag.ingest([_write(tmp_path / "b.json", "ميناء", "وصلت سفينة شحن إلى الميناء الجديد.")])

        fresh = translate.TermTranslator(store, rag.embedder, folder)  # a new process
        fresh.word_translations(["ship"])
        assert store.listed == 1 and store.fetched == [sorted(report.added)]
        assert {normalize("الميناء"), normalize("مطار")} <= set(fresh._words)
        whole = translate.TermTranslator(rag.store, rag.embedder, tmp_path / "whole")
        whole.word_translations(["ship"])
        assert sorted(fresh._words) == sorted(whole._words)

        # A deleted article's words stay while few are deleted (their BM25 terms match nothing) ...
        first = next(a.doc_id for a in rag.docs() if a.title == "مطار")
        rag.store.delete([first])
        monkeypatch.setattr(translate, "STALE_SHARE", 1.0)
        lenient = translate.TermTranslator(store, rag.embedder, folder)
        lenient.word_translations(["ship"])
        assert store.listed == 1 and normalize("مطار") in lenient._words
        # ... and go when more than STALE_SHARE of the articles were deleted since it was built whole.
        monkeypatch.setattr(translate, "STALE_SHARE", 0.1)
        rag.ingest([_write(tmp_path / "c.json", "قطار", "انطلق قطار سريع بين المدينتين.")])
        strict = translate.TermTranslator(store, rag.embedder, folder)
        strict.word_translations(["train"])
        assert store.listed == 2 and normalize("مطار") not in strict._words and normalize("قطار") in strict._words
    finally:
        rag.close()


def test_a_vocabulary_whose_article_list_another_saver_wrote_is_built_whole(tmp_path):
    from rag.retrieve import translate

    rag = Rag()
    try:
        rag.ingest([_write(tmp_path / "a.json", "مطار", "افتتح مطار جديد في المدينة الساحلية.")])
        store = _CountingStore(rag.store)
        folder = tmp_path / "vocab"
        translate.TermTranslator(store, rag.embedder, folder).word_translations(["airport"])
        (folder / "docs.json").write_text(json.dumps({"ids": ["someone-else"], "stale": 0}), encoding="utf-8")
        rag.ingest([_write(tmp_path / "b.json", "ميناء", "وصلت سفينة شحن إلى الميناء الجديد.")])
        translate.TermTranslator(store, rag.embedder, folder).word_translations(["ship"])
        assert store.listed == 2  # the stamp does not vouch for that list: every article read again
    finally:
        rag.close()
