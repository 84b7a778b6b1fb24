"""API for the knowledge exchange: questions, answers, introductions, meetings, outcomes."""

import datetime as dt

from ninja import Field, Router, Schema, Status

from serendip.apitypes import Id, Text, current_member
from serendip.network.selectors import space_get
from serendip.passport.models import Member
from serendip.passport.services import check_tags
from serendip.presence.selectors import member_checkin_on, member_checkin_today

from . import routing, services
from .models import OutcomeKind
from .selectors import introductions_for, meetings_of, question_detail, questions_for

router = Router(tags=["exchange"])

Rating = Field(..., ge=1, le=5, description="1 (poor) to 5 (excellent)")


class QuestionIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    body: Text = Field("", max_length=5000)
    tags: list[Text] = Field(default_factory=list, max_length=10)
    here: bool = Field(False, description="also route to members at my space today")


class AnswerOut(Schema):
    id: int
    author_id: int
    author_name: str
    body: str
    accepted: bool
    rating: int | None
    created_at: dt.datetime


class QuestionOut(Schema):
    id: int
    asker_id: int
    asker_name: str
    title: str
    body: str
    tags: list[str]
    space_id: int | None
    status: str
    created_at: dt.datetime
    answers: list[AnswerOut] = []


class RoutedOut(Schema):
    question: QuestionOut
    score: float
    reasons: list[str]


class AnswerIn(Schema):
    body: Text = Field(..., min_length=1, max_length=5000)


class AcceptIn(Schema):
    rating: int = Rating


class IntroductionIn(Schema):
    recipient_id: Id
    message: Text = Field("", max_length=500)
    requester_id: Id | None = Field(None, description="introduce this member (not yourself) to the recipient")


class IntroductionOut(Schema):
    id: int
    requester_id: int
    recipient_id: int
    introducer_id: int | None
    message: str
    status: str
    created_at: dt.datetime


class MeetingIn(Schema):
    other_id: Id
    date: dt.date


class ConfirmIn(Schema):
    rating: int | None = Field(None, ge=1, le=5)


class MeetingOut(Schema):
    id: int
    recorded_by_id: int
    other_id: int
    space_id: int
    date: dt.date
    status: str


class OutcomeIn(Schema):
    kind: OutcomeKind
    value_cents: int | None = Field(None, ge=0, le=10**12)
    note: Text = Field("", max_length=300)


class OutcomeOut(Schema):
    meeting_id: int
    kind: str
    value_cents: int | None
    note: str


def question_out(q, answers=()) -> dict:
    return {
        "id": q.pk,
        "asker_id": q.asker_id,
        "asker_name": q.asker.display_name,
        "title": q.title,
        "body": q.body,
        "tags": [t.name for t in q.tags.all()],
        "space_id": q.space_id,
        "status": q.status,
        "created_at": q.created_at,
        "answers": [
            {
                "id": a.pk,
                "author_id": a.author_id,
                "author_name": a.author.display_name,
                "body": a.body,
                "accepted": a.accepted,
                "rating": a.rating,
                "created_at": a.created_at,
            }
            for a in answers
        ],
    }


@router.post(
    "/questions", response={201: QuestionOut}, summary="Ask a question; it is routed to who can answer"
)
def question_ask(request, payload: QuestionIn):
    q = services.question_ask(asker=current_member(request), **payload.dict())
    return Status(201, question_out(q))


@router.get("/questions/for-me", response=list[RoutedOut], summary="Open questions routed to me, with why")
def questions_for_me(request):
    return [
        {"question": question_out(r.question), "score": r.score, "reasons": r.reasons}
        for r in questions_for(current_member(request))
    ]


@router.get("/questions/{question_id}", response=QuestionOut, summary="A question with its answers")
def question_get(request, question_id: Id):
    current_member(request)
    return question_out(*question_detail(question_id))


@router.delete("/questions/{question_id}", response={204: None}, summary="Delete my question")
def question_delete(request, question_id: Id):
    services.question_delete(member=current_member(request), question_id=question_id)
    return Status(204, None)


@router.post("/questions/{question_id}/answers", response={201: AnswerOut}, summary="Answer a question")
def answer_create(request, question_id: Id, payload: AnswerIn):
    a = services.answer_create(author=current_member(request), question_id=question_id, body=payload.body)
    return Status(201, question_out(a.question, [a])["answers"][0])


@router.post(
    "/answers/{answer_id}/accept", response=AnswerOut, summary="Accept and rate an answer to my question"
)
def answer_accept(request, answer_id: Id, payload: AcceptIn):
    a = services.answer_accept(asker=current_member(request), answer_id=answer_id, rating=payload.rating)
    return question_out(a.question, [a])["answers"][0]


@router.delete("/answers/{answer_id}", response={204: None}, summary="Delete my answer")
def answer_delete(request, answer_id: Id):
    services.answer_delete(member=current_member(request), answer_id=answer_id)
    return Status(204, None)


def intro_out(i) -> dict:
    return {
        "id": i.pk,
        "requester_id": i.requester_id,
        "recipient_id": i.recipient_id,
        "introducer_id": i.introducer_id,
        "message": i.message,
        "status": i.status,
        "created_at": i.created_at,
    }


@router.post("/introductions", response={201: IntroductionOut}, summary="Ask for (or make) an introduction")
def introduction_create(request, payload: IntroductionIn):
    i = services.introduction_create(member=current_member(request), **payload.dict())
    return Status(201, intro_out(i))


@router.get("/introductions", response=dict[str, list[IntroductionOut]], summary="My introductions inbox")
def introductions_inbox(request):
    return {k: [intro_out(i) for i in v] for k, v in introductions_for(current_member(request)).items()}


@router.post(
    "/introductions/{introduction_id}/accept", response=IntroductionOut, summary="Accept an introduction"
)
def introduction_accept(request, introduction_id: Id):
    member = current_member(request)
    return intro_out(
        services.introduction_respond(member=member, introduction_id=introduction_id, accept=True)
    )


@router.post(
    "/introductions/{introduction_id}/decline",
    response=IntroductionOut,
    summary="No thanks (final for this pair)",
)
def introduction_decline(request, introduction_id: Id):
    member = current_member(request)
    return intro_out(
        services.introduction_respond(member=member, introduction_id=introduction_id, accept=False)
    )


def meeting_out(m) -> dict:
    return {
        "id": m.pk,
        "recorded_by_id": m.recorded_by_id,
        "other_id": m.other_id,
        "space_id": m.space_id,
        "date": m.date,
        "status": m.status,
    }


@router.post("/meetings", response={201: MeetingOut}, summary="Record that I met someone (they confirm)")
def meeting_record(request, payload: MeetingIn):
    m = services.meeting_record(member=current_member(request), other_id=payload.other_id, date=payload.date)
    return Status(201, meeting_out(m))


@router.get("/meetings", response=list[MeetingOut], summary="My meetings")
def meetings_list(request):
    return [meeting_out(m) for m in meetings_of(current_member(request))]


@router.post(
    "/meetings/{meeting_id}/confirm", response=MeetingOut, summary="Confirm a meeting recorded by the other"
)
def meeting_confirm(request, meeting_id: Id, payload: ConfirmIn):
    member = current_member(request)
    return meeting_out(services.meeting_confirm(member=member, meeting_id=meeting_id, rating=payload.rating))


@router.post("/meetings/{meeting_id}/outcome", response=OutcomeOut, summary="What a meeting led to")
def outcome_record(request, meeting_id: Id, payload: OutcomeIn):
    o = services.outcome_record(member=current_member(request), meeting_id=meeting_id, **payload.dict())
    return {"meeting_id": o.meeting_id, "kind": o.kind, "value_cents": o.value_cents, "note": o.note}


class MatchOut(Schema):
    member_id: int
    display_name: str
    score: float
    reasons: list[str]


class MatchesOut(Schema):
    space_id: int | None
    date: dt.date
    matches: list[MatchOut]


class RoutingIn(Schema):
    tags: list[Text] = Field(default_factory=list, max_length=10)
    text: Text = Field("", max_length=5000)
    space_id: Id | None = Field(None, description="only among the members at this space today")
    k: int = Field(10, ge=1, le=50)


def _match_out(routes) -> list[dict]:
    names = dict(
        Member.objects.filter(pk__in=[r.member_id for r in routes]).values_list("pk", "display_name")
    )
    return [
        {
            "member_id": r.member_id,
            "display_name": names.get(r.member_id, ""),
            "score": r.score,
            "reasons": r.reasons,
        }
        for r in routes
    ]


@router.get("/me/matches", response=MatchesOut, summary="Whom to meet where I am checked in on a date")
def my_matches(request, date: dt.date | None = None):
    member = current_member(request)
    checkin = member_checkin_today(member) if date is None else member_checkin_on(member, date)
    if checkin is None:
        return {"space_id": None, "date": date or dt.date.today(), "matches": []}
    routes = routing.suggestions(member=member, space=checkin.space, date=checkin.date)
    return {"space_id": checkin.space_id, "date": checkin.date, "matches": _match_out(routes)}


@router.post(
    "/routing", response=list[MatchOut], summary="Members best able to answer (network-wide or at a space)"
)
def route(request, payload: RoutingIn):
    member = current_member(request)
    names = list(check_tags(payload.tags, kind="routing"))
    space = space_get(space_id=payload.space_id) if payload.space_id else None
    routes = routing.route(tags=names, text=payload.text, k=payload.k, exclude={member.pk}, space=space)
    return _match_out(routes)
