"""The API's contract (issue 11 item 13, issue 12): every error is `{"detail", "code"}` with a
stable code, every operation documents its errors, the schema states the input rules, dates
are YYYY-MM-DD strings only, a body is a JSON object, a body over the limit is a 413."""

import datetime as dt
import json

import pytest

from serendip import errors
from serendip.api import api

SCHEMA = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
OPERATIONS = [
    (path, method, op)
    for path, item in SCHEMA["paths"].items()
    for method, op in item.items()
    if method in {"get", "post", "patch", "put", "delete"}
]


def _error_schema(op, status):
    ref = op["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"]
    return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.parametrize("path, method, op", OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_every_operation_documents_its_errors_as_detail_and_code(path, method, op):
    statuses = {int(s) for s in op["responses"]}
    errors_documented = {s for s in statuses if s >= 400}
    assert 422 in errors_documented, "every operation can refuse input that does not match its schema"
    if op.get("security"):
        assert 401 in errors_documented
        if method != "get" and {"SessionAuth": []} in op["security"]:
            assert 403 in errors_documented, "a browser session's write without its CSRF token"
    if "requestBody" in op:
        assert 413 in errors_documented
    if "{" in path:
        assert 404 in errors_documented, "an unknown id is a 404"
    for status in errors_documented:
        assert {"detail", "code"} <= set(_error_schema(op, status)["required"])


def test_the_schema_states_the_nul_and_tag_rules():
    components = SCHEMA["components"]["schemas"]
    title = components["QuestionIn"]["properties"]["title"]
    assert title["pattern"] == r"^[^\x00]*$" and title["minLength"] == 1
    tag = components["QuestionIn"]["properties"]["tags"]["items"]
    assert tag["minLength"] == 1 and tag["pattern"] == r"^[^\x00]*[^\s\x00][^\x00]*$"
    assert "normalised" in components["QuestionIn"]["properties"]["tags"]["description"]
    assert components["CheckInIn"]["properties"]["date"]["format"] == "date"


def test_a_service_error_carries_its_code(make_member, make_space, api_as):
    client = api_as(make_member())
    r = client.post("/checkins", {"space_id": 2**40, "date": dt.date.today().isoformat()})
    assert r.status_code == 404 and r.json()["code"] == errors.NotFound.code and r.json()["detail"]


def test_unauthenticated_unknown_endpoint_and_validation_errors_carry_codes(make_member, api_as):
    anonymous = api_as()
    r = anonymous.get("/me")
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")
    r = anonymous.get("/no-such-thing")
    assert (r.status_code, r.json()["code"]) == (404, "no_such_endpoint")
    r = api_as(make_member()).get("/me/checkins", limit="many")
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    assert r.json()["errors"][0]["loc"][-1] == "limit"


def test_a_wrong_method_is_a_json_405_with_allow(make_member, api_as):
    r = api_as(make_member()).client.put("/api/v1/me", data="{}", content_type="application/json")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    assert set(r["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


@pytest.mark.parametrize(
    "date", [0, 1700000000, "1700000000", "2026-01-01T00:00:00", "01/02/2026", "2026-1-2", None, [2026, 1, 2]]
)
def test_dates_are_only_yyyy_mm_dd_strings(make_member, make_space, api_as, date):
    client = api_as(make_member())
    space = make_space()
    r = client.post("/checkins", {"space_id": space.pk, "date": date})
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "validation_error" and "date" in r.json()["detail"]
    assert client.get("/me/checkins").json() == []


def test_a_date_in_a_query_is_only_yyyy_mm_dd(make_member, make_space, api_as):
    client = api_as(make_member())
    space = make_space()
    assert client.get(f"/spaces/{space.pk}/present", date="0").status_code == 422
    assert client.get(f"/spaces/{space.pk}/present", date=space.local_today().isoformat()).status_code == 200


@pytest.mark.parametrize("body", ['"zzz"', "[]", "[1, 2]", "42", "null", "true", "{not json", "\xff"])
def test_a_body_that_is_not_a_json_object_is_a_422_and_writes_nothing(make_member, api_as, body):
    client = api_as(make_member())
    r = client.client.post(
        "/api/v1/questions",
        data=body.encode("latin-1"),
        content_type="application/json",
        headers=client.headers,
    )
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid_body"
    assert client.get("/questions/for-me").status_code == 200
    from serendip.exchange.models import Question

    assert not Question.objects.exists()


def test_a_body_over_the_limit_is_a_json_413(make_member, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_as(make_member())
    body = json.dumps({"title": "big", "body": "x" * 2000})
    headers = client.headers
    r = client.client.post("/api/v1/questions", data=body, content_type="application/json", headers=headers)
    assert r.status_code == 413, r.content
    assert r.json()["code"] == "payload_too_large"


def test_the_token_throttle_answers_with_its_code(db, api_as, settings):
    client = api_as()
    statuses = []
    for _ in range(40):
        r = client.post("/auth/token", {"username": "nobody", "password": "wrong"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.json()["code"] in {"throttled", "locked_out"} and r.json()["detail"]
            break
    assert statuses[-1] == 429 and statuses[0] == 401


def test_every_bound_is_stated_as_json_schema():
    # pydantic writes a bound it cannot place in the JSON Schema as a raw "ge"/"le" key, which
    # clients ignore: every bound must come out as minimum/maximum.
    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"ge", "le", "gt", "lt"} & set(keys(SCHEMA["components"]))
