"""Types every app's API router shares: bounded ids, text without NUL, the signed-in member,
the error body. A shared module at the bottom of the layers (imports no domain app), so the
routers do not import `serendip.api`, which imports them (ARCHITECTURE.md, "Layers")."""

from typing import TYPE_CHECKING, Annotated

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import AfterValidator

from serendip.errors import NotAuthenticated

if TYPE_CHECKING:  # a type only: the bottom layer imports no domain at run time
    from serendip.passport.models import Member

# Ids in paths and bodies: positive and within a 64-bit column, so a huge number is a 422,
# not a database overflow error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str


def current_member(request: HttpRequest) -> "Member":
    """The passport of the authenticated account (bearer token or session), or a 401.

    `user.member` is the one-to-one reverse accessor; the bearer authentication has already
    cached it (one statement per request), and a missing passport raises an AttributeError
    subclass, so `getattr` answers None."""
    user = request.auth
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    if member is None:
        raise NotAuthenticated("this account has no passport; sign up as a member first")
    return member
