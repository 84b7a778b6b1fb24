"""Which language a person sees (site.middleware.LanguageMiddleware): member > cookie > the space's
language on its lobby and public page > Accept-Language > English; the API always English."""

import re

import pytest
from django.conf import settings
from django.test import Client

from serendip.passport.services import member_update

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def lang_of(response) -> str:
    """The page's <html lang>, checked against its Content-Language header."""
    match = re.search(rb'<html lang="([^"]+)"', response.content)
    assert match, "no <html lang> on the page"
    lang = match.group(1).decode()
    assert response["Content-Language"] == lang
    return lang


def client_for(member=None, *, cookie=None, accept=None) -> Client:
    client = Client(headers={"Accept-Language": accept} if accept else {})
    if member is not None:
        client.force_login(member.user)
    if cookie:
        client.cookies[COOKIE] = cookie
    return client


@pytest.fixture
def milan(make_space):
    return make_space(
        name="Milano Isola Lab",
        slug="milano",
        city="Milan",
        country="IT",
        timezone="Europe/Rome",
        language="it",
    )


def test_it_speaks_english_without_any_preference(db):
    assert lang_of(Client().get("/spaces/")) == "en"


def test_it_follows_accept_language(db):
    assert lang_of(client_for(accept="nl-NL,nl;q=0.9,en;q=0.5").get("/spaces/")) == "nl"
    assert lang_of(client_for(accept="it").get("/spaces/")) == "it"
    # A language we have no catalogue for falls through to the next acceptable one, then English.
    assert lang_of(client_for(accept="de-DE,it;q=0.5").get("/spaces/")) == "it"
    assert lang_of(client_for(accept="de-DE").get("/spaces/")) == "en"


def test_the_cookie_beats_accept_language(db):
    assert lang_of(client_for(cookie="it", accept="nl").get("/spaces/")) == "it"


def test_a_cookie_for_a_language_we_do_not_speak_is_ignored(db):
    assert lang_of(client_for(cookie="de", accept="nl").get("/spaces/")) == "nl"


def test_the_members_choice_beats_the_cookie_and_the_browser(make_member):
    member = make_member()
    member_update(member=member, language="nl")
    assert lang_of(client_for(member, cookie="it", accept="it").get("/passport/")) == "nl"


def test_a_blank_member_choice_means_as_the_browser_asks(make_member):
    member = make_member()
    assert member.language == ""
    assert lang_of(client_for(member, accept="it").get("/passport/")) == "it"
    assert lang_of(client_for(member, cookie="nl", accept="it").get("/passport/")) == "nl"


def test_lobby_and_public_page_speak_the_spaces_language(milan):
    for path in ("/spaces/milano/lobby", "/spaces/milano/", "/spaces/milano/rooms"):
        assert lang_of(client_for(accept="nl").get(path)) == "it", path
    # ... but the rest of the site still follows the browser.
    assert lang_of(client_for(accept="nl").get("/spaces/")) == "nl"


def test_a_visitors_own_choice_beats_the_spaces_language(milan, make_member):
    assert lang_of(client_for(cookie="nl").get("/spaces/milano/lobby")) == "nl"
    member = make_member()
    member_update(member=member, language="en")
    assert lang_of(client_for(member, accept="it").get("/spaces/milano/")) == "en"


def test_an_unknown_space_is_a_404_page_not_a_crash(db):
    assert Client().get("/spaces/" + "x" * 200 + "/lobby").status_code == 404


def test_pages_vary_on_language_inputs(db):
    vary = Client().get("/spaces/")["Vary"]
    assert "Accept-Language" in vary
    assert "Cookie" in vary


def test_the_api_stays_english(make_member, api_as):
    member = make_member()
    member_update(member=member, language="nl")
    api = api_as(member)
    api.headers["Accept-Language"] = "nl"
    api.client.cookies[COOKIE] = "it"
    response = api.get("/me")
    assert response["Content-Language"] == "en"
    unknown = api.post("/checkins", {"space_id": 999999, "date": "2099-01-01"})
    assert unknown.status_code in (400, 404)
    body = unknown.json()
    assert set(body) >= {"detail", "code"}
    english = api_as(make_member()).post("/checkins", {"space_id": 999999, "date": "2099-01-01"}).json()
    assert body["detail"] == english["detail"]


def test_the_switcher_sets_the_cookie_and_goes_back(db):
    client = Client()
    page = client.get("/spaces/")
    assert b'action="/i18n/setlang/"' in page.content
    response = client.post("/i18n/setlang/", {"language": "it", "next": "/spaces/"})
    assert response.status_code == 302
    assert response["Location"] == "/spaces/"
    assert client.cookies[COOKIE].value == "it"
    assert lang_of(client.get("/spaces/")) == "it"


def test_the_switcher_saves_a_members_choice(make_member):
    member = make_member()
    client = client_for(member)
    client.post("/i18n/setlang/", {"language": "nl", "next": "/passport/"})
    member.refresh_from_db()
    assert member.language == "nl"
    # On another device, without the cookie, the member still sees their language.
    assert lang_of(client_for(member, accept="it").get("/passport/")) == "nl"


def test_the_switcher_refuses_what_we_do_not_speak(make_member):
    member = make_member()
    client_for(member).post("/i18n/setlang/", {"language": "xx", "next": "/passport/"})
    member.refresh_from_db()
    assert member.language == ""


def test_the_switcher_never_redirects_off_site(db):
    response = Client().post("/i18n/setlang/", {"language": "nl", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_passport_page_saves_the_language(make_member):
    member = make_member()
    client = client_for(member)
    data = {"display_name": member.display_name, "visibility": member.visibility, "language": "it"}
    response = client.post("/passport/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "it"
    assert lang_of(client.get("/passport/")) == "it"


def test_the_api_reads_and_sets_the_members_language(make_member, api_as):
    member = make_member()
    api = api_as(member)
    assert api.get("/me").json()["language"] == ""
    assert api.patch("/me", {"language": "it"}).json()["language"] == "it"
    member.refresh_from_db()
    assert member.language == "it"
    refused = api.patch("/me", {"language": "de"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "validation_error"
    assert api.patch("/me", {"language": ""}).json()["language"] == ""


def test_host_settings_change_the_spaces_language(make_member, make_space):
    host = make_member()
    space = make_space(language="en")
    space.hosts.add(host)
    data = {
        "form": "settings",
        "seats": space.seats,
        "seat_price": "5",
        "cancellation_free_hours": 24,
        "house_rules": "",
        "language": "nl",
    }
    response = client_for(host).post(f"/host/{space.slug}/settings", data)
    assert response.status_code == 302, response.content[:500]
    space.refresh_from_db()
    assert space.language == "nl"
