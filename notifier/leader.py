"""Which worker process leads the scheduler (feed polls, reminder tick, housekeeping).

PostgreSQL: a session-level advisory lock held on a dedicated connection. If the leader dies its
connection closes, the server drops the lock, and the next worker to try takes over. A leader
checks its connection on every heartbeat and steps down when it is gone.

SQLite: one process leads; an exclusive ``flock`` on a file beside the database keeps a second
process on the same file from leading too (an in-memory database always leads).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# Fixed key for pg_try_advisory_lock: "STRK" as a 32-bit integer, shared by every worker.
LOCK_KEY = 0x5354524B


class Leadership:
    """Try to lead; keep checking; let go. Not thread-safe: one owner calls it."""

    def __init__(self, engine: Engine, *, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None
        self._file: IO[str] | None = None
        self._leader = False

    @property
    def is_leader(self) -> bool:
        return self._leader

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def try_acquire(self) -> bool:
        """Become leader if nobody is; True when this process leads (already or now)."""
        if self._leader:
            return self.still_leader()
        if self.backend == "postgresql":
            self._leader = self._acquire_pg()
        else:
            self._leader = self._acquire_file()
        if self._leader:
            log.info("became scheduler leader", extra={"backend": self.backend, "pid": os.getpid()})
        return self._leader

    def still_leader(self) -> bool:
        """Check the lock is still ours (PostgreSQL: the connection holding it is alive)."""
        if not self._leader:
            return False
        if self._conn is None:
            return True
        try:
            held = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND objid = :k"
                ),
                {"k": self.key},
            ).scalar_one()
        except DBAPIError as exc:
            log.warning(
                "lost the scheduler lock connection; stepping down",
                extra={"error": type(exc).__name__},
            )
            self._drop_connection()
            self._leader = False
            return False
        if not held:
            log.warning("scheduler lock no longer held; stepping down")
            self._drop_connection()
            self._leader = False
        return self._leader

    def release(self) -> None:
        """Give up leadership (shutdown); another worker may take over at once."""
        if self._conn is not None:
            with contextlib.suppress(DBAPIError):
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._drop_connection()
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._leader:
            log.info("gave up scheduler leadership")
        self._leader = False

    # -- PostgreSQL -------------------------------------------------------------------------------
    def _acquire_pg(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar_one()
            )
        except DBAPIError:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def _drop_connection(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        with contextlib.suppress(DBAPIError):
            conn.invalidate()  # never hand a lock-holding connection back to the pool
        with contextlib.suppress(DBAPIError):
            conn.close()

    # -- SQLite -----------------------------------------------------------------------------------
    def _lock_path(self) -> Path | None:
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return Path(database).with_name(Path(database).name + ".leader")

    def _acquire_file(self) -> bool:
        path = self._lock_path()
        if path is None:
            return True
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True
