"""Three languages in a real browser (issue 16): the Milan lobby at 1920x1080 in Italian, the Utrecht
space page and its rooms in Dutch with local date and money formats, and the footer's switcher
changing an anonymous visitor's language. Chromium asks for en-US, so what the pages speak comes
from the space or the visitor's choice, not the browser. Every page is checked like the others
(console errors, failed requests, sideways scrolling, axe)."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import formats, timezone, translation

from serendip.exchange.services import question_ask
from serendip.network.models import Room
from serendip.presence.services import checkin_create

LOCALE = Path(__file__).resolve().parents[2] / "serendip" / "locale"
FULL_HD = {"width": 1920, "height": 1080}


def english_left(text: str, language: str) -> list[str]:
    """English source phrases of our catalogue (two words or more, no placeholders) that the
    language translates differently, found in `text` (the visible text of a page): untranslated
    chrome. Names, tags and members' own words are not in the catalogue."""
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    left = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not msgid or "%" in msgid or "{" in msgid or " " not in msgid.strip():
            continue
        translated = message.string if isinstance(message.string, str) else message.string[0]
        if translated and translated != msgid and re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", text):
            left.append(msgid)
    return left


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def milan(make_member, make_space):
    space = make_space(
        name="Milano Isola Lab",
        slug="milano-isola",
        city="Milan",
        country="IT",
        timezone="Europe/Rome",
        language="it",
        seats=16,
    )
    room = Room.objects.create(space=space, name="Brera", capacity=6, hourly_price_cents=3000)
    today = space.local_today()
    for n, (name, offers) in enumerate(
        [
            ("Giulia Romano", ["fundraising", "pitch decks"]),
            ("Marco Bianchi", ["product design"]),
            ("Ugo Ferri", ["3d printing"]),
        ]
    ):
        member = make_member(display_name=name, visibility="public", offers=offers)
        checkin_create(member=member, space_id=space.pk, date=today, focus="" if n else "un nuovo portale")
    question_ask(asker=member, title="Chi conosce bene le gare pubbliche?", here=True)  # member's words
    return space, room


def test_the_milan_lobby_speaks_italian_on_a_full_hd_screen(visit, milan):
    space, _ = milan
    v = visit(FULL_HD)
    v.go(f"/spaces/{space.slug}/lobby")
    page = v.page
    assert page.get_attribute("html", "lang") == "it"
    text = page.inner_text("body")
    now = timezone.now().astimezone(space.tz)
    with translation.override("it"):
        today = formats.date_format(now, "WEEKDAY_FORMAT")
    assert today in page.inner_text(".lobby-clock")  # e.g. "domenica 29 novembre" / "Domenica 29 novembre"
    assert "Giulia Romano" in text and "fundraising" in text  # names and tags as written
    assert "Chi conosce bene le gare pubbliche?" in text
    # The chrome is Italian: the lobby's own strings are translated, no English phrase is left.
    for msgid in (
        "Here today",
        "Rooms today",
        "What are you working on?",
        "Scan to check in and tell the room.",
    ):
        assert in_language("it", msgid) != msgid, f"not translated yet: {msgid}"
        assert in_language("it", msgid) in text
    assert english_left(text, "it") == []


def test_the_utrecht_space_page_and_rooms_speak_dutch_with_local_formats(visit, make_member, make_space):
    space = make_space(name="Seats2meet Utrecht CS", slug="utrecht-cs", language="nl", seats=24)
    Room.objects.create(space=space, name="Dom", capacity=8, hourly_price_cents=1250)
    member = make_member(display_name="Sanne Bakker", visibility="public", offers=["sustainability"])
    checkin_create(member=member, space_id=space.pk, date=space.local_today())
    v = visit()
    v.go(f"/spaces/{space.slug}/")
    page = v.page
    assert page.get_attribute("html", "lang") == "nl"
    text = page.inner_text("main")
    with translation.override("nl"):
        today = formats.date_format(space.local_today(), "DATE_FORMAT")
    assert today in text  # "30 november 2026", not 2026-11-30 or 11/30/2026
    assert "Amsterdam" in text and "Europe/Amsterdam" not in text  # the time zone named for people
    assert "Nederland" in text  # the country in Dutch, not "NL"
    assert english_left(page.inner_text("body"), "nl") == []

    v.go(f"/spaces/{space.slug}/rooms")
    rooms = page.inner_text("main").replace("\N{NO-BREAK SPACE}", " ")
    assert page.get_attribute("html", "lang") == "nl"
    assert "€ 12,50" in rooms  # Dutch money: the sign first, a space, a decimal comma
    assert "€12.50" not in rooms
    assert english_left(page.inner_text("body"), "nl") == []


def test_the_footer_switcher_changes_an_anonymous_visitors_language(visit, make_space):
    make_space(name="Seats2meet Utrecht CS", slug="utrecht-cs", language="nl")
    v = visit()
    v.go("/spaces/")
    page = v.page
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("nav#site-nav a[href='/spaces/']") == "Spaces"
    page.select_option("#language-switcher", "it")
    with page.expect_navigation():
        page.click("footer .language-switcher button")
    v.check("/spaces/ after switching")
    assert page.url.endswith("/spaces/")
    assert page.get_attribute("html", "lang") == "it"
    assert page.inner_text("nav#site-nav a[href='/spaces/']") == in_language("it", "Spaces") != "Spaces"
    # The choice sticks (a cookie), and beats a space's own language on its page.
    v.go("/spaces/utrecht-cs/")
    assert page.get_attribute("html", "lang") == "it"
    assert page.input_value("#language-switcher") == "it"
