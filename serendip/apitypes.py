"""Types every app's API router shares: bounded ids, text without NUL, dates as ISO strings,
tags, the signed-in member, the error bodies and the error responses each operation documents.

A shared module at the bottom of the layers (it imports no domain app), so the routers do not
import `serendip.api`, which imports them (ARCHITECTURE.md, "Layers")."""

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, Strict

from serendip.errors import NotAuthenticated
from serendip.text import bad_character

if TYPE_CHECKING:  # a type only: the bottom layer imports no domain at run time
    from serendip.passport.models import Member

# Ids: positive and within a 64-bit column, so a huge number is a 422, not a database overflow
# error. `Id` is for paths and queries (text on the wire); a body's JSON says its types itself,
# so its numbers and booleans are strict: "5" is not an integer and 0 is not false there.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _json_integer(value: Any) -> Any:
    """A JSON integer: a number with no fraction (JSON Schema counts 25.0 as one), not a string
    or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


def int_between(low: int, high: int) -> Any:
    """A JSON integer from `low` to `high` (the bounds inside, so the schema states them)."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_json_integer)]


Int = Annotated[int, BeforeValidator(_json_integer)]
BodyId = int_between(1, 2**63 - 1)
Number = Annotated[float, Strict()]
Bool = Annotated[bool, Strict()]

NO_NUL = r"^[^\x00]*$"


def _storable(value: str) -> str:
    problem = bad_character(value)
    if problem:
        raise ValueError(problem)
    return value


# Free text: any characters but NUL (PostgreSQL cannot store it) and lone UTF-16 surrogates
# (JSON can spell one, "\ud800"; UTF-8 cannot encode it): both are a 422. NUL is in the schema too.
Text = Annotated[
    str,
    Field(json_schema_extra={"pattern": NO_NUL}, description="text; must not contain NUL or lone surrogates"),
    AfterValidator(_storable),
]

# The same as a key of a {tag: weight} object (a pattern there would become patternProperties,
# which leave keys that do not match it unconstrained).
TagKey = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
TAG_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
# For the object itself: its keys' rules as `propertyNames`, pattern included.
TAG_KEYS_SCHEMA = {"propertyNames": {"minLength": 1, "maxLength": 200, "pattern": TAG_PATTERN}}

# A tag as sent: stored normalised (NFKC, case-folded, whitespace collapsed); it must not be
# blank, and must be at most 50 characters once normalised (else 400, stated per kind).
TAG_RULES = (
    "a tag: not blank, no NUL; stored normalised (NFKC, case-folded, whitespace collapsed, control "
    "and format characters dropped) and refused (400) if that leaves it empty or over 50 characters"
)
Tag = Annotated[
    str,
    Field(min_length=1, max_length=200, json_schema_extra={"pattern": TAG_PATTERN}),
    AfterValidator(_storable),
]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


def _iso_date_only(value: Any) -> Any:
    """Dates are `YYYY-MM-DD` strings: no Unix timestamps (`0` is not 1970-01-01), no datetimes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _iso_datetime_only(value: Any) -> Any:
    """Times are ISO 8601 strings (`2026-12-01T14:00`, optionally with seconds and an offset)."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise ValueError("must be a date and time written YYYY-MM-DDTHH:MM[:SS][+HH:MM]")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_date_only)]
Moment = Annotated[dt.datetime, BeforeValidator(_iso_datetime_only)]


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str = Field(description="what went wrong, for people")
    code: str = Field(description="what went wrong, for programs: stable (README, 'API errors')")


class ValidationErrorOut(ErrorOut):
    """A 422: the request does not match the schema; `errors` says where, field by field."""

    errors: list[dict[str, Any]] = Field(default_factory=list)


def responses(ok: dict[int, Any], *errors: int, public: bool = False, body: bool = False) -> dict[int, Any]:
    """An operation's documented responses: `ok` ({status: schema}), the errors it may give
    (its services' refusals; 403 also for a write by a browser session without its CSRF
    token), and those every operation of its kind can give: 422 (bad input), 401 unless
    `public`, 413 if it takes a body."""
    codes = set(errors) | {422}
    if not public:
        codes.add(401)
    if body:
        codes.add(413)
    return ok | {c: (ValidationErrorOut if c == 422 else ErrorOut) for c in sorted(codes)}


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
