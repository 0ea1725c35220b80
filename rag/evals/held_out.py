"""One sample of QA cases and two collections: with every paragraph, and with the sample's own left out.

The second keeps the other paragraphs of the same Wikipedia articles (hard
negatives), so a question asked there is one the collection cannot answer.
Used by the scripts under evals/ that measure answers and choices both ways.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.evals.qa_data import QACase, load_qa_cases
from rag.evals.retrieval import ingest_contexts

if TYPE_CHECKING:
    from rag.evals.runner import TrackingCache

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "qa" / "xquad_ar.jsonl"


@dataclass
class HeldOutSample:
    cases: list[QACase]
    with_paragraph: object  # rag.app.Rag over every paragraph
    without: object  # rag.app.Rag without the sample's paragraphs
    doc_ids: dict[str, str]  # context_id -> doc_id in `with_paragraph`
    cache: TrackingCache  # the generator outputs both collections record and replay


def add_sample_arguments(parser: argparse.ArgumentParser, default_work: Path) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--offset", type=int, default=0, help="first question of the evenly spaced sample")
    parser.add_argument("--work", type=Path, default=default_work)
    parser.add_argument(
        "--embeddings", default=None, help="a RAG_EMBEDDINGS value for both collections (default: the default encoder)"
    )


def sample_from_command_line(description: str, default_work: Path) -> tuple[argparse.Namespace, HeldOutSample]:
    """A script's arguments (add_sample_arguments) and the sample they name."""
    parser = argparse.ArgumentParser(description=description)
    add_sample_arguments(parser, default_work)
    args = parser.parse_args()
    return args, held_out_sample(args)


def held_out_sample(args: argparse.Namespace) -> HeldOutSample:
    """`args.questions` evenly spaced cases from `args.offset`, and both collections under
    `args.work` (generator outputs cached in its completions/ folder, shared by every sample)."""
    from rag.app import Rag
    from rag.config import DEFAULT_EMBEDDINGS, Settings
    from rag.evals.runner import TrackingCache
    from rag.index.embeddings import collection_suffix

    everything = load_qa_cases(args.data)
    cases = everything[args.offset :: max(1, len(everything) // args.questions)][: args.questions]
    cache = TrackingCache(args.work / "completions")
    asked = {c.context for c in cases}
    embeddings = getattr(args, "embeddings", None) or DEFAULT_EMBEDDINGS
    # The default encoder's collections keep their old folders; another encoder gets its own.
    tag = "" if embeddings == DEFAULT_EMBEDDINGS else f"-{collection_suffix(embeddings)}"
    model_cache = Settings.from_env().model_cache  # RAG_MODEL_CACHE: one assembled GGUF, not one per home
    with_paragraph = Rag(
        Settings(home=args.work / f"with{tag}", embeddings=embeddings, model_cache=model_cache), completion_cache=cache
    )
    doc_ids = ingest_contexts(with_paragraph, everything)
    # One collection per sample left out: another sample run in the same --work would
    # otherwise add this one's paragraphs to it, and its questions would all be answerable.
    left_out = hashlib.sha256("\n".join(sorted(c.context_id for c in cases)).encode()).hexdigest()[:12]
    without = Rag(
        Settings(home=args.work / f"without{tag}-{left_out}", embeddings=embeddings, model_cache=model_cache),
        completion_cache=cache,
    )
    ingest_contexts(without, [c for c in everything if c.context not in asked])
    return HeldOutSample(cases, with_paragraph, without, doc_ids, cache)
