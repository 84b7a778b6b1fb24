"""The JSON API at /api/v1/: one NinjaAPI, its error format, each router mounted on it.

Conventions (README "API"): JSON errors with a `detail` string; 400/422 bad input,
401/403 auth, 404 unknown ids, 409 conflicts, 429 throttled. Auth is a bearer token from
`POST /api/v1/auth/token`, or the browser session (with CSRF) for the pages' own calls.
The types the routers share live in `serendip.apitypes`; this module only builds the API.
"""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from serendip.errors import ServiceError
from serendip.exchange.api import router as exchange_router
from serendip.ledger.api import router as ledger_router
from serendip.network.api import router as network_router
from serendip.passport.api import router as passport_router
from serendip.passport.auth import BearerAuth
from serendip.presence.api import router as presence_router

api = NinjaAPI(
    title="Serendip API",
    version="1",
    description="Spaces, passports and check-ins of the Serendip network.",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
)


def _error(request, detail, status: int):
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


# Presence first: URL patterns are tried in order and check-ins are the busiest calls.
api.add_router("/", presence_router)
api.add_router("/", passport_router)
api.add_router("/", network_router)
api.add_router("/", ledger_router)
api.add_router("/", exchange_router)
