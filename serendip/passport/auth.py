"""API authentication by bearer token (`POST /api/v1/auth/token` issues them)."""

import ninja.security
from django.http import HttpRequest
from ninja.security import HttpBearer

from .services import token_authenticate


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = token_authenticate(raw=token)
        if found is None:
            return None
        request.api_token = found
        return found.user


class SessionAuth(ninja.security.SessionAuth):
    """The browser session (the pages' own calls), with Django's CSRF check for writes.

    ninja checks CSRF before it looks at the session, so a request that is not signed in at
    all got a CSRF 403; here it is a 401 like every other unauthenticated request, and a
    signed-in session without its CSRF token still gets the 403."""

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)
