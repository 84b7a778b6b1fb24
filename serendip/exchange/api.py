"""API for the knowledge exchange: questions, answers, introductions, meetings, outcomes."""

import datetime as dt

from ninja import Field, Router, Schema, Status

from serendip.apitypes import (
    TAG_RULES,
    BodyId,
    Bool,
    Day,
    Id,
    Tag,
    Text,
    current_member,
    int_between,
    responses,
)
from serendip.network.selectors import space_get
from serendip.passport.models import Member
from serendip.passport.selectors import shown_id, shown_name
from serendip.passport.services import check_tags

from . import routing, services
from .models import Answer, OutcomeKind, Question
from .selectors import introductions_for, meetings_of, named_routes, question_detail, questions_for

router = Router(tags=["exchange"])

Rating = int_between(1, 5)


class QuestionIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    body: Text = Field("", max_length=5000)
    tags: list[Tag] = Field(default_factory=list, max_length=10, description=TAG_RULES)
    here: Bool = Field(False, description="also route to members at my space today")


def _viewer(context) -> Member | None:
    """The signed-in member a response is for (the schema resolvers' context has the request)."""
    user = getattr((context or {}).get("request"), "auth", None)
    return getattr(user, "member", None) if user is not None and user.is_authenticated else None


class AnswerOut(Schema):
    id: int
    author_id: int | None = Field(description="null when the author is hidden")
    author_name: str
    body: str
    accepted: bool
    rating: int | None
    created_at: dt.datetime

    # A hidden author or asker is "A member" with no id (passport.selectors.shown_name).
    @staticmethod
    def resolve_author_id(a: Answer, context) -> int | None:
        return shown_id(a.author, _viewer(context))

    @staticmethod
    def resolve_author_name(a: Answer, context) -> str:
        return shown_name(a.author, _viewer(context))


class QuestionOut(Schema):
    id: int
    asker_id: int | None = Field(description="null when the asker is hidden")
    asker_name: str
    title: str
    body: str
    tags: list[str]
    space_id: int | None
    status: str
    created_at: dt.datetime
    answers: list[AnswerOut] = []

    @staticmethod
    def resolve_asker_id(q: Question, context) -> int | None:
        return shown_id(q.asker, _viewer(context))

    @staticmethod
    def resolve_asker_name(q: Question, context) -> str:
        return shown_name(q.asker, _viewer(context))

    @staticmethod
    def resolve_tags(q: Question) -> list[str]:
        return [t.name for t in q.tags.all()]

    @staticmethod
    def resolve_answers(q: Question) -> list[Answer]:
        # Only the answers a handler chose to show (a question's detail); lists show none.
        return getattr(q, "answers_shown", [])


class RoutedOut(Schema):
    question: QuestionOut
    score: float
    reasons: list[str]


class AnswerIn(Schema):
    body: Text = Field(..., min_length=1, max_length=5000)


class AcceptIn(Schema):
    rating: Rating = Field(description="1 (poor) to 5 (excellent)")


class IntroductionIn(Schema):
    recipient_id: BodyId
    message: Text = Field("", max_length=500)
    requester_id: BodyId | None = Field(
        None, description="introduce this member (not yourself) to the recipient"
    )


class IntroductionOut(Schema):
    id: int
    requester_id: int
    recipient_id: int
    introducer_id: int | None
    message: str
    status: str
    created_at: dt.datetime


class InboxOut(Schema):
    waiting_for_me: list[IntroductionOut]
    sent: list[IntroductionOut]
    answered: list[IntroductionOut]


class MeetingIn(Schema):
    other_id: BodyId
    date: Day = Field(description="the local date of the meeting at my space, YYYY-MM-DD")


class ConfirmIn(Schema):
    rating: Rating | None = Field(None, description="1 (poor) to 5 (excellent)")


class MeetingOut(Schema):
    id: int
    recorded_by_id: int
    other_id: int
    space_id: int
    date: dt.date
    status: str


class OutcomeIn(Schema):
    kind: OutcomeKind
    value_cents: int_between(0, 10**12) | None = None
    note: Text = Field("", max_length=300)


class OutcomeOut(Schema):
    meeting_id: int
    kind: str
    value_cents: int | None
    note: str


@router.post(
    "/questions",
    response=responses({201: QuestionOut}, 400, 403, 409, body=True),
    summary="Ask a question; it is routed to who can answer",
)
def question_ask(request, payload: QuestionIn):
    return Status(201, services.question_ask(asker=current_member(request), **payload.dict()))


@router.get(
    "/questions/for-me",
    response=responses({200: list[RoutedOut]}),
    summary="Open questions routed to me, with why",
)
def questions_for_me(request):
    return questions_for(current_member(request))


@router.get(
    "/questions/{question_id}",
    response=responses({200: QuestionOut}, 404),
    summary="A question with its answers",
)
def question_get(request, question_id: Id):
    current_member(request)
    question, answers = question_detail(question_id)
    question.answers_shown = answers
    return question


@router.delete(
    "/questions/{question_id}", response=responses({204: None}, 403, 404, 409), summary="Delete my question"
)
def question_delete(request, question_id: Id):
    services.question_delete(member=current_member(request), question_id=question_id)
    return Status(204, None)


@router.post(
    "/questions/{question_id}/answers",
    response=responses({201: AnswerOut}, 400, 403, 404, 409, body=True),
    summary="Answer a question",
)
def answer_create(request, question_id: Id, payload: AnswerIn):
    a = services.answer_create(author=current_member(request), question_id=question_id, body=payload.body)
    return Status(201, a)


@router.post(
    "/answers/{answer_id}/accept",
    response=responses({200: AnswerOut}, 400, 403, 404, 409, body=True),
    summary="Accept and rate an answer to my question",
)
def answer_accept(request, answer_id: Id, payload: AcceptIn):
    return services.answer_accept(asker=current_member(request), answer_id=answer_id, rating=payload.rating)


@router.delete(
    "/answers/{answer_id}", response=responses({204: None}, 403, 404, 409), summary="Delete my answer"
)
def answer_delete(request, answer_id: Id):
    services.answer_delete(member=current_member(request), answer_id=answer_id)
    return Status(204, None)


@router.post(
    "/introductions",
    response=responses({201: IntroductionOut}, 400, 403, 404, 409, body=True),
    summary="Ask for (or make) an introduction",
)
def introduction_create(request, payload: IntroductionIn):
    return Status(201, services.introduction_create(member=current_member(request), **payload.dict()))


@router.get("/introductions", response=responses({200: InboxOut}), summary="My introductions inbox")
def introductions_inbox(request):
    return introductions_for(current_member(request))


@router.post(
    "/introductions/{introduction_id}/accept",
    response=responses({200: IntroductionOut}, 403, 404, 409),
    summary="Accept an introduction",
)
def introduction_accept(request, introduction_id: Id):
    member = current_member(request)
    return services.introduction_respond(member=member, introduction_id=introduction_id, accept=True)


@router.post(
    "/introductions/{introduction_id}/decline",
    response=responses({200: IntroductionOut}, 403, 404, 409),
    summary="No thanks (final for this pair)",
)
def introduction_decline(request, introduction_id: Id):
    member = current_member(request)
    return services.introduction_respond(member=member, introduction_id=introduction_id, accept=False)


@router.post(
    "/meetings",
    response=responses({201: MeetingOut}, 400, 403, 404, 409, body=True),
    summary="Record that I met someone (they confirm)",
)
def meeting_record(request, payload: MeetingIn):
    m = services.meeting_record(member=current_member(request), other_id=payload.other_id, date=payload.date)
    return Status(201, m)


@router.get("/meetings", response=responses({200: list[MeetingOut]}), summary="My meetings")
def meetings_list(request):
    return meetings_of(current_member(request))


@router.post(
    "/meetings/{meeting_id}/confirm",
    response=responses({200: MeetingOut}, 400, 403, 404, 409, body=True),
    summary="Confirm a meeting recorded by the other",
)
def meeting_confirm(request, meeting_id: Id, payload: ConfirmIn):
    member = current_member(request)
    return services.meeting_confirm(member=member, meeting_id=meeting_id, rating=payload.rating)


@router.post(
    "/meetings/{meeting_id}/outcome",
    response=responses({200: OutcomeOut}, 400, 403, 404, 409, body=True),
    summary="What a meeting led to",
)
def outcome_record(request, meeting_id: Id, payload: OutcomeIn):
    return services.outcome_record(member=current_member(request), meeting_id=meeting_id, **payload.dict())


class MatchOut(Schema):
    """A member the engine suggests, with why (a `NamedRoute`)."""

    member_id: int
    display_name: str
    score: float
    reasons: list[str]


class RoutingIn(Schema):
    tags: list[Tag] = Field(default_factory=list, max_length=10, description=TAG_RULES)
    text: Text = Field("", max_length=5000)
    space_id: BodyId | None = Field(None, description="only among the members at this space today")
    k: int_between(1, 50) = 10


@router.post(
    "/routing",
    response=responses({200: list[MatchOut]}, 400, 403, 404, body=True),
    summary="Members best able to answer (network-wide or at a space)",
)
def route(request, payload: RoutingIn):
    member = current_member(request)
    names = list(check_tags(payload.tags, kind="routing"))
    space = space_get(space_id=payload.space_id) if payload.space_id else None
    routes = routing.route(tags=names, text=payload.text, k=payload.k, exclude={member.pk}, space=space)
    return named_routes(routes)
