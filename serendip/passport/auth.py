"""API authentication by bearer token (`POST /api/v1/auth/token` issues them)."""

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
