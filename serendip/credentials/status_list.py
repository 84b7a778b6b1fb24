"""W3C Bitstring Status List v1.0: a GZIP-compressed bitstring, multibase base64url ('u',
no padding) in `encodedList`; bit 0 is the most significant bit of the first byte."""

import base64
import gzip

MIN_BITS = 131_072  # 16 KB: the specification's minimum, so one entry reveals little


class StatusListError(ValueError):
    pass


def encode(set_bits: set[int] | frozenset[int], *, length: int = MIN_BITS) -> str:
    if length % 8 or length < 8:
        raise StatusListError("a status list is a whole number of bytes")
    data = bytearray(length // 8)
    for index in set_bits:
        if not 0 <= index < length:
            raise StatusListError(f"index {index} is outside the list of {length} entries")
        data[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always encodes to the same bytes.
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (starting with 'u')")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError(f"encodedList is not a GZIP-compressed bitstring: {exc}") from exc


def is_set(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"status index {index} is outside the list of {len(bitstring) * 8} entries")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
