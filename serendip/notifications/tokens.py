"""Signed tokens in links sent by email: unsubscribe, address verification, address change.

Django's TimestampSigner with a salt per purpose: a token made for one purpose is refused for
another, a changed byte is refused, and each has a maximum age."""

from django.core import signing

UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90  # an email's unsubscribe link works for 90 days
VERIFY_MAX_AGE = 60 * 60 * 24 * 3
EMAIL_CHANGE_MAX_AGE = 60 * 60 * 24


class BadToken(Exception):
    """Tampered, expired or made for another purpose."""


def make(purpose: str, payload: dict) -> str:
    return signing.dumps(payload, salt=f"serendip.{purpose}", compress=True)


def read(purpose: str, token: str, *, max_age: int) -> dict:
    if not token or len(token) > 500:
        raise BadToken("malformed")
    try:
        payload = signing.loads(token, salt=f"serendip.{purpose}", max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadToken("expired") from exc
    except signing.BadSignature as exc:
        raise BadToken("invalid") from exc
    if not isinstance(payload, dict):
        raise BadToken("invalid")
    return payload


def unsubscribe_token(*, member, kind: str) -> str:
    return make("unsubscribe", {"m": member.pk, "k": kind})
