"""Writes to presence: check in, cancel, mark present or no-show.

Capacity is enforced under a lock on the space's row (`SELECT ... FOR UPDATE` on PostgreSQL;
SQLite's IMMEDIATE transactions serialise writers), so two requests can never both take the
last seat. One space per member per day is a partial unique index, so it holds even if a
code path forgot to check.
"""

import datetime as dt

from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from serendip import fastsql
from serendip.errors import Conflict, Forbidden, InvalidInput, NotFound
from serendip.ledger.services import seat_pay, seat_refund
from serendip.network.models import Space
from serendip.network.permissions import can_host
from serendip.onboarding.services import member_verify
from serendip.passport.models import Member, Verification
from serendip.passport.services import activity_record
from serendip.text import clean_text

from .models import SEAT_HOLDING, CheckIn, CheckInStatus

BOOKING_HORIZON_DAYS = 90
MAX_FOCUS_LENGTH = 200


def check_checkin_date(*, space: Space, date: dt.date) -> None:
    today = space.local_today()
    if date < today:
        raise InvalidInput(
            f"{date.day} {date:%B %Y} is in the past at {space.name} "
            f"(today there is {today.day} {today:%B %Y})"
        )
    if date > today + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        raise InvalidInput(
            _("check-ins can be made at most %(days)s days ahead") % {"days": BOOKING_HORIZON_DAYS}
        )


def check_focus(focus: str) -> str:
    return clean_text(focus, field="focus", max_length=MAX_FOCUS_LENGTH, multiline=False)


@transaction.atomic
def checkin_create(*, member: Member, space_id: int, date: dt.date, focus: str = "") -> CheckIn:
    """Reserve a seat for `member` at a space on the space's local `date`.

    Takes the space's row lock for the rest of the transaction, then counts: the count and the
    insert cannot interleave with another check-in at the same space.

    The busiest write of the product, so it speaks SQL (serendip/fastsql.py): lock the space,
    count its seats and look for the member's other check-in that day in one statement, insert,
    record the activity, pay the seat (ledger: five statements on SQLite, four on PostgreSQL).
    """
    space = _space_for_update(space_id)
    if space is None:
        raise NotFound(f"no space with id {space_id}")
    check_checkin_date(space=space, date=date)
    focus = check_focus(focus)
    taken, elsewhere, active = _seat_state(space=space, member=member, date=date)
    if not active:
        raise Forbidden(str(_("this passport was deleted")))
    if elsewhere is not None:
        day = formats.date_format(date, "DATE_FORMAT")
        if elsewhere == space.pk:
            raise Conflict(_("you are already checked in here on %(date)s") % {"date": day})
        other = Space.objects.get(pk=elsewhere).name
        raise Conflict(
            _("you are already checked in at %(space)s on %(date)s") % {"space": other, "date": day}
        )
    if taken >= space.seats:
        raise Conflict(
            _("%(space)s is full on %(date)s")
            % {"space": space.name, "date": formats.date_format(date, "DATE_FORMAT")}
        )
    checkin = CheckIn(member=member, space=space, date=date, focus=focus, created_at=timezone.now())
    # ON CONFLICT DO NOTHING: the one-space-per-day index refusing a concurrent check-in by the
    # same member at another space writes nothing and raises nothing (no savepoint needed).
    checkin.pk = fastsql.insert(
        CheckIn,
        {f: getattr(checkin, f) for f in ("member", "space", "date", "status", "focus", "created_at")},
        ignore_conflicts=True,
    )
    if checkin.pk is None:
        raise Conflict(
            _("you are already checked in somewhere on %(date)s")
            % {"date": formats.date_format(date, "DATE_FORMAT")}
        )
    checkin._state.adding = False
    checkin._state.db = connection.alias
    activity_record(
        member=member,
        verb="checked_in",
        summary=f"Checked in at {space.name} for {date.day} {date:%B %Y}" + (f": {focus}" if focus else ""),
        extra={
            "space": space.slug,
            "date": date.isoformat(),
            "checkin": checkin.pk,
            "space_name": space.name,
            "focus": focus or "",
        },
    )
    # Paid in social capital in the same transaction: no balance, no seat (PaymentRequired).
    # Last, because the ledger's log lock is held from there to commit.
    seat_pay(member=member, space=space, checkin_id=checkin.pk, date=date)
    return checkin


def _space_for_update(space_id: int) -> Space | None:
    """The space's row, locked to commit (`FOR UPDATE`; SQLite's IMMEDIATE transaction holds
    the database's write lock already)."""
    sql = f"SELECT {fastsql.columns(Space, 's')} FROM {Space._meta.db_table} s WHERE s.id = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [space_id])
        row = cursor.fetchone()
    return fastsql.load(Space, row) if row else None


def _seat_state(*, space: Space, member: Member, date: dt.date) -> tuple[int, int | None, bool]:
    """(seats taken at `space` on `date`, the space where `member` already holds a seat that
    day or None, whether the member's account is still active), read after the space's lock
    was taken (a new statement, so on PostgreSQL it sees every check-in committed before the
    lock was granted).

    The member's user row is share-locked to commit: deleting a passport (rights.services)
    updates that row first, so a check-in either commits before the erasure reads the
    member's check-ins, or waits for it and then sees the account closed."""
    table = CheckIn._meta.db_table
    qn = connection.ops.quote_name
    user_table = Member._meta.get_field("user").related_model._meta.db_table
    holding = ", ".join(["%s"] * len(SEAT_HOLDING))
    day = CheckIn._meta.get_field("date").get_db_prep_save(date, connection)
    lock = " FOR SHARE OF u" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table}"
            f" WHERE space_id = %s AND date = %s AND status IN ({holding})),"
            f" (SELECT space_id FROM {table}"
            f" WHERE member_id = %s AND date = %s AND status IN ({holding}) LIMIT 1),"
            f" u.{qn('is_active')}"
            f" FROM {qn(user_table)} u JOIN {qn(Member._meta.db_table)} m ON m.{qn('user_id')} = u.id"
            f" WHERE m.id = %s{lock}",
            [space.pk, day, *map(str, SEAT_HOLDING), member.pk, day, *map(str, SEAT_HOLDING), member.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return 0, None, False
    taken, elsewhere, active = row
    return taken, elsewhere, bool(active)


def _own_checkin(*, member: Member, checkin_id: int) -> CheckIn:
    checkin = CheckIn.objects.select_for_update().select_related("space").filter(pk=checkin_id).first()
    # Someone else's check-in is reported as missing: ids of others' check-ins are not ours to learn.
    if checkin is None or checkin.member_id != member.pk:
        raise NotFound(f"no check-in with id {checkin_id}")
    return checkin


@transaction.atomic
def checkin_cancel(*, member: Member, checkin_id: int) -> CheckIn:
    """Cancel a reserved check-in for today or later; the seat is free again at once.
    Cancelling before the day refunds the seat price; on the day itself it does not."""
    checkin = _own_checkin(member=member, checkin_id=checkin_id)
    if checkin.status == CheckInStatus.CANCELLED:
        raise Conflict(_("this check-in is already cancelled"))
    if checkin.status != CheckInStatus.RESERVED:
        raise Conflict(
            _("a check-in that is %(status)s cannot be cancelled")
            % {"status": checkin.get_status_display().lower()}
        )
    if checkin.date < checkin.space.local_today():
        raise Conflict(_("a check-in for a past day cannot be cancelled"))
    checkin.status = CheckInStatus.CANCELLED
    checkin.cancelled_at = timezone.now()
    checkin.save(update_fields=["status", "cancelled_at"])
    refunded = checkin.date > checkin.space.local_today() and seat_refund(
        member=member, checkin_id=checkin.pk
    )
    activity_record(
        member=member,
        verb="checkin_cancelled",
        summary=f"Cancelled check-in at {checkin.space.name} for {checkin.date.day} {checkin.date:%B %Y}"
        + (" (seat refunded)" if refunded else ""),
        extra={
            "space": checkin.space.slug,
            "date": checkin.date.isoformat(),
            "checkin": checkin.pk,
            "space_name": checkin.space.name,
            "refunded": bool(refunded),
        },
    )
    return checkin


def _hosted_checkin(*, host: Member, checkin_id: int) -> CheckIn:
    checkin = (
        CheckIn.objects.select_for_update().select_related("space", "member").filter(pk=checkin_id).first()
    )
    if checkin is None:
        raise NotFound(f"no check-in with id {checkin_id}")
    if not can_host(host, checkin.space):
        raise Forbidden(_("only a host of this space can do that"))
    return checkin


@transaction.atomic
def checkin_mark_present(*, host: Member, checkin_id: int) -> CheckIn:
    """A host confirms the member arrived today (reserved -> present); a first arrival verifies
    the member's account (onboarding.member_verify: the welcome grant)."""
    checkin = _hosted_checkin(host=host, checkin_id=checkin_id)
    if checkin.date != checkin.space.local_today():
        raise Conflict(_("members can only be marked present on the day itself"))
    if checkin.status != CheckInStatus.RESERVED:
        raise Conflict(
            _("this check-in is %(status)s, not reserved") % {"status": checkin.get_status_display().lower()}
        )
    checkin.status = CheckInStatus.PRESENT
    checkin.save(update_fields=["status"])
    activity_record(
        member=checkin.member,
        verb="arrived",
        summary=f"Arrived at {checkin.space.name}",
        extra={
            "space": checkin.space.slug,
            "date": checkin.date.isoformat(),
            "checkin": checkin.pk,
            "space_name": checkin.space.name,
        },
    )
    # A space confirming a member's (first) arrival verifies the account: the welcome grant.
    member_verify(member=checkin.member, how=Verification.ARRIVAL)
    return checkin


@transaction.atomic
def checkin_mark_no_show(*, host: Member, checkin_id: int) -> CheckIn:
    """A host records that a reserved member did not come (today or earlier)."""
    checkin = _hosted_checkin(host=host, checkin_id=checkin_id)
    if checkin.date > checkin.space.local_today():
        raise Conflict(_("a future check-in cannot be a no-show yet"))
    if checkin.status != CheckInStatus.RESERVED:
        raise Conflict(
            _("this check-in is %(status)s, not reserved") % {"status": checkin.get_status_display().lower()}
        )
    checkin.status = CheckInStatus.NO_SHOW
    checkin.save(update_fields=["status"])
    return checkin
