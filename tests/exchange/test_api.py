import pytest

from serendip.exchange.models import Answer, Meeting, Question
from serendip.ledger import rules
from serendip.ledger.models import Transaction
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def test_ask_answer_accept_and_see_it_in_the_ledger(make_member, api_as):
    asker_m, author_m = make_member(), make_member(offers=["gdpr"])
    asker, author = api_as(asker_m), api_as(author_m)
    r = asker.post(
        "/questions", {"title": "Do I need a DPA with my host?", "tags": ["GDPR"], "body": "EU startup"}
    )
    assert r.status_code == 201, r.content
    qid = r.json()["id"]
    routed = author.get("/questions/for-me").json()
    assert [x["question"]["id"] for x in routed] == [qid] and routed[0]["reasons"]
    a = author.post(f"/questions/{qid}/answers", {"body": "Yes, if they process personal data for you."})
    assert a.status_code == 201
    accepted = asker.post(f"/answers/{a.json()['id']}/accept", {"rating": 4})
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True
    ledger = author.get("/me/ledger").json()
    assert ledger["entries"][0]["kind"] == "answer_accepted" and "rated 4/5" in ledger["entries"][0]["reason"]
    assert float(ledger["balance"]) > rules.WELCOME_GRANT / 100
    detail = asker.get(f"/questions/{qid}").json()
    assert detail["status"] == "answered" and detail["answers"][0]["rating"] == 4


@pytest.mark.parametrize(
    "payload, status, words",
    [
        ({"title": ""}, 422, "title"),
        ({"title": "x" * 201}, 422, "title"),
        ({"title": "ok", "tags": ["t"] * 11}, 422, "tags"),
        ({"title": "ok", "tags": [""]}, 422, "tags.0: String should have at least 1 character"),
        ({"title": "ok", "tags": ["  "]}, 400, "empty"),
        ({"title": "nul\x00"}, 422, "NUL"),
        ({"title": "ok", "here": True}, 409, "not checked in"),
    ],
)
def test_bad_questions_are_a_clear_4xx_and_write_nothing(make_member, api_as, payload, status, words):
    r = api_as(make_member()).post("/questions", payload)
    assert r.status_code == status, r.content
    assert words in r.json()["detail"]
    assert not Question.objects.exists()


def test_accepting_someone_elses_answer_or_rating_9_is_refused(make_member, api_as):
    asker, author, stranger = (api_as(make_member()) for _ in range(3))
    qid = asker.post("/questions", {"title": "Q?"}).json()["id"]
    aid = author.post(f"/questions/{qid}/answers", {"body": "A."}).json()["id"]
    r = stranger.post(f"/answers/{aid}/accept", {"rating": 5})
    assert r.status_code == 403 and "only the asker" in r.json()["detail"]
    r = asker.post(f"/answers/{aid}/accept", {"rating": 9})
    assert r.status_code == 422 and "rating" in r.json()["detail"]
    assert not Answer.objects.filter(accepted=True).exists()
    assert not Transaction.objects.filter(kind="answer_accepted").exists()


def test_answering_a_deleted_question_is_404(make_member, api_as):
    asker, author = api_as(make_member()), api_as(make_member())
    qid = asker.post("/questions", {"title": "Q?"}).json()["id"]
    assert asker.delete(f"/questions/{qid}").status_code == 204
    r = author.post(f"/questions/{qid}/answers", {"body": "A."})
    assert r.status_code == 404 and "no question" in r.json()["detail"]


def test_introductions_through_the_api(make_member, api_as):
    a_m, b_m = make_member(), make_member()
    a, b = api_as(a_m), api_as(b_m)
    r = a.post("/introductions", {"recipient_id": b_m.pk, "message": "Coffee?"})
    assert r.status_code == 201
    iid = r.json()["id"]
    inbox = b.get("/introductions").json()
    assert [i["id"] for i in inbox["waiting_for_me"]] == [iid]
    assert a.post(f"/introductions/{iid}/decline").status_code == 403
    assert b.post(f"/introductions/{iid}/decline").json()["status"] == "declined"
    again = a.post("/introductions", {"recipient_id": b_m.pk})
    assert again.status_code == 409 and "no thanks" in again.json()["detail"]


def test_confirming_a_meeting_you_were_not_in_is_refused(make_member, make_space, api_as):
    a_m, b_m, c_m = make_member(), make_member(), make_member()
    space = make_space()
    for m in (a_m, b_m):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    a, b, c = api_as(a_m), api_as(b_m), api_as(c_m)
    r = a.post("/meetings", {"other_id": b_m.pk, "date": space.local_today().isoformat()})
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert c.post(f"/meetings/{mid}/confirm", {}).status_code == 404
    assert a.post(f"/meetings/{mid}/confirm", {}).status_code == 403
    assert b.post(f"/meetings/{mid}/confirm", {"rating": 6}).status_code == 422
    assert Meeting.objects.get(pk=mid).status == "pending"
    assert b.post(f"/meetings/{mid}/confirm", {"rating": 5}).json()["status"] == "confirmed"
    r = a.post(f"/meetings/{mid}/outcome", {"kind": "paid_work", "value_cents": 120000, "note": "a website"})
    assert r.status_code == 200 and r.json()["kind"] == "paid_work"
    assert a.post(f"/meetings/{mid}/outcome", {"kind": "fame"}).status_code == 422


def test_a_meeting_without_co_presence_is_409(make_member, make_space, api_as):
    space = make_space()
    b_m = make_member()
    r = api_as(make_member()).post("/meetings", {"other_id": b_m.pk, "date": space.local_today().isoformat()})
    assert r.status_code == 409 and "not both checked in" in r.json()["detail"]


def test_a_checkin_without_enough_balance_is_402(make_member, make_space, api_as):
    space = make_space(seat_price=rules.WELCOME_GRANT // 100 + 1)
    r = api_as(make_member()).post(
        "/checkins", {"space_id": space.pk, "date": space.local_today().isoformat()}
    )
    assert r.status_code == 402 and "not enough social capital" in r.json()["detail"]
