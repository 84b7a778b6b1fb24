"""Writes to the ledger: the one place social capital moves.

`transaction_record` is the only function that writes postings. It checks that postings sum
to zero, then moves balances with one conditional update (`balance + amount >= 0`) after
taking the log's lock, which every ledger writer takes before any account, so concurrent
transactions cannot deadlock each other; a database constraint backs the rule that no
account but the network's goes below zero. The earning and spending functions below compute
amounts with `rules` and call it.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from serendip import fastsql
from serendip.errors import Conflict, InvalidInput, PaymentRequired
from serendip.passport.models import Member, MemberTag, TagKind

from . import rules
from .log import log_append, log_lock
from .models import UNITS_PER_SC, Account, AccountKind, Posting, Transaction, TxKind

EARNING_KINDS = [TxKind.ANSWER_ACCEPTED, TxKind.MEETING_CONFIRMED, TxKind.INTRODUCTION]


def format_sc(units: int) -> str:
    return f"{units / UNITS_PER_SC:.2f} SC"


def network_account() -> Account:
    # get_or_create retries the read when a concurrent request created the row first.
    return Account.objects.get_or_create(kind=AccountKind.NETWORK, defaults={"public_id": "network"})[0]


def member_account(member: Member) -> Account:
    return Account.objects.get_or_create(
        member=member, defaults={"kind": AccountKind.MEMBER, "public_id": f"member:{member.pseudonym}"}
    )[0]


def space_account(space) -> Account:
    return Account.objects.get_or_create(
        space=space, defaults={"kind": AccountKind.SPACE, "public_id": f"space:{space.pk}"}
    )[0]


def member_and_space_accounts(member: Member, space) -> tuple[Account, Account]:
    """Both accounts of a seat payment in one statement (it runs on every check-in); either is
    created on first use."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {fastsql.columns(Account, 'a')} FROM {qn(Account._meta.db_table)} a"
            f" WHERE a.{qn('member_id')} = %s OR a.{qn('space_id')} = %s",
            [member.pk, space.pk],
        )
        found = [fastsql.load(Account, row) for row in cursor.fetchall()]
    mine = next((a for a in found if a.member_id == member.pk), None) or member_account(member)
    theirs = next((a for a in found if a.space_id == space.pk), None) or space_account(space)
    return mine, theirs


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int


def transaction_record(
    *,
    kind: str,
    reason: str,
    subject: str,
    legs: Sequence[Leg],
    beneficiary: Member | None = None,
    counterpart: Member | None = None,
    reverses: Transaction | None = None,
    savepoint: bool = True,
) -> Transaction:
    """Record one balanced transaction. Raises PaymentRequired when an account would go negative,
    Conflict when the same subject was already recorded; either way nothing of it is written.
    With `savepoint=False` (a caller whose own atomic block ends on the error anyway, like
    the check-in) no savepoint is taken and a refusal rolls back the caller's transaction.

    Every check-in pays through here, so it speaks SQL (fastsql), in an order that keeps the
    log's lock (held to commit; it orders every ledger write) short: the transaction and its
    postings first (they lock no shared row), then the leaf (claims the log's next index and
    takes its lock, before any account: the one lock order that cannot deadlock, see
    ledger/log.py), then the balances."""
    if len(legs) < 2:
        raise InvalidInput("a transaction needs at least two postings")
    if any(not isinstance(leg.amount, int) or leg.amount == 0 for leg in legs):
        raise InvalidInput("postings are non-zero whole units")
    if sum(leg.amount for leg in legs) != 0:
        raise InvalidInput("postings must sum to zero")
    if len({leg.account.pk for leg in legs}) != len(legs):
        raise InvalidInput("a transaction posts at most once to an account")
    with transaction.atomic(savepoint=savepoint):
        return _record(kind, reason, subject, legs, beneficiary, counterpart, reverses)


def _record(kind, reason, subject, legs, beneficiary, counterpart, reverses) -> Transaction:
    tx = Transaction(
        kind=kind,
        reason=reason[:300],
        subject=subject,
        beneficiary=beneficiary,
        counterpart=counterpart,
        reverses=reverses,
        created_at=timezone.now(),
    )
    tx.pk = fastsql.insert(Transaction, {f: getattr(tx, f) for f in _TX_FIELDS}, ignore_conflicts=True)
    if tx.pk is None:  # the one-per-subject constraint (or a second reversal of one transaction)
        raise Conflict(f"{kind} for {subject} is already recorded")
    tx._state.adding = False
    tx._state.db = connection.alias
    fastsql.insert_rows(
        Posting,
        ("transaction_id", "account_id", "amount"),
        [(tx.pk, leg.account.pk, leg.amount) for leg in legs],
    )
    log_append(tx=tx, postings=[(leg.account.pk, leg.account.public_id, leg.amount) for leg in legs])
    _move_balances(legs)
    return tx


_TX_FIELDS = ("kind", "reason", "subject", "beneficiary", "counterpart", "reverses", "created_at")


def _move_balances(legs: Sequence[Leg]) -> None:
    """Add each leg to its account's balance in one UPDATE that only touches an account (other
    than the network's) whose balance stays >= 0; fewer rows updated than accounts = refused.

    No lock order among accounts is needed: every ledger writer holds the log's lock first."""
    deltas: dict[int, int] = {}
    for leg in legs:
        deltas[leg.account.pk] = deltas.get(leg.account.pk, 0) + leg.amount
    deltas = {pk: amount for pk, amount in deltas.items() if amount}
    if not deltas:
        return
    qn = connection.ops.quote_name
    case = "CASE " + qn("id") + " " + " ".join(["WHEN %s THEN %s"] * len(deltas)) + " END"
    pairs = [v for pk, amount in deltas.items() for v in (pk, amount)]
    ids = list(deltas)
    sql = (
        f"UPDATE {qn(Account._meta.db_table)} SET {qn('balance')} = {qn('balance')} + {case}"
        f" WHERE {qn('id')} IN ({', '.join(['%s'] * len(ids))})"
        f" AND ({qn('kind')} = %s OR {qn('balance')} + {case} >= 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*pairs, *ids, AccountKind.NETWORK.value, *pairs])
        moved = cursor.rowcount
    if moved != len(deltas):
        balances = dict(
            Account.objects.filter(pk__in=ids).exclude(kind=AccountKind.NETWORK).values_list("pk", "balance")
        )
        pk, amount = next((pk, a) for pk, a in deltas.items() if pk in balances and balances[pk] + a < 0)
        raise PaymentRequired(
            f"not enough social capital: this needs {format_sc(-amount)}"
            f" and the balance is {format_sc(balances[pk])}"
        )


# Earning -------------------------------------------------------------------------------


def welcome_grant(*, member: Member) -> Transaction:
    return transaction_record(
        kind=TxKind.WELCOME_GRANT,
        reason="Welcome to Serendip",
        subject=f"member:{member.pk}",
        beneficiary=member,
        legs=[Leg(network_account(), -rules.WELCOME_GRANT), Leg(member_account(member), rules.WELCOME_GRANT)],
    )


def earned_today(member: Member) -> int:
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    total = Posting.objects.filter(
        account__member=member,
        transaction__beneficiary=member,
        transaction__kind__in=EARNING_KINDS,
        transaction__created_at__gte=start,
        amount__gt=0,
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def earnings_with(member: Member, other: Member) -> int:
    since = timezone.now() - dt.timedelta(days=rules.PAIR_WINDOW_DAYS)
    return Transaction.objects.filter(
        beneficiary=member, counterpart=other, kind__in=EARNING_KINDS, created_at__gte=since, reversed_by=None
    ).count()


def scarcity(tag_names: Sequence[str]) -> float:
    """The scarcity factor of the rarest of these tags among members who offer anything."""
    if not tag_names:
        return 1.0
    offers = MemberTag.objects.filter(kind=TagKind.OFFER)
    members = offers.values("member").distinct().count()
    offerers = dict(
        offers.filter(tag__name__in=tag_names)
        .values("tag__name")
        .annotate(n=Count("id"))
        .values_list("tag__name", "n")
    )
    return max(rules.scarcity_factor(members=members, offerers=offerers.get(name, 0)) for name in tag_names)


def earn(
    *, kind: str, member: Member, counterpart: Member | None, base: float, subject: str, reason: str
) -> Transaction | None:
    """Mint an earning for `member`, after diminishing returns and the daily cap.
    Returns None when the rules leave nothing to pay (the contribution still counts)."""
    if counterpart is not None and counterpart.pk == member.pk:
        raise InvalidInput("nobody earns from an exchange with themselves")
    # Lock the member's account row (after the log's, per the lock order): concurrent earnings
    # for one member then see each other's totals, so the daily cap holds.
    account = member_account(member)
    log_lock()
    Account.objects.select_for_update().filter(pk=account.pk).first()
    amount, factor = rules.earning(
        base=base,
        earned_today=earned_today(member),
        previous_with_pair=None if counterpart is None else earnings_with(member, counterpart),
    )
    if amount <= 0:
        return None
    detail = []
    if factor < 1:
        detail.append(f"{factor:.0%} of the usual: you have exchanged with {counterpart.display_name} before")
    if amount < round(base * factor):
        detail.append("daily cap reached")
    return transaction_record(
        kind=kind,
        reason=reason + (f" ({'; '.join(detail)})" if detail else ""),
        subject=subject,
        beneficiary=member,
        counterpart=counterpart,
        legs=[Leg(network_account(), -amount), Leg(account, amount)],
    )


def reverse_earnings(*, subject: str, reason: str) -> list[Transaction]:
    """Compensate every earning recorded for `subject` (content that was removed).

    A reversal takes back at most what the member still holds, so no balance goes negative;
    the reason says when it took back less."""
    log_lock()
    reversals = []
    for tx in Transaction.objects.filter(subject=subject, kind__in=EARNING_KINDS, reversed_by=None).order_by(
        "id"
    ):
        for posting in tx.postings.select_related("account").filter(
            amount__gt=0, account__kind=AccountKind.MEMBER
        ):
            account = Account.objects.select_for_update().get(pk=posting.account_id)
            amount = min(posting.amount, account.balance)
            note = "" if amount == posting.amount else f" (took back {format_sc(amount)}, all that was left)"
            if amount == 0:
                continue
            reversals.append(
                transaction_record(
                    kind=TxKind.REVERSAL,
                    reason=f"Reversal: {reason}{note}",
                    subject=f"tx:{tx.pk}",
                    beneficiary=tx.beneficiary,
                    reverses=tx,
                    legs=[Leg(account, -amount), Leg(network_account(), amount)],
                )
            )
    return reversals


# Spending ------------------------------------------------------------------------------


def seat_units(space) -> int:
    return int(space.seat_price * UNITS_PER_SC)


def seat_pay(*, member: Member, space, checkin_id: int, date: dt.date) -> Transaction | None:
    """Pay a space's seat price from the member to the space (None for a free seat)."""
    price = seat_units(space)
    if price == 0:
        return None
    payer, payee = member_and_space_accounts(member, space)
    if payer.balance < price and member.verified_at is None:
        payer = _house_seat_payer(member) or payer
    return transaction_record(
        kind=TxKind.SEAT,
        reason=f"Seat at {space.name} on {date.day} {date:%B %Y}",
        subject=f"checkin:{checkin_id}",
        beneficiary=member,
        legs=[Leg(payer, -price), Leg(payee, price)],
        savepoint=False,  # a refused payment must undo the check-in too: no seat without payment
    )


def _house_seat_payer(member: Member) -> Account | None:
    """The network's account if `member`'s seat is on the house, else None.

    A new member has 0 SC until they are verified (onboarding: a space confirms their first
    arrival), so their first seat is on the house: the network pays it, once per member (a
    house seat refunded before its day is not used up). Only unverified members who cannot pay
    get here. Checked under the log's lock (taken before any account, per the lock order), so
    two concurrent check-ins cannot both get it."""
    log_lock()
    network = network_account()
    house_seats = Transaction.objects.filter(
        kind=TxKind.SEAT, beneficiary=member, postings__account=network, postings__amount__lt=0
    ).values_list("subject", flat=True)
    refunded = Transaction.objects.filter(
        kind=TxKind.SEAT_REFUND, beneficiary=member, subject__in=house_seats
    ).values("subject")
    if house_seats.exclude(subject__in=refunded).exists():
        return None
    return network


def seat_refund(*, member: Member, checkin_id: int) -> Transaction | None:
    """Give back what a check-in cost (None if it cost nothing)."""
    paid = Transaction.objects.filter(kind=TxKind.SEAT, subject=f"checkin:{checkin_id}").first()
    if paid is None:
        return None
    legs = [Leg(p.account, -p.amount) for p in paid.postings.select_related("account")]
    return transaction_record(
        kind=TxKind.SEAT_REFUND,
        reason=f"Refund: {paid.reason}",
        subject=f"checkin:{checkin_id}",
        beneficiary=member,
        legs=legs,
    )


# Closing ---------------------------------------------------------------------------------


def account_close(*, member: Member) -> Transaction | None:
    """Give what is left on a member's account back to the network (a deleted passport):
    one ordinary, logged transaction, so every balance and the log still verify. The account
    itself stays, under its pseudonymous public id. None when nothing is left."""
    account = Account.objects.filter(member=member).first()
    if account is None:
        return None
    with transaction.atomic():
        log_lock()  # the log before the account (the lock order), then read the balance
        balance = Account.objects.select_for_update().get(pk=account.pk).balance
        if balance <= 0:
            return None
        return transaction_record(
            kind=TxKind.ACCOUNT_CLOSED,
            reason="Account closed: what was left went back to the network",
            subject=f"member:{member.pk}",
            beneficiary=member,
            legs=[Leg(account, -balance), Leg(network_account(), balance)],
        )
