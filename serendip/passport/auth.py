"""Who is asking: API authentication by bearer token (`POST /api/v1/auth/token` issues them),
the client's IP address (one rule for throttles and django-axes), bounded usernames for axes,
and per-IP throttles for the login and sign-up pages."""

import functools

import ninja.security
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from .services import token_authenticate

MAX_USERNAME_LENGTH = 150  # Django's User.username; axes stores at most 255


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


def client_ip(request) -> str | None:
    """The client's address: with NUM_PROXIES = n > 0, the n-th address from the right of
    X-Forwarded-For (the one our nearest trusted proxy saw), else REMOTE_ADDR. The same rule
    as django-ninja's throttles (`BaseThrottle.get_ident`), so the API's rate limits, the pages'
    and django-axes' lockouts all key on the same client."""
    xff = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = settings.NINJA_NUM_PROXIES or 0
    if proxies == 0 or not xff:
        return request.META.get("REMOTE_ADDR")
    addrs = xff.split(",")
    return addrs[-min(proxies, len(addrs))].strip()


def axes_username(request, credentials: dict | None) -> str | None:
    """The username django-axes records, bounded to what its table holds and without NUL, so a
    hostile login attempt is counted like any other instead of failing to be stored."""
    raw = credentials.get("username") if credentials else getattr(request, "POST", {}).get("username")
    if raw is None:
        return None
    return str(raw).replace("\x00", "")[:MAX_USERNAME_LENGTH]


class PageThrottle(SimpleRateThrottle):
    """django-ninja's rate-limit bookkeeping (in the shared cache) for pages, per client IP."""

    def __init__(self, scope: str, rate: str):
        self.scope = scope
        super().__init__(rate)

    def get_cache_key(self, request) -> str:
        return f"throttle_page_{self.scope}_{client_ip(request)}"


def throttle_posts(scope: str, rate_setting: str):
    """Limit a page's POSTs per client IP to settings.<rate_setting> (e.g. "10/h"): a 429 page beyond."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                throttle = PageThrottle(scope, getattr(settings, rate_setting))
                if not throttle.allow_request(request):
                    detail = _("Too many attempts from your address; please wait a while and try again.")
                    return render(request, "registration/locked_out.html", {"detail": detail}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
