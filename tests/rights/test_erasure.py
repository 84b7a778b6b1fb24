"""Erasure: no personal field of the member left in any table (walked dynamically), the ledger
still verifies, the others' records stay consistent; twice is safe; invoices go after retention."""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from serendip.errors import Forbidden
from serendip.exchange import machine
from serendip.exchange.models import Meeting, MeetingStatus, Outcome, QuestionRoute
from serendip.exchange.routing import suggestions
from serendip.exchange.services import question_ask
from serendip.ledger.models import Transaction, TxKind
from serendip.ledger.selectors import balance_mismatches, member_balance
from serendip.network.models import Booking, Invoice
from serendip.notifications.models import Notification, Subscription
from serendip.passport.models import Activity, Photo
from serendip.presence.models import SEAT_HOLDING, CheckIn
from serendip.presence.selectors import checkins_here
from serendip.presence.services import checkin_create
from serendip.rights.issuing import credential_verify
from serendip.rights.models import Erasure
from serendip.rights.services import _erase, credential_issue_passport, invoices_purge, member_erase
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def find_everywhere(values: list[str]) -> dict[str, list[str]]:
    """Every text column of every table (every installed app, found now, so tables other apps
    add are searched too) that contains one of `values`: {"app.model.field": [values found]}."""
    found: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                qs = model._default_manager.all()
                column = field.attname
                if isinstance(field, models.JSONField):
                    qs = qs.annotate(_as_text=Cast(field.attname, models.TextField()))
                    column = "_as_text"
                hits = [v for v in values if qs.filter(**{f"{column}__icontains": v}).exists()]
            elif isinstance(field, models.BinaryField):
                blobs = [bytes(b) for b in model._default_manager.values_list(field.attname, flat=True) if b]
                hits = [v for v in values if any(v.lower().encode() in b.lower() for b in blobs)]
            else:
                continue
            if hits:
                found[f"{model._meta.label_lower}.{field.name}"] = hits
    return found


def personal(s) -> list[str]:
    return [s.name, s.email, s.username, *s.texts]


def test_the_search_finds_the_member_before_erasure(rich_network):
    found = find_everywhere(personal(rich_network["zeb"]))
    # The searcher itself can fail: before erasure the member is in many tables.
    assert {
        "auth.user.username",
        "auth.user.email",
        "passport.member.display_name",
        "passport.activity.summary",
        "exchange.outcome.note",
        "network.invoice.buyer_name",
    } <= set(found)


def test_erasure_leaves_no_personal_field_but_the_invoices_kept_by_law(rich_network):
    zeb = rich_network["zeb"]
    erasure = member_erase(member=zeb.member, password=PASSWORD)
    found = find_everywhere(personal(zeb))
    # Only the invoices, kept by law: the buyer's name and e-mail on them.
    assert set(found) <= {"network.invoice.buyer_name", "network.invoice.buyer_email"}
    assert zeb.name in found["network.invoice.buyer_name"]
    assert erasure.invoices_kept_until.year >= dt.date.today().year + 7
    assert not Photo.objects.filter(member=zeb.member).exists()
    assert not Subscription.objects.filter(Q(member=zeb.member) | Q(followed=zeb.member)).exists()
    assert not Notification.objects.filter(Q(recipient=zeb.member) | Q(actor=zeb.member)).exists()
    assert Notification.objects.filter(recipient=rich_network["helper"]).exists()  # theirs stay
    # The retention job leaves them until the period is over, then removes them.
    assert invoices_purge(today=erasure.invoices_kept_until) == 0
    assert invoices_purge(today=erasure.invoices_kept_until + dt.timedelta(days=1)) >= 1
    assert find_everywhere(personal(zeb)) == {}
    assert not Booking.objects.filter(member=zeb.member).exists()
    assert Invoice.objects.filter(booking__member=rich_network["phil"].member).exists()


def test_the_ledger_verifies_and_the_rest_goes_back_to_the_network(rich_network):
    zeb, phil = rich_network["zeb"].member, rich_network["phil"].member
    phil_balance = member_balance(phil)
    left = member_balance(zeb) + 200  # the seat of the check-in in three days is refunded first
    assert left > 200
    member_erase(member=zeb, password=PASSWORD)
    assert Transaction.objects.filter(kind=TxKind.SEAT_REFUND, beneficiary=zeb).count() == 1
    closing = Transaction.objects.get(kind=TxKind.ACCOUNT_CLOSED, beneficiary=zeb)
    assert sorted(p.amount for p in closing.postings.all()) == [-left, left]
    assert member_balance(zeb) == 0 and member_balance(phil) == phil_balance
    assert balance_mismatches() == []
    out = StringIO()
    call_command("ledger", "verify", stdout=out)  # raises CommandError on any inconsistency
    assert "verified" in out.getvalue().lower() or "ok" in out.getvalue().lower()


def test_the_others_keep_that_a_meeting_took_place(rich_network):
    zeb, helper = rich_network["zeb"].member, rich_network["helper"]
    meetings_before = Meeting.objects.filter(status=MeetingStatus.CONFIRMED).count()
    helper_activities = Activity.objects.filter(member=helper).count()
    member_erase(member=zeb, password=PASSWORD)
    meeting = Meeting.objects.get(recorded_by=zeb, other=helper)
    assert meeting.status == MeetingStatus.CONFIRMED
    assert Meeting.objects.filter(status=MeetingStatus.CONFIRMED).count() == meetings_before
    assert Activity.objects.filter(member=helper).count() == helper_activities
    assert Activity.objects.filter(member=helper, summary__contains="a deleted member").exists()
    theirs = Outcome.objects.get(meeting=meeting, member=helper)
    assert theirs.kind == "learned" and theirs.note == "a deleted member knew it all"
    mine = Outcome.objects.get(meeting=meeting, member=zeb)
    assert mine.kind == "paid_work" and mine.note == ""
    assert Transaction.objects.filter(beneficiary=helper, reason__contains="a deleted member").exists()


def test_an_erased_member_vanishes_from_suggestions_lobby_routing_and_the_index(rich_network):
    zeb, space, helper = rich_network["zeb"].member, rich_network["space"], rich_network["helper"]
    today = space.local_today()
    assert str(zeb.pk) in machine.engine()
    assert zeb.pk in [c.member_id for c in checkins_here(space=space, date=today)]
    member_erase(member=zeb, password=PASSWORD)
    assert str(zeb.pk) not in machine.engine()
    machine.reset()  # another process: builds its index from the database
    assert str(zeb.pk) not in machine.engine()
    assert zeb.pk not in [c.member_id for c in checkins_here(space=space, date=today)]
    assert zeb.pk not in [r.member_id for r in suggestions(member=helper, space=space, date=today)]
    q = question_ask(
        asker=helper, title="Who knows xylophonic brewing?", tags=["xylophonic brewing", "zymurgy"]
    )
    assert not QuestionRoute.objects.filter(question=q, member=zeb).exists()
    assert not CheckIn.objects.filter(member=zeb, date__gte=today, status__in=SEAT_HOLDING).exists()


def test_a_process_with_an_index_drops_the_member_at_its_next_look(rich_network):
    zeb = rich_network["zeb"].member
    assert str(zeb.pk) in machine.engine()  # this process's index, built before the erasure
    _erase(zeb)  # (forget() runs on commit; the test's transaction never commits)
    assert str(zeb.pk) not in machine.engine()  # the incremental refresh found and dropped it


def test_a_wrong_password_erases_nothing(rich_network, api_as):
    zeb = rich_network["zeb"]
    with pytest.raises(Forbidden, match="password"):
        member_erase(member=zeb.member, password="not it")
    r = api_as(zeb.member).post("/me/erase", {"password": "not it"})
    assert r.status_code == 403 and "password" in r.json()["detail"]
    assert not Erasure.objects.exists()
    assert find_everywhere([zeb.email])


def test_erasing_twice_is_safe(rich_network, api_as):
    zeb = rich_network["zeb"].member
    client = api_as(zeb)
    r = client.post("/me/erase", {"password": PASSWORD})
    assert r.status_code == 200 and r.json()["erased_at"]
    assert client.post("/me/erase", {"password": PASSWORD}).status_code == 401  # the token is gone
    first = Erasure.objects.get(member=zeb)
    assert _erase(zeb) == first  # the service itself: returns the first erasure, does nothing
    assert Transaction.objects.filter(kind=TxKind.ACCOUNT_CLOSED, beneficiary=zeb).count() == 1
    assert balance_mismatches() == []


def test_an_erased_member_cannot_check_in_or_get_credentials(rich_network):
    zeb, space = rich_network["zeb"].member, rich_network["space"]
    member_erase(member=zeb, password=PASSWORD)
    with pytest.raises(Forbidden):
        checkin_create(member=zeb, space_id=space.pk, date=space.local_today() + dt.timedelta(days=5))
    with pytest.raises(Forbidden):
        credential_issue_passport(member=zeb)


def test_erasure_revokes_the_members_credentials(rich_network):
    zeb = rich_network["zeb"].member
    credential = credential_issue_passport(member=zeb)
    assert credential_verify(credential).valid
    member_erase(member=zeb, password=PASSWORD)
    result = credential_verify(credential)
    assert not result.valid and "revoked" in result.errors[0]
