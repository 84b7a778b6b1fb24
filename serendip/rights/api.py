"""API: my export, deleting my passport, my credentials, and a public credential verifier."""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import Body, Field, Router, Schema, Status

from serendip.apitypes import Id, Text, current_member, responses
from serendip.errors import Conflict, NotFound

from . import services
from .export import export_build, export_filename
from .issuing import credential_verify
from .selectors import export_of

router = Router(tags=["rights"])


class ExportPending(Schema):
    id: int
    status: str  # "preparing"
    url: str  # GET it: the ZIP once ready (202 until then)


@router.get(
    "/me/export",
    response=responses({200: None, 202: ExportPending}, 403),
    summary="Everything Serendip holds about me, as a ZIP of JSON (and CSV) files; a long history "
    "is prepared in the background (202 with where to fetch it)",
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}, "description": "the ZIP"}}},
)
def my_export(request):
    member = current_member(request)
    if services.export_needs_background(member=member):
        export = services.export_request(member=member)
        return Status(202, _pending(export))
    return _zip(export_build(member), member)


def _pending(export) -> dict:
    return {"id": export.pk, "status": "preparing", "url": f"/api/v1/me/exports/{export.pk}"}


def _zip(data: bytes, member) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(member)}"'
    return response


@router.get(
    "/me/exports/{export_id}",
    response=responses({200: None, 202: ExportPending}, 404, 409),
    summary="An export prepared in the background: the ZIP once ready",
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}, "description": "the ZIP"}}},
)
def my_prepared_export(request, export_id: Id):
    member = current_member(request)
    export = export_of(member, export_id)
    if export is None:
        raise NotFound(f"no export {export_id} of yours")
    if export.failed:
        raise Conflict("preparing this export failed; ask for a new one")
    if not export.ready:
        return Status(202, _pending(export))
    return _zip(bytes(export.data), member)


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
