"""The network as a credential issuer: its did:web identifier, its Ed25519 key (configured like
the ledger's: CREDENTIALS_ISSUER_KEY(_FILE), else generated on first use into VAR_DIR with a
warning) and the URLs it publishes (DID document, context, status lists)."""

import functools
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from serendip.credentials import contexts, did, multikey
from serendip.keyfiles import key_in_file

STATUS_LIST_SIZE = 131_072  # entries per Bitstring Status List (the specification's minimum)


def issuer_secret() -> str:
    """The issuer's secret key as a Multikey (z3u2...)."""
    if settings.CREDENTIALS_ISSUER_KEY:
        return settings.CREDENTIALS_ISSUER_KEY
    return key_in_file(
        Path(settings.CREDENTIALS_ISSUER_KEY_PATH),
        generate=multikey.generate,
        warning="CREDENTIALS_ISSUER_KEY is not set: generated the credential issuer's key in %s "
        "(public key %s). Back it up; a new key makes every credential issued so far unverifiable.",
    )


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> Ed25519PrivateKey:
    return multikey.secret_key(secret)


def issuer_key() -> Ed25519PrivateKey:
    return _key(issuer_secret())


def issuer_public_multikey() -> str:
    return multikey.public_multikey(issuer_key().public_key())


def issuer_did() -> str:
    return did.did_web_for(settings.SITE_URL)


def issuer_method() -> str:
    return f"{issuer_did()}#{did.KEY_FRAGMENT}"


def did_document() -> dict:
    return did.did_document(issuer_did(), issuer_public_multikey())


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def context_url() -> str:
    """Our own context (the passport credential's terms), served at /credentials/v1."""
    return site_url("/credentials/v1")


def status_list_url(number: int) -> str:
    return site_url(f"/credentials/status/{number}")


def known_contexts() -> dict[str, dict]:
    return contexts.local_contexts(context_url())
