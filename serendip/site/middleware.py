"""The API's method-not-allowed answer in its own error format; which language each request speaks."""

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

from serendip.errors import METHOD_NOT_ALLOWED
from serendip.l10n import supported
from serendip.network.models import Space


def api_method_not_allowed(get_response):
    """ninja answers a method a path does not have with a plain-text 405; API clients get the
    API's JSON error instead (the `Allow` header kept)."""

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            allow = response.get("Allow", "")
            detail = f"{request.method} is not allowed here; allowed: {allow}"
            json_response = JsonResponse({"detail": detail, "code": METHOD_NOT_ALLOWED}, status=405)
            json_response["Allow"] = allow
            return json_response
        return response

    return middleware


# --- which language a person sees (issue 16) -----------------------------------------------------


class LanguageMiddleware(MiddlewareMixin):
    """Activates the language of each request, in this order (the first that applies wins):

    1. the JSON API (`/api/`): always English; its `detail` sentences are not translated, and
       every error carries a stable `code` that clients translate themselves;
    2. the signed-in member's own choice (`Member.language`; blank means "as my browser");
    3. the `django_language` cookie the footer's switcher sets (anonymous visitors too);
    4. on a space's lobby screen and public pages (views marked `l10n.follows_space_language`): the
       space's language (`Space.language`), because a screen in Milan speaks Italian;
    5. the browser's `Accept-Language`;
    6. English (`LANGUAGE_CODE`).

    It replaces Django's LocaleMiddleware (same place in the chain: after sessions and
    authentication, which it reads). Responses carry `Content-Language`, and pages `Vary` on
    `Accept-Language` and `Cookie` (the member's session and the switcher's cookie) so no cache
    serves one person's language to another."""

    def process_request(self, request):
        language, chosen = self._choose(request)
        # Whether the visitor chose (2 or 3): then a space's own language does not apply.
        request.language_chosen = chosen
        self._activate(request, language)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.language_chosen or not getattr(view_func, "follows_space_language", False):
            return None
        slug = view_kwargs.get("slug")
        if slug and len(slug) <= 80:  # a SlugField(max_length=80); longer cannot exist
            language = Space.objects.filter(slug=slug).values_list("language", flat=True).first()
            if supported(language):
                self._activate(request, supported(language))
        return None

    def process_response(self, request, response):
        language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
        response.headers.setdefault("Content-Language", language)
        if not _is_api(request):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def _activate(request, language: str) -> None:
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    @staticmethod
    def _choose(request) -> tuple[str, bool]:
        if _is_api(request):
            return settings.LANGUAGE_CODE, True
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            member = getattr(user, "member", None)  # None for a user without a passport
            language = supported(getattr(member, "language", ""))
            if language:
                return language, True
        language = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language:
            return language, True
        return translation.get_language_from_request(request), False


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")
