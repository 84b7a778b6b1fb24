"""Running service calls in real parallel transactions (one thread and connection each).

Tests marked `postgres` use it; tests/conftest.py skips them on SQLite, whose single writer
makes races impossible to show."""

import threading

from django.db import connections


def run_concurrently(fns):
    """Start all `fns` at once (behind a barrier); return each one's result or exception."""
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # the outcome is what the test asserts on
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
