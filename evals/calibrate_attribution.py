"""Measure a speaker check for English sentences over Arabic sources on NTREX (not used by rag).

    python evals/calibrate_attribution.py [--data FILE]

"Secretary of State Kerry announced that …" over an Arabic sentence that names Kerry only
as someone met ("منذ لقاء كيري ولافروف") passes the names check. The candidate check: for an
English "NAME said / announced / …", the Arabic must have that name within a few words of a
reporting verb (قال، أعلن، أشار …). Prints, for several windows, how often it passes the
faithful translation and the same English over another sentence of the article that has the
name.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "parallel" / "ntrex_ar_en_sentences.jsonl"
)
WINDOWS = (3, 4, 5, 6, 8, 10)
_ENGLISH_VERBS = (
    "said says say announced announces stated states told tells added adds noted notes declared "
    "declares confirmed confirms explained explains indicated indicates stressed stresses warned "
    "warns claimed claims insisted insists argued argues wrote writes reported reports"
).split()
_SPEAKER = re.compile(
    r"\b((?:[A-Z][\w'’-]+\s+){0,3}[A-Z][\w'’-]+)\s+(?:has\s+|had\s+|also\s+|later\s+)?(?:"
    + "|".join(_ENGLISH_VERBS)
    + r")\b"
)
_ARABIC_VERBS = """قال قالت يقول تقول قالوا أعلن أعلنت يعلن تعلن أكد أكدت يؤكد تؤكد أشار أشارت يشير تشير أوضح
    أوضحت يوضح توضح صرح صرحت يصرح ذكر ذكرت يذكر تذكر أضاف أضافت يضيف تضيف كتب كتبت يكتب حذر حذرت يحذر تحذر
    شدد شددت يشدد تشدد نفى نفت ينفي تنفي أبلغ أبلغت زعم زعمت اعتبر اعتبرت يعتبر تعتبر أفاد أفادت يفيد تفيد""".split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    from rag.text.arabic import clitic_forms, normalize
    from rag.verify.names import candidate_names, is_function_word, name_matches

    verbs = {normalize(w) for w in _ARABIC_VERBS}

    def speakers(english: str) -> list[str]:
        runs = (candidate_names(m.group(1)) for m in _SPEAKER.finditer(english))
        return [names[-1][0] for names in runs if names]

    def mentions(name: str, arabic: str) -> list[int]:
        tokens = re.findall(r"[\u0600-\u06ff]+", arabic)
        return [i for i, t in enumerate(tokens) if not is_function_word(t) and name_matches(name, [t])]

    def distances(name: str, arabic: str) -> list[int]:
        """Word distances from each mention of the name to each reporting verb."""
        tokens = re.findall(r"[\u0600-\u06ff]+", arabic)
        reporting = [i for i, t in enumerate(tokens) if any(f in verbs for f in clitic_forms(normalize(t), 2))]
        return [abs(m - v) for m in mentions(name, arabic) for v in reporting]

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    claims = [(row, name) for row in rows for name in speakers(row["en"])]
    faithful = [distances(name, row["ar"]) for row, name in claims if mentions(name, row["ar"])]
    others = [
        distances(name, other["ar"])
        for row, name in claims
        for other in by_doc[row["doc_id"]]
        if other is not row and mentions(name, other["ar"])
    ]
    print(
        f"{len(rows)} sentence pairs, {len(claims)} English 'NAME said'-type claims; "
        f"{len(faithful)} faithful translations and {len(others)} other sentences of the article name the speaker"
    )
    for window in WINDOWS:
        passes = [sum(any(x <= window for x in d) for d in group) / max(1, len(group)) for group in (faithful, others)]
        print(
            f"name within {window:>2} words of a reporting verb: faithful {passes[0]:.3f} pass, other {passes[1]:.3f}"
        )


if __name__ == "__main__":
    main()
