"""API for passports and API tokens: /auth/token, /me."""

from django.contrib.auth import authenticate
from ninja import Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from serendip.apitypes import Text, current_member
from serendip.errors import NotAuthenticated, TooManyRequests

from . import services
from .auth import BearerAuth
from .models import Member, Visibility
from .selectors import member_tags_by_kind, members_with_tags

router = Router(tags=["passport"])


class TokenIn(Schema):
    username: Text
    password: Text


class TokenOut(Schema):
    token: str
    expires_at: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    headline: str
    about: str
    visibility: Visibility
    open_to_matching: bool
    offers: dict[str, float]
    needs: dict[str, float]
    interests: dict[str, float]


class MePatch(Schema):
    display_name: Text | None = None
    headline: Text | None = None
    about: Text | None = None
    visibility: Visibility | None = None
    open_to_matching: bool | None = None
    # tag -> weight, or a plain list of tags (weight 1); a kind left out is unchanged
    offers: dict[Text, float] | list[Text] | None = None
    needs: dict[Text, float] | list[Text] | None = None
    interests: dict[Text, float] | list[Text] | None = None


@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut},
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


@router.delete("/auth/token", auth=BearerAuth(), response={204: None}, summary="Revoke the token in use")
def token_revoke(request):
    services.token_revoke(token=request.api_token)
    return Status(204, None)


def _me(member: Member) -> dict:
    member = members_with_tags().select_related("user").get(pk=member.pk)
    tags = member_tags_by_kind(member)
    return {
        "id": member.pk,
        "username": member.user.username,
        "display_name": member.display_name,
        "headline": member.headline,
        "about": member.about,
        "visibility": member.visibility,
        "open_to_matching": member.open_to_matching,
        "offers": tags["offer"],
        "needs": tags["need"],
        "interests": tags["interest"],
    }


@router.get("/me", response=MeOut, summary="My passport")
def me_get(request):
    return _me(current_member(request))


@router.patch("/me", response=MeOut, summary="Edit my passport (fields left out are unchanged)")
def me_patch(request, payload: MePatch):
    member = current_member(request)
    services.member_edit(member=member, **payload.dict())
    return _me(member)
