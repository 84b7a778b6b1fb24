"""Django's SQLite backend, with writers queueing on a lock file instead of polling.

SQLite has one writer at a time. Django starts every transaction with `BEGIN IMMEDIATE`
(settings: transaction_mode), and a writer that finds the database locked waits in SQLite's
busy handler, which sleeps 1, 2, 5 ... 100 ms between tries: under load a waiter sleeps on
while the lock is free, and a late arrival can overtake it again and again (HTTP p99
latency of check-ins several times the median; BENCHMARKS.md). Here a transaction first
takes an exclusive `flock` on `<database>.writer-lock`, which the kernel hands to the next
waiting process the moment it is released, then runs `BEGIN IMMEDIATE` as before. The lock
is released when the transaction commits or rolls back, or the connection closes (or the
process dies: the kernel drops it). Programs that don't use this backend (the sqlite3 shell,
a backup tool) still meet SQLite's own lock and busy timeout, so nothing depends on them
taking part. In-memory databases (the test suite's default) have no file and skip it.

The wait is bounded by the database's OPTIONS["timeout"] (the same number SQLite's own busy
timeout uses; 5 s if unset): past it the transaction fails with an OperationalError that
says which lock file it waited for and for how long, instead of waiting forever behind a
stuck writer. An uncontended lock is taken without waiting; a contended one is waited for by
a helper thread (a blocking `flock` cannot time out), which hands the lock over, or drops it
if the caller has given up.
"""

import fcntl
import os
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

DEFAULT_TIMEOUT = 5.0  # seconds: Python's sqlite3 default busy timeout


def _open(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def wait_for_lock(path: str, timeout: float) -> int | None:
    """An fd of `path` holding its exclusive flock, or None after `timeout` seconds."""
    guard, taken = threading.Lock(), threading.Event()
    state: dict = {"fd": None, "abandoned": False}

    def wait() -> None:
        fd = _open(path)
        fcntl.flock(fd, fcntl.LOCK_EX)  # wakes the moment the holder releases it
        with guard:
            if state["abandoned"]:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                return
            state["fd"] = fd
        taken.set()

    threading.Thread(target=wait, name="sqlite-writer-lock", daemon=True).start()
    taken.wait(timeout)
    with guard:
        if state["fd"] is None:
            state["abandoned"] = True
        return state["fd"]


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False

    def _writer_lock(self) -> None:
        if self.is_in_memory_db() or self._writer_locked:
            return
        path = f"{self.settings_dict['NAME']}.writer-lock"
        if self._writer_fd is None:
            self._writer_fd = _open(path)
        try:
            fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another writer holds it: wait, within the timeout
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))
            fd = wait_for_lock(path, timeout)
            if fd is None:
                raise OperationalError(
                    f"database is locked: another writer has held {path} for more than {timeout:g} s"
                    " (the database's OPTIONS['timeout']); is a transaction stuck?"
                ) from None
            os.close(self._writer_fd)
            self._writer_fd = fd
        self._writer_locked = True

    def _writer_unlock(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._writer_unlock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writer_unlock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writer_unlock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
