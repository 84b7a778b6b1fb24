"""Errors that services raise and that the API and pages turn into clear answers.

Each carries the HTTP status it maps to and a stable machine-readable `code`, so a service
says *what* went wrong once and every caller (API, page, CLI) reports it the same way. The
API answers `{"detail": <sentence for people>, "code": <code for programs>}`; a code never
changes once published (README "API" lists them), the sentence may.
"""


class ServiceError(Exception):
    status = 400
    code = "invalid_input"

    def __init__(self, detail: str, *, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class InvalidInput(ServiceError):
    status = 400
    code = "invalid_input"


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class TooManyRequests(ServiceError):
    status = 429
    code = "throttled"


class PaymentRequired(ServiceError):
    """Not enough social capital for what was asked."""

    status = 402
    code = "payment_required"


# Codes of errors the API itself answers (not raised by services).
VALIDATION_ERROR = "validation_error"  # 422: the request does not match the schema
INVALID_BODY = "invalid_body"  # 422: the body is not a JSON object
PAYLOAD_TOO_LARGE = "payload_too_large"  # 413
METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
NO_SUCH_ENDPOINT = "no_such_endpoint"  # 404 for a URL the API does not have
LOCKED_OUT = "locked_out"  # 429 after too many failed logins
INTERNAL_ERROR = "internal_error"  # 500

# The code of an HTTP status the API answers without a service error (ninja's own HttpError).
CODE_FOR_STATUS = {
    400: InvalidInput.code,
    401: NotAuthenticated.code,
    403: Forbidden.code,
    404: NotFound.code,
    405: METHOD_NOT_ALLOWED,
    409: Conflict.code,
    413: PAYLOAD_TOO_LARGE,
    422: VALIDATION_ERROR,
    429: TooManyRequests.code,
}
