"""Email: composing from notifications (verified addresses only, daily cap, digest), sending
with retries and backoff, one-click unsubscribe tokens, account emails and password reset."""

import datetime as dt
import re
from email import message_from_bytes

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from serendip.exchange.services import answer_create, question_ask
from serendip.notifications.models import AccountEmail, EmailState, Notification, OutboundEmail, Preference
from serendip.notifications.services import notify
from serendip.notifications.tokens import unsubscribe_token
from serendip.notifications.worker import digests_send, emails_compose, emails_send, verifications_queue
from serendip.passport.models import Activity
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def answered(asker, author, n=1):
    for i in range(n):
        q = question_ask(asker=asker, title=f"Question {i} of {asker.display_name}")
        answer_create(author=author, question_id=q.pk, body="Here is how")


def test_emails_go_only_to_verified_addresses(make_member, verify):
    verified, unverified, author = verify(make_member()), make_member(), make_member()
    unverified.user.email = "not-yet@example.org"
    unverified.user.save()
    answered(verified, author)
    answered(unverified, author)
    emails_compose()
    assert list(OutboundEmail.objects.filter(kind="answer_posted").values_list("to", flat=True)) == [
        verified.user.email
    ]
    assert Notification.objects.get(recipient=unverified, kind="answer_posted").email == EmailState.SKIPPED


def test_a_busy_member_gets_at_most_the_daily_cap_the_rest_in_the_digest(make_member, verify, settings):
    settings.EMAIL_DAILY_CAP = 2
    busy, author = verify(make_member()), make_member()
    answered(busy, author, n=5)
    emails_compose()
    assert OutboundEmail.objects.filter(member=busy).count() == 2
    states = sorted(Notification.objects.filter(recipient=busy).values_list("email", flat=True))
    assert states == ["digest", "digest", "digest", "emailed", "emailed"]
    assert digests_send() == 1
    digest = OutboundEmail.objects.get(member=busy, kind="digest")
    assert digest.text.count("answered your question") == 3
    assert not Notification.objects.filter(recipient=busy, email=EmailState.DIGEST).exists()


def test_an_email_is_text_and_html_with_one_click_unsubscribe(make_member, verify, smtp_sink):
    asker, author = verify(make_member()), make_member(display_name="Bea")
    answered(asker, author)
    emails_compose()
    assert emails_send() == 1
    smtp_sink.wait_for(1)
    msg = message_from_bytes(smtp_sink.messages[0])
    assert msg["To"] == asker.user.email and msg["Message-ID"] == OutboundEmail.objects.get().message_id
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://[^>]+/unsubscribe/[^>]+>", "".join(msg["List-Unsubscribe"].split()))
    types = [part.get_content_type() for part in msg.walk()]
    assert "text/plain" in types and "text/html" in types
    assert OutboundEmail.objects.get().status == "sent"


def test_a_failed_send_is_retried_with_backoff_and_visible(make_member, verify, settings, smtp_sink):
    asker, author = verify(make_member()), make_member()
    answered(asker, author)
    emails_compose()
    settings.EMAIL_PORT = smtp_sink.port + 1 if smtp_sink.port < 65535 else 1  # nobody listens there
    before = timezone.now()
    assert emails_send() == 0
    email = OutboundEmail.objects.get()
    assert email.status == "queued" and email.attempts == 1 and email.last_error
    assert email.next_attempt_at >= before + dt.timedelta(seconds=29)
    assert emails_send() == 0 and OutboundEmail.objects.get().attempts == 1  # not due yet
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    settings.EMAIL_PORT = smtp_sink.port
    assert emails_send() == 1 and OutboundEmail.objects.get().status == "sent"


def test_one_click_unsubscribe_turns_that_kind_of_email_off(make_member):
    member = make_member()
    token = unsubscribe_token(member=member, kind="answer_posted")
    client = Client(enforce_csrf_checks=True)  # mail clients send no CSRF token
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and not Preference.objects.exists()  # a GET changes nothing
    response = client.post(f"/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(member=member, kind="answer_posted").channel == "inapp"


def test_a_tampered_or_expired_unsubscribe_token_is_a_400_and_changes_nothing(make_member, monkeypatch):
    member = make_member()
    token = unsubscribe_token(member=member, kind="answer_posted")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = signing.dumps({"m": member.pk, "k": "answer_posted"}, salt="serendip.verify", compress=True)
    for bad in (tampered, forged, "nonsense"):
        response = Client().post(f"/unsubscribe/{bad}")
        assert response.status_code == 400 and b"invalid or has expired" in response.content
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 91 * 24 * 3600)
    assert Client().post(f"/unsubscribe/{token}").status_code == 400
    assert Client().get(f"/unsubscribe/{token}").status_code == 400
    assert not Preference.objects.exists()


def test_signup_address_is_verified_by_link_and_nothing_is_sent_before(make_member):
    member = make_member(verified=False)
    member.user.email = "new@example.org"
    member.user.save()
    notify(recipient=member, kind="low_balance", params={"balance": "1", "space": "X", "price": "5"})
    assert verifications_queue() == 1 and verifications_queue() == 0
    emails_compose()
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == ["verify"]
    link = re.search(r"http://\S+/email/verify/(\S+)", OutboundEmail.objects.get().text)
    client = Client()
    assert client.get(f"/email/verify/{link.group(1)}").status_code == 200
    assert AccountEmail.objects.get(member=member).verified_at is None  # GET only shows the button
    assert client.post(f"/email/verify/{link.group(1)}").status_code == 200
    assert AccountEmail.objects.get(member=member).verified_at is not None
    member.refresh_from_db()  # onboarding: the member is verified by email, with the welcome grant
    assert member.verified_at is not None and member.verified_how == "email"
    assert Activity.objects.filter(member=member, verb="verified").count() == 1
    assert client.post(f"/email/verify/{link.group(1)}x").status_code == 400


def test_an_email_change_is_confirmed_at_the_new_address(make_member, verify):
    member = verify(make_member(), "old@example.org")
    client = Client()
    client.force_login(member.user)
    response = client.post("/notifications/settings", {"action": "email", "email": "new@example.org"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.email == "old@example.org"  # not until confirmed
    email = OutboundEmail.objects.get(kind="email_change")
    assert email.to == "new@example.org"
    token = re.search(r"/email/change/(\S+)", email.text).group(1)
    assert Client().post(f"/email/change/{token}").status_code == 200
    member.user.refresh_from_db()
    assert member.user.email == "new@example.org" and AccountEmail.objects.get(member=member).verified_at


def test_password_reset_says_the_same_whether_or_not_the_address_exists(make_member, verify):
    member = verify(make_member(), "ada@example.org")
    known = Client().post("/password-reset/", {"email": "ada@example.org"})
    unknown = Client().post("/password-reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password-reset/sent"
    email = OutboundEmail.objects.get(kind="password_reset")
    assert email.to == "ada@example.org" and email.member == member
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", email.text).group(0)
    client = Client()
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert page.status_code == 200
    new = "a-brand-new-pass-42"
    done = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("a-brand-new-pass-42") and not member.user.check_password(PASSWORD)


def test_password_reset_pages_and_email_are_ours_not_the_admins(make_member, verify):
    # django.contrib.admin ships registration/password_reset_*.html and the subject template; ours
    # live in serendip/templates (DIRS come first), so the admin's never shadow them.
    verify(make_member(), "ada@example.org")
    client = Client()
    form = client.get("/password-reset/")
    assert "Send me a link" in form.content.decode() and "Django" not in form.content.decode()
    done = client.post("/password-reset/", {"email": "ada@example.org"}, follow=True)
    assert "Check your email" in done.content.decode() and "Django" not in done.content.decode()
    email = OutboundEmail.objects.get(kind="password_reset")
    assert email.subject == "Reset your Serendip password"
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", email.text).group(0)
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert "Django" not in page.content.decode()
    new = "a-brand-new-pass-42"
    finished = client.post(
        page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Password changed" in finished.content.decode() and "Django" not in finished.content.decode()


def test_password_reset_is_throttled_per_client(make_member, settings):
    settings.PASSWORD_RESET_PER_HOUR = 3
    client = Client()
    codes = [client.post("/password-reset/", {"email": f"x{i}@example.org"}).status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_senders_share_the_queue_and_send_each_email_once(settings, smtp_sink):
    from serendip.notifications.outbox import email_queue
    from serendip.notifications.worker import emails_deliver

    settings.EMAIL_SENDERS = 4
    for i in range(40):
        email_queue(to=f"r{i}@example.org", kind="verify", subject="Hello", text="Hi")
    assert emails_deliver() == 40
    smtp_sink.wait_for(40)
    ids = [message_from_bytes(m)["Message-ID"] for m in smtp_sink.messages]
    assert len(ids) == len(set(ids)) == 40
    assert set(ids) == set(OutboundEmail.objects.values_list("message_id", flat=True))
