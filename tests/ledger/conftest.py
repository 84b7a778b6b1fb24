"""A live HTTP server for the public log that shares the test's database connection."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def live_log(db, settings):
    """The whole site on 127.0.0.1 (a free port), one request at a time, on the test's own
    connection: it sees the test's uncommitted rows on both databases, so tests keep the fast
    rollback instead of a flushed database (as Django's test client does, the server leaves
    the connection open between requests). Yields the base URL."""
    conn = connections[DEFAULT_DB_ALIAS]
    app = WSGIHandler()

    def shared(environ, start_response):
        connections[DEFAULT_DB_ALIAS] = conn  # this thread's handle: the test's connection
        # Django's test client reconnects close_old_connections after each of its requests; a
        # test that used it since this fixture started would otherwise have the server close
        # the test's connection (on PostgreSQL, whose test connection is not kept open).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, shared, server_class=WSGIServer, handler_class=_Quiet)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    conn.inc_thread_sharing()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        conn.dec_thread_sharing()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
