"""The operator's insights page draws one plot per outcome of an analysed experiment (and
passes the browser checks of `conftest.Visit`: no script errors, no CSP violations, no
serious axe violations); the page that says what members are told passes them too."""

import datetime as dt

from serendip.experiments.services import experiment_analyse
from tests.conftest import PASSWORD
from tests.experiments.factories import with_outcomes

from .conftest import LAPTOP, PHONE


def test_the_operator_sees_a_plot_per_outcome(visit, make_member, make_space):
    experiment, _members = with_outcomes(make_member, make_space)
    experiment_analyse(experiment=experiment, today=dt.date.today() + dt.timedelta(days=1), replicates=200)
    operator = make_member()
    operator.user.is_staff = True
    operator.user.save()
    v = visit(LAPTOP)
    v.login(operator, PASSWORD)
    v.go("/insights/")
    drawn = v.page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-experiment]'))"
        ".map((c) => Chart.getChart(c) ? Chart.getChart(c).data.datasets[1].data.length : 0)"
    )
    assert drawn == [2, 2, 2, 2]  # four outcomes, two arms each


def test_what_members_are_told_reads_well_on_a_phone(visit):
    visit(PHONE).go("/experiments/")
