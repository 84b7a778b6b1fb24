"""Schemathesis against the served OpenAPI, as a signed-in member (issue 11's quality bar).

Every check schemathesis has (not only "no server error"): status codes, content types and
bodies as documented, schema-valid data accepted, invalid data refused, undocumented methods
refused with 405 + Allow, ... over at least MIN_CASES generated requests, deterministically
(hypothesis' derandomize: the same cases every run). It runs in-process through the WSGI
application, on SQLite only (the PostgreSQL run of the suite skips it, to keep the suite short).
"""


import pytest
import schemathesis
from django.db import connection
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from serendip.passport.services import token_create
from serendip.presence.services import checkin_create
from serendip.wsgi import application

# Schema-valid requests may still be refused by a rule of the platform the schema cannot state:
# 400 (a date in the past, a tag that normalises to nothing), 402 (not enough social capital);
# the other statuses are schemathesis' defaults. A 422 is NOT accepted for schema-valid data:
# everything the server checks as input is stated in the schema.
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "402", "403", "404", "409", "429"]
"""
)
EXAMPLES_PER_OPERATION = 50
MIN_CASES = 2000
CASES = {"count": 0}
STATUSES: dict[int, int] = {}


@pytest.fixture
def member(db, settings, make_member, make_space):
    """A member checked in today at a space with another member (so ids like 1 exist)."""
    if connection.vendor != "sqlite":
        pytest.skip("run once, on SQLite (the suite's first database): minutes, not seconds")
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    me = make_member(offers=["python", "django"], needs=["ux research"])
    other = make_member(offers=["ux research"], needs=["python"])
    space = make_space(seats=20)
    today = space.local_today()
    for member in (me, other):
        checkin_create(member=member, space_id=space.pk, date=today, focus="testing")
    return me


@pytest.fixture
def api_schema(member):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.xdist_group("schemathesis")  # with test_enough_cases_ran, on one worker
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_openapi_contract(case, member):
    CASES["count"] += 1
    # A token per case: `DELETE /auth/token` revokes the one it is sent with.
    _, raw = token_create(user=member.user)
    response = case.call_and_validate(headers={"Authorization": f"Bearer {raw}"})
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1


@pytest.mark.xdist_group("schemathesis")
def test_enough_cases_ran():
    # Runs after the test above in the same module (file order; the module stays on one worker).
    if CASES["count"] == 0:
        pytest.skip("the schemathesis test did not run in this process")
    assert CASES["count"] >= MIN_CASES, CASES
    print(f"schemathesis: {CASES['count']} cases, statuses {dict(sorted(STATUSES.items()))}")
