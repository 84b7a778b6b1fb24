"""The simulator's bulk path keeps the invariants the services keep, and the two interoperate."""

import datetime as dt
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from serendip.errors import Conflict
from serendip.exchange.services import meeting_confirm, meeting_record
from serendip.experiments import assignment
from serendip.experiments.models import Assignment, Experiment
from serendip.experiments.services import experiment_analyse
from serendip.ledger.models import LogEntry, LogState, Transaction
from serendip.ledger.services import member_account
from serendip.passport.models import Member
from serendip.presence.models import CheckIn
from serendip.presence.services import checkin_create
from serendip.simulation.checks import invariants
from serendip.simulation.simulate import SCALES, Params, Scale, Simulator

END = dt.date(2026, 3, 6)  # a Friday; fixed so runs are comparable
SMALL = Scale(members=150, spaces=4, countries=2, days=21)
# Busier than life, so small spaces fill up and the capacity rule is exercised.
BUSY = Params(checkins_per_member_year=150, intro_probability=0.8, seat_headroom=(0.4, 0.6))


def simulate(scale=SMALL, params=BUSY, seed=1, end=END):
    return Simulator(scale=scale, seed=seed, end=end, params=params, progress=lambda line: None).run()


@pytest.mark.django_db
def test_it_keeps_every_invariant_at_small_scale():
    result = simulate()
    assert result.checkins > 300
    assert result.checkins_refused_full > 0  # spaces were full some days, and nobody got in over capacity
    assert result.introductions > 0 and result.meetings_confirmed > 0 and result.questions > 0
    assert invariants() == []


@pytest.mark.django_db
def test_its_log_is_contiguous_and_matches_the_transactions():
    simulate()
    size = LogState.objects.get(pk=1).size
    assert size == Transaction.objects.count() == LogEntry.objects.count()
    assert list(LogEntry.objects.order_by("index").values_list("index", flat=True)) == list(range(size))


@pytest.mark.django_db
def test_the_services_keep_the_same_invariants(make_member, make_space):
    space = make_space(seats=2, seat_price="1.00")
    a, b, c = (make_member(offers=["python"], needs=["design"]) for _ in range(3))
    today = space.local_today()
    for m in (a, b):
        checkin_create(member=m, space_id=space.pk, date=today)
    with pytest.raises(Conflict, match="full"):
        checkin_create(member=c, space_id=space.pk, date=today)
    meeting = meeting_record(member=a, other_id=b.pk, date=today)
    meeting_confirm(member=b, meeting_id=meeting.pk)
    assert invariants() == []


@pytest.mark.django_db
def test_the_services_carry_on_where_the_bulk_path_stopped(make_member):
    simulate(end=dt.datetime.now(dt.UTC).date())
    newcomer = make_member()  # member_signup: a welcome grant through transaction_record
    member = Member.objects.filter(user__username__startswith="sim-").order_by("pk").first()
    space = CheckIn.objects.filter(member=member).first().space
    tomorrow = space.local_today() + dt.timedelta(days=1)
    if not CheckIn.objects.filter(member=member, date=tomorrow).exists():
        checkin_create(member=member, space_id=space.pk, date=tomorrow)
    assert member_account(newcomer).balance > 0
    assert invariants() == []


class _Rollback(Exception):
    pass


def _fingerprint() -> str:
    h = hashlib.sha256()
    for data in LogEntry.objects.order_by("index").values_list("data", flat=True):
        h.update(bytes(data))
    for row in CheckIn.objects.order_by("pk").values_list(
        "member__user__username", "space__slug", "date", "status"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


@pytest.mark.django_db
def test_it_is_deterministic_for_a_seed():
    prints = []
    for seed in (7, 7, 8):
        try:
            with transaction.atomic():
                simulate(seed=seed)
                prints.append(_fingerprint())
                raise _Rollback
        except _Rollback:
            pass
    assert prints[0] == prints[1] != prints[2]


@pytest.mark.django_db
def test_a_second_run_is_refused():
    call_command("simulate", "--scale", "test", "--end", "2026-03-06", "--no-stats")
    with pytest.raises(CommandError, match="already holds a simulated network"):
        call_command("simulate", "--scale", "test", "--end", "2026-03-06", "--no-stats")
    call_command("simulate", "--scale", "test", "--skip-if-present", "--no-stats")  # exits 0 for make demo


@pytest.mark.django_db
def test_the_demo_preset_is_small():
    assert SCALES["demo"].members <= 500 and SCALES["demo"].days <= 60


@pytest.mark.django_db
def test_it_runs_the_experiment_as_the_platform_does():
    result = simulate()
    experiment = Experiment.objects.get(name=result.experiment)
    assert (experiment.starts_on, experiment.ends_on) == (END - dt.timedelta(days=SMALL.days - 1), END)
    arms = dict(Assignment.objects.filter(experiment=experiment).values_list("member_id", "arm"))
    assert len(arms) == SMALL.members
    assert arms == {m: assignment.arm(experiment.name, m, experiment.holdout_share) for m in arms}
    assert sum(a == "holdout" for a in arms.values()) == result.holdout_members > 0


@pytest.mark.django_db
def test_its_suggestions_have_the_effect_it_is_given():
    strong = Params(
        **{**BUSY.__dict__, "suggestion_effect": 3.0, "holdout_share": 0.2, "min_others_present": 1}
    )
    result = simulate(params=strong)
    stored = experiment_analyse(
        experiment=Experiment.objects.get(name=result.experiment), today=END, replicates=300
    )
    requested = stored.data["effects"][0]
    assert requested["outcome"] == "introductions_requested"
    # x4 the chance to ask (candidates run out sooner for the keen, so a little less is seen).
    assert requested["significant"] and requested["ratio_ci"]["low"] > 2
