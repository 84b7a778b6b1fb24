import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_issues_a_token_for_a_right_password(make_member, api_as):
    make_member("ada")
    r = api_as().post("/auth/token", {"username": "ada", "password": PASSWORD})
    assert r.status_code == 201
    token = r.json()["token"]
    from tests.conftest import ApiClient

    me = ApiClient(token).get("/me")
    assert me.status_code == 200 and me.json()["username"] == "ada"


def test_it_refuses_a_wrong_password_with_401(make_member, api_as):
    make_member("ada")
    r = api_as().post("/auth/token", {"username": "ada", "password": "wrong"})
    assert r.status_code == 401
    assert "wrong username or password" in r.json()["detail"]


def test_it_throttles_repeated_failed_logins(make_member, api_as, settings):
    make_member("ada")
    client = api_as()
    codes = [
        client.post("/auth/token", {"username": "ada", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    # the attempt that reaches the limit is already answered with the lockout
    assert codes == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    # locked out even with the right password now
    r = client.post("/auth/token", {"username": "ada", "password": PASSWORD})
    assert r.status_code == 429 and "too many" in r.json()["detail"]


def test_a_revoked_token_no_longer_works(make_member, api_as):
    client = api_as(make_member())
    assert client.delete("/auth/token").status_code == 204
    r = client.get("/me")
    assert r.status_code == 401 and "detail" in r.json()


def test_me_needs_authentication(api_as):
    r = api_as().get("/me")
    assert r.status_code == 401
    assert "Bearer" in r.json()["detail"]


def test_a_garbage_token_is_401(db):
    from tests.conftest import ApiClient

    assert ApiClient("not-a-token").get("/me").status_code == 401


def test_patch_me_edits_fields_and_tags(make_member, api_as):
    member = make_member()
    client = api_as(member)
    r = client.patch(
        "/me",
        {
            "headline": "Backend developer",
            "offers": {"Python ": 3, "Django": 1},
            "needs": ["UX research"],
            "visibility": "public",
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["headline"] == "Backend developer"
    assert body["offers"] == {"python": 3.0, "django": 1.0}
    assert body["needs"] == {"ux research": 1.0}
    assert body["interests"] == {}
    assert body["visibility"] == "public"


@pytest.mark.parametrize(
    "payload, status, words",
    [
        ({"visibility": "everyone"}, 422, "visibility"),
        ({"offers": {"python": 50}}, 422, "offers.python: Input should be less than or equal to 10"),
        ({"offers": ["   "]}, 400, "empty"),
        ({"headline": "x" * 500}, 400, "headline"),
        ({"about": "nul\x00byte"}, 422, "NUL"),
        ({"offers": "python"}, 422, "offers"),
        ({"open_to_matching": "perhaps"}, 422, "open_to_matching"),
    ],
)
def test_patch_me_rejects_bad_input_clearly_and_writes_nothing(make_member, api_as, payload, status, words):
    member = make_member(offers=["python"])
    client = api_as(member)
    r = client.patch("/me", {"display_name": "Changed", **payload})
    assert r.status_code == status, r.content
    assert words in r.json()["detail"]
    me = client.get("/me").json()
    assert me["display_name"] != "Changed" and me["offers"] == {"python": 1.0}


def test_a_malformed_json_body_is_a_clear_4xx(make_member, api_as):
    client = api_as(make_member())
    r = client.client.patch(
        "/api/v1/me", data="{not json", content_type="application/json", headers=client.headers
    )
    assert 400 <= r.status_code < 500
    assert "detail" in r.json()


def test_unknown_api_urls_answer_json_404(api_as, db):
    r = api_as().get("/no-such-thing")
    assert r.status_code == 404 and "no such endpoint" in r.json()["detail"]


def test_session_auth_needs_csrf_for_writes(make_member):
    from django.test import Client

    member = make_member()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.get("/api/v1/me").status_code == 200
    r = client.patch("/api/v1/me", data={"headline": "x"}, content_type="application/json")
    assert r.status_code == 403
