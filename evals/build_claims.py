"""Build the labelled claims sets (evals/datasets/claims_dev.jsonl, claims_test.jsonl) from NTREX-128.

Each record pairs one Arabic source sentence of an NTREX document (`span_ar`, exact, with the
sentence before it, `before_ar`) with a claim in English or Arabic and a label: would a bilingual
reader sign the claim as a rendering of what the sentence says (faithful) or not (unfaithful)?

Dev and test come from different NTREX documents (alternate documents, in file order, after the
three the summarization set uses): tune on dev, report on test.

Sources of claims, each record saying who labelled it (`labelled_by`):
- the NTREX professional English of the sentence (faithful; mechanical);
- number edits of that English or of the Arabic sentence (a number moved by one; unfaithful; mechanical);
- hand-written claims, in evals/datasets/claims_edits.jsonl: faithful Arabic rewordings and clauses,
  faithful shortened English, and unfaithful systematic edits of faithful ones (role, swap,
  substitution, attribution, misread_word, negation, antonym, number, addition);
- real outputs of the embedded model: the project's translation prompt
  (rag.translation.translate_text) on NTREX Arabic sentences, labelled by hand against the
  reference English (evals/datasets/claims_model_outputs.jsonl holds the outputs and labels).
  About 1 in 20 translations NTREX pairs does not say the same thing in both languages; the
  references a reviewer found so are relabelled in REFERENCE_CORRECTIONS.

    python evals/build_claims.py translate   # run the model once (cached), write the outputs to label
    python evals/build_claims.py build       # write claims_dev.jsonl and claims_test.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from rag.evals.claims import KINDS  # the kinds the claims task reports on: one list

ROOT = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout (a worktree under wt/ has it two levels up); --data overrides.
DATA_CANDIDATES = (ROOT.parent / "shared" / "data" / "parallel", ROOT.parent.parent / "shared" / "data" / "parallel")
DATASETS = ROOT / "evals" / "datasets"
EDITS = DATASETS / "claims_edits.tsv"  # sentence_id, lang, label, kind, claim, note (tab-separated)
MODEL_OUTPUTS = DATASETS / "claims_model_outputs.jsonl"
SOURCE = "NTREX-128 (MicrosoftTranslator/NTREX), newstest2019 English + professional Arabic; CC BY-SA 4.0"
# References a bilingual reviewer would not sign against the Arabic (the Arabic translation differs).
REFERENCE_CORRECTIONS = {
    "ntrex-0226": ("unfaithful", "substitution", "the Arabic says Tuesday (الثلاثاء); the English Thursday"),
    "ntrex-0130": ("unfaithful", "addition", "'a loss to Chelsea': the Arabic names no Chelsea"),
}
# How many sentences of each document get a reference claim, and which model outputs to make.
REFERENCES_PER_DOC = 1
MODEL_SENTENCES_PER_DOC = 1


def data_dir(given: str | None) -> Path:
    for candidate in filter(None, (given, *DATA_CANDIDATES)):
        if (Path(candidate) / "ntrex_ar_en_sentences.jsonl").is_file():
            return Path(candidate)
    sys.exit("Error: ntrex_ar_en_sentences.jsonl not found; pass --data DIR (shared/data/parallel)")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


class Ntrex:
    """NTREX sentences by id and by document, the body sentences (the title is not a body sentence)."""

    def __init__(self, folder: Path):
        sentences = read_jsonl(folder / "ntrex_ar_en_sentences.jsonl")
        self.by_id = {s["id"]: s for s in sentences}
        self.docs: dict[str, list[dict]] = defaultdict(list)
        for s in sentences:
            self.docs[s["doc_id"]].append(s)
        # The first sentence of each document is its title.
        self.body = {doc: rows[1:] for doc, rows in self.docs.items()}
        used = {r["id"] for r in read_jsonl(DATASETS / "ntrex_ar_en_docs.jsonl")}
        order = [d for d in self.docs if d not in used]
        self.split = {doc: ("dev" if i % 2 else "test") for i, doc in enumerate(order)}

    def before(self, sentence_id: str) -> str:
        s = self.by_id[sentence_id]
        body = self.body[s["doc_id"]]
        i = next((j for j, row in enumerate(body) if row["id"] == sentence_id), 0)  # a title: nothing before
        return body[i - 1]["ar"] if i > 0 else ""

    def chosen(self, per_doc: int, start: int) -> list[dict]:
        """Per document of a split, `per_doc` body sentences of 8-40 words, from position `start` on."""
        picked = []
        for doc in self.split:
            fitting = [s for s in self.body[doc][start:] if 8 <= len(s["en"].split()) <= 40]
            picked.extend(fitting[:per_doc])
        return picked


def model_sentences(ntrex: Ntrex) -> list[dict]:
    """What the model translates: one sentence per document from the fifth on (64 documents), then
    the shortest body sentence of 6-14 words of three documents in four (short sentences are where a
    small model is most often right, so the set holds faithful outputs too)."""
    first = ntrex.chosen(MODEL_SENTENCES_PER_DOC, start=4)[:64]
    taken = {s["id"] for s in first}
    short = []
    for i, doc in enumerate(ntrex.split):
        fitting = [s for s in ntrex.body[doc] if 6 <= len(s["en"].split()) <= 14 and s["id"] not in taken]
        if i % 4 != 3 and fitting:  # three documents in four, dev and test alike (the split alternates)
            short.append(min(fitting, key=lambda s: (len(s["en"].split()), s["id"])))
    return first + short


# -- the model's translations ---------------------------------------------------------------


def translate(ntrex: Ntrex, cache_dir: Path, limit: int) -> None:
    """Translate the chosen sentences with the project's prompt and default model, cached."""
    import time

    from rag.app import Rag
    from rag.config import Settings
    from rag.generate.generator import CompletionCache
    from rag.translation import translate_text

    existing = {r["sentence_id"]: r for r in read_jsonl(MODEL_OUTPUTS)} if MODEL_OUTPUTS.is_file() else {}
    rag = Rag(Settings.from_env(), completion_cache=CompletionCache(cache_dir))
    picked = model_sentences(ntrex)[:limit]
    out = []
    for i, s in enumerate(picked, 1):
        started = time.perf_counter()
        english = translate_text(s["ar"], rag.generator)
        print(f"[{i}/{len(picked)}] {time.perf_counter() - started:.1f}s {s['id']}: {english}", file=sys.stderr)
        old = existing.get(s["id"], {})
        same = old.get("model_en") == english
        out.append(
            {
                "sentence_id": s["id"],
                "doc": s["doc_id"],
                "ar": s["ar"],
                "en_ref": s["en"],
                "model_en": english,
                "model": rag.generator.label,
                "label": old.get("label", "") if same else "",
                "note": old.get("note", "") if same else "",
            }
        )
    write_jsonl(MODEL_OUTPUTS, out)
    print(f"wrote {len(out)} model outputs to {MODEL_OUTPUTS}; label each (label, note) by hand", file=sys.stderr)


# -- mechanical claims ----------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def changed_number(text: str) -> str | None:
    """The text with its first number (not a year) moved by one, as a careless reader would: 13 -> 14,
    30 -> 29 (a round number goes down: September 30 stays a date), never onto a number the text
    already has (33, 34 and 39 -> 35, 34 and 39)."""
    plain = text.translate(_ARABIC_DIGITS)
    present = set(_DIGITS.findall(plain))
    for m in _DIGITS.finditer(plain):
        digits = m.group()
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            continue
        value, step = int(digits), (-1 if int(digits) % 10 == 0 else 1)
        new = value + step
        while str(new) in present or new < 0:
            new += step if new > 0 else 1
        return text[: m.start()] + str(new) + text[m.end() :]
    return None


def record(
    ntrex: Ntrex, sentence_id: str, claim: str, lang: str, label: str, kind: str, note: str, labelled_by: str
) -> dict:
    s = ntrex.by_id[sentence_id]
    if kind not in KINDS:
        raise ValueError(f"{sentence_id}: unknown kind {kind!r}")
    if label not in ("faithful", "unfaithful"):
        raise ValueError(f"{sentence_id}: unknown label {label!r}")
    return {
        "id": "",
        "doc": s["doc_id"],
        "sentence_id": sentence_id,
        "span_ar": s["ar"],
        "before_ar": ntrex.before(sentence_id),
        "claim": claim,
        "claim_lang": lang,
        "label": label,
        "kind": kind,
        "note": note,
        "source": SOURCE,
        "labelled_by": labelled_by,
    }


def mechanical(ntrex: Ntrex) -> list[dict]:
    out = []
    for s in ntrex.chosen(REFERENCES_PER_DOC, start=0):
        label, kind, note = REFERENCE_CORRECTIONS.get(
            s["id"], ("faithful", "faithful", "NTREX professional English of the sentence")
        )
        labelled_by = "NTREX reference translation" + (
            ", relabelled by a bilingual reviewer" if s["id"] in REFERENCE_CORRECTIONS else ""
        )
        out.append(record(ntrex, s["id"], s["en"], "en", label, kind, note, labelled_by))
        for text, lang in ((s["en"], "en"), (s["ar"], "ar")):
            edited = changed_number(text)
            if edited and edited != text:
                out.append(
                    record(
                        ntrex,
                        s["id"],
                        edited,
                        lang,
                        "unfaithful",
                        "number",
                        "a number of the " + ("reference English" if lang == "en" else "sentence") + " changed",
                        "build_claims.py (number edit)",
                    )
                )
    return out


def read_edits(path: Path) -> list[dict]:
    """The hand-written claims: a header line, then one tab-separated claim per line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path.name}:{number}: expected {len(header)} tab-separated cells, got {len(cells)}")
        rows.append(dict(zip(header, cells)))
    return rows


def hand_written(ntrex: Ntrex) -> list[dict]:
    out = []
    for r in read_edits(EDITS):
        if r["sentence_id"] not in ntrex.by_id:
            raise ValueError(f"{EDITS.name}: unknown sentence {r['sentence_id']}")
        out.append(
            record(
                ntrex,
                r["sentence_id"],
                r["claim"],
                r["lang"],
                r["label"],
                r["kind"],
                r["note"],
                "hand-written edit, bilingual reviewer (claims helper)",
            )
        )
    return out


def model_outputs(ntrex: Ntrex) -> list[dict]:
    if not MODEL_OUTPUTS.is_file():
        return []
    out = []
    for r in read_jsonl(MODEL_OUTPUTS):
        if not r["model_en"] or not r.get("label"):
            continue
        out.append(
            record(
                ntrex,
                r["sentence_id"],
                r["model_en"],
                "en",
                r["label"],
                "model_output",
                r.get("note", ""),
                f"bilingual reviewer against the NTREX reference; output of {r['model']}",
            )
        )
    return out


def build_splits(ntrex: Ntrex) -> dict[str, list[dict]]:
    """Every claim record, deduplicated, numbered, by split."""
    records = mechanical(ntrex) + hand_written(ntrex) + model_outputs(ntrex)
    seen = set()
    splits: dict[str, list[dict]] = {"dev": [], "test": []}
    for r in records:
        key = (r["sentence_id"], r["claim"])
        if key in seen:
            continue
        seen.add(key)
        if r["doc"] not in ntrex.split:
            raise ValueError(f"{r['sentence_id']}: its document {r['doc']} is in the summarization set")
        splits[ntrex.split[r["doc"]]].append(r)
    for name, rows in splits.items():
        # By document, and within one in an order fixed by the claim's text (not by label or kind), so
        # that a round-robin subset over documents (the ci suite's) mixes labels and kinds.
        rows.sort(key=lambda r: (r["doc"], hashlib.sha1(r["claim"].encode("utf-8")).hexdigest()))
        for i, r in enumerate(rows, 1):
            r["id"] = f"claims-{name}-{i:04d}"
    return splits


def build(ntrex: Ntrex) -> None:
    for name, rows in build_splits(ntrex).items():
        write_jsonl(DATASETS / f"claims_{name}.jsonl", rows)
        counts = defaultdict(int)
        for r in rows:
            counts[(r["claim_lang"], r["label"])] += 1
        docs = len({r["doc"] for r in rows})
        print(
            f"claims_{name}.jsonl: {len(rows)} records from {docs} documents; "
            + ", ".join(f"{lang}/{label} {n}" for (lang, label), n in sorted(counts.items())),
            file=sys.stderr,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("translate", "build", "show"))
    parser.add_argument("--data", help="folder holding ntrex_ar_en_sentences.jsonl")
    parser.add_argument(
        "--cache",
        default=str(Path.home() / ".cache" / "rag-claims-translations"),
        help="completion cache folder for the model's translations",
    )
    parser.add_argument("--limit", type=int, default=200, help="translate at most this many sentences")
    parser.add_argument("--doc", help="show: the body sentences of this document")
    args = parser.parse_args()
    ntrex = Ntrex(data_dir(args.data))
    if args.step == "translate":
        translate(ntrex, Path(args.cache), args.limit)
    elif args.step == "show":
        for doc in [args.doc] if args.doc else ntrex.split:
            for s in ntrex.body[doc]:
                print(
                    json.dumps(
                        {"id": s["id"], "split": ntrex.split[doc], "ar": s["ar"], "en": s["en"]}, ensure_ascii=False
                    )
                )
    else:
        build(ntrex)


if __name__ == "__main__":
    main()
