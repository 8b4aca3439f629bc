"""Errors that services raise when a rule says no; views and the API turn them into answers."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse; `message` is shown to the user, `status` is the HTTP status."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides its status (Retry-After of a 429)."""
        return {}


class Invalid(ServiceError):
    """A value that is not acceptable (422)."""

    status = 422


class Conflict(ServiceError):
    """The request clashes with the current state: double enrolment, finished attempt (409)."""

    status = 409


class NotAllowed(ServiceError):
    """The user may not do this (403)."""

    status = 403


class NotFound(ServiceError):
    """Unknown, or not visible to this user (404)."""

    status = 404


class TooManyAttempts(ServiceError):
    """Too many tries in a short time: try again after `retry_after` seconds (429)."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
