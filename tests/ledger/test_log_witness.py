"""Witnesses: a real tlog-witness HTTP server on 127.0.0.1 cosigns consistent checkpoints,
refuses forks, and `serendip ledger publish` collects its cosignatures."""

import threading
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from serendip.ledger import log, note, tlog, witness, witnessing
from serendip.ledger.models import LogCheckpoint
from tests.ledger.test_log_integration import configure_ledger, record

pytestmark = pytest.mark.django_db

WITNESS_KEYS = witness.generate_cosigner_key("utrecht.example/witness")


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    return configure_ledger(settings, tmp_path)


@pytest.fixture
def running_witness(settings, tmp_path, ledger_settings):
    """A witness trusting this log, on a free port, configured in LEDGER_WITNESSES."""
    service = witnessing.WitnessService(
        WITNESS_KEYS[0], tmp_path / "witness.json", witnessing.log_keys_by_origin([ledger_settings])
    )
    server = witnessing.make_server(service, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    settings.LEDGER_WITNESSES = [{"vkey": WITNESS_KEYS[1], "url": url}]
    yield service, url
    server.shutdown()
    server.server_close()


def publish() -> str:
    out = StringIO()
    call_command("ledger", "publish", stdout=out)
    return out.getvalue()


def post(url: str, body: str) -> tuple[int, str]:
    req = urllib.request.Request(f"{url}/add-checkpoint", data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_publish_collects_cosignatures_and_the_checkpoint_serves_them(
    running_witness, make_member, client, ledger_settings
):
    service, _url = running_witness
    member = make_member()
    record(member, 10)
    assert "utrecht.example/witness: cosigned size 11" in publish()
    record(member, 300)  # the next one needs a consistency proof from 11
    assert "utrecht.example/witness: cosigned size 311" in publish()
    assert service.witness.latest("testserver/ledger")[0] == 311
    served = client.get("/ledger/checkpoint").content.decode()
    _text, verified, _ = note.open(served, [ledger_settings, WITNESS_KEYS[1]])
    assert {s.name for s in verified} == {"testserver/ledger", "utrecht.example/witness"}
    out = StringIO()
    call_command("ledger", "verify", "--witness-key", WITNESS_KEYS[1], stdout=out)
    assert "cosigned by utrecht.example/witness" in out.getvalue()


def test_the_log_catches_up_a_witness_that_knows_more_than_we_remember(running_witness, make_member):
    make_member()
    publish()
    LogCheckpoint.objects.update(cosignatures="")  # forget: we will send old 0 and get a 409
    record(make_member(), 3)
    assert "cosigned size 5" in publish()


def test_the_witness_refuses_a_forked_checkpoint_and_remembers_across_restarts(
    running_witness, make_member, tmp_path, ledger_settings
):
    service, url = running_witness
    record(make_member(), 20)
    publish()
    cp = log.latest_checkpoint()
    # The operator signs a different tree of a larger size (a fork) and tries to get it cosigned.
    forked = tlog.Checkpoint("testserver/ledger", cp.size + 5, b"\x42" * 32).to_text()
    fake_proof = log.consistency_proof(cp.size - 1, cp.size)  # any hashes: it cannot verify
    body = witness.format_add_checkpoint_request(cp.size, fake_proof, note.sign(forked, log.log_signer()))
    assert post(url, body)[0] == 422
    # Same size, other root: also refused.
    same = tlog.Checkpoint("testserver/ledger", cp.size, b"\x42" * 32).to_text()
    assert (
        post(url, witness.format_add_checkpoint_request(cp.size, [], note.sign(same, log.log_signer())))[0]
        == 422
    )
    # A stale old size gets 409 with the witness's size; an unknown log 404; a bad signature 403.
    status, answer = post(url, witness.format_add_checkpoint_request(0, [], cp.note))
    assert (status, answer) == (409, f"{cp.size}\n")
    other_log = note.sign(
        tlog.Checkpoint("elsewhere/log", 0, tlog.EMPTY_ROOT).to_text(), note.generate_key("elsewhere/log")[0]
    )
    assert post(url, witness.format_add_checkpoint_request(0, [], other_log))[0] == 404
    impostor = note.sign(same, note.generate_key("testserver/ledger")[0])
    assert post(url, witness.format_add_checkpoint_request(cp.size, [], impostor))[0] == 403
    assert service.witness.latest("testserver/ledger")[0] == cp.size
    # A restarted witness reads its state file and refuses the fork too.
    restarted = witnessing.WitnessService(
        WITNESS_KEYS[0], tmp_path / "witness.json", witnessing.log_keys_by_origin([ledger_settings])
    )
    status, _ct, _body = restarted.add_checkpoint(body.encode())
    assert status == 422
    # Monitoring: the last cosigned checkpoint, with both signatures.
    with urllib.request.urlopen(f"{url}/{witness.origin_hash('testserver/ledger')}/checkpoint") as resp:
        note.verify(resp.read(), [WITNESS_KEYS[1]])


def test_an_unreachable_witness_is_reported_not_fatal(settings, make_member, ledger_settings):
    settings.LEDGER_WITNESSES = [{"vkey": WITNESS_KEYS[1], "url": "http://127.0.0.1:9"}]
    settings.LEDGER_WITNESS_TIMEOUT = 2
    make_member()
    out = publish()
    assert "checkpoint at size 1" in out and "utrecht.example/witness: not cosigned: cannot reach" in out


def test_keygen_writes_a_private_key_file_and_prints_the_verifier_key(tmp_path):
    out = StringIO()
    path = tmp_path / "witness.key"
    call_command(
        "ledger",
        "keygen",
        "--witness",
        "--name",
        "w.example/w1",
        "--out",
        str(path),
        stdout=out,
        stderr=StringIO(),
    )
    assert path.stat().st_mode & 0o777 == 0o600
    vkey = out.getvalue().strip()
    assert note.new_signer(path.read_text().strip()).vkey == vkey
    assert isinstance(note.new_verifier(vkey), note.CosignatureV1Verifier)
    with pytest.raises(CommandError, match="exists"):
        call_command("ledger", "keygen", "--out", str(path), stdout=StringIO(), stderr=StringIO())


def test_the_witness_command_checks_its_name(tmp_path, ledger_settings):
    key = tmp_path / "w.key"
    key.write_text(WITNESS_KEYS[0])
    with pytest.raises(CommandError, match="is not the key's name"):
        call_command(
            "ledger",
            "witness",
            "--name",
            "other/name",
            "--key-file",
            str(key),
            "--state-file",
            str(tmp_path / "s.json"),
            "--log-key",
            ledger_settings,
            "--port",
            "0",
        )
