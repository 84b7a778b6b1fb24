"""The OpenAPI schema is a checked contract: docs/openapi.json must match what the code serves.
Regenerate with `make openapi` when an API change is intended."""

import json
from pathlib import Path

from serendip.api import api

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_the_committed_openapi_schema_matches_the_code():
    served = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    committed = json.loads(SCHEMA.read_text())
    assert served == committed, "the API changed: run `make openapi` and commit docs/openapi.json"


def test_the_schema_is_served(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and "/api/v1/checkins" in r.json()["paths"]
