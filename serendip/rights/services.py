"""Writes for members' rights: issuing and revoking credentials, deleting a passport (erasure)
and removing invoices once their legal retention is over.

Erasure is the one place that writes across every domain, on purpose: it must leave no
personal data anywhere, and it must keep every shared record (ledger, meetings, invoices)
consistent for the others. See `member_erase` for what happens to each kind of row.
"""

import datetime as dt
import secrets

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serendip.errors import Forbidden, ServiceError
from serendip.exchange import machine
from serendip.exchange.models import (
    Answer,
    Introduction,
    Meeting,
    Outcome,
    Question,
    QuestionRoute,
    QuestionStatus,
)
from serendip.ledger.models import Posting, Transaction
from serendip.ledger.services import account_close, seat_refund
from serendip.network.models import Booking, BookingStatus, Invoice, Space
from serendip.network.services import booking_cancel
from serendip.notifications.models import (
    AccountEmail,
    CalendarFeed,
    Notification,
    OutboundEmail,
    Preference,
    Subscription,
)
from serendip.passport.models import Activity, ApiToken, BillingDetails, Member, MemberTag, Photo, Visibility
from serendip.passport.selectors import member_tags_by_kind
from serendip.presence.models import SEAT_HOLDING, CheckIn, CheckInStatus

from . import issuing
from .models import CredentialKind, DataExport, Erasure, IssuedCredential
from .selectors import achievements_of, member_links, rows_of
from .tasks import export_prepare

User = get_user_model()

# What others' records say instead of a deleted member's name.
DELETED_MEMBER = "a deleted member"
DELETED_NAME = "Deleted member"
DELETED_QUESTION = "Deleted question"


# Credentials ----------------------------------------------------------------------------


def _new_credential(*, member: Member, kind: str, achievement: str = "") -> IssuedCredential:
    now = timezone.now().replace(microsecond=0)
    return IssuedCredential.objects.create(
        member=member,
        kind=kind,
        achievement=achievement,
        issued_at=now,
        valid_until=now + dt.timedelta(days=settings.CREDENTIALS_VALID_DAYS),
    )


def _check_active(member: Member) -> None:
    if not member.user.is_active or Erasure.objects.filter(member=member).exists():
        raise Forbidden(str(_("this passport was deleted")))


@transaction.atomic
def credential_issue_passport(*, member: Member) -> dict:
    """A signed passport credential: what the member offers and is interested in, since when a member."""
    _check_active(member)
    credential = _new_credential(member=member, kind=CredentialKind.PASSPORT)
    tags = member_tags_by_kind(Member.objects.prefetch_related("member_tags__tag").get(pk=member.pk))
    return issuing.sign(issuing.passport_document(credential, member, tags))


@transaction.atomic
def credential_issue_achievements(*, member: Member) -> list[dict]:
    """One signed Open Badges 3.0 credential per achievement the member holds (may be none)."""
    _check_active(member)
    signed = []
    for achievement in achievements_of(member):
        credential = _new_credential(
            member=member, kind=CredentialKind.ACHIEVEMENT, achievement=achievement.key
        )
        signed.append(issuing.sign(issuing.achievement_document(credential, member, achievement)))
    return signed


@transaction.atomic
def credential_revoke(*, credential: IssuedCredential, reason: str) -> IssuedCredential:
    """Revoke: the credential's bit in the status list is set from now on (idempotent)."""
    IssuedCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=reason[:40]
    )
    credential.refresh_from_db()
    return credential


# Export in the background ------------------------------------------------------------------

# A history with more ledger transactions than this is exported in the background: its
# inclusion proofs take seconds (BENCHMARKS.md, "A member's export and erasure").
EXPORT_INLINE_MAX_TRANSACTIONS = 2000
EXPORT_KEEP_DAYS = 7


def export_needs_background(*, member: Member) -> bool:
    return Posting.objects.filter(account__member=member).count() > EXPORT_INLINE_MAX_TRANSACTIONS


@transaction.atomic
def export_request(*, member: Member) -> DataExport:
    """Ask for an export to be prepared by the worker; an unfinished request is reused."""
    _check_active(member)
    Member.objects.select_for_update().filter(pk=member.pk).first()  # one pending request at a time
    pending = DataExport.objects.filter(member=member, finished_at=None).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(member=member, requested_at=timezone.now())
    transaction.on_commit(lambda: export_prepare.enqueue(export_id=export.pk))
    return export


# Erasure --------------------------------------------------------------------------------


def check_password(*, member: Member, password: str) -> None:
    if not isinstance(password, str) or not password or not member.user.check_password(password):
        raise Forbidden(str(_("the password is not right; your passport was not deleted")))


def member_erase(*, member: Member, password: str) -> Erasure:
    """Delete a member's passport after they confirmed with their password (see `_erase`)."""
    check_password(member=member, password=password)
    return _erase(member)


@transaction.atomic
def _erase(member: Member) -> Erasure:
    """Personal data goes at once; shared records stay without naming the member.

    The member's user row is locked first (and stays locked to commit): a concurrent check-in
    share-locks it (presence `_seat_state`), so it either committed before this reads the
    member's check-ins, or waits and then finds the account closed. A second erasure waits
    here too, then finds the first one's Erasure row and returns it: erasing twice is safe.

    - user account: anonymised, no password, inactive; API tokens deleted; login records of
      its username (django-axes) deleted; admin log lines about it anonymised
    - passport: name "Deleted member", no headline, about or tags; hidden, out of matching
    - photo, own notifications, follows (both ways), notification preferences, address
      state, calendar feed, queued and sent emails: deleted; others' notifications about
      the member: the name and question titles replaced, no actor
    - own timeline: deleted; others' timeline lines and ledger reasons that name the member
      (people they met, were introduced to, whose answer they accepted): the name replaced
    - questions: title and body removed (others' answers stay, with their earnings);
      answers: text removed; introductions involving the member: message and reasons removed;
      outcomes: their note removed (the kind stays: "a meeting took place" and what it led to)
    - check-ins: today's and later ones cancelled (seats refunded as a normal cancellation),
      the focus text of all removed; bookings: future ones cancelled, titles removed;
      invoices kept (by law) until `invoices_kept_until`, then `invoices_purge` removes them
    - credentials: all revoked in the status list
    - ledger: the account stays under its pseudonymous id; what is left goes back to the
      network as one normal transaction, so `serendip ledger verify` still passes
    - any other table with a foreign key to the member or their user (added by other apps):
      its free-text fields in those rows are emptied; stored files (photos) of the passport
      and of those rows are deleted
    """
    user = User.objects.select_for_update().get(pk=member.user_id)
    existing = Erasure.objects.filter(member_id=member.pk).first()
    if existing is not None:
        return existing
    member = Member.objects.select_for_update().get(pk=member.pk)
    now = timezone.now()
    names = {n for n in (member.display_name, user.username, user.get_full_name(), user.email) if n}

    _cancel_checkins(member)
    _cancel_bookings(member)
    linked = _linked_members(member)
    mentions = _mentions(member, names)  # before the questions lose their titles
    _scrub_others_mentions(member, linked, mentions)
    _scrub_exchange(member)
    IssuedCredential.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=now, revocation_reason="erasure"
    )
    _scrub_notifications(member, mentions)
    DataExport.objects.filter(member=member).delete()
    Activity.objects.filter(member=member).delete()
    MemberTag.objects.filter(member=member).delete()
    Photo.objects.filter(member=member).delete()
    BillingDetails.objects.filter(member=member).delete()  # the invoices keep their copy (by law)
    Space.hosts.through.objects.filter(member_id=member.pk).delete()
    _scrub_user(user, member)
    member.display_name = DELETED_NAME
    member.headline = member.about = ""
    member.visibility = Visibility.HIDDEN
    member.open_to_matching = False
    member.photo_version = 0  # the picture itself went above: pages show initials
    member.save()  # touches updated_at: every process's matching index drops the member
    _scrub_other_tables(member)
    account_close(member=member)
    # Invoices are kept by law with the buyer's name; the e-mail address on them is not required
    # by law, so it goes now.
    Invoice.objects.filter(booking__member=member).exclude(buyer_email="").update(buyer_email="")
    last_invoice = Invoice.objects.filter(booking__member=member).order_by("-issue_date").first()
    erasure = Erasure.objects.create(
        member=member,
        erased_at=now,
        invoices_kept_until=(
            dt.date(last_invoice.issue_date.year + settings.INVOICE_RETENTION_YEARS, 12, 31)
            if last_invoice
            else None
        ),
    )
    transaction.on_commit(lambda: machine.forget(member.pk))
    return erasure


def _cancel_checkins(member: Member) -> None:
    checkins = CheckIn.objects.select_for_update(of=("self",)).select_related("space")
    for checkin in checkins.filter(member=member, status__in=SEAT_HOLDING):
        today = checkin.space.local_today()
        if checkin.date < today:
            continue
        if checkin.status == CheckInStatus.RESERVED and checkin.date > today:
            seat_refund(member=member, checkin_id=checkin.pk)
        CheckIn.objects.filter(pk=checkin.pk).update(
            status=CheckInStatus.CANCELLED, cancelled_at=timezone.now()
        )
    CheckIn.objects.filter(member=member).exclude(focus="").update(focus="")


def _cancel_bookings(member: Member) -> None:
    upcoming = Booking.objects.filter(
        member=member, status=BookingStatus.CONFIRMED, starts_at__gt=timezone.now()
    ).values_list("pk", flat=True)
    for booking_id in list(upcoming):
        try:
            with transaction.atomic():
                booking_cancel(member=member, booking_id=booking_id)
        except ServiceError:  # e.g. it started meanwhile: it stays, as a past booking would
            pass
    Booking.objects.filter(member=member).exclude(title="").update(title="")


def _linked_members(member: Member) -> set[int]:
    """Members whose own records may name this one: met, introduced, answered, asked."""
    linked: set[int] = set()
    for a, b in Meeting.objects.filter(Q(member_low=member) | Q(member_high=member)).values_list(
        "member_low_id", "member_high_id"
    ):
        linked |= {a, b}
    for row in Introduction.objects.filter(
        Q(requester=member) | Q(recipient=member) | Q(introducer=member)
    ).values_list("requester_id", "recipient_id", "introducer_id"):
        linked |= {pk for pk in row if pk}
    linked |= set(Answer.objects.filter(question__asker=member).values_list("author_id", flat=True))
    linked |= set(Answer.objects.filter(author=member).values_list("question__asker_id", flat=True))
    linked.discard(member.pk)
    return linked


def _scrub_exchange(member: Member) -> None:
    now = timezone.now()
    Question.objects.filter(asker=member).update(
        title=DELETED_QUESTION, body="", status=QuestionStatus.DELETED, deleted_at=now
    )
    QuestionRoute.objects.filter(member=member).delete()
    Answer.objects.filter(author=member).update(body="")
    Answer.objects.filter(author=member, deleted_at=None).update(deleted_at=now)
    Introduction.objects.filter(Q(requester=member) | Q(recipient=member) | Q(introducer=member)).update(
        message="", reasons=[]
    )
    Outcome.objects.filter(member=member).update(note="")


def _replace_all(queryset: models.QuerySet, field: str, replacements: dict[str, str]) -> None:
    # Longest first, so a full name goes before the username it may contain.
    for old in sorted(replacements, key=len, reverse=True):
        queryset.filter(**{f"{field}__contains": old}).update(
            **{field: Replace(F(field), Value(old), Value(replacements[old]))}
        )


def _mentions(member: Member, names: set[str]) -> dict[str, str]:
    """What others' records may quote of the member, and what replaces it: their names, and
    the titles of their questions."""
    replacements = dict.fromkeys(names, DELETED_MEMBER)
    titles = Question.objects.filter(asker=member).exclude(title="").values_list("title", flat=True)
    replacements.update(dict.fromkeys(titles, DELETED_QUESTION.lower()))
    return replacements


def _scrub_others_mentions(member: Member, linked: set[int], replacements: dict[str, str]) -> None:
    """Others' timeline lines, ledger reasons and outcome notes that name the member or quote
    their questions' titles: those words are replaced."""
    if not linked or not replacements:
        return
    _replace_all(Activity.objects.filter(member_id__in=linked), "summary", replacements)
    # The timeline's params (the names and titles its translated lines are filled with, issue 16).
    for activity in Activity.objects.filter(member_id__in=linked).exclude(extra={}).only("pk", "extra"):
        scrubbed = _replace_in(activity.extra, replacements)
        if scrubbed != activity.extra:
            Activity.objects.filter(pk=activity.pk).update(extra=scrubbed)
    _replace_all(
        Transaction.objects.filter(Q(beneficiary_id__in=linked) | Q(counterpart=member)),
        "reason",
        replacements,
    )
    meetings = Meeting.objects.filter(Q(member_low=member) | Q(member_high=member))
    _replace_all(Outcome.objects.filter(meeting__in=meetings).exclude(member=member), "note", replacements)


def _replace_in(value, replacements: dict[str, str]):
    """`value` (JSON) with every string's occurrences of the keys replaced."""
    if isinstance(value, str):
        for old in sorted(replacements, key=len, reverse=True):
            value = value.replace(old, replacements[old])
        return value
    if isinstance(value, list):
        return [_replace_in(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _replace_in(v, replacements) for k, v in value.items()}
    return value


def _scrub_notifications(member: Member, replacements: dict[str, str]) -> None:
    """The member's own inbox, follows, preferences, address, calendar feed and emails go;
    others' notifications about something the member did keep the event without the name."""
    Notification.objects.filter(recipient=member).delete()
    for model in (Preference, AccountEmail, CalendarFeed, OutboundEmail):
        model.objects.filter(member=member).delete()
    Subscription.objects.filter(Q(member=member) | Q(followed=member)).delete()
    for note in Notification.objects.filter(actor=member).only("pk", "params"):
        Notification.objects.filter(pk=note.pk).update(
            params=_replace_in(note.params, replacements), actor=None
        )


def _scrub_user(user, member: Member) -> None:
    old_username = user.username
    user.username = f"deleted-{secrets.token_hex(8)}"
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()  # also ends every session (their auth hash no longer matches)
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    ApiToken.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=old_username).delete()
    for obj, model in ((member, Member), (user, User)):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(obj.pk)
        ).update(object_repr=DELETED_NAME, change_message="")


# Tables this module erases field by field above; any other table linked to a member is
# handled by `_scrub_other_tables`.
HANDLED = {
    "passport.member",
    "passport.membertag",
    "passport.activity",
    "passport.apitoken",
    "passport.photo",
    "passport.billingdetails",
    "notifications.notification",
    "notifications.subscription",
    "notifications.preference",
    "notifications.outboundemail",
    "notifications.accountemail",
    "notifications.calendarfeed",
    "presence.checkin",
    "network.booking",
    "network.space_hosts",
    "exchange.question",
    "exchange.questionroute",
    "exchange.answer",
    "exchange.introduction",
    "exchange.outcome",
    "exchange.meeting",
    "exchange.meetingrating",
    "ledger.account",
    "ledger.transaction",
    "rights.issuedcredential",
    "rights.erasure",
    "rights.dataexport",
    "admin.logentry",
}


def _erase_files(member: Member) -> None:
    """Delete stored files (photos and the like) of the passport and of every row linked to it,
    in whichever app's table they are, and empty their fields."""
    targets = [(Member, Member.objects.filter(pk=member.pk))]
    targets += [(model, rows_of(member, model, field)) for model, field in member_links()]
    for model, rows in targets:
        files = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for f in files:
            names = list(
                rows.exclude(**{f.attname: ""})
                .exclude(**{f"{f.attname}__isnull": True})
                .values_list(f.attname, flat=True)
            )
            rows.update(**{f.attname: ""})
            # The files go once the erasure is committed (a rollback keeps them with their rows).
            transaction.on_commit(lambda storage=f.storage, names=names: [storage.delete(n) for n in names])


def _scrub_other_tables(member: Member) -> None:
    """Empty the free-text fields of rows that other apps' tables link to the member."""
    _erase_files(member)
    for model, field in member_links():
        if model._meta.label_lower in HANDLED:
            continue
        blank = {}
        for f in model._meta.concrete_fields:
            if f.primary_key or f.is_relation or f.choices or f.unique:
                continue
            if isinstance(f, models.JSONField):
                blank[f.attname] = f.get_default()
            elif isinstance(f, models.CharField | models.TextField):
                blank[f.attname] = "" if f.blank or not f.null else None
        if blank:
            rows_of(member, model, field).update(**blank)


# Invoice retention ----------------------------------------------------------------------


@transaction.atomic
def invoices_purge(*, today: dt.date | None = None) -> int:
    """Remove the invoices (and then the bookings) of deleted passports whose retention period
    is over, and prepared exports older than EXPORT_KEEP_DAYS. Returns how many invoices were
    removed. Run it periodically (`serendip rights purge`)."""
    today = today or timezone.localdate()
    DataExport.objects.filter(requested_at__lt=timezone.now() - dt.timedelta(days=EXPORT_KEEP_DAYS)).delete()
    removed = 0
    due = Erasure.objects.select_for_update().filter(invoices_kept_until__lt=today, invoices_removed_at=None)
    for erasure in due:
        removed += Invoice.objects.filter(booking__member_id=erasure.member_id).delete()[0]
        Booking.objects.filter(member_id=erasure.member_id).delete()
        erasure.invoices_removed_at = timezone.now()
        erasure.save(update_fields=["invoices_removed_at"])
    return removed
