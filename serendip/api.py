"""The JSON API at /api/v1/: one NinjaAPI, each app's router mounted on it.

Conventions (README "API"): JSON errors with a `detail` string; 400/422 bad input,
401/403 auth, 404 unknown ids, 409 conflicts, 429 throttled. Auth is a bearer token from
`POST /api/v1/auth/token`, or the browser session (with CSRF) for the pages' own calls.
"""

from typing import Annotated

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator

from serendip.errors import NotAuthenticated, ServiceError
from serendip.passport.models import Member
from serendip.passport.selectors import member_for_user
from serendip.passport.services import token_authenticate

# Ids in paths and bodies: positive and within a 64-bit column, so a huge number is a 422,
# not a database overflow error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = token_authenticate(raw=token)
        if found is None:
            return None
        request.api_token = found
        return found.user


api = NinjaAPI(
    title="Serendip API",
    version="1",
    description="Spaces, passports and check-ins of the Serendip network.",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
)


def current_member(request: HttpRequest) -> Member:
    member = member_for_user(request.auth)
    if member is None:
        raise NotAuthenticated("this account has no passport; sign up as a member first")
    return member


def _error(request: HttpRequest, detail, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return _error(request, exc.detail, exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    # One readable sentence first, the field-by-field list after it for programs.
    parts = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return api.create_response(
        request, {"detail": "; ".join(parts) or "invalid input", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, "authentication required: send 'Authorization: Bearer <token>'", 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.message, exc.status_code)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout: JSON for the API, the template page elsewhere."""
    detail = "too many failed logins; try again in 15 minutes"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=429)
    from django.shortcuts import render

    return render(request, "registration/locked_out.html", {"detail": detail}, status=429)


def _mount_routers() -> None:
    from serendip.exchange.api import router as exchange_router
    from serendip.ledger.api import router as ledger_router
    from serendip.network.api import router as network_router
    from serendip.passport.api import router as passport_router
    from serendip.presence.api import router as presence_router

    # Presence first: URL patterns are tried in order and check-ins are the busiest calls.
    api.add_router("/", presence_router)
    api.add_router("/", passport_router)
    api.add_router("/", network_router)
    api.add_router("/", ledger_router)
    api.add_router("/", exchange_router)


_mount_routers()
