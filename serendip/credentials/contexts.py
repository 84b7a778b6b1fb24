"""The JSON-LD contexts Serendip's credentials use, from files shipped in this package
(contexts/SOURCE.md says where each comes from): nothing is fetched at run time."""

import functools
import json
from pathlib import Path

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
}
SERENDIP_FILE = "serendip-v1.jsonld"  # its URL is the site's: <SITE_URL>/credentials/v1


@functools.cache
def load_file(name: str) -> dict:
    return json.loads((CONTEXT_DIR / name).read_text(encoding="utf-8"))


def local_contexts(serendip_context_url: str | None = None) -> dict[str, dict]:
    """URL -> context document, for every context we ship."""
    found = {url: load_file(name) for url, name in FILES.items()}
    if serendip_context_url:
        found[serendip_context_url] = load_file(SERENDIP_FILE)
    return found
