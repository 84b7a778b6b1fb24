"""Hostile input at the doors (issue 11, items 2, 3, 8, 12, 14): lone surrogates, over-long
usernames, NUL in headers and cookies, lockouts behind a proxy, the login page's per-IP limit,
and ending every session and token (password change, "sign out everywhere")."""

import pytest
from django.test import Client, RequestFactory
from ninja.throttling import AnonRateThrottle

from serendip.errors import InvalidInput
from serendip.passport.auth import client_ip
from serendip.passport.models import ApiToken, Session
from serendip.text import clean_text
from tests.conftest import PASSWORD, ApiClient

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"


def raw_json(client: Client, method: str, path: str, body: str, **headers):
    """Send a JSON text as written (json.dumps would escape a lone surrogate the same way)."""
    return getattr(client, method)(
        f"/api/v1{path}", data=body.encode(), content_type="application/json", **headers
    )


@pytest.mark.parametrize("field", ["display_name", "headline", "about"])
def test_a_lone_surrogate_in_my_passport_is_422(make_member, api_as, field):
    member = make_member()
    client = api_as(member)
    r = raw_json(client.client, "patch", "/me", f'{{"{field}": "x\\ud800y"}}', headers=client.headers)
    assert r.status_code == 422 and "surrogate" in r.json()["detail"]
    member.refresh_from_db()
    assert SURROGATE not in getattr(member, field)


@pytest.mark.parametrize(
    "body", ['{"username": "\\udfff", "password": "x"}', '{"username": "a", "password": "\\ud800"}']
)
def test_a_lone_surrogate_at_the_token_endpoint_is_422_without_login(body):
    r = raw_json(Client(), "post", "/auth/token", body)
    assert r.status_code == 422 and "detail" in r.json()


def test_services_refuse_a_lone_surrogate_too():
    with pytest.raises(InvalidInput, match="surrogate"):
        clean_text(f"a{SURROGATE}", field="title", max_length=10)


def test_an_over_long_username_at_the_token_endpoint_is_422_not_an_axes_error(make_member):
    r = raw_json(Client(), "post", "/auth/token", '{"username": "%s", "password": "x"}' % ("u" * 256))
    assert r.status_code == 422 and "username" in r.json()["detail"]


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_an_over_long_username_on_the_login_pages_is_a_form_error(path):
    r = Client().post(path, {"username": "u" * 256, "password": "x"})
    assert r.status_code == 200 and b"at most 150 characters" in r.content


def test_axes_records_a_bounded_username_without_nul(make_member):
    from axes.models import AccessAttempt

    r = raw_json(Client(), "post", "/auth/token", '{"username": "%s", "password": "wrong"}' % ("v" * 150))
    assert r.status_code == 401
    assert AccessAttempt.objects.get().username == "v" * 150


def test_nul_in_the_authorization_header_is_401_not_500(make_member):
    for token in ["abc\x00def", "\x00" * 30, "A" * 12 + "\x00" * 20]:
        r = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token


def test_nul_in_the_session_cookie_is_no_session_not_500(make_member):
    client = Client(HTTP_COOKIE="sessionid=abcdefgh\x00ijklmnop")
    assert client.get("/").status_code == 200
    assert client.get("/passport/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_lockouts_and_throttles_key_on_the_same_client_behind_a_proxy(make_member, settings, monkeypatch):
    from ninja.conf import settings as ninja_settings

    settings.NINJA_NUM_PROXIES = 1
    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", 1)
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == AnonRateThrottle("1/s").get_ident(request) == "203.0.113.5"

    make_member("ada")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request comes through the one proxy
    attacker = Client(HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/login/", {"username": "ada", "password": "wrong"})
    assert attacker.post("/login/", {"username": "ada", "password": PASSWORD}).status_code == 429
    # ada, behind the same proxy from her own address, is not locked out
    ada = Client(HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy)
    assert ada.post("/login/", {"username": "ada", "password": PASSWORD}).status_code == 302


def test_the_login_page_is_throttled_per_client_ip(make_member, settings):
    settings.LOGIN_RATE = "3/m"
    codes = [
        Client(REMOTE_ADDR="198.51.100.9").post("/login/", {"username": f"x{n}", "password": "y"}).status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    make_member("ada")
    r = Client(REMOTE_ADDR="198.51.100.10").post("/login/", {"username": "ada", "password": PASSWORD})
    assert r.status_code == 302


def _browser(member) -> Client:
    client = Client()
    assert client.post("/login/", {"username": member.user.username, "password": PASSWORD}).status_code == 302
    return client


def test_changing_the_password_ends_tokens_and_other_sessions_but_not_this_one(make_member, api_as):
    member = make_member()
    program, here, elsewhere = api_as(member), _browser(member), _browser(member)
    assert program.get("/me").status_code == 200
    r = here.post(
        "/passport/password",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password-7",
            "new_password2": "another-long-password-7",
        },
    )
    assert r.status_code == 302
    assert program.get("/me").status_code == 401
    assert elsewhere.get("/passport/").status_code == 302  # back to the login page
    assert here.get("/passport/").status_code == 200
    assert not ApiToken.objects.filter(user=member.user, revoked_at__isnull=True).exists()


def test_a_password_changed_anywhere_else_revokes_tokens_too(make_member, api_as):
    member = make_member()
    program = api_as(member)
    member.user.set_password("changed-in-the-admin-9")
    member.user.save()
    assert program.get("/me").status_code == 401


def test_a_wrong_current_password_changes_nothing(make_member, api_as):
    member = make_member()
    program, here = api_as(member), _browser(member)
    r = here.post(
        "/passport/password",
        {
            "old_password": "nope",
            "new_password1": "another-long-password-7",
            "new_password2": "another-long-password-7",
        },
    )
    assert r.status_code == 400
    assert program.get("/me").status_code == 200


def test_sign_out_everywhere_from_the_passport_page(make_member, api_as):
    member, other = make_member(), make_member()
    program, here, elsewhere, theirs = api_as(member), _browser(member), _browser(member), _browser(other)
    assert Session.objects.filter(user_pk=member.user.pk).count() == 2
    assert here.post("/passport/sign-out-everywhere").status_code == 302
    assert program.get("/me").status_code == 401
    assert here.get("/passport/").status_code == 302 and elsewhere.get("/passport/").status_code == 302
    assert theirs.get("/passport/").status_code == 200  # someone else's session is not touched


def test_sign_out_everywhere_through_the_api(make_member, api_as):
    member = make_member()
    first, second, browser = api_as(member), api_as(member), _browser(member)
    r = first.delete("/auth/tokens")
    assert r.status_code == 200 and r.json() == {"tokens": 2, "sessions": 1}
    assert second.get("/me").status_code == 401 and browser.get("/passport/").status_code == 302
    assert ApiClient().delete("/auth/tokens").status_code == 401


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%00", "%FF%FE", "a%00b"])
def test_hostile_bytes_in_the_forms_are_refused_or_replaced_never_500(make_member, raw):
    """Forms arrive percent-encoded: a surrogate's bytes or invalid UTF-8 decode to U+FFFD, and
    a NUL is refused by the form fields; nothing reaches the database that it cannot store."""
    member = make_member("ada")
    signed_in = Client()
    signed_in.force_login(member.user)
    form = "application/x-www-form-urlencoded"
    answers = [
        Client().post("/login/", f"username={raw}&password={raw}", content_type=form),
        Client().post(
            "/signup/", f"username={raw}&display_name={raw}&password=a-long-pass-{raw}", content_type=form
        ),
        signed_in.post("/passport/", f"display_name={raw}&visibility=members&about={raw}", content_type=form),
        signed_in.post("/questions/ask", f"title={raw}&body={raw}&tags={raw}", content_type=form),
    ]
    assert all(r.status_code in (200, 302, 400) for r in answers), [r.status_code for r in answers]
    member.refresh_from_db()
    assert "\x00" not in member.display_name + member.about


def test_the_migration_keeps_tokens_issued_before_it_working(make_member, api_as):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "serendip.passport.migrations.0006_sessions_verification_token_auth_hash"
    )
    member = make_member()
    program = api_as(member)
    ApiToken.objects.update(auth_hash="")  # as every token was before the migration
    assert program.get("/me").status_code == 401
    migration.existing_tokens_keep_working(apps, None)
    assert program.get("/me").status_code == 200
