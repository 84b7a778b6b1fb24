"""The API's method-not-allowed answer in its own error format."""

from django.http import JsonResponse

from serendip.errors import METHOD_NOT_ALLOWED


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
