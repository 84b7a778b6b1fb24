"""The tables a simulation fills, each a buffered `bulk.Table` of rows in database form."""

from django.contrib.auth import get_user_model

from serendip.exchange.models import (
    Answer,
    Introduction,
    Meeting,
    MeetingRating,
    Outcome,
    Question,
    QuestionRoute,
)
from serendip.ledger.models import Account, LogEntry, Posting, PostingOpening, Transaction
from serendip.network.models import Booking, Invoice, InvoiceCounter, OpeningHours, Room, Space
from serendip.passport.models import Activity, Member, MemberTag, Tag
from serendip.presence.models import CheckIn

from . import bulk

User = get_user_model()


class Tables:
    """One attribute per table (`user`, `member`, `checkin`, ...), in the column order the
    simulator's row tuples use."""

    def __init__(self) -> None:
        T = bulk.Table
        self.user = T(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
        )
        self.member = T(
            Member,
            [
                "id",
                "user",
                "display_name",
                "headline",
                "about",
                "visibility",
                "open_to_matching",
                "pseudonym",
                "verified_at",
                "verified_how",
                "created_at",
                "updated_at",
            ],
        )
        self.tag = T(Tag, ["id", "name"])
        self.member_tag = T(MemberTag, ["member", "tag", "kind", "weight"])
        self.activity = T(Activity, ["member", "verb", "summary", "extra", "created_at"])
        self.space = T(
            Space,
            [
                "id",
                "name",
                "slug",
                "city",
                "country",
                "timezone",
                "seats",
                "seat_price",
                "cancellation_free_hours",
                "house_rules",
                "language",
                "created_at",
            ],
        )
        self.hours = T(OpeningHours, ["space", "weekday", "opens", "closes"])
        self.room = T(Room, ["id", "space", "name", "capacity", "hourly_price_cents", "amenities", "active"])
        self.checkin = T(
            CheckIn, ["id", "member", "space", "date", "status", "focus", "created_at", "cancelled_at"]
        )
        self.account = T(Account, ["id", "kind", "member", "space", "public_id", "balance", "created_at"])
        self.tx = T(
            Transaction, ["id", "kind", "reason", "subject", "beneficiary", "counterpart", "created_at"]
        )
        self.posting = T(Posting, ["transaction", "account", "amount"])
        self.leaf = T(LogEntry, ["index", "transaction", "data"])
        self.opening = T(PostingOpening, ["transaction", "account", "salt"])
        self.question = T(Question, ["id", "asker", "title", "body", "space", "status", "created_at"])
        through, qcol, tcol = bulk.m2m_table(Question._meta.get_field("tags"))
        self.question_tag = T(through, [qcol.removesuffix("_id"), tcol.removesuffix("_id")])
        self.route = T(QuestionRoute, ["question", "member", "score", "reasons", "created_at"])
        self.answer = T(Answer, ["id", "question", "author", "body", "accepted", "rating", "created_at"])
        self.intro = T(
            Introduction,
            [
                "id",
                "requester",
                "recipient",
                "introducer",
                "message",
                "reasons",
                "status",
                "created_at",
                "answered_at",
            ],
        )
        self.meeting = T(
            Meeting,
            [
                "id",
                "recorded_by",
                "other",
                "space",
                "date",
                "introduction",
                "status",
                "member_low",
                "member_high",
                "created_at",
                "confirmed_at",
            ],
        )
        self.rating = T(MeetingRating, ["meeting", "member", "rating"])
        self.outcome = T(Outcome, ["meeting", "member", "kind", "value_cents", "note", "created_at"])
        self.booking = T(
            Booking,
            [
                "id",
                "room",
                "member",
                "starts_at",
                "ends_at",
                "title",
                "status",
                "net_cents",
                "vat_rate",
                "vat_cents",
                "gross_cents",
                "free_cancellation_until",
                "payment_provider",
                "payment_status",
                "payment_reference",
                "created_at",
            ],
        )
        self.invoice = T(
            Invoice,
            [
                "space",
                "booking",
                "kind",
                "year",
                "sequence",
                "number",
                "issued_at",
                "issue_date",
                "seller_name",
                "seller_address",
                "buyer_name",
                "description",
                "net_cents",
                "vat_rate",
                "vat_cents",
                "gross_cents",
                "currency",
            ],
        )
        self.counter = T(InvoiceCounter, ["space", "year", "last"])
        self.all = [v for v in vars(self).values() if isinstance(v, bulk.Table)]

    def flush(self) -> None:
        for table in self.all:
            table.flush()

    def rows_written(self) -> dict[str, int]:
        return {t.model._meta.label: t.written for t in self.all if t.written}
