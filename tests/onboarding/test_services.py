"""Sign-up mints nothing; verifying pays the welcome grant once; the first seat is on the house."""

import datetime as dt

import pytest
from django.test import Client

from serendip.errors import PaymentRequired
from serendip.ledger import rules
from serendip.ledger.models import Transaction, TxKind
from serendip.ledger.selectors import member_balance
from serendip.ledger.services import network_account
from serendip.onboarding.services import member_verify
from serendip.passport.models import Member, Verification
from serendip.presence.services import checkin_cancel, checkin_create, checkin_mark_present
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def test_signup_mints_no_social_capital(make_member):
    member = make_member(verified=False)
    assert member_balance(member) == 0 and member.verified_at is None
    assert not Transaction.objects.filter(kind=TxKind.WELCOME_GRANT).exists()


def test_verifying_pays_the_welcome_grant_once(make_member):
    member = make_member(verified=False)
    assert member_verify(member=member, how=Verification.EMAIL) is True
    assert member_verify(member=member, how=Verification.ARRIVAL) is False
    stale = Member.objects.get(pk=member.pk)
    stale.verified_at = None  # a stale copy must not pay twice either
    assert member_verify(member=stale, how=Verification.EMAIL) is False
    assert member_balance(member) == rules.WELCOME_GRANT
    assert Transaction.objects.filter(kind=TxKind.WELCOME_GRANT, beneficiary=member).count() == 1
    member.refresh_from_db()
    assert member.verified_how == Verification.EMAIL and member.verified_at is not None


def test_an_unknown_way_of_verifying_is_refused(make_member):
    from serendip.errors import InvalidInput

    member = make_member(verified=False)
    with pytest.raises(InvalidInput):
        member_verify(member=member, how="carrier-pigeon")
    assert member_balance(member) == 0


def test_the_first_seat_is_on_the_house_once_then_the_arrival_verifies(make_member, make_space):
    member, host, space = make_member(verified=False), make_member(), make_space(seat_price=3)
    space.hosts.add(host)
    today = space.local_today()
    checkin = checkin_create(member=member, space_id=space.pk, date=today)
    assert member_balance(member) == 0
    seat = Transaction.objects.get(kind=TxKind.SEAT, subject=f"checkin:{checkin.pk}")
    assert {p.account_id: p.amount for p in seat.postings.all()}[network_account().pk] == -300
    # a second seat is not on the house
    with pytest.raises(PaymentRequired):
        checkin_create(member=member, space_id=make_space(seat_price=3).pk, date=today + dt.timedelta(days=1))
    # the host confirms the arrival: verified, the welcome grant paid
    checkin_mark_present(host=host, checkin_id=checkin.pk)
    member.refresh_from_db()
    assert member.verified_how == Verification.ARRIVAL
    assert member_balance(member) == rules.WELCOME_GRANT
    checkin_create(member=member, space_id=space.pk, date=today + dt.timedelta(days=1))
    assert member_balance(member) == rules.WELCOME_GRANT - 300


def test_a_house_seat_refunded_before_its_day_can_be_used_again(make_member, make_space):
    member, space = make_member(verified=False), make_space(seat_price=2)
    tomorrow = space.local_today() + dt.timedelta(days=1)
    first = checkin_create(member=member, space_id=space.pk, date=tomorrow)
    checkin_cancel(member=member, checkin_id=first.pk)
    checkin_create(member=member, space_id=space.pk, date=tomorrow + dt.timedelta(days=1))
    assert member_balance(member) == 0 and network_account().balance == 0 - 200


def test_a_verified_member_without_balance_gets_no_house_seat(make_member, make_space):
    member, space = make_member(), make_space(seat_price=rules.WELCOME_GRANT // 100 + 1)
    with pytest.raises(PaymentRequired):
        checkin_create(member=member, space_id=space.pk, date=space.local_today())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_pay_the_grant_once(make_member):
    member = make_member(verified=False)
    results = run_concurrently(
        [lambda: member_verify(member=Member.objects.get(pk=member.pk), how=Verification.EMAIL)] * 6
    )
    assert sorted(results) == [False] * 5 + [True]
    assert member_balance(member) == rules.WELCOME_GRANT


def test_signup_page_is_throttled_per_client_ip(settings):
    settings.SIGNUP_RATE = "3/h"
    client = Client()

    def signup(n, ip):
        return client.post(
            "/signup/",
            {"username": f"farm{n}", "display_name": "F", "password": "a-long-test-password"},
            REMOTE_ADDR=ip,
        )

    codes = []
    for n in range(5):
        client.logout()
        codes.append(signup(n, "198.51.100.7").status_code)
    assert codes == [302, 302, 302, 429, 429]
    client.logout()
    assert signup(9, "198.51.100.8").status_code == 302  # another address is not affected
    assert Member.objects.count() == 4
    assert not Transaction.objects.filter(kind=TxKind.WELCOME_GRANT).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_get_one_house_seat(make_member, make_space):
    member, space = make_member(verified=False), make_space(seat_price=2)
    today = space.local_today()
    results = run_concurrently(
        [
            lambda d=d: checkin_create(member=member, space_id=space.pk, date=today + dt.timedelta(days=d))
            for d in range(1, 5)
        ]
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, PaymentRequired) for r in results if isinstance(r, Exception))
    assert network_account().balance == -200
