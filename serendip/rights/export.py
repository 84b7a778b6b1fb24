"""A member's data export (GDPR art. 15 and 20): a ZIP of JSON files, with CSV copies of the
tables people open in a spreadsheet. Reads only.

Built by `export_build`: in the request for most members, by the worker (`tasks.export_prepare`)
for a long ledger history, whose inclusion proofs take seconds (`services.export_request`).

`manifest.json` lists, for every table linked to the member, the ids of the rows exported;
tables no section below covers (added by other apps) are exported whole as `other/<table>.json`.
"""

import csv
import io
import json
import zipfile
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serendip.exchange.models import (
    Answer,
    Introduction,
    Meeting,
    MeetingRating,
    Outcome,
    Question,
    QuestionRoute,
)
from serendip.ledger.api import my_ledger_proofs
from serendip.ledger.models import Account, Posting
from serendip.network.models import Booking, Invoice
from serendip.notifications.models import (
    AccountEmail,
    CalendarFeed,
    Notification,
    OutboundEmail,
    Preference,
    Subscription,
)
from serendip.passport.models import Activity, ApiToken, BillingDetails, Member, MemberTag, Photo
from serendip.presence.models import CheckIn

from .models import Erasure, IssuedCredential
from .selectors import member_links, rows_of

README = _("""Your data from Serendip, exported {when}.

Every file is JSON; the tables you may want to open in a spreadsheet are also CSV.

passport.json        your passport, account and the spaces you host
tags.csv             what you offer, need and are interested in
timeline.json/.csv   your timeline
checkins.json/.csv   your check-ins
questions.json       questions you asked; questions routed to you
answers.json         answers you wrote
introductions.json   introductions you asked for, received or made
meetings.json/.csv   meetings, your ratings and outcomes
bookings.json/.csv   meeting-room bookings
invoices.json/.csv   invoices and credit notes
ledger.json/.csv     your social-capital account and every posting
ledger-proofs.json   each of your transactions' leaf in the public log, with its inclusion proof
                     against a signed checkpoint (check it: README "Auditing the ledger")
credentials.json     credentials the network issued to you
notifications.json   notifications (received, and caused without recipients), follows, notification
                     settings, your e-mail address and the e-mails sent to you (not their bodies)
photo.jpg            your passport photo
other/               anything else linked to you
manifest.json        which rows of which tables this export holds

Other members appear only by their member id and display name, where they took part in
something with you (a meeting, an introduction).
""")


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def _json(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _sc(units: int) -> str:
    sign = "-" if units < 0 else ""
    return f"{sign}{abs(units) // 100}.{abs(units) % 100:02d}"


def _who(member_id: int | None, names: dict[int, str]) -> dict | None:
    return None if member_id is None else {"member_id": member_id, "display_name": names.get(member_id, "")}


def export_sections(member: Member) -> tuple[dict[str, object], dict[str, list]]:
    """(file name -> JSON value or CSV rows, manifest: table -> exported ids)."""
    user = member.user
    manifest: dict[str, list] = {}

    def note(model, ids):
        manifest.setdefault(model._meta.label_lower, []).extend(ids)

    files: dict[str, object] = {}
    tags = list(
        MemberTag.objects.filter(member=member)
        .values("id", "kind", "tag__name", "weight")
        .order_by("kind", "id")
    )
    note(MemberTag, [t["id"] for t in tags])
    note(Member, [member.pk])
    tokens = list(
        ApiToken.objects.filter(user=user).values("id", "prefix", "created_at", "expires_at", "revoked_at")
    )
    note(ApiToken, [t["id"] for t in tokens])
    billing = (
        BillingDetails.objects.filter(member=member)
        .values("id", "name", "company", "street", "postcode", "city", "country", "vat_id", "updated_at")
        .first()
    )
    note(BillingDetails, [billing["id"]] if billing else [])
    hosted = list(member.hosted_spaces.values("id", "name"))
    note(
        Member.hosted_spaces.through,
        list(Member.hosted_spaces.through.objects.filter(member=member).values_list("id", flat=True)),
    )
    files["passport.json"] = {
        "member": {
            "id": member.pk,
            "display_name": member.display_name,
            "headline": member.headline,
            "about": member.about,
            "visibility": member.visibility,
            "open_to_matching": member.open_to_matching,
            "ledger_pseudonym": member.pseudonym,
            "created_at": member.created_at,
            "updated_at": member.updated_at,
        },
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "tags": [{"kind": t["kind"], "tag": t["tag__name"], "weight": t["weight"]} for t in tags],
        "hosted_spaces": hosted,
        "api_tokens": tokens,
        "billing": billing,
    }
    files["tags.csv"] = files["passport.json"]["tags"]

    timeline = list(
        Activity.objects.filter(member=member).values("id", "created_at", "verb", "summary", "extra")
    )
    note(Activity, [a["id"] for a in timeline])
    files["timeline.json"] = files["timeline.csv"] = timeline

    checkins = list(
        CheckIn.objects.filter(member=member).values(
            "id", "date", "space_id", "space__name", "status", "focus", "created_at", "cancelled_at"
        )
    )
    note(CheckIn, [c["id"] for c in checkins])
    files["checkins.json"] = files["checkins.csv"] = checkins

    questions = list(
        Question.objects.filter(asker=member)
        .annotate(answers_received=Count("answers"))
        .values("id", "title", "body", "status", "space_id", "created_at", "deleted_at", "answers_received")
    )
    question_tags: dict[int, list[str]] = {}
    for qid, name in Question.tags.through.objects.filter(question__asker=member).values_list(
        "question_id", "tag__name"
    ):
        question_tags.setdefault(qid, []).append(name)
    for q in questions:
        q["tags"] = question_tags.get(q["id"], [])
    note(Question, [q["id"] for q in questions])
    routes = list(
        QuestionRoute.objects.filter(member=member).values(
            "id", "question_id", "score", "reasons", "created_at"
        )
    )
    note(QuestionRoute, [r["id"] for r in routes])
    files["questions.json"] = {"asked": questions, "routed_to_me": routes}

    answers = list(
        Answer.objects.filter(author=member).values(
            "id", "question_id", "body", "accepted", "rating", "created_at", "deleted_at"
        )
    )
    note(Answer, [a["id"] for a in answers])
    files["answers.json"] = answers

    mine = Q(requester=member) | Q(recipient=member) | Q(introducer=member)
    intro_rows = list(
        Introduction.objects.filter(mine).values(
            "id",
            "requester_id",
            "recipient_id",
            "introducer_id",
            "message",
            "reasons",
            "status",
            "created_at",
            "answered_at",
        )
    )
    meeting_rows = list(
        Meeting.objects.filter(Q(member_low=member) | Q(member_high=member)).values(
            "id",
            "date",
            "space_id",
            "space__name",
            "status",
            "recorded_by_id",
            "other_id",
            "introduction_id",
            "created_at",
            "confirmed_at",
        )
    )
    people = {r[k] for r in intro_rows for k in ("requester_id", "recipient_id", "introducer_id")}
    people |= {r[k] for r in meeting_rows for k in ("recorded_by_id", "other_id")}
    names = dict(Member.objects.filter(pk__in=people - {None}).values_list("pk", "display_name"))
    introductions = []
    for r in intro_rows:
        role = (
            "requester"
            if r["requester_id"] == member.pk
            else ("recipient" if r["recipient_id"] == member.pk else "introducer")
        )
        introductions.append(
            {
                "id": r["id"],
                "my_role": role,
                "requester": _who(r["requester_id"], names),
                "recipient": _who(r["recipient_id"], names),
                "introducer": _who(r["introducer_id"], names),
                # the message and match reasons are the requester's words: theirs to take along
                "message": r["message"] if role == "requester" else "",
                "reasons": r["reasons"] if role == "requester" else [],
                "status": r["status"],
                "created_at": r["created_at"],
                "answered_at": r["answered_at"],
            }
        )
    note(Introduction, [r["id"] for r in intro_rows])
    files["introductions.json"] = introductions

    ratings = {
        m: (pk, r)
        for pk, m, r in MeetingRating.objects.filter(member=member).values_list("id", "meeting_id", "rating")
    }
    outcomes = {
        o["meeting_id"]: o
        for o in Outcome.objects.filter(member=member).values(
            "id", "meeting_id", "kind", "value_cents", "note", "created_at"
        )
    }
    meetings = []
    for r in meeting_rows:
        other = r["other_id"] if r["recorded_by_id"] == member.pk else r["recorded_by_id"]
        outcome = outcomes.get(r["id"])
        meetings.append(
            {
                "id": r["id"],
                "date": r["date"],
                "space_id": r["space_id"],
                "space": r["space__name"],
                "status": r["status"],
                "with": _who(other, names),
                "recorded_by_me": r["recorded_by_id"] == member.pk,
                "introduction_id": r["introduction_id"],
                "confirmed_at": r["confirmed_at"],
                "my_rating": ratings.get(r["id"], (None, None))[1],
                "my_outcome": outcome["kind"] if outcome else None,
                "my_outcome_value_cents": outcome["value_cents"] if outcome else None,
                "my_outcome_note": outcome["note"] if outcome else "",
            }
        )
    note(Meeting, [r["id"] for r in meeting_rows])
    note(MeetingRating, [pk for pk, _ in ratings.values()])
    note(Outcome, [o["id"] for o in outcomes.values()])
    files["meetings.json"] = files["meetings.csv"] = meetings

    bookings = list(
        Booking.objects.filter(member=member).values(
            "id",
            "room_id",
            "room__name",
            "room__space__name",
            "starts_at",
            "ends_at",
            "title",
            "status",
            "net_cents",
            "vat_rate",
            "vat_cents",
            "gross_cents",
            "payment_provider",
            "payment_status",
            "payment_reference",
            "created_at",
            "cancelled_at",
        )
    )
    note(Booking, [b["id"] for b in bookings])
    files["bookings.json"] = files["bookings.csv"] = bookings
    invoices = list(
        Invoice.objects.filter(booking__member=member).values(
            "id",
            "number",
            "kind",
            "booking_id",
            "issued_at",
            "issue_date",
            "seller_name",
            "seller_address",
            "seller_vat_id",
            "buyer_name",
            "buyer_email",
            "buyer_company",
            "buyer_address",
            "buyer_vat_id",
            "supply_date",
            "description",
            "net_cents",
            "vat_rate",
            "vat_cents",
            "gross_cents",
            "currency",
        )
    )
    files["invoices.json"] = files["invoices.csv"] = invoices

    account = Account.objects.filter(member=member).first()
    postings = list(
        Posting.objects.filter(account__member=member)
        .order_by("id")
        .values(
            "id",
            "transaction_id",
            "transaction__kind",
            "transaction__reason",
            "amount",
            "transaction__created_at",
        )
    )
    ledger_rows = [
        {
            "transaction_id": p["transaction_id"],
            "created_at": p["transaction__created_at"],
            "kind": p["transaction__kind"],
            "reason": p["transaction__reason"],
            "amount_sc": _sc(p["amount"]),
        }
        for p in postings
    ]
    if account:
        note(Account, [account.pk])
    files["ledger.json"] = {
        "account": account.public_id if account else None,
        "balance_sc": _sc(account.balance) if account else "0.00",
        "postings": ledger_rows,
    }
    files["ledger.csv"] = ledger_rows
    files["ledger-proofs.json"] = ledger_proofs(member)

    credentials = list(
        IssuedCredential.objects.filter(member=member).values(
            "id", "uid", "kind", "achievement", "issued_at", "valid_until", "revoked_at", "revocation_reason"
        )
    )
    note(IssuedCredential, [c["id"] for c in credentials])
    files["credentials.json"] = credentials
    note(Erasure, list(Erasure.objects.filter(member=member).values_list("id", flat=True)))

    # Reach: notifications received (what and when, without the other members' names they
    # show), those the member's actions caused (without who got them), follows (followers only
    # counted), preferences, emails sent (not their bodies), the address state, the feed's date.
    received = list(
        Notification.objects.filter(recipient=member).values(
            "id", "kind", "url", "subject", "email", "created_at", "read_at"
        )
    )
    caused = list(Notification.objects.filter(actor=member).values("id", "kind", "created_at"))
    note(Notification, [n["id"] for n in received + caused])
    following = list(
        Subscription.objects.filter(member=member).values(
            "id", "followed_id", "tag__name", "space_id", "created_at"
        )
    )
    followers = list(Subscription.objects.filter(followed=member).values_list("id", flat=True))
    note(Subscription, [s["id"] for s in following] + followers)
    preferences = list(Preference.objects.filter(member=member).values("id", "kind", "channel"))
    note(Preference, [p["id"] for p in preferences])
    emails = list(
        OutboundEmail.objects.filter(member=member).values(
            "id", "kind", "to", "subject", "status", "attempts", "created_at", "sent_at"
        )
    )
    note(OutboundEmail, [e["id"] for e in emails])
    address = list(AccountEmail.objects.filter(member=member).values("id", "address", "verified_at"))
    note(AccountEmail, [a["id"] for a in address])
    feed = list(CalendarFeed.objects.filter(member=member).values("id", "created_at"))
    note(CalendarFeed, [f["id"] for f in feed])
    files["notifications.json"] = {
        "received": received,
        "caused": caused,
        "following": following,
        "followers": len(followers),
        "preferences": preferences,
        "emails": emails,
        "email_address": address,
        "calendar_feed": feed,
    }
    files["notifications.csv"] = received
    photo = Photo.objects.filter(member=member).values_list("id", "data").first()
    if photo:
        files["photo.jpg"] = bytes(photo[1])
        note(Photo, [photo[0]])

    # Whatever else links to the member (tables other apps add): exported whole.
    for model, field in member_links():
        label = model._meta.label_lower
        if label in manifest or label in NOT_EXPORTED:
            continue
        if (label, field.name) in NOT_EXPORTED_LINKS:
            continue
        rows = list(rows_of(member, model, field).values())
        if rows:
            files[f"other/{label}.json"] = rows
            note(model, [r[model._meta.pk.attname] for r in rows])
    for label in manifest:
        manifest[label] = sorted(set(manifest[label]))
    return files, manifest


# Linked tables deliberately left out: the other side of records already exported through
# their owner's section (transactions are in ledger.json through postings), and the admin's log.
NOT_EXPORTED = {"ledger.transaction", "admin.logentry", "exchange.question_tags", "rights.dataexport"}
# Links through which a row is someone else's, not the member's: another member's
# notification of something the member did, another member's follow of them.
NOT_EXPORTED_LINKS = {("notifications.notification", "actor"), ("notifications.subscription", "followed")}


def ledger_proofs(member: Member) -> dict:
    """Exactly what GET /api/v1/me/ledger/proofs builds (the ledger owns that format), so the
    export never drifts from it."""
    return my_ledger_proofs(SimpleNamespace(auth=member.user), HttpResponse())


def export_build(member: Member) -> bytes:
    """The member's export as ZIP bytes."""
    files, manifest = export_sections(member)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", str(README).format(when=timezone.now().strftime("%Y-%m-%d %H:%M UTC")))
        for name, value in files.items():
            if isinstance(value, bytes):
                zf.writestr(name, value)
            else:
                zf.writestr(name, _csv(value) if name.endswith(".csv") else _json(value))
        zf.writestr("manifest.json", _json(manifest))
    return buffer.getvalue()


def export_filename(member: Member) -> str:
    return f"serendip-export-{timezone.now():%Y%m%d}.zip"
