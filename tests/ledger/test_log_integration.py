"""Integration: appended leaves become C2SP tiles and signed checkpoints, lazily and in batches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from serendip.ledger import log, note, tiles, tlog
from serendip.ledger.models import LogCheckpoint, LogEntry, LogTile
from serendip.ledger.services import Leg, member_account, network_account, transaction_record

pytestmark = pytest.mark.django_db

_KEYS = note.generate_key("testserver/ledger")


def configure_ledger(settings, tmp_path) -> str:
    """Test settings for the log: a fixed key, no interval, no witnesses; returns the vkey."""
    settings.LEDGER_ORIGIN = "testserver/ledger"
    settings.LEDGER_SIGNER_KEY = _KEYS[0]
    settings.LEDGER_SIGNER_KEY_PATH = tmp_path / "ledger_signer_key"
    settings.LEDGER_CHECKPOINT_INTERVAL = 0
    settings.LEDGER_WITNESSES = []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast members
    return _KEYS[1]


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    return configure_ledger(settings, tmp_path)


def record(member, n: int) -> None:
    """n small transactions (two postings each) from the network to `member`."""
    network, account = network_account(), member_account(member)
    for i in range(n):
        transaction_record(
            kind="welcome_grant", reason="test", subject=f"t:{i}", legs=[Leg(network, -1), Leg(account, 1)]
        )


def all_leaf_hashes() -> list[bytes]:
    return [
        tlog.leaf_hash(bytes(d)) for d in LogEntry.objects.order_by("index").values_list("data", flat=True)
    ]


def test_integration_tiles_the_log_and_signs_a_checkpoint(make_member, ledger_settings):
    record(make_member(), 299)  # + the welcome grant = 300 leaves
    cp = log.log_integrate()
    assert cp.size == 300
    text = note.verify(cp.note, [ledger_settings])
    parsed = tlog.parse_checkpoint(text)
    assert (parsed.origin, parsed.size) == ("testserver/ledger", 300)
    assert parsed.root_hash == bytes(cp.root) == tlog.root(all_leaf_hashes())
    stored = {(t.level, t.index): t.width for t in LogTile.objects.all()}
    assert stored == {(-1, 0): 256, (-1, 1): 44, (0, 0): 256, (0, 1): 44, (1, 0): 1}


def test_integrating_in_steps_gives_the_same_tiles_as_all_at_once(make_member):
    member = make_member()
    memory = tiles.MemoryTileStore()
    for n in (0, 1, 254, 1, 300, 7):
        record(member, n)
        cp = log.log_integrate()
        assert cp.size == LogEntry.objects.count()
    memory.append([bytes(d) for d in LogEntry.objects.order_by("index").values_list("data", flat=True)])
    assert {(t.level, t.index): bytes(t.data) for t in LogTile.objects.all()} == memory.tiles
    sizes = list(LogCheckpoint.objects.order_by("size").values_list("size", flat=True))
    assert sizes == sorted(set(sizes)) and sizes[-1] == 564
    # Every checkpoint the log signed is a prefix of today's tree.
    hashes = all_leaf_hashes()
    for c in LogCheckpoint.objects.all():
        assert bytes(c.root) == tlog.root(hashes[: c.size])


def test_nothing_new_means_no_new_checkpoint(make_member):
    make_member()
    first = log.log_integrate()
    assert log.log_integrate().pk == first.pk
    assert LogCheckpoint.objects.count() == 1


def test_max_age_serves_a_recent_checkpoint_and_upto_forces_one(make_member):
    member = make_member()
    first = log.log_integrate()
    record(member, 3)
    assert log.log_integrate(max_age=3600).pk == first.pk
    assert log.log_integrate(max_age=3600, upto=first.size + 1).size == first.size + 3


def test_integration_reads_old_tiles_in_one_query(make_member):
    member = make_member()
    record(member, 300)
    log.log_integrate()
    record(member, 5)
    with CaptureQueriesContext(connection) as ctx:
        log.log_integrate()
    tile_reads = [q for q in ctx.captured_queries if "ledger_logtile" in q["sql"] and "SELECT" in q["sql"]]
    assert len(tile_reads) == 1


def test_proofs_come_from_stored_tiles_in_one_query(make_member):
    record(make_member(), 600)
    cp = log.log_integrate()
    hashes = all_leaf_hashes()
    with CaptureQueriesContext(connection) as ctx:
        proof = log.inclusion_proof(123, cp.size)
    assert len(ctx.captured_queries) == 1
    tlog.verify_inclusion(hashes[123], 123, cp.size, proof, bytes(cp.root))
    old = log.consistency_proof(77, cp.size)
    tlog.verify_consistency(77, cp.size, old, tlog.root(hashes[:77]), bytes(cp.root))


def test_a_missing_key_is_generated_once_under_var_with_mode_600(settings):
    settings.LEDGER_SIGNER_KEY = None
    key = log.log_signer_key()
    path = settings.LEDGER_SIGNER_KEY_PATH
    assert path.stat().st_mode & 0o777 == 0o600
    assert log.log_signer_key() == key
    assert note.new_signer(key).name == "testserver/ledger"
