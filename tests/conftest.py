"""Shared fixtures: members, spaces and API clients made through the real services."""

import itertools
import os
import shutil

import pytest
from django.test import Client

from serendip.network.models import Space
from serendip.onboarding.services import member_verify
from serendip.passport.models import Verification
from serendip.passport.services import member_set_tags, member_signup, token_create

_seq = itertools.count(1)
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Production settings otherwise: the test client speaks plain HTTP, and there is no collectstatic.
    settings.SECURE_SSL_REDIRECT = False
    # Members are made through member_signup; production-strength hashing would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _ledger_state_dir(monkeypatch, tmp_path):
    # `serendip ledger verify` keeps state under the user's home by default: a test's own.
    monkeypatch.setenv("SERENDIP_LEDGER_STATE_DIR", str(tmp_path / "ledger-state"))


@pytest.fixture(autouse=True)
def _postgres_only(request):
    # Concurrency tests (marked `postgres`) need real parallel writers.
    from django.db import connection

    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


@pytest.fixture(autouse=True)
def _fresh_matching_index(settings, tmp_path):
    # Each test has its own database, so its own index: a fresh snapshot directory, nothing loaded.
    from serendip.exchange import machine

    settings.MATCHING_SNAPSHOT_DIR = tmp_path / "matching"
    machine.reset()
    yield
    machine.reset()


@pytest.fixture
def make_member(db):
    def make(username=None, *, offers=None, needs=None, interests=None, verified=True, **fields):
        """A member through the real sign-up; verified (by e-mail, with the welcome grant) unless
        verified=False, which leaves a brand-new account with 0 SC."""
        n = next(_seq)
        member = member_signup(
            username=username or f"member{n}",
            password=PASSWORD,
            display_name=fields.pop("display_name", f"Member {n}"),
        )
        if verified:
            member_verify(member=member, how=Verification.EMAIL)
        for key, value in fields.items():
            setattr(member, key, value)
        if fields:
            member.save()
        if offers or needs or interests:
            member_set_tags(member=member, offers=offers, needs=needs, interests=interests)
        return member

    return make


@pytest.fixture
def make_space(db):
    def make(**fields):
        n = next(_seq)
        defaults = dict(
            name=f"Space {n}",
            slug=f"space-{n}",
            city="Utrecht",
            country="NL",
            timezone="Europe/Amsterdam",
            seats=10,
        )
        defaults.update(fields)
        return Space.objects.create(**defaults)

    return make


class ApiClient:
    """A test client that speaks JSON to /api/v1/ with a bearer token."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method, path, data=None):
        kwargs = {"content_type": "application/json", "headers": self.headers}
        if data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path, data=None):
        return self._call("post", path, data if data is not None else {})

    def patch(self, path, data=None):
        return self._call("patch", path, data if data is not None else {})

    def put(self, path, data=None):
        return self._call("put", path, data if data is not None else {})

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api_as():
    def make(member=None) -> ApiClient:
        if member is None:
            return ApiClient()
        _, raw = token_create(user=member.user)
        return ApiClient(raw)

    return make


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """One Debian chromium for every browser test of the session (tests/browser, the reach and
    experiment journeys): Playwright's sync API runs an event loop in this thread, and a second
    `sync_playwright()` while one is open fails. Skipped where chromium or playwright is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # The ORM calls of the tests are still plain synchronous calls in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
