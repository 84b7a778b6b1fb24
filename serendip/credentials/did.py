"""did:web identifiers and the DID document that names the issuer's Multikey."""

from urllib.parse import quote, urlsplit

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
KEY_FRAGMENT = "key-1"


def did_web_for(site_url: str) -> str:
    """did:web for a site's root: the host (a port's ':' percent-encoded), then path segments."""
    parts = urlsplit(site_url)
    if not parts.hostname:
        raise ValueError(f"{site_url!r} has no host name")
    host = parts.hostname + (quote(f":{parts.port}") if parts.port else "")
    segments = [s for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_document(did: str, public_key_multibase: str, *, fragment: str = KEY_FRAGMENT) -> dict:
    method = f"{did}#{fragment}"
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase,
            }
        ],
        "assertionMethod": [method],
        "authentication": [method],
    }
