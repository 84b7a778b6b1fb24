"""API for passports and API tokens: /auth/token, /me."""

from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from ninja import Field, Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from serendip.apitypes import (
    TAG_KEYS_SCHEMA,
    TAG_RULES,
    Bool,
    Number,
    Tag,
    TagKey,
    Text,
    current_member,
    responses,
)
from serendip.errors import NotAuthenticated, TooManyRequests

from . import services
from .auth import BearerAuth
from .billing import FIELDS as BILLING_FIELDS
from .models import Member, Visibility
from .selectors import billing_details, member_tags_by_kind, members_with_tags
from .services import MAX_WEIGHT, MIN_WEIGHT

router = Router(tags=["passport"])

# A member's language: one of settings.LANGUAGES, or "" for "as my browser asks". The API itself
# always answers in English; this is the language of their pages, emails and calendar feed.
Language = Annotated[
    Literal[("", *(code for code, _name in settings.LANGUAGES))],
    Field(description="the language of my pages, emails and calendar feed; empty: as my browser asks"),
]


class TokenIn(Schema):
    # Bounded before anything reaches the database or django-axes (its username is a varchar(255)).
    username: Annotated[Text, Field(min_length=1, max_length=150)]
    password: Annotated[Text, Field(min_length=1, max_length=4096)]


class TokenOut(Schema):
    token: str
    expires_at: str


class MeOut(Schema):
    """My passport (from `members_with_tags`: tags prefetched)."""

    id: int
    username: str
    display_name: str
    headline: str
    about: str
    visibility: Visibility
    open_to_matching: bool
    language: Language
    offers: dict[str, float]
    needs: dict[str, float]
    interests: dict[str, float]

    @staticmethod
    def resolve_username(member: Member) -> str:
        return member.user.username

    @staticmethod
    def resolve_offers(member: Member) -> dict[str, float]:
        return member_tags_by_kind(member)["offer"]

    @staticmethod
    def resolve_needs(member: Member) -> dict[str, float]:
        return member_tags_by_kind(member)["need"]

    @staticmethod
    def resolve_interests(member: Member) -> dict[str, float]:
        return member_tags_by_kind(member)["interest"]


Weight = Annotated[Number, Field(ge=MIN_WEIGHT, le=MAX_WEIGHT)]
TagWeights = Annotated[dict[TagKey, Weight], Field(json_schema_extra=TAG_KEYS_SCHEMA)]
TagsIn = Annotated[
    TagWeights | list[Tag] | None,
    Field(
        description=f"tag -> weight ({MIN_WEIGHT} to {MAX_WEIGHT}), or a list of tags (weight 1); {TAG_RULES}"
    ),
]


class MePatch(Schema):
    display_name: Text | None = None
    headline: Text | None = None
    about: Text | None = None
    visibility: Visibility | None = None
    open_to_matching: Bool | None = None
    language: Language | None = None
    # tag -> weight, or a plain list of tags (weight 1); a kind left out is unchanged
    offers: TagsIn = None
    needs: TagsIn = None
    interests: TagsIn = None


@router.post(
    "/auth/token",
    auth=None,
    response=responses({201: TokenOut}, 401, 429, body=True),
    throttle=[AnonRateThrottle("30/m")],
    summary="Exchange a username and password for a bearer token",
)
def token_create(request, payload: TokenIn):
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyRequests("too many failed logins; try again in 15 minutes")
    if user is None:
        raise NotAuthenticated("wrong username or password")
    token, raw = services.token_create(user=user)
    return Status(201, {"token": raw, "expires_at": token.expires_at.isoformat()})


@router.delete(
    "/auth/token", auth=BearerAuth(), response=responses({204: None}), summary="Revoke the token in use"
)
def token_revoke(request):
    services.token_revoke(token=request.api_token)
    return Status(204, None)


class SignedOutOut(Schema):
    tokens: int = Field(description="API tokens revoked")
    sessions: int = Field(description="browser sessions ended")


@router.delete(
    "/auth/tokens",
    response=responses({200: SignedOutOut}, 403),
    summary="Sign out everywhere: revoke all my API tokens and end all my browser sessions",
)
def sign_out_everywhere(request):
    return services.user_sign_out_everywhere(user=request.auth)


def _me(member: Member) -> Member:
    return members_with_tags().select_related("user").get(pk=member.pk)


@router.get("/me", response=responses({200: MeOut}), summary="My passport")
def me_get(request):
    return _me(current_member(request))


@router.patch(
    "/me",
    response=responses({200: MeOut}, 400, 403, body=True),
    summary="Edit my passport (fields left out are unchanged)",
)
def me_patch(request, payload: MePatch):
    member = current_member(request)
    services.member_edit(member=member, **payload.dict())
    return _me(member)


def _billing_text(max_length: int, description: str):
    return Annotated[Text, Field(max_length=max_length, description=description)]


class Billing(Schema):
    """Whom my invoices are made out to; every field may be empty. Invoices copy these when they
    are issued, so a change applies to invoices issued from then on."""

    name: _billing_text(80, "name on invoices; empty: my display name") = ""
    company: _billing_text(120, "company name; needed with a VAT id") = ""
    street: _billing_text(200, "street and number; an address needs street, city and country") = ""
    postcode: _billing_text(20, "postcode") = ""
    city: _billing_text(80, "city") = ""
    country: _billing_text(2, "ISO 3166-1 alpha-2 code, e.g. NL") = ""
    vat_id: _billing_text(
        30,
        "EU VAT id: country code and number, e.g. NL000099998B57 (spaces and dots are dropped);"
        " checked for format and check digits; its country must be the address's",
    ) = ""


def _billing_out(member: Member) -> dict[str, str]:
    details = billing_details(member)
    return {f: getattr(details, f) if details is not None else "" for f in BILLING_FIELDS}


@router.get("/me/billing", response=responses({200: Billing}), summary="My billing details")
def billing_get(request):
    return _billing_out(current_member(request))


@router.put(
    "/me/billing",
    response=responses({200: Billing}, 400, 403, body=True),
    summary="Set my billing details (all fields; all empty removes them)",
)
def billing_put(request, payload: Billing):
    member = current_member(request)
    services.billing_details_set(member=member, **payload.dict())
    return _billing_out(member)
