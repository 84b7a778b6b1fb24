"""Writes of the knowledge exchange: ask, answer, accept; introduce; meet, confirm, outcome.

Each function validates first (raising a `serendip.errors` error, nothing written) and then
writes atomically: the exchange row, the timeline entries and the social capital it earns
(`ledger.services`) commit together or not at all.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from serendip.errors import Conflict, Forbidden, InvalidInput, NotFound
from serendip.ledger import rules
from serendip.ledger.models import Posting
from serendip.ledger.services import earn, format_sc, reverse_earnings, scarcity
from serendip.notifications.services import notify, notify_many
from serendip.passport.models import Member, Visibility
from serendip.passport.services import activity_record, check_tags, tags_get_or_create
from serendip.presence.models import CheckIn, CheckInStatus
from serendip.presence.selectors import member_checkin_on, member_checkin_today
from serendip.text import clean_text

from . import routing
from .models import (
    Answer,
    Introduction,
    IntroductionStatus,
    Meeting,
    MeetingRating,
    MeetingStatus,
    Outcome,
    OutcomeKind,
    Question,
    QuestionRoute,
    QuestionStatus,
)

MAX_QUESTION_TAGS = 10
ROUTE_TO = 5  # members a question is routed to network-wide...
ROUTE_TO_HERE = 3  # ...plus this many among those in the building, for "here at my space today"
ROUTES_PER_MEMBER_PER_DAY = 5  # spreads the load: nobody gets every question
MEETING_RECORD_DAYS = 14  # a meeting can be recorded up to this many days later


def _introducible(member_id: int) -> Member:
    """A member who may be named in an introduction; 404 (as for an unknown id) otherwise."""
    introducible = Member.objects.filter(open_to_matching=True).exclude(visibility=Visibility.HIDDEN)
    member = introducible.filter(pk=member_id).first()
    if member is None:
        raise NotFound(f"no member with id {member_id}")
    return member


def _rating(rating: int) -> int:
    if rating not in rules.RATING_FACTOR:
        raise InvalidInput(_("a rating is a whole number from 1 to 5"))
    return rating


# Questions and answers ---------------------------------------------------------------


def routed_today_full() -> set[int]:
    """Members who already received their share of routed questions today."""
    since = timezone.now() - dt.timedelta(days=1)
    return set(
        QuestionRoute.objects.filter(created_at__gte=since)
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gte=ROUTES_PER_MEMBER_PER_DAY)
        .values_list("member", flat=True)
    )


@transaction.atomic
def question_ask(*, asker: Member, title: str, body: str = "", tags=(), here: bool = False) -> Question:
    """Ask a question and route it to the members best able to answer it."""
    title = clean_text(title, field="title", max_length=200, required=True)
    body = clean_text(body, field="body", max_length=5000)
    names = check_tags(list(tags), kind="question")
    if len(names) > MAX_QUESTION_TAGS:
        raise InvalidInput(_("a question can have at most %(max)s tags") % {"max": MAX_QUESTION_TAGS})
    space = None
    if here:
        checkin = member_checkin_today(asker)
        if checkin is None:
            raise Conflict(_("you are not checked in anywhere today, so there is no 'here' to ask"))
        space = checkin.space
    question = Question.objects.create(asker=asker, title=title, body=body, space=space)
    question.tags.set(tags_get_or_create(names).values())
    exclude = {asker.pk} | routed_today_full()
    text = f"{title}\n{body}"
    routes = routing.route(tags=list(names), text=text, k=ROUTE_TO, exclude=exclude)
    if space is not None:
        exclude |= {r.member_id for r in routes}
        routes += routing.route(tags=list(names), text=text, k=ROUTE_TO_HERE, exclude=exclude, space=space)
    QuestionRoute.objects.bulk_create(
        QuestionRoute(question=question, member_id=r.member_id, score=r.score, reasons=r.reasons)
        for r in routes
    )
    notify_many(
        recipient_ids=[r.member_id for r in routes],
        kind="question_routed",
        actor=asker,
        params={"actor": asker.display_name, "title": title},
        url=reverse("question", args=[question.pk]),
        subject=f"question:{question.pk}",
    )
    activity_record(
        member=asker,
        verb="asked",
        summary=f"Asked: {title}",
        extra={"question": question.pk, "routed_to": len(routes), "title": title},
    )
    return question


def _live_question(question_id: int, *, lock: bool = False) -> Question:
    qs = Question.objects.select_for_update() if lock else Question.objects
    question = qs.filter(pk=question_id).first()
    if question is None or question.status == QuestionStatus.DELETED:
        raise NotFound(f"no question with id {question_id}")
    return question


@transaction.atomic
def answer_create(*, author: Member, question_id: int, body: str) -> Answer:
    body = clean_text(body, field="body", max_length=5000, required=True)
    question = _live_question(question_id)
    answer = Answer.objects.create(question=question, author=author, body=body)
    notify(
        recipient=question.asker,
        kind="answer_posted",
        actor=author,
        params={"actor": author.display_name, "title": question.title},
        url=reverse("question", args=[question.pk]),
        subject=f"answer:{answer.pk}",
    )
    activity_record(
        member=author,
        verb="answered",
        summary=f"Answered: {question.title}",
        extra={"question": question.pk, "answer": answer.pk, "title": question.title},
    )
    return answer


@transaction.atomic
def answer_accept(*, asker: Member, answer_id: int, rating: int) -> Answer:
    """The asker accepts one answer and rates it; its author earns social capital."""
    rating = _rating(rating)
    answer = Answer.objects.select_related("question", "author").filter(pk=answer_id, deleted_at=None).first()
    if answer is None or answer.question.status == QuestionStatus.DELETED:
        raise NotFound(f"no answer with id {answer_id}")
    question = _live_question(answer.question_id, lock=True)  # one acceptance at a time
    if question.asker_id != asker.pk:
        raise Forbidden(_("only the asker can accept an answer"))
    if answer.author_id == asker.pk:
        raise InvalidInput(_("you cannot accept your own answer"))
    if question.status == QuestionStatus.ANSWERED:
        raise Conflict(_("this question already has an accepted answer"))
    answer.accepted, answer.rating = True, rating
    answer.save(update_fields=["accepted", "rating"])
    question.status = QuestionStatus.ANSWERED
    question.save(update_fields=["status"])
    tag_names = list(question.tags.values_list("name", flat=True))
    base = rules.ANSWER_ACCEPTED_BASE * rules.rating_factor(rating) * scarcity(tag_names)
    tx = earn(
        kind="answer_accepted",
        member=answer.author,
        counterpart=asker,
        base=base,
        subject=f"answer:{answer.pk}",
        reason=f"Answer accepted (rated {rating}/5): {question.title}",
    )
    earned = Posting.objects.filter(transaction=tx, amount__gt=0).values_list("amount", flat=True).first()
    notify(
        recipient=answer.author,
        kind="answer_accepted",
        actor=asker,
        params={
            "actor": asker.display_name,
            "title": question.title,
            "earned": format_sc(earned or 0).removesuffix(" SC"),
        },
        url=reverse("question", args=[question.pk]),
        subject=f"answer:{answer.pk}",
    )
    activity_record(
        member=answer.author,
        verb="answer_accepted",
        summary=f"Your answer was accepted: {question.title}",
        extra={
            "question": question.pk,
            "answer": answer.pk,
            "rating": rating,
            "transaction": tx and tx.pk,
            "title": question.title,
        },
    )
    activity_record(
        member=asker,
        verb="accepted_answer",
        summary=f"Accepted {answer.author.display_name}'s answer: {question.title}",
        extra={
            "question": question.pk,
            "answer": answer.pk,
            "title": question.title,
            "name": answer.author.display_name,
        },
    )
    return answer


@transaction.atomic
def question_delete(*, member: Member, question_id: int) -> Question:
    """The asker (or an operator) removes a question; what its accepted answer earned is reversed."""
    question = _live_question(question_id, lock=True)
    if question.asker_id != member.pk and not member.user.is_staff:
        raise Forbidden(_("only the asker can delete a question"))
    question.status, question.deleted_at = QuestionStatus.DELETED, timezone.now()
    question.save(update_fields=["status", "deleted_at"])
    for answer in question.answers.filter(accepted=True):
        reverse_earnings(subject=f"answer:{answer.pk}", reason=f"question removed: {question.title}")
    activity_record(
        member=member,
        verb="question_deleted",
        summary=f"Deleted question: {question.title}",
        extra={"title": question.title},
    )
    return question


@transaction.atomic
def answer_delete(*, member: Member, answer_id: int) -> Answer:
    answer = Answer.objects.select_for_update().filter(pk=answer_id, deleted_at=None).first()
    if answer is None:
        raise NotFound(f"no answer with id {answer_id}")
    if answer.author_id != member.pk and not member.user.is_staff:
        raise Forbidden(_("only the author can delete an answer"))
    answer.deleted_at = timezone.now()
    answer.save(update_fields=["deleted_at"])
    if answer.accepted:
        reverse_earnings(subject=f"answer:{answer.pk}", reason="accepted answer removed")
    return answer


# Introductions -----------------------------------------------------------------------


def _pair(a: int, b: int) -> Q:
    return Q(requester_id=a, recipient_id=b) | Q(requester_id=b, recipient_id=a)


@transaction.atomic
def introduction_create(
    *, member: Member, recipient_id: int, message: str = "", requester_id: int | None = None, reasons=()
) -> Introduction:
    """Ask to be introduced to `recipient_id` (from a match), or, with `requester_id`, introduce
    two other members to each other (you are then the introducer)."""
    message = clean_text(message, field="message", max_length=500)
    # Only members who can be introduced (neither hidden nor opted out of matching) can be named
    # here, and every other id (unknown, hidden, opted out) gets the same 404: nobody can learn
    # who is hidden, or put a hidden member's name into an introduction they never asked for.
    requester = member if requester_id in (None, member.pk) else _introducible(requester_id)
    recipient = _introducible(recipient_id)
    introducer = None if requester.pk == member.pk else member
    if recipient.pk == requester.pk:
        raise InvalidInput(_("an introduction needs two different members"))
    if introducer is not None and recipient.pk == introducer.pk:
        raise InvalidInput(_("to meet someone yourself, ask for the introduction as the requester"))
    previous = Introduction.objects.filter(_pair(requester.pk, recipient.pk))
    declined = previous.filter(status=IntroductionStatus.DECLINED)
    if introducer is None:
        # A "no thanks" to a third party's introduction does not stop the two asking themselves.
        declined = declined.filter(introducer__isnull=True)
    if declined.exists():
        raise Conflict(_("one of you said no thanks to this introduction; it is not suggested again"))
    if previous.filter(status=IntroductionStatus.PENDING).exists():
        raise Conflict(_("an introduction between you is already waiting for an answer"))
    if previous.filter(status=IntroductionStatus.ACCEPTED).exists():
        raise Conflict(_("you have already been introduced"))
    try:
        with transaction.atomic():
            intro = Introduction.objects.create(
                requester=requester,
                recipient=recipient,
                introducer=introducer,
                message=message,
                reasons=list(reasons)[:5],
            )
    except IntegrityError as exc:
        raise Conflict(_("an introduction between you is already waiting for an answer")) from exc
    notify(
        recipient=recipient,
        kind="introduction_requested",
        actor=member,
        params={"actor": requester.display_name},
        url=reverse("introductions"),
        subject=f"introduction:{intro.pk}",
    )
    # The timeline says what happened: a third party's introduction is theirs, not the requester's.
    activity_record(
        member=introducer or requester,
        verb="introduction_made" if introducer else "introduction_requested",
        summary=f"Introduced {requester.display_name} to {recipient.display_name}"
        if introducer
        else f"Asked to meet {recipient.display_name}",
        extra={
            "introduction": intro.pk,
            "requester": requester.display_name,
            "recipient": recipient.display_name,
            "name": recipient.display_name,
        },
    )
    return intro


@transaction.atomic
def introduction_respond(*, member: Member, introduction_id: int, accept: bool) -> Introduction:
    intro = (
        Introduction.objects.select_for_update()
        .select_related("requester", "recipient")
        .filter(pk=introduction_id)
        .first()
    )
    if intro is None or member.pk not in (intro.recipient_id, intro.requester_id, intro.introducer_id):
        raise NotFound(f"no introduction with id {introduction_id}")
    if intro.recipient_id != member.pk:
        raise Forbidden(_("only the member being introduced to can accept or decline"))
    if intro.status != IntroductionStatus.PENDING:
        raise Conflict(
            _("this introduction is already %(status)s") % {"status": intro.get_status_display().lower()}
        )
    intro.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    intro.answered_at = timezone.now()
    intro.save(update_fields=["status", "answered_at"])
    verb = "accepted" if accept else "declined"
    notify_many(
        recipient_ids=[pk for pk in (intro.requester_id, intro.introducer_id) if pk],
        kind=f"introduction_{verb}",
        actor=member,
        params={"actor": member.display_name},
        url=reverse("introductions"),
        subject=f"introduction:{intro.pk}",
    )
    activity_record(
        member=member,
        verb=f"introduction_{verb}",
        summary=f"{verb.capitalize()} an introduction to {intro.requester.display_name}",
        extra={"introduction": intro.pk, "name": intro.requester.display_name},
    )
    return intro


# Meetings ----------------------------------------------------------------------------


def co_present_space(a: Member, b: Member, date: dt.date):
    """The space where both held a seat on `date`, or None."""
    holding = [CheckInStatus.RESERVED, CheckInStatus.PRESENT]
    mine = CheckIn.objects.filter(member=a, date=date, status__in=holding).values_list("space", flat=True)
    theirs = CheckIn.objects.filter(member=b, date=date, status__in=holding, space__in=mine).select_related(
        "space"
    )
    found = theirs.first()
    return found.space if found else None


@transaction.atomic
def meeting_record(*, member: Member, other_id: int, date: dt.date) -> Meeting:
    """Record that I met `other_id`; it counts once they confirm.

    Who was where is not for anyone to probe: an unknown id, a hidden member and a member who
    was not at my space that day all get the same 409 with the same words, and a meeting can
    only be recorded with someone I could see there (a hidden member records it themselves)."""
    if other_id == member.pk:
        raise InvalidInput(_("you cannot record a meeting with yourself"))
    not_met = Conflict(
        _("you were not both checked in at the same space on %(date)s")
        % {"date": formats.date_format(date, "DATE_FORMAT")}
    )
    mine = member_checkin_on(member, date)
    if mine is None:
        raise not_met
    space = mine.space
    today = space.local_today()
    if date > today:
        raise InvalidInput(_("a meeting can only be recorded on the day or after it"))
    if date < today - dt.timedelta(days=MEETING_RECORD_DAYS):
        raise InvalidInput(
            _("meetings can be recorded up to %(days)s days later") % {"days": MEETING_RECORD_DAYS}
        )
    other = Member.objects.filter(pk=other_id).exclude(visibility=Visibility.HIDDEN).first()
    if other is None or co_present_space(member, other, date) != space:
        raise not_met
    intro = (
        Introduction.objects.filter(_pair(member.pk, other.pk), status=IntroductionStatus.ACCEPTED)
        .order_by("-answered_at")
        .first()
    )
    low, high = sorted([member.pk, other.pk])
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                recorded_by=member,
                other=other,
                space=space,
                date=date,
                introduction=intro,
                member_low_id=low,
                member_high_id=high,
            )
    except IntegrityError as exc:
        raise Conflict(_("this meeting is already recorded")) from exc
    notify(
        recipient=other,
        kind="meeting_to_confirm",
        actor=member,
        params={"actor": member.display_name, "space": space.name, "date": date.isoformat()},
        url=reverse("meetings"),
        subject=f"meeting:{meeting.pk}",
    )
    activity_record(
        member=member,
        verb="meeting_recorded",
        summary=f"Met {other.display_name} at {space.name}",
        extra={"meeting": meeting.pk, "name": other.display_name, "space_name": space.name},
    )
    return meeting


def _my_meeting(member: Member, meeting_id: int, *, lock: bool = False) -> Meeting:
    qs = Meeting.objects.select_for_update(of=("self",)) if lock else Meeting.objects
    meeting = qs.select_related("recorded_by", "other", "space", "introduction").filter(pk=meeting_id).first()
    if meeting is None or member.pk not in (meeting.recorded_by_id, meeting.other_id):
        raise NotFound(f"no meeting with id {meeting_id}")
    return meeting


@transaction.atomic
def meeting_confirm(*, member: Member, meeting_id: int, rating: int | None = None) -> Meeting:
    """The other member confirms; both earn, and so does the introducer who brought them together."""
    meeting = _my_meeting(member, meeting_id, lock=True)
    if meeting.other_id != member.pk:
        raise Forbidden(_("the other member confirms a meeting, not the one who recorded it"))
    if meeting.status == MeetingStatus.CONFIRMED:
        raise Conflict(_("this meeting is already confirmed"))
    if co_present_space(meeting.recorded_by, meeting.other, meeting.date) is None:
        raise Conflict(_("you were not both checked in at the same space that day"))
    if rating is not None:
        _rating(rating)
    meeting.status, meeting.confirmed_at = MeetingStatus.CONFIRMED, timezone.now()
    meeting.save(update_fields=["status", "confirmed_at"])
    if rating is not None:
        MeetingRating.objects.create(meeting=meeting, member=member, rating=rating)
    for me, them in ((meeting.recorded_by, meeting.other), (meeting.other, meeting.recorded_by)):
        earn(
            kind="meeting_confirmed",
            member=me,
            counterpart=them,
            base=rules.MEETING_CONFIRMED_BASE,
            subject=f"meeting:{meeting.pk}",
            reason=f"Met {them.display_name} at {meeting.space.name} "
            f"on {meeting.date.day} {meeting.date:%B %Y}",
        )
        activity_record(
            member=me,
            verb="meeting_confirmed",
            summary=f"Meeting with {them.display_name} confirmed",
            extra={"meeting": meeting.pk, "name": them.display_name},
        )
    intro = meeting.introduction
    # The introducer earns once per introduction, for the first meeting it led to.
    if (
        intro is not None
        and intro.introducer_id
        and intro.introducer_id not in (meeting.member_low_id, meeting.member_high_id)
        and not intro.meetings.filter(status=MeetingStatus.CONFIRMED).exclude(pk=meeting.pk).exists()
    ):
        earn(
            kind="introduction",
            member=intro.introducer,
            counterpart=None,
            base=rules.INTRODUCTION_BASE,
            subject=f"introduction:{intro.pk}",
            reason=f"Your introduction of {intro.requester.display_name} to {intro.recipient.display_name}"
            " led to a meeting",
        )
    return meeting


@transaction.atomic
def meeting_rate(*, member: Member, meeting_id: int, rating: int) -> MeetingRating:
    meeting = _my_meeting(member, meeting_id)
    _rating(rating)
    if meeting.status != MeetingStatus.CONFIRMED:
        raise Conflict(_("a meeting can be rated once it is confirmed"))
    rated, _created = MeetingRating.objects.update_or_create(
        meeting=meeting, member=member, defaults={"rating": rating}
    )
    return rated


@transaction.atomic
def outcome_record(
    *, member: Member, meeting_id: int, kind: str, value_cents: int | None = None, note: str = ""
) -> Outcome:
    """Say what a confirmed meeting led to; saying it again replaces the earlier answer."""
    meeting = _my_meeting(member, meeting_id)
    if kind not in OutcomeKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(OutcomeKind.values)}")
    if meeting.status != MeetingStatus.CONFIRMED:
        raise Conflict(_("an outcome can be recorded once the meeting is confirmed"))
    if value_cents is not None and (kind != OutcomeKind.PAID_WORK or value_cents < 0):
        raise InvalidInput(_("a value (in cents, not negative) goes only with paid work"))
    note = clean_text(note, field="note", max_length=300)
    outcome, _created = Outcome.objects.update_or_create(
        meeting=meeting, member=member, defaults={"kind": kind, "value_cents": value_cents, "note": note}
    )
    other = meeting.other if meeting.recorded_by_id == member.pk else meeting.recorded_by
    activity_record(
        member=member,
        verb="outcome_recorded",
        summary=f"Meeting with {other.display_name}: {OutcomeKind(kind).label.lower()}",
        extra={"meeting": meeting.pk, "kind": kind, "name": other.display_name},
    )
    return outcome
