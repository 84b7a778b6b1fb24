"""API: my export, deleting my passport, my credentials, and a public credential verifier."""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import Body, Field, Router, Schema

from serendip.apitypes import Text, current_member, responses

from . import services
from .export import export_build, export_filename
from .issuing import credential_verify

router = Router(tags=["rights"])


@router.get(
    "/me/export",
    response=responses({200: None}),
    summary="Everything Serendip holds about me, as a ZIP of JSON (and CSV) files",
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}, "description": "the ZIP"}}},
)
def my_export(request):
    member = current_member(request)
    response = HttpResponse(export_build(member), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(member)}"'
    return response


class EraseIn(Schema):
    # Text: a NUL or a lone surrogate is a 422 (it cannot be hashed or stored), not a 500.
    password: Text = Field(..., max_length=4096)


class EraseOut(Schema):
    erased_at: dt.datetime
    invoices_kept_until: dt.date | None  # invoices are kept by law until then, then removed


@router.post(
    "/me/erase",
    response=responses({200: EraseOut}, 403, body=True),
    summary="Delete my passport for good (confirm with my password); what is kept is on /privacy/",
)
def my_erase(request, payload: EraseIn):
    member = current_member(request)
    erasure = services.member_erase(member=member, password=payload.password)
    return {"erased_at": erasure.erased_at, "invoices_kept_until": erasure.invoices_kept_until}


@router.get(
    "/me/credentials/passport",
    response=responses({200: dict[str, Any]}, 403),
    summary="My passport as a W3C Verifiable Credential (eddsa-jcs-2022)",
)
def my_passport_credential(request):
    return services.credential_issue_passport(member=current_member(request))


@router.get(
    "/me/credentials/achievements",
    response=responses({200: list[dict[str, Any]]}, 403),
    summary="My verified contributions as Open Badges 3.0 credentials (one per achievement)",
)
def my_achievement_credentials(request):
    return services.credential_issue_achievements(member=current_member(request))


class VerifyOut(Schema):
    valid: bool
    errors: list[str]
    checks: list[str]
    issuer: str
    types: list[str]


@router.post(
    "/credentials/verify",
    response=responses({200: VerifyOut}, public=True, body=True),
    auth=None,
    summary="Verify a credential this network issued: signature, issuer key, validity, revocation",
)
def verify(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 (ninja's way)
    result = credential_verify(payload)
    return {
        "valid": result.valid,
        "errors": result.errors,
        "checks": result.checks,
        "issuer": result.issuer,
        "types": result.types,
    }
