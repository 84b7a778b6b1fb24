import pytest
from django.test import Client

from serendip.exchange.models import Meeting
from serendip.exchange.services import question_ask
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_the_lobby_shows_todays_questions_asked_here(make_member, make_space):
    space = make_space()
    asker = make_member()
    checkin_create(member=asker, space_id=space.pk, date=space.local_today())
    question_ask(asker=asker, title="Anyone here who knows Kubernetes?", tags=["kubernetes"], here=True)
    question_ask(asker=asker, title="A network-wide question", tags=["tax"])
    page = Client().get(f"/spaces/{space.slug}/lobby").content.decode()
    assert "Anyone here who knows Kubernetes?" in page
    assert "A network-wide question" not in page


def test_ask_answer_and_accept_through_the_pages(make_member):
    asker, expert = make_member(), make_member(offers=["kubernetes"])
    r = logged_in(asker).post("/questions/ask", {"title": "How do I size a cluster?", "tags": "Kubernetes"})
    assert r.status_code == 302
    qid = int(r.url.rstrip("/").split("/")[-1])
    assert b"How do I size a cluster?" in logged_in(expert).get("/questions/").content
    logged_in(expert).post(f"/questions/{qid}/answer", {"body": "Start with three nodes."})
    page = logged_in(asker).get(f"/questions/{qid}/").content.decode()
    assert "Start with three nodes." in page and "Accept this answer" in page
    answer_id = int(page.split("/accept/")[1].split('"')[0])
    r = logged_in(asker).post(f"/questions/{qid}/accept/{answer_id}", {"rating": "5"}, follow=True)
    assert "Answer accepted" in r.content.decode()
    assert "Answer accepted (rated 5/5)" in logged_in(expert).get("/passport/balance/").content.decode()


def test_introductions_and_meetings_through_the_pages(make_member, make_space):
    a, b = make_member(display_name="Ann"), make_member(display_name="Ben")
    space = make_space()
    for m in (a, b):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    logged_in(a).post(f"/introductions/to/{b.pk}", {"message": "Coffee?"})
    inbox = logged_in(b).get("/introductions/").content.decode()
    assert "Ann" in inbox and "Coffee?" in inbox
    r = logged_in(a).post(
        "/meetings/record", {"other_id": b.pk, "date": space.local_today().isoformat()}, follow=True
    )
    assert "Meeting recorded" in r.content.decode()
    meeting_id = Meeting.objects.get(recorded_by=a).pk
    assert f"/meetings/{meeting_id}/confirm" in logged_in(b).get("/meetings/").content.decode()
    r = logged_in(b).post(f"/meetings/{meeting_id}/confirm", {"rating": "4"}, follow=True)
    assert "Meeting confirmed" in r.content.decode()
    r = logged_in(a).post(
        f"/meetings/{meeting_id}/outcome",
        {f"m{meeting_id}-kind": "paid_work", f"m{meeting_id}-value_eur": "1500"},
        follow=True,
    )
    assert "Led to paid work" in r.content.decode()


def test_the_lobby_counts_questions_from_local_midnight_not_the_utc_date(make_member, make_space):
    import datetime as dt

    from serendip.exchange.models import Question

    # 14 hours ahead of UTC: the local day starts on the previous UTC date.
    space = make_space(timezone="Pacific/Kiritimati")
    asker = make_member()
    checkin_create(member=asker, space_id=space.pk, date=space.local_today())
    early = question_ask(asker=asker, title="Asked just after local midnight", tags=["tax"], here=True)
    late = question_ask(asker=asker, title="Asked late yesterday", tags=["tax"], here=True)
    midnight = dt.datetime.combine(space.local_today(), dt.time(0), tzinfo=space.tz)
    Question.objects.filter(pk=early.pk).update(created_at=midnight + dt.timedelta(minutes=5))
    Question.objects.filter(pk=late.pk).update(created_at=midnight - dt.timedelta(minutes=5))
    page = Client().get(f"/spaces/{space.slug}/lobby").content.decode()
    assert "Asked just after local midnight" in page
    assert "Asked late yesterday" not in page


def test_open_questions_count_each_ones_answers_in_a_bounded_number_of_statements(
    make_member, django_assert_max_num_queries
):
    from serendip.exchange.services import answer_create, answer_delete

    reader, expert = make_member(), make_member()
    asked = [
        question_ask(asker=make_member(), title=f"Open question number {i}", tags=["tax"]) for i in range(6)
    ]
    for q, n in zip(asked, [0, 1, 2, 0, 3, 1], strict=True):
        for k in range(n):
            answer_create(author=make_member(), question_id=q.pk, body=f"answer {k}")
    gone = answer_create(author=expert, question_id=asked[0].pk, body="withdrawn")
    answer_delete(member=expert, answer_id=gone.pk)  # a deleted answer is not counted
    client = logged_in(reader)
    client.get("/questions/")  # warm (session, matching)
    with django_assert_max_num_queries(16):  # not one per question
        html = client.get("/questions/").content.decode()
    html = html.split('id="open"', 1)[1]  # the open questions' list (some may be routed to the reader too)
    for q, n in zip(asked, [0, 1, 2, 0, 3, 1], strict=True):
        row = html[html.index(q.title) :].split("</li>", 1)[0]
        assert (f"{n} answer" if n == 1 else f"{n} answers") in row, (q.title, row)
