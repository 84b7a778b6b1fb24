import datetime as dt

import pytest

from serendip.errors import Conflict, Forbidden, InvalidInput, NotFound
from serendip.exchange.models import IntroductionStatus, MeetingStatus, QuestionRoute
from serendip.exchange.services import (
    answer_accept,
    answer_create,
    answer_delete,
    introduction_create,
    introduction_respond,
    meeting_confirm,
    meeting_record,
    outcome_record,
    question_ask,
    question_delete,
)
from serendip.ledger import rules
from serendip.ledger.models import Transaction, TxKind
from serendip.ledger.selectors import balance_mismatches, member_balance
from serendip.passport.models import Activity
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def both_at(space, *members, date=None):
    for m in members:
        checkin_create(member=m, space_id=space.pk, date=date or space.local_today())


def test_a_question_is_routed_to_those_who_offer_its_tags_never_the_asker(make_member):
    asker = make_member(offers=["quantum computing"], needs=["quantum computing"])
    expert = make_member(offers=["quantum computing", "qiskit"])
    make_member(offers=["knitting"])
    q = question_ask(
        asker=asker, title="How do I run a circuit on real hardware?", tags=["Qiskit", "quantum computing"]
    )
    routed = list(QuestionRoute.objects.filter(question=q).values_list("member_id", flat=True))
    assert expert.pk in routed and asker.pk not in routed
    assert sorted(q.tags.values_list("name", flat=True)) == ["qiskit", "quantum computing"]
    assert Activity.objects.filter(member=asker, verb="asked").exists()


def test_hidden_and_opted_out_members_get_no_questions(make_member):
    asker = make_member()
    make_member(offers=["tax"], visibility="hidden")
    make_member(offers=["tax"], open_to_matching=False)
    q = question_ask(asker=asker, title="VAT on invoices abroad?", tags=["tax"])
    assert not QuestionRoute.objects.filter(question=q).exists()


def test_bad_questions_are_refused(make_member):
    asker = make_member()
    with pytest.raises(InvalidInput, match="title"):
        question_ask(asker=asker, title="   ")
    with pytest.raises(InvalidInput):
        question_ask(asker=asker, title="ok", tags=["x" * 80])
    with pytest.raises(Conflict, match="not checked in"):
        question_ask(asker=asker, title="Anyone here know SQL?", here=True)


def test_accepting_an_answer_pays_its_author_by_rating_and_scarcity(make_member):
    asker = make_member()
    author = make_member(offers=["rare skill"])
    make_member(offers=["common"])
    q = question_ask(asker=asker, title="Rare question", tags=["rare skill"])
    answer = answer_create(author=author, question_id=q.pk, body="Here is how.")
    answer_accept(asker=asker, answer_id=answer.pk, rating=5)
    tx = Transaction.objects.get(kind=TxKind.ANSWER_ACCEPTED, beneficiary=author)
    earned = tx.postings.get(amount__gt=0).amount
    assert earned > rules.ANSWER_ACCEPTED_BASE  # rated 5 and a rare tag: worth more than the base
    assert member_balance(author) == rules.WELCOME_GRANT + earned
    assert tx.subject == f"answer:{answer.pk}" and "rated 5/5" in tx.reason


def test_only_the_asker_accepts_once_and_never_their_own_answer(make_member):
    asker, author, stranger = make_member(), make_member(), make_member()
    q = question_ask(asker=asker, title="Question?")
    answer = answer_create(author=author, question_id=q.pk, body="Answer.")
    own = answer_create(author=asker, question_id=q.pk, body="My own note.")
    with pytest.raises(Forbidden):
        answer_accept(asker=stranger, answer_id=answer.pk, rating=4)
    with pytest.raises(InvalidInput, match="own answer"):
        answer_accept(asker=asker, answer_id=own.pk, rating=4)
    with pytest.raises(InvalidInput, match="1 to 5"):
        answer_accept(asker=asker, answer_id=answer.pk, rating=9)
    answer_accept(asker=asker, answer_id=answer.pk, rating=4)
    second = answer_create(author=stranger, question_id=q.pk, body="Late answer.")
    with pytest.raises(Conflict, match="already has an accepted"):
        answer_accept(asker=asker, answer_id=second.pk, rating=4)


def test_removing_content_reverses_what_it_earned(make_member):
    asker, author = make_member(), make_member()
    q = question_ask(asker=asker, title="Question?")
    answer = answer_create(author=author, question_id=q.pk, body="Answer.")
    answer_accept(asker=asker, answer_id=answer.pk, rating=3)
    assert member_balance(author) > rules.WELCOME_GRANT
    answer_delete(member=author, answer_id=answer.pk)
    assert member_balance(author) == rules.WELCOME_GRANT
    assert Transaction.objects.filter(kind=TxKind.REVERSAL).count() == 1
    assert balance_mismatches() == []


def test_a_deleted_question_takes_no_answers(make_member):
    asker, author = make_member(), make_member()
    q = question_ask(asker=asker, title="Question?")
    with pytest.raises(Forbidden):
        question_delete(member=author, question_id=q.pk)
    question_delete(member=asker, question_id=q.pk)
    with pytest.raises(NotFound):
        answer_create(author=author, question_id=q.pk, body="Too late.")


def test_no_thanks_is_final_for_the_pair(make_member):
    a, b = make_member(), make_member()
    intro = introduction_create(member=a, recipient_id=b.pk, message="Coffee?")
    with pytest.raises(Conflict, match="waiting"):
        introduction_create(member=a, recipient_id=b.pk)
    with pytest.raises(Forbidden):
        introduction_respond(member=a, introduction_id=intro.pk, accept=True)
    introduction_respond(member=b, introduction_id=intro.pk, accept=False)
    for requester, recipient in ((a, b), (b, a)):
        with pytest.raises(Conflict, match="no thanks"):
            introduction_create(member=requester, recipient_id=recipient.pk)


def test_introductions_to_yourself_or_hidden_members_are_refused(make_member):
    a, hidden = make_member(), make_member(visibility="hidden")
    with pytest.raises(InvalidInput):
        introduction_create(member=a, recipient_id=a.pk)
    with pytest.raises(NotFound):
        introduction_create(member=a, recipient_id=hidden.pk)
    with pytest.raises(NotFound):
        introduction_create(member=a, recipient_id=999999)


def test_a_meeting_needs_both_checked_in_at_the_same_space(make_member, make_space):
    a, b = make_member(), make_member()
    here, there = make_space(), make_space()
    checkin_create(member=a, space_id=here.pk, date=here.local_today())
    checkin_create(member=b, space_id=there.pk, date=there.local_today())
    with pytest.raises(Conflict, match="not both checked in"):
        meeting_record(member=a, other_id=b.pk, date=here.local_today())
    with pytest.raises(InvalidInput, match="yourself"):
        meeting_record(member=a, other_id=a.pk, date=here.local_today())


def test_a_confirmed_meeting_pays_both_and_the_introducer(make_member, make_space):
    a, b, introducer = make_member(), make_member(), make_member()
    space = make_space()
    both_at(space, a, b)
    intro = introduction_create(
        member=introducer, requester_id=a.pk, recipient_id=b.pk, message="You two should meet"
    )
    introduction_respond(member=b, introduction_id=intro.pk, accept=True)
    meeting = meeting_record(member=a, other_id=b.pk, date=space.local_today())
    assert meeting.introduction == intro and meeting.status == MeetingStatus.PENDING
    with pytest.raises(Forbidden):
        meeting_confirm(member=a, meeting_id=meeting.pk)
    with pytest.raises(NotFound):
        meeting_confirm(member=introducer, meeting_id=meeting.pk)
    meeting_confirm(member=b, meeting_id=meeting.pk, rating=5)
    for m in (a, b):
        assert member_balance(m) == rules.WELCOME_GRANT + rules.MEETING_CONFIRMED_BASE
    assert member_balance(introducer) == rules.WELCOME_GRANT + rules.INTRODUCTION_BASE
    with pytest.raises(Conflict, match="already confirmed"):
        meeting_confirm(member=b, meeting_id=meeting.pk)
    with pytest.raises(Conflict, match="already recorded"):
        meeting_record(member=b, other_id=a.pk, date=space.local_today())
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.ACCEPTED


def test_an_outcome_is_recorded_on_confirmed_meetings_and_can_change(make_member, make_space):
    a, b = make_member(), make_member()
    space = make_space()
    both_at(space, a, b)
    meeting = meeting_record(member=a, other_id=b.pk, date=space.local_today())
    with pytest.raises(Conflict, match="confirmed"):
        outcome_record(member=a, meeting_id=meeting.pk, kind="paid_work")
    meeting_confirm(member=b, meeting_id=meeting.pk)
    outcome_record(member=a, meeting_id=meeting.pk, kind="nothing_yet")
    outcome = outcome_record(member=a, meeting_id=meeting.pk, kind="paid_work", value_cents=250000)
    assert outcome.kind == "paid_work" and meeting.outcomes.count() == 1
    with pytest.raises(InvalidInput):
        outcome_record(member=a, meeting_id=meeting.pk, kind="collaboration", value_cents=5)
    with pytest.raises(InvalidInput):
        outcome_record(member=a, meeting_id=meeting.pk, kind="world peace")


def test_future_meetings_cannot_be_recorded(make_member, make_space):
    a, b = make_member(), make_member()
    space = make_space()
    tomorrow = space.local_today() + dt.timedelta(days=1)
    both_at(space, a, b, date=tomorrow)
    with pytest.raises(InvalidInput, match="on the day or after"):
        meeting_record(member=a, other_id=b.pk, date=tomorrow)
