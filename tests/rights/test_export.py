"""The export: every kind of row the member has (tables found dynamically), nothing of anyone else."""

import csv
import io
import json
import zipfile

import pytest
from django_tasks_db.models import DBTaskResult

from serendip.reach.worker import TaskRunner
from serendip.rights import services
from serendip.rights.export import NOT_EXPORTED_LINKS, export_build
from serendip.rights.selectors import member_links, rows_of
from serendip.rights.services import credential_issue_achievements, credential_issue_passport, export_request
from serendip.rights.tasks import export_prepare

pytestmark = pytest.mark.django_db


def _open(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_an_export_holds_every_row_linked_to_the_member(rich_network):
    zeb = rich_network["zeb"].member
    credential_issue_passport(member=zeb)
    files = _open(export_build(zeb))
    manifest = json.loads(files["manifest.json"])
    missing = {}
    kinds = 0
    for model, field in member_links():
        ids = set(rows_of(zeb, model, field).values_list("pk", flat=True))
        if not ids or model._meta.label_lower in ("ledger.transaction", "admin.logentry"):
            continue
        if (model._meta.label_lower, field.name) in NOT_EXPORTED_LINKS:
            continue  # rows of another member's (their notification of something the member did)
        kinds += 1
        exported = set(manifest.get(model._meta.label_lower, []))
        if not ids <= exported:
            missing[model._meta.label_lower] = sorted(ids - exported)
    assert not missing, f"rows linked to the member but not exported: {missing}"
    assert kinds >= 12  # passport, tags, timeline, check-ins, questions, answers, introductions, ...
    assert files["photo.jpg"][:2] == b"\xff\xd8"  # the JPEG the passport keeps
    for name in (
        "notifications.json",
        "passport.json",
        "timeline.csv",
        "checkins.csv",
        "meetings.csv",
        "bookings.csv",
        "invoices.csv",
        "ledger.csv",
        "ledger-proofs.json",
        "README.txt",
    ):
        assert name in files, name


def test_an_export_says_what_the_member_wrote_and_has(rich_network):
    s = rich_network["zeb"]
    files = _open(export_build(s.member))
    text = b"".join(files.values()).decode("utf-8", "replace")
    for value in [s.name, s.email, s.username, *s.texts]:
        assert value in text, value
    passport = json.loads(files["passport.json"])
    assert passport["account"]["email"] == s.email
    assert {t["tag"] for t in passport["tags"]} >= {"xylophonic brewing", "zymurgy", "xylophonic lore"}
    ledger = json.loads(files["ledger.json"])
    assert {p["kind"] for p in ledger["postings"]} >= {"welcome_grant", "seat", "answer_accepted"}
    proofs = json.loads(files["ledger-proofs.json"])
    assert len(proofs["proofs"]) == len({p["transaction_id"] for p in ledger["postings"]})
    rows = list(csv.DictReader(io.StringIO(files["checkins.csv"].decode("utf-8-sig"))))
    assert {r["focus"] for r in rows} == {"Xylophonic focus", ""}


def test_an_export_holds_nothing_of_another_member_both_ways(rich_network):
    zeb, phil = rich_network["zeb"], rich_network["phil"]
    for mine, theirs in ((zeb, phil), (phil, zeb)):
        credential_issue_achievements(member=mine.member)
        text = b"".join(_open(export_build(mine.member)).values()).decode("utf-8", "replace")
        for value in [theirs.name, theirs.email, theirs.username, *theirs.texts]:
            assert value not in text, f"{mine.username}'s export holds {value!r} of {theirs.username}"
        assert mine.name in text


def test_the_export_is_served_to_its_member_only(rich_network, api_as):
    zeb = rich_network["zeb"].member
    assert api_as().get("/me/export").status_code == 401
    r = api_as(zeb).get("/me/export")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert "Zebediah Quuxworth" in _open(r.content)["passport.json"].decode()


def test_a_long_history_is_prepared_in_the_background(rich_network, api_as, monkeypatch):

    zeb = rich_network["zeb"].member
    monkeypatch.setattr(services, "EXPORT_INLINE_MAX_TRANSACTIONS", 3)  # zeb has more than that
    client = api_as(zeb)
    r = client.get("/me/export")
    assert r.status_code == 202 and r.json()["status"] == "preparing"
    url = r.json()["url"].removeprefix("/api/v1")
    assert client.get(url).status_code == 202  # not ready yet
    assert client.get("/me/export").json()["id"] == r.json()["id"]  # one pending request at a time
    assert api_as(rich_network["phil"].member).get(url).status_code == 404  # not theirs
    export_prepare.call(export_id=r.json()["id"])
    done = client.get(url)
    assert done.status_code == 200 and done["Content-Type"] == "application/zip"
    assert "Zebediah Quuxworth" in _open(done.content)["passport.json"].decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_an_enqueued_export(make_member, settings, tmp_path):

    member = make_member(display_name="Worker Test")
    export = export_request(member=member)  # commits: the task is enqueued after the commit
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert TaskRunner(worker_id="test").run_one()
    export.refresh_from_db()
    assert export.ready and "Worker Test" in _open(bytes(export.data))["passport.json"].decode()
