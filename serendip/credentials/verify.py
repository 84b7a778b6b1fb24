"""Verify a Verifiable Credential 2.0 secured with eddsa-jcs-2022, with a reason for each failure.

Documents the verifier needs (the issuer's DID document, status list credentials) come from a
`resolve(url)` the caller passes in, so this module fetches nothing itself: Serendip resolves
its own issuer and status lists locally and refuses anything else.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from . import eddsa_jcs, multikey, status_list
from .contexts import CREDENTIALS_V2

Resolver = Callable[[str], dict | None]


@dataclass
class Verification:
    valid: bool = True
    errors: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    issuer: str = ""
    types: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        self.valid = False
        self.errors.append(reason)


def _parse_time(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _issuer_id(credential: dict) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _method_key(vm_id: str, issuer: str, resolve: Resolver):
    """The issuer's public key named by `vm_id`, or a reason why there is none."""
    did = vm_id.split("#", 1)[0]
    if did != issuer:
        return None, f"it is signed with {vm_id}, which is not a key of the issuer {issuer}"
    document = resolve(did)
    if not isinstance(document, dict):
        return None, f"the issuer {issuer} is not one this verifier can resolve"
    methods = {m.get("id"): m for m in _as_list(document.get("verificationMethod")) if isinstance(m, dict)}
    method = methods.get(vm_id)
    if method is None:
        return None, f"the issuer's DID document has no key {vm_id}"
    allowed = [m if isinstance(m, str) else m.get("id") for m in _as_list(document.get("assertionMethod"))]
    if vm_id not in allowed:
        return None, f"the key {vm_id} is not one the issuer uses to issue credentials (assertionMethod)"
    try:
        return multikey.public_key(method.get("publicKeyMultibase", "")), None
    except (multikey.KeyError_, ValueError) as exc:
        return None, f"the key {vm_id} is not usable: {exc}"


def _check_proof(credential: dict, result: Verification, resolve: Resolver) -> None:
    proof = credential.get("proof")
    if not isinstance(proof, dict):
        result.fail("it has no proof (exactly one Data Integrity proof is expected)")
        return
    if proof.get("type") != eddsa_jcs.PROOF_TYPE or proof.get("cryptosuite") != eddsa_jcs.CRYPTOSUITE:
        result.fail(f"its proof is not a {eddsa_jcs.PROOF_TYPE} with cryptosuite {eddsa_jcs.CRYPTOSUITE}")
        return
    if proof.get("proofPurpose") != "assertionMethod":
        result.fail("its proof's purpose is not assertionMethod")
        return
    vm_id = proof.get("verificationMethod")
    if not isinstance(vm_id, str):
        result.fail("its proof names no verification method")
        return
    key, reason = _method_key(vm_id, result.issuer, resolve)
    if key is None:
        result.fail(reason)
        return
    try:
        eddsa_jcs.proof_verify(credential, key=key)
    except eddsa_jcs.ProofError as exc:
        result.fail(
            f"its signature does not verify with the issuer's key {vm_id} ({exc}): a field was changed "
            "after it was issued, or it was signed with another key"
        )
        return
    result.checks.append(f"signature verified with {vm_id} (eddsa-jcs-2022)")


def _check_validity(credential: dict, result: Verification, now: dt.datetime) -> None:
    for name in ("validFrom", "validUntil"):
        if name in credential and _parse_time(credential[name]) is None:
            result.fail(f"its {name} {credential[name]!r} is not a date-time with a time zone")
            return
    valid_from = _parse_time(credential.get("validFrom"))
    valid_until = _parse_time(credential.get("validUntil"))
    if valid_from and now < valid_from:
        result.fail(f"it is not valid before {credential['validFrom']}")
    elif valid_until and now > valid_until:
        result.fail(f"it expired on {credential['validUntil']}")
    else:
        result.checks.append("within its validity period")


def _check_status(credential: dict, result: Verification, resolve: Resolver, now: dt.datetime) -> None:
    for entry in _as_list(credential.get("credentialStatus")):
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            result.fail("it has a credentialStatus this verifier does not understand")
            continue
        purpose = entry.get("statusPurpose")
        url = entry.get("statusListCredential")
        try:
            index = int(entry.get("statusListIndex"))
        except (TypeError, ValueError):
            result.fail("its statusListIndex is not a number")
            continue
        listing = resolve(url) if isinstance(url, str) else None
        if not isinstance(listing, dict):
            result.fail(f"its status list {url} cannot be resolved")
            continue
        inner = verify_credential(listing, resolve=resolve, now=now, check_status=False)
        if not inner.valid or inner.issuer != result.issuer:
            why = "; ".join(inner.errors) or "another issuer"
            result.fail(f"its status list {url} does not verify: {why}")
            continue
        subject = listing.get("credentialSubject") or {}
        if subject.get("statusPurpose") != purpose:
            result.fail(f"its status list {url} is not for {purpose}")
            continue
        try:
            revoked = status_list.is_set(status_list.decode(subject.get("encodedList")), index)
        except status_list.StatusListError as exc:
            result.fail(f"its status list {url}: {exc}")
            continue
        if revoked:
            result.fail(f"it was revoked by its issuer ({purpose}, status list entry {index})")
        else:
            result.checks.append(f"not revoked ({purpose} status list entry {index})")


def verify_credential(
    credential,
    *,
    resolve: Resolver,
    now: dt.datetime,
    known_contexts: set[str] | None = None,
    check_status: bool = True,
) -> Verification:
    """Every check a relying party needs, in order; `errors` says what failed and why."""
    result = Verification()
    if not isinstance(credential, dict):
        result.fail("it is not a JSON object")
        return result
    contexts = _as_list(credential.get("@context"))
    if not contexts or contexts[0] != CREDENTIALS_V2:
        result.fail(f"it is not a Verifiable Credential 2.0 (its first @context must be {CREDENTIALS_V2})")
        return result
    if known_contexts is not None:
        unknown = [c for c in contexts if not isinstance(c, str) or c not in known_contexts]
        if unknown:
            result.fail(f"it uses contexts this verifier does not have locally: {unknown}")
            return result
    result.types = [t for t in _as_list(credential.get("type")) if isinstance(t, str)]
    if "VerifiableCredential" not in result.types:
        result.fail("its type does not include VerifiableCredential")
        return result
    result.issuer = _issuer_id(credential)
    if not result.issuer:
        result.fail("it names no issuer")
        return result
    _check_proof(credential, result, resolve)
    if not result.valid:
        return result  # nothing else of an unauthenticated document is worth reporting
    _check_validity(credential, result, now)
    if check_status:
        _check_status(credential, result, resolve, now)
    return result
