"""One writer at a time per RAG_INDEX across machines: a lease held in the Chroma server.

The embedded index has a file lock under RAG_HOME (rag.index.lock); workers on several
machines share only the server, so their lock lives there, as one record of a small
collection. Chroma offers no transaction, but two operations that are enough for a lease:
- `add` of an id that exists leaves the existing record alone (the first writer wins);
- `delete(ids=..., where=...)` deletes only if the record still matches (compare-and-delete).

A writer adds the record with its own token and holds the lease if the token read back is
its own. It renews the expiry every few seconds from a thread; a holder killed by kill -9
stops renewing, and once the expiry has passed another writer deletes that record (only
if it still holds the dead token, so two waiters never both break it) and takes the lease.
Expiry times are wall-clock seconds: the machines' clocks must agree to within the lease
(NTP does far better).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from rag.index.lock import describe_holder
from rag.index.vectors import failure_message, guarded

LEASE_SECONDS = 30.0  # a dead holder blocks others this long at most
RENEW_SECONDS = 5.0
POLL_SECONDS = 0.5
RECORD = "writer"
log = logging.getLogger(__name__)


def lock_collection(index: str) -> str:
    return "rag_writer_lock" if index == "default" else f"{index}__writer_lock"


class ChromaLease:
    def __init__(
        self,
        client,
        index: str,
        command: str,
        where: str,
        say: Callable[[str], None] | None = None,
        lease_seconds: float = LEASE_SECONDS,
        retry_seconds: float = 8.0,
    ):
        self.where = where
        self.retry_seconds = retry_seconds
        self.command = command
        self.lease_seconds = lease_seconds
        self._say = say or log.warning
        self._collection = self._open(client, lock_collection(index))
        self._token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    # -- what `guarded` needs ------------------------------------------------------
    def _failure_message(self, kind: str, exc: BaseException) -> str:
        return failure_message(self.where, self.retry_seconds, kind, exc)

    def _reopen(self) -> None:
        """A server needs no reopening: the retry is enough."""

    @guarded
    def _open(self, client, name: str):
        return client.get_or_create_collection(name=name, embedding_function=None)

    # -- the lease --------------------------------------------------------------------
    def __enter__(self) -> ChromaLease:
        told = False
        while True:
            holder = self._try_acquire()
            if holder is None:
                break
            if not told:
                self._say(f"waiting for the index lock held by {describe_holder(holder)}")
                told = True
            time.sleep(POLL_SECONDS)
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew_until_stopped, name="rag-lease", daemon=True)
        self._renewer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=RENEW_SECONDS + 1)
            self._renewer = None
        try:
            self._release()
        except Exception:  # noqa: BLE001 - the lease expires by itself; the run's own error matters more
            log.debug("releasing the index lease failed", exc_info=True)

    def holder(self) -> dict | None:
        """Who holds the lease now (None: nobody, or a lease past its expiry)."""
        record = self._read()
        return record if record and record.get("expires", 0) > time.time() else None

    def _fields(self) -> dict:
        return {
            "token": self._token,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "since": time.time(),
            "expires": time.time() + self.lease_seconds,
        }

    @guarded
    def _try_acquire(self) -> dict | None:
        """None once the lease is ours; else the record of its holder."""
        mine = self._fields()
        self._collection.add(ids=[RECORD], embeddings=[[0.0]], metadatas=[mine])
        record = self._read()
        if record is None:
            return {}  # released between our add and our read: try again
        if record.get("token") == self._token:
            return None
        if record.get("expires", 0) < time.time():
            # A dead holder's lease: delete it only if it is still that one, then race to add.
            self._collection.delete(ids=[RECORD], where={"token": record["token"]})
        return record

    def _read(self) -> dict | None:
        got = self._collection.get(ids=[RECORD], include=["metadatas"])
        return dict(got["metadatas"][0]) if got["ids"] else None

    def _renew_until_stopped(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            try:
                record = self._read()
                if record is None or record.get("token") != self._token:
                    log.warning("the index lease was taken over (this process stalled past its expiry)")
                    return
                record["expires"] = time.time() + self.lease_seconds
                self._collection.update(ids=[RECORD], metadatas=[record])
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease outlives a few
                log.debug("renewing the index lease failed", exc_info=True)

    @guarded
    def _release(self) -> None:
        self._collection.delete(ids=[RECORD], where={"token": self._token})


def writer_lock(settings, command: str, say: Callable[[str], None] | None = None):
    """The locks a writer (ingest, index repair) holds for its whole run: the file lock under
    RAG_HOME always; with RAG_CHROMA_URL also the server's lease for RAG_INDEX, which every
    worker on every machine sharing the index takes."""
    from contextlib import ExitStack

    from rag.index.lock import IndexLock
    from rag.index.vectors import connect_chroma

    stack = ExitStack()
    stack.enter_context(IndexLock(settings.home, command, say))
    if settings.chroma_url:
        try:
            lease = ChromaLease(
                connect_chroma(settings), settings.index, command, f"the Chroma server at {settings.chroma_url}", say
            )
            stack.enter_context(lease)
        except BaseException:
            stack.close()
            raise
    return stack
