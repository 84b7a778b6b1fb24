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
"""

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False

    def _writer_lock(self) -> None:
        if self.is_in_memory_db() or self._writer_locked:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(
                f"{self.settings_dict['NAME']}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600
            )
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)  # blocks until the current writer is done
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
