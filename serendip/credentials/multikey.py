"""Ed25519 keys as Multikey (W3C Controlled Identifiers): multibase base58-btc ('z') of a
multicodec prefix and the raw key. Public keys start 'z6Mk', secret keys 'z3u2'."""

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub, as an unsigned varint
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv


class KeyError_(ValueError):
    """A key that is not an Ed25519 Multikey."""


def multibase_encode(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyError_("not a base58-btc multibase value (it must start with 'z')")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise KeyError_(f"not base58-btc: {exc}") from exc


def public_multikey(key: Ed25519PublicKey) -> str:
    return multibase_encode(ED25519_PUB + key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def secret_multikey(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_encode(ED25519_PRIV + raw)


def _decode(value: str, prefix: bytes, what: str) -> bytes:
    data = multibase_decode(value)
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise KeyError_(f"not an Ed25519 {what} Multikey")
    return data[len(prefix) :]


def public_key(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_decode(value, ED25519_PUB, "public"))


def secret_key(value: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decode(value, ED25519_PRIV, "secret"))


def generate() -> tuple[str, str]:
    """A new key pair as (secretKeyMultibase, publicKeyMultibase)."""
    key = Ed25519PrivateKey.generate()
    return secret_multikey(key), public_multikey(key.public_key())
