"""The JSON API at /api/v1/: one NinjaAPI, its error format, each router mounted on it.

Conventions (README "API"): every error is JSON `{"detail": ..., "code": ...}` (a 422 adds
`errors`, field by field); 400 a rule refused it, 401 not signed in, 402 not enough social
capital, 403 not allowed, 404 unknown ids and endpoints, 405 wrong method, 409 conflicts,
413 body too large, 422 the request does not match the schema, 429 throttled. Auth is a
bearer token from `POST /api/v1/auth/token`, or the browser session (with CSRF) for the
pages' own calls. The types the routers share live in `serendip.apitypes`; this module only
builds the API.
"""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from serendip import errors
from serendip.exchange.api import router as exchange_router
from serendip.experiments.api import router as experiments_router
from serendip.ledger.api import router as ledger_router
from serendip.network.api import router as network_router
from serendip.notifications.api import router as notifications_router
from serendip.passport.api import router as passport_router
from serendip.passport.auth import BearerAuth, SessionAuth
from serendip.presence.api import router as presence_router
from serendip.rights.api import router as rights_router


class BodyNotAnObject(ValueError):
    """A body that is not a JSON object (a string, a number, a list, or no JSON at all)."""


class ObjectParser(Parser):
    """Every body of this API is a JSON object: anything else is refused (422) before the
    schema sees it (ninja would otherwise read attributes of a string: `"zzz"` became a
    question titled "Zzz")."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except ValueError as exc:  # not JSON, or not UTF-8
            raise BodyNotAnObject("the body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise BodyNotAnObject(f"the body must be a JSON object, not {type(data).__name__}")
        # The body was JSON: nothing may parse it again as a form (django-axes reads request.POST
        # after a failed login, and a multipart Content-Type would make Django try).
        request._post, request._files = QueryDict(), MultiValueDict()
        return data


api = NinjaAPI(
    title="Serendip API",
    version="1",
    description=(
        "Spaces, passports, check-ins, the knowledge exchange and social capital of the Serendip "
        'network. Every error is JSON {"detail", "code"}; the codes are stable.'
    ),
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    parser=ObjectParser(),
)


def error_response(request, detail: str, code: str, status: int, **extra):
    return api.create_response(request, {"detail": str(detail), "code": code, **extra}, status=status)


@api.exception_handler(errors.ServiceError)
def on_service_error(request, exc: errors.ServiceError):
    return error_response(request, exc.detail, exc.code, exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    # One readable sentence first, the field-by-field list after it for programs.
    parts = []
    for err in exc.errors:
        # Leave out the body's own name and pydantic's names of union members ("dict[...]").
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload")]
        where = ".".join(p for p in loc if not any(c in p for c in "[("))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    detail = "; ".join(parts) or "invalid input"
    return error_response(request, detail, errors.VALIDATION_ERROR, 422, errors=exc.errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    detail = "authentication required: send 'Authorization: Bearer <token>'"
    return error_response(request, detail, errors.NotAuthenticated.code, 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, BodyNotAnObject):
        return error_response(request, str(exc.__cause__), errors.INVALID_BODY, 422)
    code = errors.CODE_FOR_STATUS.get(exc.status_code, errors.InvalidInput.code)
    return error_response(request, exc.message, code, exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error_response(request, "the body is over the size limit", errors.PAYLOAD_TOO_LARGE, 413)


# Presence first: URL patterns are tried in order and check-ins are the busiest calls.
api.add_router("/", presence_router)
api.add_router("/", passport_router)
api.add_router("/", network_router)
api.add_router("/", ledger_router)
api.add_router("/", exchange_router)
api.add_router("/", experiments_router)
api.add_router("/", rights_router)
api.add_router("/", notifications_router)
