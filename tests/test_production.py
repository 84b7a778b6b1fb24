"""The production path, end to end: the README's "Production" block run as written (collectstatic,
migrate, demo, gunicorn), then real HTTP through a simulated TLS proxy: every page and the API
as a member, a host and the operator would see them, and static files under their hashed names.

One test of ~20 s. Its database is its own: SQLite in a temporary folder, or, when the test run
is on PostgreSQL, a fresh `<test run's database>_production` on the same server (the README's
"add export DATABASE_URL=… before migrate"), dropped afterwards.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.utils import translation

README = Path(__file__).resolve().parent.parent / "README.md"
HOST = "serendip.example"
PASSWORD = "serendip-demo"


def production_block() -> str:
    """The sh block of the README's "## Production" section."""
    section = README.read_text().split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A client as a TLS proxy forwards it: Host, X-Forwarded-Proto/For, cookies, no redirects followed."""

    def __init__(self, port: int, client_ip: str):
        self.port, self.client_ip, self.cookies = port, client_ip, {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_ip,
            **({"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}),
            **(headers or {}),
        }
        conn.request(method, path, body=body, headers=sent)
        resp = conn.getresponse()
        data = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return resp, data

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self.request(
            "POST",
            path,
            urllib.parse.urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{path}",
            },
        )

    def login(self, username: str) -> None:
        resp, _ = self.get("/login/")
        assert resp.status == 200 and "csrftoken" in self.cookies
        resp, body = self.post_form("/login/", {"username": username, "password": PASSWORD})
        assert resp.status == 302, (username, resp.status, body[:500])
        assert "sessionid" in self.cookies


@contextlib.contextmanager
def production_database():
    """None (SQLite, the default) or the URL of a fresh PostgreSQL database beside the run's own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/") + "_production"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parsed._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with production_database() as database_url:
        yield from _serve(tmp_path_factory, database_url)


def _serve(tmp_path_factory, database_url):
    var = tmp_path_factory.mktemp("production")
    port = free_port()
    script = (
        production_block().replace("/srv/serendip", str(var)).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    )
    # Production defaults only: none of the test run's settings (plain HTTP, a test secret, its database).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DJANGO_", "DATABASE_", "SECRET_KEY", "STATIC_", "SESSION_", "CSRF_"))
        and k not in {"DEBUG", "ALLOWED_HOSTS", "NUM_PROXIES", "BEHIND_TLS_PROXY", "AXES_ENABLED"}
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if database_url:
        script = f"export DATABASE_URL={database_url}\n{script}"
    log = (var / "server.log").open("w")
    proc = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # gunicorn and its workers in one process group, stopped together
    )
    try:
        deadline = time.monotonic() + 600  # collectstatic brotli-compresses every file: slow when busy
        while True:
            if proc.poll() is not None:
                pytest.fail("the README's production block stopped:\n" + (var / "server.log").read_text())
            try:
                resp, _ = Browser(port, "203.0.113.1").get("/healthz")
                if resp.status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 600 s:\n" + (var / "server.log").read_text())
            time.sleep(0.3)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def check(browser: Browser, paths, status=(200,)) -> dict[str, bytes]:
    bodies = {}
    for path in paths:
        resp, body = browser.get(path)
        assert resp.status in status, f"{path}: {resp.status} {body[:300]!r}"
        bodies[path] = body
    return bodies


def test_production_block_serves_every_page_and_the_api_behind_a_tls_proxy(server):
    port = server

    # Anonymous: public pages, the public log, protected pages send to the login form.
    anon = Browser(port, "203.0.113.10")
    pages = check(
        anon,
        [
            "/",
            "/spaces/",
            "/spaces/utrecht-cs/",
            "/spaces/utrecht-cs/lobby",
            "/login/",
            "/signup/",
            "/healthz",
            "/ledger/checkpoint",
            "/ledger/key",
            "/api/v1/spaces",
            "/api/v1/openapi.json",
        ],
    )
    for path in ["/passport/", "/questions/", "/host/", "/insights/", "/bookings/"]:
        resp, _ = anon.get(path)
        assert resp.status == 302 and "/login/" in resp.headers["Location"], path
    resp, _ = anon.get("/api/v1/me")
    assert resp.status == 401

    # The translations are compiled by the block: Dutch and Italian visitors get their language.
    for language in ("nl", "it"):
        resp, body = anon.request("GET", "/spaces/", headers={"Accept-Language": language})
        with translation.override(language):
            log_in = translation.gettext("Log in")
        assert resp.headers["Content-Language"] == language
        assert log_in != "Log in" and log_in.encode() in body, language

    # Behind the proxy: HTTPS is recognised (no redirect loop), HSTS is sent, plain HTTP is redirected.
    resp, _ = anon.get("/")
    assert "max-age=" in resp.headers["Strict-Transport-Security"]
    resp, _ = anon.request("GET", "/", headers={"X-Forwarded-Proto": "http"})
    assert resp.status == 301 and resp.headers["Location"].startswith(f"https://{HOST}/")

    # Static files under their hashed names, served by the app with a long cache lifetime.
    css = re.search(rb"/static/serendip/site\.[0-9a-f]{12}\.css", pages["/"])
    assert css, "the page does not link the hashed stylesheet"
    resp, body = anon.get(css.group().decode())
    assert resp.status == 200 and body and "immutable" in resp.headers.get("Cache-Control", "")

    # A member: every page of theirs, a form post with CSRF through the proxy, the API with a session.
    ada = Browser(port, "203.0.113.11")
    ada.login("ada")
    pages = check(
        ada,
        [
            "/",
            "/spaces/",
            "/spaces/utrecht-cs/",
            "/spaces/utrecht-cs/rooms",
            "/bookings/",
            "/passport/",
            "/passport/balance/",
            "/questions/",
            "/questions/ask",
            "/introductions/",
            "/meetings/",
        ],
    )
    question = re.search(rb'href="(/questions/\d+/)"', pages["/questions/"])
    invoice = re.search(rb'href="(/invoices/[^"]+)"', pages["/bookings/"])
    check(ada, [m.group(1).decode() for m in (question, invoice) if m])
    assert question and invoice, "the demo's questions and invoices are not linked from the member's pages"
    api = [
        "/api/v1/me",
        "/api/v1/me/checkins",
        "/api/v1/me/ledger",
        "/api/v1/me/ledger/proofs",
        "/api/v1/me/bookings",
        "/api/v1/me/matches",
        "/api/v1/introductions",
        "/api/v1/meetings",
        "/api/v1/questions/for-me",
        "/api/v1/spaces",
        "/api/v1/spaces/1",
        "/api/v1/spaces/1/present",
        "/api/v1/spaces/1/rooms",
    ]
    check(ada, api)
    resp, body = ada.post_form(
        "/questions/ask", {"title": "Who knows gunicorn behind nginx?", "body": "", "tags": "python"}
    )
    assert resp.status == 302, body[:500]

    # The API with a bearer token, as a program would use it.
    resp, body = anon.request(
        "POST",
        "/api/v1/auth/token",
        b'{"username": "ada", "password": "serendip-demo"}',
        {"Content-Type": "application/json"},
    )
    assert resp.status == 201, body
    token = re.search(rb'"token": ?"([^"]+)"', body).group(1).decode()
    program = Browser(port, "203.0.113.12")
    for path in api:
        resp, body = program.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        assert resp.status == 200, (path, resp.status, body[:300])

    # A host: the host pages of their space and its insights.
    host = Browser(port, "203.0.113.13")
    host.login("host")
    resp, _ = host.get("/host/")  # one hosted space: straight to it
    assert resp.status == 302 and resp.headers["Location"] == "/host/utrecht-cs/"
    pages = check(
        host,
        [
            "/host/utrecht-cs/",
            "/host/utrecht-cs/settings",
            "/host/utrecht-cs/rooms/new",
            "/insights/spaces/utrecht-cs/",
            "/spaces/utrecht-cs/lobby",
        ],
    )
    room = re.search(rb'href="(/host/utrecht-cs/rooms/\d+/)"', pages["/host/utrecht-cs/"])
    assert room, "the host page links no room"
    check(host, [room.group(1).decode()])

    # The operator: the network's insights (with the vendored chart.js, hashed) and the admin.
    operator = Browser(port, "203.0.113.14")
    operator.login("operator")
    pages = check(
        operator, ["/insights/", "/admin/", "/admin/ledger/transaction/", "/admin/passport/member/"]
    )
    chart = re.search(rb"/static/serendip/chart\.umd\.min\.[0-9a-f]{12}\.js", pages["/insights/"])
    assert chart
    resp, _ = operator.get(chart.group().decode())
    assert resp.status == 200
