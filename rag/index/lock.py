"""One writer at a time per RAG_HOME: an advisory lock file (fcntl.flock).

Writers (ingest, index repair) hold it for their whole run; readers never take
it. A writer that has to wait says so once, naming the holder, which writes its
PID, command and start time into the lock file. The kernel drops the lock when
its holder dies, even by kill -9, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

LOCK_NAME = "index.lock"
log = logging.getLogger(__name__)


class IndexLock:
    def __init__(self, home: Path, command: str, say: Callable[[str], None] | None = None):
        self.path = home / LOCK_NAME
        self.command = command
        self._say = say or log.warning
        self._fd: int | None = None

    def __enter__(self) -> IndexLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._say(f"waiting for the index lock held by {describe_holder(read_holder(self.path))}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        holder = {"pid": os.getpid(), "command": self.command, "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None


def read_holder(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_holder(holder: dict) -> str:
    """'PID 4242 (rag ingest, since 12:03)' ('PID 4242 on HOST (…)' for a lease on a shared
    server, rag.index.shared_lock), or as much of it as is known."""
    if not holder.get("pid"):
        return "another process"
    details = [str(holder["command"])] if holder.get("command") else []
    if isinstance(holder.get("since"), (int, float)):
        details.append("since " + time.strftime("%H:%M", time.localtime(holder["since"])))
    host = f" on {holder['host']}" if holder.get("host") else ""
    return f"PID {holder['pid']}{host}" + (f" ({', '.join(details)})" if details else "")
