"""Members' proofs: each of my transactions is provably in the signed log; nobody else's."""

import base64
import json

import pytest

from serendip.ledger import note, tlog
from serendip.ledger.leaf import commitment
from serendip.ledger.models import LogEntry, Transaction
from serendip.ledger.services import Leg, member_account, network_account, transaction_record
from tests.ledger.test_log_integration import configure_ledger, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    return configure_ledger(settings, tmp_path)


def b64(s: str) -> bytes:
    return base64.b64decode(s)


def test_my_transaction_has_an_inclusion_proof_against_the_signed_checkpoint(
    make_member, api_as, ledger_settings
):
    ada, bob = make_member(), make_member()
    record(bob, 40)
    tx = transaction_record(
        kind="seat",
        reason="seat",
        subject="checkin:1",
        legs=[Leg(member_account(ada), -100), Leg(member_account(bob), 100)],
    )
    record(bob, 20)  # not integrated yet: the proof endpoint integrates what it needs
    resp = api_as(ada).get(f"/ledger/transactions/{tx.pk}/proof")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    leaf = b64(body["leaf"])
    assert leaf == bytes(LogEntry.objects.get(transaction=tx).data)
    # Both members appear as commitments; ada's opening (given only to her) opens hers.
    postings = json.loads(leaf)["postings"]
    assert [amount for _, amount in postings] == [-100, 100]
    assert all(label.startswith("c:") for label, _ in postings)
    assert body["openings"][0]["posting"] == 0 and body["amount"] == "-1.00"
    salt = b64(body["openings"][0]["salt"])
    assert postings[0][0] == commitment(f"member:{ada.pseudonym}", salt) != postings[1][0]
    cp = tlog.parse_checkpoint(note.verify(body["checkpoint"], [ledger_settings]))
    assert cp.size == body["tree_size"] >= body["leaf_index"] + 1
    tlog.verify_inclusion(
        tlog.leaf_hash(leaf),
        body["leaf_index"],
        cp.size,
        [b64(h) for h in body["inclusion_proof"]],
        cp.root_hash,
    )
    parsed = tlog.parse_tlog_proof(body["tlog_proof"])
    assert (parsed.index, parsed.checkpoint) == (body["leaf_index"], body["checkpoint"])
    # The other side of the transaction sees it too; a third member does not.
    assert api_as(bob).get(f"/ledger/transactions/{tx.pk}/proof").status_code == 200
    other = api_as(make_member()).get(f"/ledger/transactions/{tx.pk}/proof")
    assert other.status_code == 404 and "detail" in other.json()
    assert api_as(ada).get("/ledger/transactions/999999/proof").status_code == 404
    assert api_as().get(f"/ledger/transactions/{tx.pk}/proof").status_code == 401


def test_my_verifiable_history_proves_every_transaction_against_one_checkpoint(
    make_member, api_as, ledger_settings, django_assert_max_num_queries
):
    ada = make_member()
    record(ada, 300)
    client = api_as(ada)
    client.get("/me/ledger/proofs")  # the first call integrates
    with django_assert_max_num_queries(12):
        resp = client.get("/me/ledger/proofs", download="true")
    assert resp.status_code == 200
    assert "attachment" in resp["Content-Disposition"]
    body = resp.json()
    assert body["log_key"] == ledger_settings and body["origin"] == "testserver/ledger"
    cp = tlog.parse_checkpoint(note.verify(body["checkpoint"], [body["log_key"]]))
    mine = Transaction.objects.filter(postings__account__member=ada).count()
    assert len(body["proofs"]) == mine == 301
    for p in body["proofs"]:
        tlog.verify_inclusion(
            tlog.leaf_hash(b64(p["leaf"])),
            p["leaf_index"],
            cp.size,
            [b64(h) for h in p["inclusion_proof"]],
            cp.root_hash,
        )
    # Another member's history has none of ada's transactions.
    bob = make_member()
    theirs = api_as(bob).get("/me/ledger/proofs").json()["proofs"]
    assert {p["transaction_id"] for p in theirs} == set(
        Transaction.objects.filter(beneficiary=bob).values_list("pk", flat=True)
    )


def test_the_balance_page_links_to_the_verifiable_history(make_member, client):
    member = make_member()
    client.force_login(member.user)
    page = client.get("/passport/balance/")
    assert b"/api/v1/me/ledger/proofs?download=true" in page.content
    assert network_account().balance < 0
