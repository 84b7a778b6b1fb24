"""Independent verification: credentials we issue are checked by Digital Bazaar's @digitalbazaar/vc
with the eddsa-jcs-2022 cryptosuite, run by node, with every document loaded from local copies.

The npm packages are pinned in tests/rights/node/package-lock.json and installed there on first
use (`npm ci`); without node/npm the test skips and says why, except in CI (CI=true), where
.ci/run installs them and a missing node is a failure."""

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from serendip.rights import issuer
from serendip.rights.issuing import status_list_credential
from serendip.rights.models import IssuedCredential
from serendip.rights.services import (
    credential_issue_achievements,
    credential_issue_passport,
    credential_revoke,
)

pytestmark = pytest.mark.django_db

NODE_DIR = Path(__file__).parent / "node"


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must verify credentials independently, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node_verifier():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node and npm are needed for the independent verifier (apt-get install nodejs npm)")
    if not (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").exists():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            _unavailable(f"`npm ci` in {NODE_DIR} failed: {done.stderr[-500:]}")
    return node


def node_verify(node, credential: dict, tmp_path: Path) -> dict:
    documents = dict(issuer.known_contexts())
    documents[issuer.issuer_did()] = issuer.did_document()
    url = credential.get("credentialStatus", {}).get("statusListCredential")
    if url:
        documents[url] = status_list_credential(int(url.rsplit("/", 1)[1]))
    (tmp_path / "credential.json").write_text(json.dumps(credential))
    (tmp_path / "documents.json").write_text(json.dumps(documents))
    done = subprocess.run(
        [node, "verify.mjs", str(tmp_path / "credential.json"), str(tmp_path / "documents.json")],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_digital_bazaars_verifier_accepts_our_passport_and_badges(rich_network, node_verifier, tmp_path):
    zeb = rich_network["zeb"].member
    for credential in [credential_issue_passport(member=zeb), *credential_issue_achievements(member=zeb)]:
        result = node_verify(node_verifier, credential, tmp_path)
        assert result["verified"], (credential["type"], result)


def test_digital_bazaars_verifier_refuses_what_ours_refuses(rich_network, node_verifier, tmp_path):
    zeb = rich_network["zeb"].member
    credential = credential_issue_passport(member=zeb)
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["name"] = "Somebody Else"
    assert not node_verify(node_verifier, changed, tmp_path)["verified"]
    row = IssuedCredential.objects.get(uid=credential["id"].removeprefix("urn:uuid:"))
    credential_revoke(credential=row, reason="abuse")
    result = node_verify(node_verifier, credential, tmp_path)
    assert not result["verified"] and result["error"] == "revoked"
