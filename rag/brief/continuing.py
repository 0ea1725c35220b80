"""Stories that continue from the previous day's briefing.

When briefing-(DATE - 1 day).json exists in the output folder, each of today's
stories is compared with each of yesterday's by the titles of their articles:
close in the embedding space and sharing names (at least two rarer title words).
A match marks today's story "continuing" with yesterday's story id.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from rag.text.arabic import index_tokens

CONTINUING_SIMILARITY = 0.65
SHARED_WORDS = 2


def previous_briefing(out_dir: str | Path, day: str) -> dict | None:
    """The previous day's briefing JSON in `out_dir`, or None (absent or unreadable)."""
    previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    path = Path(out_dir) / f"briefing-{previous}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _story_titles(story: dict) -> str:
    titles = [a.get("title", "") for a in story.get("articles", []) if isinstance(a, dict)]
    return " ".join(titles) or story.get("headline", {}).get("ar", "")


def mark_continuing(briefs: list, previous: dict, embed) -> int:
    """Set `continuing` on the briefs that carry on one of the previous briefing's stories; how many."""
    before = [s for key in ("stories", "more_stories") for s in previous.get(key, []) if isinstance(s, dict)]
    if not before or not briefs:
        return 0
    old_texts = [_story_titles(s) for s in before]
    new_texts = [" ".join(t.get("title", "") for t in b.titles) or b.headline.get("ar", "") for b in briefs]
    vectors = np.asarray(embed(old_texts + new_texts), dtype=np.float32)
    old, new = vectors[: len(before)], vectors[len(before) :]
    similarity = new @ old.T
    old_words = [{w for w in index_tokens(t) if len(w) > 2} for t in old_texts]
    marked = 0
    for i, brief in enumerate(briefs):
        words = {w for w in index_tokens(new_texts[i]) if len(w) > 2}
        for j in np.argsort(-similarity[i]):
            if similarity[i, j] < CONTINUING_SIMILARITY:
                break
            if len(words & old_words[j]) >= SHARED_WORDS:
                brief.continuing = before[j].get("id")
                marked += 1
                break
    return marked
