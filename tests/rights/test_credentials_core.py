"""The pure credentials core: the W3C eddsa-jcs-2022 test vectors step by step, Multikey,
status lists, did:web and the verifier's reasons. No database."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from serendip.credentials import did, eddsa_jcs, multikey, status_list
from serendip.credentials.verify import verify_credential

VECTORS = Path(__file__).parent / "vectors"
NOW = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def _json(name):
    return json.loads((VECTORS / name).read_text())


def _text(name):
    return (VECTORS / "eddsa-jcs-2022" / name).read_text().strip()


@pytest.fixture
def vector():
    keys = _json("keyPair.json")
    return {
        "unsigned": _json("unsigned.json"),
        "options": {k: v for k, v in _json("eddsa-jcs-2022/proofConfigJCS.json").items() if k != "@context"},
        "secret": multikey.secret_key(keys["privateKeyMultibase"]),
        "public": keys["publicKeyMultibase"],
    }


def test_it_reproduces_the_canonical_document_and_its_hash(vector):
    transformed = eddsa_jcs.transform(vector["unsigned"])
    assert transformed.decode() == _text("canonDocJCS.txt")
    assert eddsa_jcs.sha256(transformed).hex() == _text("docHashJCS.txt")


def test_it_reproduces_the_proof_configuration_and_its_hash(vector):
    config = eddsa_jcs.proof_configuration(vector["options"], vector["unsigned"])
    assert config.decode() == _text("proofCanonJCS.txt")
    assert eddsa_jcs.sha256(config).hex() == _text("proofHashJCS.txt")


def test_it_reproduces_the_combined_hash_and_the_signature(vector):
    config = eddsa_jcs.proof_configuration(vector["options"], vector["unsigned"])
    data = eddsa_jcs.hash_data(eddsa_jcs.transform(vector["unsigned"]), config)
    assert data.hex() == _text("combinedHashJCS.txt")
    signature = vector["secret"].sign(data)
    assert signature.hex() == _text("sigHexJCS.txt")
    assert multikey.multibase_encode(signature) == _text("sigBTC58JCS.txt")


def test_it_reproduces_the_signed_credential_byte_for_byte(vector):
    secured = eddsa_jcs.secure(vector["unsigned"], options=vector["options"], key=vector["secret"])
    assert secured == _json("eddsa-jcs-2022/signedJCS.json")
    assert eddsa_jcs.canonicalize(secured) == eddsa_jcs.canonicalize(_json("eddsa-jcs-2022/signedJCS.json"))


def test_the_key_pair_round_trips_as_multikey(vector):
    assert multikey.public_multikey(vector["secret"].public_key()) == vector["public"]
    assert multikey.secret_multikey(vector["secret"]) == _json("keyPair.json")["privateKeyMultibase"]
    with pytest.raises(multikey.KeyError_):
        multikey.public_key(_json("keyPair.json")["privateKeyMultibase"])


def test_the_vectors_signed_credential_verifies_and_a_changed_one_does_not(vector):
    signed = _json("eddsa-jcs-2022/signedJCS.json")
    key = multikey.public_key(vector["public"])
    eddsa_jcs.proof_verify(signed, key=key)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(eddsa_jcs.ProofError, match="signature does not match"):
        eddsa_jcs.proof_verify(changed, key=key)


def test_a_status_list_sets_exactly_the_given_bits():
    encoded = status_list.encode({0, 7, 8, 131_071})
    assert encoded.startswith("u")
    bits = status_list.decode(encoded)
    assert len(bits) == status_list.MIN_BITS // 8
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000 and bits[-1] == 0b0000_0001
    probes = (0, 1, 6, 7, 8, 9, 131_070, 131_071)
    assert [i for i in probes if status_list.is_set(bits, i)] == [0, 7, 8, 131_071]
    assert encoded == status_list.encode({131_071, 8, 7, 0})  # deterministic
    with pytest.raises(status_list.StatusListError):
        status_list.encode({131_072})
    with pytest.raises(status_list.StatusListError):
        status_list.decode("unot-gzip")


def test_did_web_encodes_the_port_and_path():
    assert did.did_web_for("https://serendip.example") == "did:web:serendip.example"
    assert did.did_web_for("http://127.0.0.1:8000/") == "did:web:127.0.0.1%3A8000"
    assert did.did_web_for("https://example.org/net/work") == "did:web:example.org:net:work"


# The verifier, on credentials of a test issuer -------------------------------------------

ISSUER = "did:web:issuer.example"
STATUS_URL = "https://issuer.example/credentials/status/1"


class World:
    """An issuer with a key, a status list and a resolver that knows only them."""

    def __init__(self):
        secret, public = multikey.generate()
        self.key = multikey.secret_key(secret)
        self.document = did.did_document(ISSUER, public)
        self.revoked: set[int] = set()

    def options(self, key_id=f"{ISSUER}#key-1"):
        return {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2026-11-29T00:00:00Z",
            "verificationMethod": key_id,
            "proofPurpose": "assertionMethod",
        }

    def status_list(self):
        unsigned = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": STATUS_URL,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": ISSUER,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{STATUS_URL}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": status_list.encode(self.revoked),
            },
        }
        return eddsa_jcs.secure(unsigned, options=self.options(), key=self.key)

    def resolve(self, url):
        return {ISSUER: self.document, STATUS_URL: self.status_list()}.get(url)

    def issue(self, *, index=5, valid_until="2027-06-01T00:00:00Z", key=None, **changes):
        unsigned = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:5e1b2c3d-0000-4000-8000-000000000001",
            "type": ["VerifiableCredential"],
            "issuer": {"id": ISSUER, "name": "Test network"},
            "validFrom": "2026-11-29T00:00:00Z",
            "validUntil": valid_until,
            "credentialSubject": {"name": "Ada", "offers": ["python"]},
            "credentialStatus": {
                "id": f"{STATUS_URL}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(index),
                "statusListCredential": STATUS_URL,
            },
        }
        unsigned.update(changes)
        return eddsa_jcs.secure(unsigned, options=self.options(), key=key or self.key)

    def verify(self, credential):
        return verify_credential(credential, resolve=self.resolve, now=NOW)


def test_the_verifier_accepts_a_good_credential_and_says_what_it_checked():
    world = World()
    result = world.verify(world.issue())
    assert result.valid, result.errors
    assert result.issuer == ISSUER
    assert any("signature verified" in c for c in result.checks)
    assert any("not revoked" in c for c in result.checks)


def test_the_verifier_refuses_a_changed_field():
    world = World()
    credential = world.issue()
    credential["credentialSubject"]["offers"] = ["python", "brain surgery"]
    result = world.verify(credential)
    assert not result.valid
    assert "signature does not verify" in result.errors[0] and "changed" in result.errors[0]


def test_the_verifier_refuses_a_wrong_key():
    world = World()
    other = multikey.secret_key(multikey.generate()[0])
    result = world.verify(world.issue(key=other))
    assert not result.valid and "signature does not verify" in result.errors[0]
    foreign = eddsa_jcs.secure(
        {k: v for k, v in world.issue().items() if k != "proof"},
        options=world.options("did:web:elsewhere.example#key-1"),
        key=other,
    )
    result = world.verify(foreign)
    assert not result.valid and "not a key of the issuer" in result.errors[0]


def test_the_verifier_refuses_a_revoked_credential():
    world = World()
    credential = world.issue(index=42)
    assert world.verify(credential).valid
    world.revoked.add(42)
    result = world.verify(credential)
    assert not result.valid and "revoked" in result.errors[0]
    assert world.verify(world.issue(index=43)).valid  # only that entry


def test_the_verifier_refuses_an_expired_credential():
    world = World()
    result = world.verify(world.issue(valid_until="2026-12-01T00:00:00Z"))
    assert not result.valid and result.errors == ["it expired on 2026-12-01T00:00:00Z"]


def test_the_verifier_refuses_unknown_contexts_and_non_credentials():
    world = World()
    credential = world.issue()
    result = verify_credential(
        credential, resolve=world.resolve, now=NOW, known_contexts={"https://example.org/other"}
    )
    assert not result.valid and "contexts" in result.errors[0]
    assert not world.verify([1, 2]).valid
    assert "Verifiable Credential 2.0" in world.verify({"@context": ["x"]}).errors[0]


def test_the_core_imports_no_django():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import serendip.credentials.verify, serendip.credentials.did, serendip.credentials.contexts\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2], timeout=60)
