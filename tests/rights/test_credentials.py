"""Issued credentials: passport and Open Badges, verified by our verifier (API, page, CLI),
refused when changed, signed by another key, revoked or expired; the issuer's documents."""

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from serendip.credentials import eddsa_jcs, multikey, status_list
from serendip.rights import issuer
from serendip.rights.issuing import achievement_definition, credential_verify
from serendip.rights.models import IssuedCredential
from serendip.rights.services import (
    credential_issue_achievements,
    credential_issue_passport,
    credential_revoke,
    member_erase,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_passport_credential_says_what_the_member_offers_and_verifies(rich_network, api_as):
    zeb = rich_network["zeb"].member
    r = api_as(zeb).get("/me/credentials/passport")
    assert r.status_code == 200
    credential = r.json()
    subject = credential["credentialSubject"]
    assert subject["name"] == "Zebediah Quuxworth"
    assert [o["tag"] for o in subject["offers"]] == ["xylophonic brewing", "zymurgy"]
    assert subject["interests"] == [{"tag": "xylophonic lore"}]
    assert subject["memberSince"] == zeb.created_at.date().isoformat()
    assert credential["issuer"]["id"] == issuer.issuer_did()
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    result = credential_verify(credential)
    assert result.valid, result.errors
    assert any("not revoked" in c for c in result.checks)


def test_badges_are_issued_only_for_what_was_confirmed(rich_network, make_member):
    zeb = rich_network["zeb"].member
    badges = {
        b["credentialSubject"]["achievement"]["name"]: b for b in credential_issue_achievements(member=zeb)
    }
    assert set(badges) == {
        "Accepted answers: zymurgy",
        "Confirmed meetings",
        "Introductions that led to a meeting",
    }
    for badge in badges.values():
        assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert badge["credentialSubject"]["result"][0]["value"] == "1"
        assert credential_verify(badge).valid
    assert credential_issue_achievements(member=make_member()) == []  # a newcomer has none yet


def test_a_changed_field_is_refused_with_a_reason(rich_network):
    credential = credential_issue_passport(member=rich_network["zeb"].member)
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["offers"].append({"tag": "brain surgery", "weight": 10.0})
    result = credential_verify(changed)
    assert not result.valid
    assert "signature does not verify" in result.errors[0] and "changed" in result.errors[0]


def test_a_credential_signed_with_another_key_is_refused(rich_network, settings):
    credential = credential_issue_passport(member=rich_network["zeb"].member)
    settings.CREDENTIALS_ISSUER_KEY = multikey.generate()[0]  # the network's key is now another
    result = credential_verify(credential)
    assert not result.valid and "signature does not verify" in result.errors[0]


def test_a_revoked_credential_is_refused(rich_network):
    zeb = rich_network["zeb"].member
    credential = credential_issue_passport(member=zeb)
    other = credential_issue_passport(member=zeb)
    row = IssuedCredential.objects.get(uid=credential["id"].removeprefix("urn:uuid:"))
    credential_revoke(credential=row, reason="abuse")
    result = credential_verify(credential)
    assert not result.valid and "revoked" in result.errors[0]
    assert credential_verify(other).valid


def test_an_expired_credential_is_refused(rich_network, settings):
    credential = credential_issue_passport(member=rich_network["zeb"].member)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=settings.CREDENTIALS_VALID_DAYS + 1)
    result = credential_verify(credential, now=later)
    assert not result.valid and result.errors[0].startswith("it expired on")


def test_the_issuer_publishes_its_did_document_context_and_status_lists(rich_network, client):
    credential = credential_issue_passport(member=rich_network["zeb"].member)
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did["Content-Type"] == "application/did+json"
    document = did.json()
    assert document["id"] == issuer.issuer_did()
    method = document["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"] == issuer.issuer_public_multikey()
    assert document["assertionMethod"] == [method["id"]] == [credential["proof"]["verificationMethod"]]
    status_url = credential["credentialStatus"]["statusListCredential"]
    listing = client.get(status_url.removeprefix(issuer.site_url(""))).json()
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential_verify(listing).valid
    bits = status_list.decode(listing["credentialSubject"]["encodedList"])
    assert not status_list.is_set(bits, int(credential["credentialStatus"]["statusListIndex"]))
    context = client.get("/credentials/v1")
    terms = json.loads(b"".join(context.streaming_content))["@context"]
    assert context.status_code == 200 and "memberSince" in terms
    assert client.get("/credentials/status/99999999999999").status_code == 404


def test_passport_verify_command(rich_network, tmp_path):
    zeb = rich_network["zeb"].member
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(credential_issue_passport(member=zeb)))
    out = StringIO()
    call_command("passport", "verify", str(path), stdout=out)
    assert out.getvalue().strip().endswith("valid") and "signature verified" in out.getvalue()
    member_erase(member=zeb, password=PASSWORD)  # revokes it
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("passport", "verify", str(path), stdout=out)
    assert exit_.value.code == 1
    assert "INVALID: it was revoked" in out.getvalue()


def test_the_public_verification_page_and_api(rich_network, api_as):
    credential = credential_issue_passport(member=rich_network["zeb"].member)
    client = Client()
    page = client.post("/credentials/verify", {"credential": json.dumps(credential)})
    assert page.status_code == 200 and "Valid." in page.content.decode()
    changed = dict(credential, validUntil="2099-01-01T00:00:00Z")
    page = client.post("/credentials/verify", {"credential": json.dumps(changed)})
    assert page.status_code == 200 and "Not valid" in page.content.decode()
    page = client.post("/credentials/verify", {"credential": "{not json"})
    assert page.status_code == 400 and "not JSON" in page.content.decode()
    assert client.get("/credentials/verify").status_code == 200
    r = api_as().post("/credentials/verify", credential)
    assert r.status_code == 200 and r.json()["valid"] is True
    r = api_as().post("/credentials/verify", changed)
    assert r.json()["valid"] is False and "changed" in r.json()["errors"][0]
    assert api_as().post("/credentials/verify", [1, 2]).status_code == 422


def test_the_issuer_key_is_generated_once_into_var_with_a_warning(settings, tmp_path, caplog):
    settings.CREDENTIALS_ISSUER_KEY = None
    settings.CREDENTIALS_ISSUER_KEY_PATH = tmp_path / "credentials_issuer_key"
    first = issuer.issuer_secret()
    assert "CREDENTIALS_ISSUER_KEY is not set" in caplog.text
    assert (tmp_path / "credentials_issuer_key").stat().st_mode & 0o777 == 0o600
    assert issuer.issuer_secret() == first
    assert multikey.public_multikey(multikey.secret_key(first).public_key()).startswith("z6Mk")


def test_proofs_are_eddsa_jcs_2022_over_the_document(rich_network):
    credential = credential_issue_passport(member=rich_network["zeb"].member)
    eddsa_jcs.proof_verify(credential, key=issuer.issuer_key().public_key())


def test_each_badges_achievement_is_served_at_its_id(rich_network, client):
    badges = credential_issue_achievements(member=rich_network["zeb"].member)
    for badge in badges:
        achievement = badge["credentialSubject"]["achievement"]
        served = client.get(achievement["id"].removeprefix(issuer.site_url("")))
        assert served.status_code == 200, achievement["id"]
        assert {k: v for k, v in served.json().items() if k != "@context"} == achievement
    two_words = achievement_definition("answers", "xylophonic brewing")
    assert "%20" in two_words["id"]
    served = client.get(two_words["id"].removeprefix(issuer.site_url("")))
    assert served.status_code == 200 and served.json()["tag"] == ["xylophonic brewing"]
    assert client.get("/credentials/achievements/answers/no%20such%20tag").status_code == 404
    assert client.get("/credentials/achievements/nonsense").status_code == 404
    assert client.get("/credentials/achievements/meetings/extra").status_code == 404
