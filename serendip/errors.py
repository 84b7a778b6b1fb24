"""Errors that services raise and that the API and pages turn into clear answers.

Each carries the HTTP status it maps to, so a service says *what* went wrong once and every
caller (API, page, CLI) reports it the same way.
"""


class ServiceError(Exception):
    status = 400

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class InvalidInput(ServiceError):
    status = 400


class NotAuthenticated(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class TooManyRequests(ServiceError):
    status = 429


class PaymentRequired(ServiceError):
    """Not enough social capital for what was asked."""

    status = 402
