"""Experiments through the services: periods, the fixed share, stored arms, what a hold-out
member is shown, and the analysis stored for the insights page, the CSV and `stats --json`."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from serendip.errors import Conflict, InvalidInput
from serendip.experiments import assignment
from serendip.experiments.models import Assignment, Experiment, ExperimentResult
from serendip.experiments.outcomes import exposure_by_member, outcomes_by_member
from serendip.experiments.selectors import experiment_on, suggestions_for
from serendip.experiments.services import (
    assignments_ensure,
    experiment_analyse,
    experiment_update,
)
from serendip.presence.services import checkin_create

from .factories import TODAY, an_experiment, member_in


@pytest.mark.django_db
def test_experiments_run_one_after_another():
    an_experiment()
    with pytest.raises(Conflict, match="overlaps"):
        an_experiment(
            name="summer", starts_on=TODAY + dt.timedelta(days=10), ends_on=TODAY + dt.timedelta(days=40)
        )
    later = an_experiment(
        name="summer", starts_on=TODAY + dt.timedelta(days=11), ends_on=TODAY + dt.timedelta(days=40)
    )
    assert experiment_on(TODAY).name == "spring"
    assert experiment_on(TODAY + dt.timedelta(days=20)) == later


@pytest.mark.django_db
@pytest.mark.parametrize("share", [-0.01, 0.21, 0.5])
def test_the_holdout_share_is_at_most_20_percent(share):
    with pytest.raises(InvalidInput, match=r"between 0 and 0\.2"):
        an_experiment(share=share)


@pytest.mark.django_db
def test_an_experiment_cannot_end_before_it_starts():
    with pytest.raises(InvalidInput, match="before its first"):
        an_experiment(starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1))


@pytest.mark.django_db
def test_arms_are_stored_once_and_never_change(make_member):
    experiment = an_experiment()
    members = [make_member() for _ in range(30)]
    ids = [m.pk for m in members]
    first = assignments_ensure(experiment=experiment, member_ids=ids)
    assert first == {m: assignment.arm("spring", m, 0.2) for m in ids}
    assert Assignment.objects.filter(experiment=experiment).count() == 30
    # The share can no longer change once anyone is assigned; the end can.
    with pytest.raises(Conflict, match="already assigned"):
        experiment_update(
            experiment=experiment,
            name="spring",
            starts_on=experiment.starts_on,
            ends_on=experiment.ends_on,
            holdout_share=0.05,
            min_others_present=1,
        )
    experiment_update(
        experiment=experiment,
        name="spring",
        starts_on=experiment.starts_on,
        ends_on=experiment.ends_on + dt.timedelta(days=5),
        holdout_share=0.2,
        min_others_present=1,
    )
    # Even a stored arm that disagrees with the hash (say, drawn under an older rule) stays.
    flipped = ids[0]
    Assignment.objects.filter(experiment=experiment, member_id=flipped).update(
        arm="holdout" if first[flipped] == "suggested" else "suggested"
    )
    again = assignments_ensure(experiment=experiment, member_ids=ids)
    assert again[flipped] != first[flipped]
    assert Assignment.objects.filter(experiment=experiment).count() == 30


@pytest.mark.django_db
def test_a_holdout_member_sees_the_people_present_in_random_order_without_reasons(
    make_member, space_with_people
):
    space, people = space_with_people
    experiment = an_experiment()
    me = member_in(make_member, experiment, assignment.HOLDOUT, offers=["python"], needs=["design"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    shown = suggestions_for(member=me, space=space, date=space.local_today())
    assert not shown.ranked and shown.arm == "holdout" and shown.experiment == "spring"
    assert sorted(r.member_id for r in shown.routes) == sorted(m.pk for m in people)
    assert all(r.reasons == [] and r.score == 0.0 for r in shown.routes)
    assert Assignment.objects.get(experiment=experiment, member=me).arm == "holdout"
    assert suggestions_for(member=me, space=space, date=space.local_today()) == shown  # stable on reload


@pytest.mark.django_db
def test_a_suggested_member_sees_ranked_suggestions_with_reasons(make_member, space_with_people):
    space, _people = space_with_people
    experiment = an_experiment()
    me = member_in(make_member, experiment, assignment.SUGGESTED, offers=["python"], needs=["design"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    shown = suggestions_for(member=me, space=space, date=space.local_today())
    assert shown.ranked and shown.arm == "suggested"
    assert shown.routes and all(r.reasons for r in shown.routes)
    scores = [r.score for r in shown.routes]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
def test_without_an_experiment_everyone_gets_ranked_suggestions(make_member, space_with_people):
    space, _people = space_with_people
    me = make_member(offers=["python"], needs=["design"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    shown = suggestions_for(member=me, space=space, date=space.local_today())
    assert shown.ranked and shown.arm is None and shown.routes
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_exposure_is_a_day_with_enough_others_present(experiment_with_outcomes):
    experiment, (a, b, _c, d) = experiment_with_outcomes
    assert exposure_by_member(experiment, through=TODAY + dt.timedelta(days=1)) == {a.pk: 1, b.pk: 1, d.pk: 1}
    experiment.min_others_present = 3
    assert exposure_by_member(experiment, through=TODAY + dt.timedelta(days=1)) == {}


@pytest.mark.django_db
def test_outcomes_are_counted_per_member(experiment_with_outcomes):
    experiment, (a, b, _c, _d) = experiment_with_outcomes
    counts = outcomes_by_member(experiment, through=TODAY + dt.timedelta(days=1))
    assert counts == {
        "introductions_requested": {a.pk: 1},
        "introductions_accepted": {a.pk: 1},
        "meetings_confirmed": {a.pk: 1, b.pk: 1},
        "meetings_led_to_work": {a.pk: 1},
    }


@pytest.mark.django_db
def test_the_analysis_is_stored_and_shown(experiment_with_outcomes, make_member):
    experiment, (a, b, _c, d) = experiment_with_outcomes
    result = experiment_analyse(experiment=experiment, today=TODAY + dt.timedelta(days=1), replicates=200)
    data = ExperimentResult.objects.get(experiment=experiment).data
    assert data == result.data
    assert (data["members_suggested"], data["members_holdout"]) == (2, 1)  # c had no exposure
    assert (data["member_days_suggested"], data["member_days_holdout"]) == (2, 1)
    requested = data["effects"][0]
    assert requested["outcome"] == "introductions_requested"
    assert (requested["rate_suggested"], requested["rate_holdout"]) == (0.5, 0.0)
    assert set(Assignment.objects.filter(experiment=experiment).values_list("member_id", flat=True)) >= {
        a.pk,
        b.pk,
        d.pk,
    }

    operator = make_member()
    operator.user.is_staff = True
    operator.user.save()
    client = Client()
    client.force_login(operator.user)
    page = client.get("/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="experiment-spring"' in html and 'data-outcome="meetings_led_to_work"' in html
    assert "95% interval" in html and "Wilson" in html

    response = client.get("/insights/experiments.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["outcome"] for r in rows] == [
        "introductions_requested",
        "introductions_accepted",
        "meetings_confirmed",
        "meetings_led_to_work",
    ]
    assert rows[0]["experiment"] == "spring" and float(rows[0]["rate_suggested"]) == 0.5

    out = io.StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["experiments"][0]["name"] == "spring"
    assert stats["experiments"][0]["analysis"]["effects"][2]["count_holdout"] == 1
    assert "Wilson" in stats["paid_work_share"]["note"]


@pytest.mark.django_db
def test_the_csv_is_for_operators_only(make_member):
    client = Client()
    assert client.get("/insights/experiments.csv").status_code == 302  # to the login page
    client.force_login(make_member().user)
    assert client.get("/insights/experiments.csv").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/experiments/", "/privacy/"])
def test_anyone_can_read_what_the_network_tests_and_why(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="experiments-privacy"' in html and "random order" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("experiment_with_outcomes")  # "spring" has started and has data
def test_stats_refresh_analyses_started_experiments():
    an_experiment(
        name="later", starts_on=TODAY + dt.timedelta(days=30), ends_on=TODAY + dt.timedelta(days=40)
    )
    call_command("stats", "--refresh", stderr=io.StringIO())
    assert list(ExperimentResult.objects.values_list("experiment__name", flat=True)) == ["spring"]


@pytest.mark.django_db
def test_the_operator_sets_up_experiments_in_the_admin(make_member):
    operator = make_member()
    operator.user.is_staff = operator.user.is_superuser = True
    operator.user.save()
    client = Client()
    client.force_login(operator.user)
    form = {
        "name": "spring",
        "description": "",
        "holdout_share": "0.1",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=30)).isoformat(),
        "min_others_present": "3",
    }
    assert client.post("/admin/experiments/experiment/add/", form).status_code == 302
    clash = client.post("/admin/experiments/experiment/add/", {**form, "name": "clash"})
    assert clash.status_code == 200 and "overlaps experiment spring" in clash.content.decode()
    too_big = client.post(
        "/admin/experiments/experiment/add/",
        {
            **form,
            "name": "big",
            "holdout_share": "0.3",
            "starts_on": (TODAY + dt.timedelta(days=40)).isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=50)).isoformat(),
        },
    )
    assert too_big.status_code == 200
    assert list(Experiment.objects.values_list("name", "holdout_share")) == [("spring", 0.1)]
    # Once members are assigned the share is shown, not editable.
    spring = Experiment.objects.get()
    assignments_ensure(experiment=spring, member_ids=[operator.pk])
    page = client.get(f"/admin/experiments/experiment/{spring.pk}/change/").content.decode()
    assert 'name="holdout_share"' not in page and 'name="ends_on"' in page
    later = (TODAY + dt.timedelta(days=60)).isoformat()
    change = {"description": "longer", "ends_on": later, "min_others_present": "2"}
    assert client.post(f"/admin/experiments/experiment/{spring.pk}/change/", change).status_code == 302
    spring.refresh_from_db()
    assert (spring.ends_on.isoformat(), spring.holdout_share, spring.min_others_present) == (later, 0.1, 2)


@pytest.mark.django_db
def test_the_holdout_is_not_shown_hidden_members_or_those_closed_to_matching(make_member, space_with_people):
    space, people = space_with_people
    experiment = an_experiment()
    hidden, closed = people[0], people[1]
    hidden.visibility = "hidden"
    hidden.save()
    closed.open_to_matching = False
    closed.save()
    me = member_in(make_member, experiment, assignment.HOLDOUT)
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    shown = {r.member_id for r in suggestions_for(member=me, space=space, date=space.local_today()).routes}
    assert shown == {m.pk for m in people[2:]}
