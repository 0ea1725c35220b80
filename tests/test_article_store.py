"""The SQLite article store's per-language character counts (dominant_language), kept by each
write instead of summed over every article by each process."""

from __future__ import annotations

import sqlite3

from rag.index.articles import ArticleStore
from rag.records import Article


def article(doc_id: str, text: str, lang: str) -> Article:
    return Article(doc_id=doc_id, title=doc_id, text=text, lang=lang)


def summed(path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT lang, SUM(LENGTH(text)) FROM articles GROUP BY lang"))


def test_the_counts_follow_puts_replacements_and_deletes(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = ArticleStore(path)
    try:
        store.put_many(
            [(article("a", "نص عربي قصير", "ar"), [], []), (article("b", "A longer English text here.", "en"), [], [])]
        )
        assert store.dominant_language() == "en"
        store.put_many([(article("c", "نص عربي آخر أطول بكثير من النص الإنجليزي المخزن", "ar"), [], [])])
        assert store.dominant_language() == "ar"
        store.put_many([(article("c", "قصير", "ar"), [], [])])  # replaced by a shorter version
        assert store.dominant_language() == "en"
        store.delete(["b"])
        assert store.dominant_language() == "ar"
        assert store._counted_chars() == {**dict.fromkeys(["en"], 0), **summed(path)}
    finally:
        store.close()


def test_a_store_written_before_the_counts_is_summed_once_then_counted(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = ArticleStore(path)
    store.put_many([(article("a", "A long English text, written before the counts.", "en"), [], [])])
    store._db.execute("DELETE FROM meta WHERE key LIKE 'chars%'")  # as an older version left it
    store._db.commit()
    store.close()
    store = ArticleStore(path)
    try:
        assert store.dominant_language() == "en"  # summed: nothing counted yet
        store.put_many([(article("b", "نص", "ar"), [], [])])
        assert store._counted_chars() == summed(path)
        assert store.dominant_language() == "en"
    finally:
        store.close()
