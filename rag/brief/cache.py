"""Finished briefing stories on disk, so a re-run of the same day resumes instead of redoing them.

One JSON file per entry under RAG_HOME/cache/brief/, named by a hash of what
the entry was made from (its article ids, the model label, the summary
version and parameters). A file is written to a temporary name and renamed,
so a run killed mid-write leaves no half entry; an unreadable entry counts as
missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


class BriefCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(kind: str, doc_ids: list[str], model: str, *params) -> str:
        material = json.dumps([kind, sorted(doc_ids), model, *params], ensure_ascii=False)
        return f"{kind}-{hashlib.sha256(material.encode('utf-8')).hexdigest()[:24]}"

    def get(self, key: str) -> dict | None:
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, key: str, data: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=self.folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, self.folder / f"{key}.json")
