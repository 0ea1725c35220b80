"""The article store: SQLite under RAG_HOME, holding original texts and chunk spans.

It is the source of truth for text and offsets. Chroma holds vectors and the
BM25 index holds terms; both can be rebuilt from here.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from rag.records import Article, Chunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY, origin TEXT, title TEXT NOT NULL, text TEXT NOT NULL,
    date TEXT, source TEXT, url TEXT, lang TEXT, ingested_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS articles_origin ON articles(origin);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
_ARTICLE_COLUMNS = "doc_id, title, text, date, source, url, lang, origin"
_CHARS = "chars:"  # meta key prefix: characters stored per language
_COUNTED = "chars_counted"  # meta key: the per-language counts are kept


class ArticleStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- articles -----------------------------------------------------------
    def get(self, doc_id: str) -> Article | None:
        row = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        return Article(*row) if row else None

    def get_many(self, doc_ids: Iterable[str]) -> dict[str, Article]:
        ids = list(dict.fromkeys(doc_ids))
        found: dict[str, Article] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for row in self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE doc_id IN ({marks})", part):
                found[row[0]] = Article(*row)
        return found

    def exists(self, doc_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM articles WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def ids_for_origin(self, origin: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT doc_id FROM articles WHERE origin = ?", (origin,))]

    def ids(self) -> list[str]:
        """Every stored article's id (ids are of the content: an edited article has a new one)."""
        return [r[0] for r in self._db.execute("SELECT doc_id FROM articles")]

    def list(self, date: str | None = None) -> list[Article]:
        query = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
        args: tuple = ()
        if date:
            query += " WHERE date = ?"
            args = (date,)
        query += " ORDER BY date DESC, source, title"
        return [Article(*row) for row in self._db.execute(query, args)]

    def dominant_language(self) -> str:
        """The language most stored text is in ('und' when empty); cached per generation. Read from
        the characters per language that every write keeps in `meta` (a GROUP BY over every article
        took 0.24 s of each process at 30k articles); a store no write has counted yet is summed."""
        generation = self.generation()
        if getattr(self, "_lang_cache", (None, None))[0] != generation:
            chars = self._counted_chars() if self.meta(_COUNTED) is not None else self._summed_chars()
            stored = {lang: n for lang, n in chars.items() if n > 0}
            self._lang_cache = (generation, (max(stored, key=stored.get) or "und") if stored else "und")
        return self._lang_cache[1]

    def _counted_chars(self) -> dict[str, int]:
        rows = self._db.execute("SELECT key, value FROM meta WHERE key LIKE ?", (_CHARS + "%",))
        return {key[len(_CHARS) :]: int(value) for key, value in rows}

    def _summed_chars(self) -> dict[str, int]:
        rows = self._db.execute("SELECT COALESCE(lang, ''), SUM(LENGTH(text)) FROM articles GROUP BY lang")
        return {lang: int(n) for lang, n in rows}

    def _count_chars(self, lang: str | None, delta: int) -> None:
        """Inside a write's transaction: add `delta` characters to a language's count."""
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)",
            (_CHARS + (lang or ""), str(delta)),
        )

    def _start_counting(self) -> None:
        """Inside a write's transaction, once per store: the counts of what is stored before it."""
        if self.meta(_COUNTED) is None:
            for lang, n in self._summed_chars().items():
                self._count_chars(lang, n)
            self._db.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (_COUNTED,))

    def _forget_chars(self, doc_id: str) -> None:
        row = self._db.execute("SELECT lang, LENGTH(text) FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        if row:
            self._count_chars(row[0], -int(row[1]))

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def put_many(self, items: list[tuple[Article, list[Chunk], list[str]]]) -> None:
        """Store articles with their chunk spans and terms in one transaction."""
        with self._db:
            self._start_counting()
            for article, chunks, terms in items:
                self._put(article, chunks, terms)
            self._bump_generation()

    def _put(self, article: Article, chunks: list[Chunk], terms: list[str]) -> None:
        self._forget_chars(article.doc_id)  # the version it replaces
        self._count_chars(article.lang, len(article.text))
        self._db.execute(
            f"INSERT OR REPLACE INTO articles ({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (
                article.doc_id,
                article.title,
                article.text,
                article.date,
                article.source,
                article.url,
                article.lang,
                article.origin,
            ),
        )
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (article.doc_id,))
        self._db.executemany(
            'INSERT INTO chunks (chunk_id, doc_id, idx, start, "end", terms) VALUES (?,?,?,?,?,?)',
            [(c.chunk_id, c.doc_id, c.index, c.start, c.end, t) for c, t in zip(chunks, terms)],
        )

    def delete(self, doc_ids: Iterable[str]) -> None:
        with self._db:
            self._start_counting()
            for doc_id in doc_ids:
                self._forget_chars(doc_id)
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                self._db.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,))
            self._bump_generation()

    # -- chunks -------------------------------------------------------------
    def chunks_for(self, doc_id: str) -> list[Chunk]:
        article = self.get(doc_id)
        if article is None:
            return []
        rows = self._db.execute(
            'SELECT chunk_id, idx, start, "end" FROM chunks WHERE doc_id = ? ORDER BY idx', (doc_id,)
        )
        return [Chunk(cid, doc_id, idx, s, e, article.text[s:e]) for cid, idx, s, e in rows]

    def chunk_spans(self, chunk_ids: Iterable[str]) -> dict[str, tuple[str, int, int]]:
        ids = list(chunk_ids)
        spans: dict[str, tuple[str, int, int]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for cid, doc_id, s, e in self._db.execute(
                f'SELECT chunk_id, doc_id, start, "end" FROM chunks WHERE chunk_id IN ({marks})', part
            ):
                spans[cid] = (doc_id, s, e)
        return spans

    def iter_chunk_terms(self) -> Iterator[tuple[str, str]]:
        yield from self._db.execute("SELECT chunk_id, terms FROM chunks ORDER BY rowid")

    def chunk_doc_ids(self) -> dict[str, str]:
        """chunk_id -> doc_id for every stored chunk."""
        return dict(self._db.execute("SELECT chunk_id, doc_id FROM chunks"))

    def chunk_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    # -- identity and change tracking ---------------------------------------
    def store_id(self) -> str:
        """A random id made once per article store: which store an index's vectors belong to."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        if row:
            return row[0]
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)", (uuid.uuid4().hex,))
        return self._db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump_generation(self) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
