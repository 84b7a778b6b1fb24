"""`serendip ledger verify`: passes on an honest log and names the first thing tampered with."""

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
import rfc8785
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client

from serendip.ledger import audit, log, note, tlog
from serendip.ledger.models import (
    Account,
    LogCheckpoint,
    LogEntry,
    LogTile,
    Posting,
    PostingOpening,
    Transaction,
)
from tests.ledger.test_log_integration import configure_ledger, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    return configure_ledger(settings, tmp_path)


@pytest.fixture
def books(make_member):
    record(make_member(), 299)  # 300 leaves: a full tile, a partial tile, a level-1 tile
    log.log_integrate()


def verify(*args) -> str:
    out = StringIO()
    call_command("ledger", "verify", *args, stdout=out)
    return out.getvalue()


def fails(*args) -> str:
    with pytest.raises(CommandError) as exc:
        verify(*args)
    return str(exc.value)


def leaf_tx(index: int) -> Transaction:
    return LogEntry.objects.get(index=index).transaction


def test_an_honest_log_verifies_and_says_what_was_checked(books, tmp_path, ledger_settings):
    out = verify("--state", str(tmp_path / "seen.json"))
    assert "ok: checkpoint testserver/ledger at size 300" in out
    assert "300 entries in 2 entry bundles hash to its root" in out
    assert "every one of the 300 leaves equals its transaction" in out
    assert "account balances equal the sums of their logged postings" in out
    assert "ledger verify: OK" in out
    assert json.loads((tmp_path / "seen.json").read_text())[audit.state_key(ledger_settings)]["size"] == 300


def test_it_catches_a_changed_posting(books):
    tx = leaf_tx(200)
    Posting.objects.filter(transaction=tx, amount__gt=0).update(amount=F("amount") + 1)
    assert f"transaction {tx.pk} (leaf 200) was changed after it was logged" in fails()


def test_it_catches_a_changed_transaction(books):
    tx = leaf_tx(17)
    Transaction.objects.filter(pk=tx.pk).update(kind="seat")
    assert f"transaction {tx.pk} (leaf 17) was changed" in fails()


def test_it_catches_a_deleted_transaction(books):
    tx = leaf_tx(5)
    LogEntry.objects.filter(index=5).delete()
    Posting.objects.filter(transaction=tx).delete()
    PostingOpening.objects.filter(transaction=tx).delete()
    Transaction.objects.filter(pk=tx.pk).delete()
    assert "leaf 5 is missing from the database" in fails()


def test_it_catches_a_changed_balance(books):
    account = Account.objects.exclude(kind="network").first()
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + 5)
    assert f"account {account.public_id}: balance" in fails()


def test_it_catches_a_changed_tile(books):
    tile = LogTile.objects.get(level=0, index=0)
    data = bytearray(tile.data)
    data[100] ^= 1
    LogTile.objects.filter(pk=tile.pk).update(data=bytes(data))
    assert "tile/0/000 differs from the tree recomputed from the entries" in fails()


def test_it_catches_a_changed_entry_bundle(books):
    tile = LogTile.objects.get(level=-1, index=1)
    LogTile.objects.filter(pk=tile.pk).update(data=bytes(tile.data).replace(b'"tx":', b'"tX":', 1))
    assert "leaf 256 in tile/entries/001.p/44 does not hash" in fails()


def test_it_catches_a_changed_checkpoint(books):
    cp = log.latest_checkpoint()
    forged = cp.note.replace("\n300\n", "\n299\n")
    LogCheckpoint.objects.filter(pk=cp.pk).update(note=forged)
    assert "bad signature on the checkpoint" in fails()


def test_it_catches_a_checkpoint_row_whose_root_was_changed(books):
    cp = log.latest_checkpoint()
    LogCheckpoint.objects.filter(pk=cp.pk).update(root=b"\x00" * 32)
    assert "the stored checkpoint at size 300 does not match its signed text" in fails()


def test_it_catches_a_rewritten_history_with_its_state_file(books, tmp_path):
    state = str(tmp_path / "seen.json")
    verify("--state", state)
    # The operator rewrites leaf 10 and the transaction behind it consistently, re-tiles and
    # re-signs: everything agrees again, except with what the auditor saw before.
    entry = LogEntry.objects.get(index=10)
    Transaction.objects.filter(pk=entry.transaction_id).update(kind="seat")
    leaf = json.loads(bytes(entry.data))
    leaf["kind"] = "seat"
    LogEntry.objects.filter(index=10).update(data=rfc8785.dumps(leaf))
    LogTile.objects.all().delete()
    LogCheckpoint.objects.all().delete()
    log.log_integrate()
    assert "ledger verify: OK" in verify("--no-state")  # without memory, a rewrite cannot be seen
    assert "fork: the tree at size 300 now has root" in fails("--state", state)


def test_a_log_that_shrank_is_a_rollback(books, tmp_path, ledger_settings):
    state = tmp_path / "seen.json"
    verify("--state", str(state))
    seen = json.loads(state.read_text())
    seen[audit.state_key(ledger_settings)]["size"] = 301
    state.write_text(json.dumps(seen))
    assert "rollback: the log was at size 301" in fails("--state", str(state))


@pytest.fixture
def over_http(monkeypatch):
    """`verify --url` through the real views (the Django test client instead of a socket)."""
    client = Client()

    def get(self, path):
        resp = client.get(f"/ledger/{path}")
        if resp.status_code != 200:
            raise audit.AuditFailure(f"{self.url}/{path}: HTTP {resp.status_code}")
        return resp.content

    monkeypatch.setattr(audit.HttpLog, "_get", get)
    monkeypatch.setattr(audit.HttpLog, "workers", 1)  # the test database is not shared across threads


def test_it_verifies_a_log_over_http_with_a_key_given(books, over_http, ledger_settings, tmp_path):
    url = "http://testserver/ledger"
    out = verify("--url", url, "--key", ledger_settings, "--state", str(tmp_path / "s.json"))
    assert "all 3 hash tiles match" in out and "ledger verify: OK" in out
    assert "--key is required" in fails("--url", url)
    other = note.generate_key("testserver/ledger")[1]
    assert "no signature from a known key" in fails("--url", url, "--key", other)
    witness_key = note.generate_key("w.example/w1", note.ALG_COSIGNATURE_V1)[1]
    assert "no cosignature from witness w.example/w1" in fails(
        "--url", url, "--key", ledger_settings, "--witness-key", witness_key
    )


def test_checkpoint_roots_are_verifiable_from_the_served_tiles(books, client, ledger_settings):
    body = client.get("/ledger/checkpoint").content
    cp = tlog.parse_checkpoint(note.verify(body, [ledger_settings]))
    assert base64.b64encode(cp.root_hash).decode() in body.decode()
    assert Path(audit.__file__).name == "audit.py"


def test_key_and_integrate_commands(make_member, ledger_settings):
    make_member()
    out = StringIO()
    call_command("ledger", "key", stdout=out)
    call_command("ledger", "integrate", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ledger_settings and lines[1].startswith("checkpoint at size 1 ")
