"""The public log under /ledger/: C2SP tlog-tiles paths, sizes and headers, exactly."""

import pytest

from serendip.ledger import log, note, tiles, tlog
from serendip.ledger.models import LogEntry
from tests.ledger.test_log_integration import configure_ledger, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    return configure_ledger(settings, tmp_path)


IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def log300(make_member, client):
    record(make_member(), 299)  # + the welcome grant = 300 entries
    return client


def get(client, path):
    return client.get(f"/ledger/{path}")


def test_the_checkpoint_is_a_signed_note_that_is_not_cached(log300, ledger_settings):
    resp = get(log300, "checkpoint")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "text/plain; charset=utf-8"
    assert resp["Cache-Control"] == "no-cache"
    cp = tlog.parse_checkpoint(note.verify(resp.content, [ledger_settings]))
    assert (cp.origin, cp.size) == ("testserver/ledger", 300)
    assert get(log300, "key").content.decode() == ledger_settings + "\n"


def test_tiles_after_300_entries_have_the_c2sp_paths_and_sizes(log300):
    get(log300, "checkpoint")
    leaves = [bytes(d) for d in LogEntry.objects.order_by("index").values_list("data", flat=True)]
    hashes = [tlog.leaf_hash(e) for e in leaves]

    full = get(log300, "tile/0/000")
    assert full.status_code == 200 and len(full.content) == 8192
    assert full["Content-Type"] == "application/octet-stream"
    assert full["Cache-Control"] == IMMUTABLE
    assert full.content == b"".join(hashes[:256])

    partial = get(log300, "tile/0/001.p/44")
    assert len(partial.content) == 44 * 32 and partial.content == b"".join(hashes[256:300])
    assert len(get(log300, "tile/0/001.p/10").content) == 10 * 32  # an earlier width: a slice

    level1 = get(log300, "tile/1/000.p/1")
    assert level1.content == tlog.root(hashes[:256])

    bundle = get(log300, "tile/entries/001.p/44")
    assert tiles.decode_entry_bundle(bundle.content, 44) == leaves[256:300]
    assert tiles.decode_entry_bundle(get(log300, "tile/entries/000").content, 256) == leaves[:256]
    narrower = get(log300, "tile/entries/001.p/10")  # a width an earlier checkpoint had: a slice
    assert tiles.decode_entry_bundle(narrower.content, 10) == leaves[256:266]


def test_entry_bundles_are_gzipped_when_asked(log300):
    get(log300, "checkpoint")
    import gzip

    resp = log300.get("/ledger/tile/entries/000", headers={"Accept-Encoding": "gzip"})
    assert resp["Content-Encoding"] == "gzip"
    assert len(tiles.decode_entry_bundle(gzip.decompress(resp.content), 256)) == 256


BEYOND = [
    "tile/0/001",  # still partial at 300
    "tile/0/001.p/45",  # wider than the checkpoint
    "tile/0/002.p/1",  # beyond the tree
    "tile/1/000",  # level 1 is partial
    "tile/2/000.p/1",  # no level 2 yet
    "tile/entries/001",
    "tile/entries/001.p/45",
]


def test_tiles_beyond_the_latest_checkpoint_are_404(log300):
    get(log300, "checkpoint")
    for path in BEYOND:
        resp = get(log300, path)
        assert (path, resp.status_code, resp["Cache-Control"]) == (path, 404, "no-cache")


NON_CANONICAL = [
    "tile/0/0",
    "tile/0/1",
    "tile/00/000",
    "tile/0/x000/000",
    "tile/0/001.p/044",
    "tile/0/000.p/256",
    "tile/0/000.p/0",
    "tile/64/000",
    "tile/0/000/",
    "tile/x/tile/0/000",
    "tile/entries/000.p/",
]


def test_non_canonical_paths_are_404(log300):
    get(log300, "checkpoint")
    for path in NON_CANONICAL:
        assert (path, get(log300, path).status_code) == (path, 404)


def test_a_tile_before_any_checkpoint_is_404_and_the_empty_log_has_a_checkpoint(client, db, ledger_settings):
    assert get(client, "tile/0/000.p/1").status_code == 404
    cp = tlog.parse_checkpoint(note.verify(get(client, "checkpoint").content, [ledger_settings]))
    assert (cp.size, cp.root_hash) == (0, tlog.EMPTY_ROOT)


def test_the_checkpoint_waits_for_the_interval_before_integrating_more(log300, settings, make_member):
    settings.LEDGER_CHECKPOINT_INTERVAL = 3600
    get(log300, "checkpoint")
    make_member()  # one more leaf
    assert b"\n300\n" in get(log300, "checkpoint").content
    log.log_integrate()
    assert b"\n301\n" in get(log300, "checkpoint").content


def test_writes_are_refused(log300):
    assert log300.post("/ledger/checkpoint").status_code == 405
