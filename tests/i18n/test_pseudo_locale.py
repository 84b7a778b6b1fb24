"""Every page, screen and email rendered under the pseudo-locale (tests/i18n/pseudo.py): text
outside ⟦…⟧ markers that is not data (names, tags, numbers, dates, money, addresses: the demo's own
values) was never marked for translation. A failure names the page and the text: mark it
({% translate %} / gettext), run `make messages`, and the translators take it from there.

The same pages in nl and it must show no English msgid (of two words or more) verbatim: that
passes once the translators are done (test_no_english_left_in_*)."""

import datetime as dt
import io
import re
import sys
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from serendip.exchange.models import Question
from serendip.network.models import Booking, Invoice, Room, Space
from serendip.notifications import tokens
from serendip.notifications.kinds import KINDS
from serendip.notifications.mail import (
    digest_message,
    email_change_message,
    notification_message,
    verification_message,
)
from serendip.notifications.models import Notification
from serendip.passport.models import Member

from . import pseudo
from .catalogues import LANGUAGES, extract_into_copy, po_path, read_catalogue

pytestmark = pytest.mark.django_db

# The demo's data that people wrote (members, hosts, the operator), and records that are shown as
# they were written: the signed ledger's memos (append-only, signed: never rewritten per reader)
# and issued invoices (written once, in the booker's or the space's language). Other code-written fields
# (activity summaries) are deliberately absent: if they show, they must be translated.
DATA_FIELDS = {
    User: ["username", "email", "first_name", "last_name"],
    Member: ["display_name", "headline", "about", "pseudonym"],
    "passport.Tag": ["name"],
    Space: [
        "name",
        "slug",
        "city",
        "country",
        "house_rules",
        "address",
        "legal_name",
        "vat_id",
        "iban",
        "bic",
    ],
    Room: ["name", "amenities"],
    Booking: ["title", "payment_reference"],
    Invoice: [
        "number",
        "seller_name",
        "seller_address",
        "seller_vat_id",
        "buyer_name",
        "buyer_email",
        "description",
        "payment_details",
    ],
    "ledger.Transaction": ["reason"],
    "presence.CheckIn": ["focus"],
    Question: ["title", "body"],
    "exchange.Answer": ["body"],
    "exchange.Introduction": ["message"],
    "exchange.Outcome": ["note"],
    "experiments.Experiment": ["name", "description"],
}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def demo_data() -> set[str]:
    from django.apps import apps

    values: list[str] = []
    for model, fields in DATA_FIELDS.items():
        model = apps.get_model(model) if isinstance(model, str) else model
        for row in model.objects.values_list(*fields):
            for v in row:
                values.extend(_strings(v))
    # Notification params are the data a notification's sentence is filled with (titles, names).
    for params in Notification.objects.values_list("params", flat=True):
        values.extend(s for k, v in params.items() if not k.startswith("_") for s in _strings(v))
    values += [name for _code, name in settings.LANGUAGES]
    values += pseudo.locale_words()
    # The site's own host name (the test client's), and names that are the same in every language.
    values += [
        "testserver",
        "Serendip",
        "Seats2meet",
        "SC",
        "PDF",
        "API",
        "EUR",
        "€",
        "IBAN",
        "BIC",
        "VAT",
        "ID",
    ]
    return pseudo.data_values(values)


@pytest.fixture(scope="session")
def extracted(tmp_path_factory):
    """Our msgids as `make messages` extracts them now (not as last committed)."""
    locale = extract_into_copy(tmp_path_factory.mktemp("extract"))
    return locale / "nl" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def pseudo_locale(extracted, tmp_path, monkeypatch):
    root = pseudo.write_pseudo_locale(tmp_path / "locale", [extracted, *pseudo.django_catalogues()])
    # Our own named formats (serendip/formats: DAY_MONTH_YEAR_FORMAT …) exist for en, nl and it;
    # the pseudo-locale borrows the English ones, as any new language would start from them.
    from django.utils import formats

    import serendip.formats.en.formats as english_formats

    monkeypatch.setitem(sys.modules, f"serendip.formats.{pseudo.PSEUDO}", sys.modules["serendip.formats.en"])
    monkeypatch.setitem(sys.modules, f"serendip.formats.{pseudo.PSEUDO}.formats", english_formats)
    formats.reset_format_cache()
    with override_settings(
        LANGUAGES=[*settings.LANGUAGES, (pseudo.PSEUDO, "Pseudo")],
        LOCALE_PATHS=[root, *settings.LOCALE_PATHS],
    ):
        yield pseudo.PSEUDO
    formats.reset_format_cache()


@pytest.fixture
def demo():
    call_command("demo", stdout=io.StringIO())


def client_for(username: str | None, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if username:
        user = User.objects.get(username=username)
        member = Member.objects.filter(user=user).first()
        if member is not None and hasattr(member, "language"):
            # A member's own choice wins over the cookie (issue 16): choose the language under test.
            Member.objects.filter(pk=member.pk).update(language=language)
        client.force_login(user)
    return client


def pages() -> list[tuple[str | None, str]]:
    """(who, path) for every page of the product; who is a demo username or None (anonymous)."""
    space = Space.objects.get(slug="utrecht-cs")
    milan = Space.objects.get(slug="milano-isola")
    room = Room.objects.filter(space=space).first()
    ada = Member.objects.get(user__username="ada")
    question = Question.objects.filter(answers__isnull=False).first() or Question.objects.first()
    invoice = (
        Invoice.objects.filter(seller_name=space.legal_name or space.name).first() or Invoice.objects.first()
    )
    user = ada.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset = f"/password-reset/{uid}/{default_token_generator.make_token(user)}/"
    anonymous = [
        "/",
        "/spaces/",
        f"/spaces/{space.slug}/",
        f"/spaces/{space.slug}/lobby",
        f"/spaces/{milan.slug}/lobby",
        f"/spaces/{space.slug}/rooms",
        "/login/",
        "/signup/",
        "/privacy/",
        "/credentials/verify",
        "/password-reset/",
        "/password-reset/sent",
        reset,
        "/password-reset/done",
        "/experiments/",
        "/no-such-page/",
        f"/unsubscribe/{tokens.unsubscribe_token(member=ada, kind='answer_posted')}",
        f"/email/verify/{tokens.make('verify', {'m': ada.pk, 'e': ada.user.email})}",
        f"/email/change/{tokens.make('email_change', {'m': ada.pk, 'e': 'new@example.org'})}",
    ]
    member = [
        "/",
        "/spaces/",
        f"/spaces/{space.slug}/",
        f"/spaces/{space.slug}/rooms",
        "/passport/",
        "/passport/balance/",
        "/passport/balance/verify/",
        "/passport/password",
        "/passport/data/",
        "/questions/",
        "/questions/ask",
        f"/questions/{question.pk}/",
        "/introductions/",
        "/meetings/",
        "/bookings/",
        "/notifications/",
        "/notifications/settings",
        "/notifications/bell",
        "/following/",
        "/passport/billing",
        f"/host/{space.slug}/",  # not a host: the 403 page
        # The booking form's price preview, at 03:00: a service error shown on the page.
        f"/spaces/{space.slug}/rooms/quote?room={room.pk}&date={space.local_today() + dt.timedelta(days=1)}"
        "&start=03:00&end=04:00",
    ]
    host = [
        "/host/",
        f"/host/{space.slug}/",
        f"/host/{space.slug}/settings",
        f"/host/{space.slug}/rooms/new",
        f"/host/{space.slug}/rooms/{room.pk}/",
        f"/insights/spaces/{space.slug}/",
    ]
    # Django's admin is left out: its model and field names are the models' verbose names, most
    # not marked yet (marking them changes every migration's state); README "Tests" says so.
    operator = ["/insights/", "/outbox/"]
    if invoice:
        operator.append(f"/invoices/{invoice.number}")
    return (
        [(None, p) for p in anonymous]
        + [("ada", p) for p in member]
        + [("host", p) for p in host]
        + [("operator", p) for p in operator]
    )


# URL names that are not pages people read (POST-only actions, files, feeds, machine documents).
NOT_PAGES = {
    "set_language": "POST only (the footer switcher)",
    "host_checkin_mark": "POST only",
    "checkin": "POST only",
    "checkin_cancel": "POST only",
    "room_book": "POST only",
    "booking_cancel": "POST only",
    "invoice_pdf": "a PDF (the same template as the invoice page, which is checked)",
    "sign_out_everywhere": "POST only",
    "logout": "POST only",
    "photo": "POST only",
    "photo_image": "an image",
    "answer": "POST only",
    "accept": "POST only",
    "introduction_request": "POST only",
    "introduction_respond": "POST only",
    "meeting_record": "POST only",
    "meeting_confirm": "POST only",
    "outcome": "POST only",
    "ledger_checkpoint": "the signed log's text format",
    "ledger_key": "a key",
    "ledger_entry_bundle": "log tiles",
    "ledger_tile": "log tiles",
    "experiments_csv": "CSV data",
    "export_download": "a ZIP of JSON",
    "export_prepared": "a ZIP of JSON",
    "credential_download": "a JSON credential",
    "erase": "POST only (its form is on /passport/data/)",
    "credentials_context": "JSON-LD",
    "status_list": "a credential status list",
    "achievement": "JSON-LD",
    "achievement_tag": "JSON-LD",
    "did_json": "a DID document",
    "notification_read_all": "POST only",
    "notification_read": "POST only",
    "follow_member": "POST only",
    "follow_tag": "POST only",
    "calendar_feed": "an iCalendar feed",
    "healthz": "JSON for monitors",
}


def test_every_page_is_in_the_pseudo_locale_test(demo):
    """A new page must join pages() (or NOT_PAGES, saying why), so the marking check sees it."""
    from django.urls import Resolver404, URLResolver, get_resolver, resolve

    def names(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith(("api/", "admin/")):
                    yield from names(p.url_patterns)
            elif p.name:
                yield p.name

    rendered = set()
    for _who, path in pages():
        try:
            rendered.add(resolve(urlparse(path).path).url_name)
        except Resolver404:  # /no-such-page/: the 404 page
            continue
    missing = set(names(get_resolver().url_patterns)) - rendered - set(NOT_PAGES)
    assert not missing, f"pages not rendered by the pseudo-locale test: {sorted(missing)}"


def render_pages(language: str) -> dict[str, str]:
    """Every page's HTML by "who path"; a page that fails to render is a failure in itself."""
    out, clients = {}, {}
    for who, path in pages():
        client = clients.get(who) or clients.setdefault(who, client_for(who, language))
        response = client.get(path, follow=True)
        assert response.status_code in {200, 403, 404}, f"{who or 'anonymous'} {path}: {response.status_code}"
        if "html" in response.get("Content-Type", ""):
            out[f"{who or 'anonymous'} {path}"] = response.content.decode()
    return out


def render_emails(language: str) -> dict[str, tuple[str, str, str]]:
    """Every email (each notification kind, the digest, verification, address change, password
    reset) as (subject, text, html), rendered for a recipient who reads `language`."""
    ada = Member.objects.get(user__username="ada")
    other = Member.objects.get(user__username="bram")
    if hasattr(ada, "language"):
        Member.objects.filter(pk=ada.pk).update(language=language)
        ada.refresh_from_db()
    params = {
        "actor": other.display_name,
        "title": "What do I need in a DPA with a hosting provider?",
        "earned": 5,
        "space": "Seats2meet Utrecht CS",
        "room": "Boardroom",
        "date": "2026-11-30",
        "when": "2026-11-30 10:00",
        "balance": 3,
        "price": 10,
        "tag": "python",
    }
    emails = {}
    with translation.override(language):
        notifications = []
        for kind in KINDS:
            n = Notification.objects.create(recipient=ada, kind=kind, actor=other, params=params, url="/")
            notifications.append(n)
            e = notification_message(notification=n, to="ada@example.org")
            emails[f"email {kind}"] = (e.subject, e.text, e.html)
        e = digest_message(member=ada, to="ada@example.org", notifications=notifications)
        emails["email digest"] = (e.subject, e.text, e.html)
        e = verification_message(member=ada, token="t")
        emails["email verification"] = (e.subject, e.text, e.html)
        e = email_change_message(member=ada, new_email="new@example.org", token="t")
        emails["email address change"] = (e.subject, e.text, e.html)
    mail.outbox = []
    client = client_for(None, language)
    client.post("/password-reset/", {"email": ada.user.email})
    from serendip.notifications.models import OutboundEmail

    for e in OutboundEmail.objects.filter(kind__icontains="password"):
        emails["email password reset"] = (e.subject, e.text, e.html)
    for m in mail.outbox:
        html = next((c for c, t in getattr(m, "alternatives", []) if t == "text/html"), "")
        emails["email password reset"] = (m.subject, m.body, html)
    return emails


def test_every_page_and_email_marks_its_text(demo, pseudo_locale):
    data = demo_data() | pseudo.data_values(["Boardroom", "2026-11-30", "python"])
    findings = []
    for name, html in render_pages(pseudo_locale).items():
        left = pseudo.unmarked(pseudo.visible_text(html), data)
        if left:
            findings.append(f"{name}: {sorted(set(left))}")
    for name, (subject, text, html) in render_emails(pseudo_locale).items():
        left = pseudo.unmarked([subject, text, *pseudo.visible_text(html)], data)
        if left:
            findings.append(f"{name}: {sorted(set(left))}")
    assert not findings, "text outside translation markers:\n" + "\n".join(findings)


def test_the_pseudo_locale_sees_unmarked_text(pseudo_locale, client):
    """The check can fail: a marked string is wrapped, a plain one is reported."""
    from django.template import Context, Template

    with translation.override(pseudo_locale):
        html = Template('{% load i18n %}<h1>{% translate "Spaces" %}</h1><p>Not marked</p>').render(Context())
    assert "⟦Spaces⟧" in html
    assert pseudo.unmarked(pseudo.visible_text(html), set()) == ["Not marked"]
    assert pseudo.wrap("%(n)s of %(seats)s seats", {"python-format"}) == "%(n)s⟦ of ⟧%(seats)s⟦ seats⟧"


# --- nl and it: no English left --------------------------------------------------------------------


def english_msgids(language: str) -> set[str]:
    """Our msgids of two words or more, as they read on a page (placeholders and tags are not text),
    less what the language's own translations also say (a loanword: Dutch "check-ins" too)."""
    catalogue = read_catalogue(po_path(language))
    translated = " ".join(
        form
        for message in catalogue
        if message.id
        for form in (message.string if isinstance(message.string, (tuple, list)) else [message.string])
    )
    out = set()
    for message in catalogue:
        for msgid in message.id if isinstance(message.id, (tuple, list)) else [message.id]:
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|\{\w*\}", msgid):
                piece = piece.strip(" .,:;·()").replace("%%", "%")
                if "/" in piece or piece in translated:
                    continue
                if len(re.findall(r"[^\W\d_]{2,}", piece)) >= 2:
                    out.add(piece)
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_on_any_page(demo, language):
    msgids = english_msgids(language)
    findings = []
    for name, html in render_pages(language).items():
        text = re.sub(r"\s+", " ", " ".join(pseudo.visible_text(html)))
        left = sorted(m for m in msgids if m in text)
        if left:
            findings.append(f"{name}: {left}")
    assert not findings, f"English text on {language} pages:\n" + "\n".join(findings)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_in_any_email(demo, language):
    msgids = english_msgids(language)
    findings = []
    for name, (subject, text, html) in render_emails(language).items():
        shown = re.sub(r"\s+", " ", " ".join([subject, text, *pseudo.visible_text(html)]))
        left = sorted(m for m in msgids if m in shown)
        if left:
            findings.append(f"{name}: {left}")
    assert not findings, f"English text in {language} emails:\n" + "\n".join(findings)
