"""Reads of the exchange: questions for me, a question with its answers, my inbox and meetings,
the names of suggested members."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from serendip.errors import NotFound
from serendip.passport.models import Member, Visibility

from .models import Answer, Introduction, IntroductionStatus, Meeting, Question, QuestionRoute, QuestionStatus


def questions_for(member: Member, *, limit: int = 50) -> list[QuestionRoute]:
    """Open questions routed to the member, newest first, with why they were routed."""
    return list(
        QuestionRoute.objects.filter(member=member, question__status=QuestionStatus.OPEN)
        .exclude(question__asker=member)
        .select_related("question", "question__asker", "question__space")
        .prefetch_related("question__tags")
        .order_by("-created_at")[:limit]
    )


def questions_asked_by(member: Member, *, limit: int = 50) -> list[Question]:
    return list(
        Question.objects.filter(asker=member)
        .exclude(status=QuestionStatus.DELETED)
        .prefetch_related("tags")
        .order_by("-created_at")[:limit]
    )


def question_detail(question_id: int) -> tuple[Question, list[Answer]]:
    question = (
        Question.objects.select_related("asker", "space")
        .prefetch_related("tags")
        .filter(pk=question_id)
        .exclude(status=QuestionStatus.DELETED)
        .first()
    )
    if question is None:
        raise NotFound(f"no question with id {question_id}")
    answers = list(question.answers.filter(deleted_at=None).select_related("author"))
    return question, answers


def open_questions_at(space, *, limit: int = 10) -> list[Question]:
    """Today's open questions asked "here" at a space (for the lobby screen): since midnight in
    the space's time zone (a UTC date would drop them between local and UTC midnight)."""
    midnight = dt.datetime.combine(space.local_today(), dt.time(0), tzinfo=space.tz)
    return list(
        Question.objects.filter(space=space, status=QuestionStatus.OPEN, created_at__gte=midnight)
        .select_related("asker")
        .prefetch_related("tags")[:limit]
    )


def introductions_for(member: Member) -> dict[str, list[Introduction]]:
    base = Introduction.objects.select_related("requester", "recipient", "introducer")
    return {
        "waiting_for_me": list(base.filter(recipient=member, status=IntroductionStatus.PENDING)),
        "sent": list(base.filter(Q(requester=member) | Q(introducer=member)).order_by("-created_at")[:50]),
        "answered": list(base.filter(recipient=member).exclude(status=IntroductionStatus.PENDING)[:50]),
    }


def meetings_of(member: Member, *, limit: int = 50) -> list[Meeting]:
    return list(
        Meeting.objects.filter(Q(recorded_by=member) | Q(other=member))
        .select_related("recorded_by", "other", "space")
        .prefetch_related("outcomes", "ratings")
        .order_by("-date", "-id")[:limit]
    )


@dataclass(frozen=True)
class NamedRoute:
    """A route (a suggested member, score, reasons) with the member's display name."""

    member_id: int
    display_name: str
    score: float
    reasons: list[str]


def named_routes(routes: Sequence) -> list[NamedRoute]:
    """Routes of `routing.route`/`suggestions` with their members' names, in one query."""
    ids = [r.member_id for r in routes]
    names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    return [NamedRoute(r.member_id, names.get(r.member_id, ""), r.score, r.reasons) for r in routes]


def introduction_states(member: Member, others: list[int]) -> dict[int, str]:
    """For each of `others` with an introduction to or from `member`: its status (the latest)."""
    rows = (
        Introduction.objects.filter(
            Q(requester=member, recipient_id__in=others) | Q(recipient=member, requester_id__in=others)
        )
        .order_by("created_at", "id")
        .values_list("requester_id", "recipient_id", "status")
    )
    return {(b if a == member.pk else a): status for a, b, status in rows}


def met_on(member: Member, date) -> set[int]:
    """Whom `member` has recorded (or been recorded) meeting on `date`."""
    rows = Meeting.objects.filter(Q(recorded_by=member) | Q(other=member), date=date).values_list(
        "recorded_by_id", "other_id"
    )
    return {b if a == member.pk else a for a, b in rows}


def open_questions(*, exclude: Member, tag: str = "", limit: int = 30) -> list[Question]:
    """Open questions anyone may answer, newest first (not the member's own); by a tag if given.
    Each has `n_answers`, counted for the shown page only: counting in the same statement grouped
    every open question of the network before the newest were picked (seed scale: most of the
    page's time)."""
    qs = (
        Question.objects.filter(status=QuestionStatus.OPEN)
        .exclude(asker=exclude)
        .select_related("asker", "space")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )
    if tag:
        qs = qs.filter(tags__name=tag)
    questions = list(qs[:limit])
    counts = dict(
        Answer.objects.filter(question__in=[q.pk for q in questions], deleted_at=None)
        .values("question")
        .annotate(n=Count("id"))
        .values_list("question", "n")
    )
    for q in questions:
        q.n_answers = counts.get(q.pk, 0)
    return questions


def question_progress(question: Question) -> dict:
    """What happened to a question, for its asker: how many it went to (and who, where their
    passports are visible to members), and who answered."""
    routes = list(question.routes.select_related("member").order_by("-score"))
    visible = [r.member for r in routes if r.member.visibility != Visibility.HIDDEN]
    return {"routed": len(routes), "routed_visible": visible[:12]}
