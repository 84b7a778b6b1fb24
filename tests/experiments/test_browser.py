"""The insights page draws one plot per outcome of an analysed experiment, under the strict
CSP, without script errors (Debian's chromium through Playwright; skipped without it)."""

import datetime as dt
import os
import shutil

import pytest

from serendip.experiments.services import experiment_analyse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_the_operator_sees_a_plot_per_outcome(live_server, experiment_with_outcomes, make_member, browser):
    experiment, _members = experiment_with_outcomes
    experiment_analyse(experiment=experiment, today=dt.date.today() + dt.timedelta(days=1), replicates=200)
    operator = make_member(username="operator")
    operator.user.is_staff = True
    operator.user.save()
    context = browser.new_context()  # the session's one browser (tests/conftest.py)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/insights/")
    page.wait_for_load_state("load")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-experiment]'))"
        ".map((c) => Chart.getChart(c) ? Chart.getChart(c).data.datasets[1].data.length : 0)"
    )
    context.close()
    assert drawn == [2, 2, 2, 2]  # four outcomes, two arms each
    assert problems == [], problems
