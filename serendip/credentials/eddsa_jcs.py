"""The eddsa-jcs-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3).

Each step is its own function so the specification's test vectors can be checked one by one:
canonical document (JCS, RFC 8785) -> its SHA-256; proof configuration (the proof options
with the document's @context) -> canonical -> SHA-256; the hash data is the proof
configuration's hash followed by the document's; the signature is Ed25519 over it, written
as multibase base58-btc in `proofValue`.
"""

import copy
import datetime as dt
import hashlib
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .multikey import KeyError_, multibase_decode, multibase_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"


class ProofError(ValueError):
    """A proof that cannot be checked, with the reason."""


def canonicalize(value: Any) -> bytes:
    return rfc8785.dumps(value)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _check_datetime(value: Any, name: str) -> None:
    if not isinstance(value, str):
        raise ProofError(f"proof {name} must be a date-time string")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProofError(f"proof {name} {value!r} is not an XML Schema date-time") from exc
    if parsed.tzinfo is None:
        raise ProofError(f"proof {name} {value!r} has no time zone")


def proof_configuration(options: dict, document: dict) -> bytes:
    """Section 3.3.5: the canonical proof configuration (options without proofValue, with the
    document's @context when it has one)."""
    config = {k: copy.deepcopy(v) for k, v in options.items() if k != "proofValue"}
    if config.get("type") != PROOF_TYPE or config.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}")
    for name in ("created", "expires"):
        if name in config:
            _check_datetime(config[name], name)
    if "@context" in document:
        config["@context"] = copy.deepcopy(document["@context"])
    return canonicalize(config)


def transform(document: dict) -> bytes:
    """Section 3.3.3: the canonical (JCS) form of the unsecured document."""
    return canonicalize(document)


def hash_data(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """Section 3.3.4: SHA-256(proof configuration) || SHA-256(document), 64 bytes."""
    return sha256(canonical_proof_config) + sha256(transformed_document)


def proof_create(document: dict, *, options: dict, key: Ed25519PrivateKey) -> dict:
    """Section 3.3.1: the proof (options plus proofValue) for an unsecured document."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = proof_configuration(options, unsecured)
    data = hash_data(transform(unsecured), config)
    proof = copy.deepcopy({k: v for k, v in options.items() if k != "proofValue"})
    if "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    proof["proofValue"] = multibase_encode(key.sign(data))
    return proof


def secure(document: dict, *, options: dict, key: Ed25519PrivateKey) -> dict:
    """The document with its proof added."""
    secured = copy.deepcopy(document)
    secured["proof"] = proof_create(document, options=options, key=key)
    return secured


def proof_verify(secured: dict, *, key: Ed25519PublicKey) -> None:
    """Section 3.3.2: raises ProofError saying why the proof does not verify."""
    proof = secured.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof (or more than one)")
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        context = unsecured.get("@context")
        wanted = options["@context"] if isinstance(options["@context"], list) else [options["@context"]]
        have = context if isinstance(context, list) else [context]
        if have[: len(wanted)] != wanted:
            raise ProofError("the proof's @context is not the start of the document's @context")
        unsecured["@context"] = options["@context"]
    try:
        signature = multibase_decode(proof.get("proofValue", ""))
    except KeyError_ as exc:
        raise ProofError(f"proofValue: {exc}") from exc
    config = proof_configuration(options, unsecured)
    try:
        key.verify(signature, hash_data(transform(unsecured), config))
    except InvalidSignature as exc:
        raise ProofError("the signature does not match") from exc
