"""Domain errors: services raise these, and one handler maps them to HTTP statuses."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400

    def __init__(self, detail: str | list[dict[str, object]]) -> None:
        super().__init__(detail if isinstance(detail, str) else "invalid input")
        self.detail = detail


class NotFound(DomainError):
    """The thing is not there, or is not the caller's to see."""

    status_code = 404


class Conflict(DomainError):
    """The thing is in the wrong state, or the request clashes with existing data."""

    status_code = 409


class Forbidden(DomainError):
    """The caller's role does not allow this."""

    status_code = 403


class Unauthorized(DomainError):
    """The caller is not logged in, or the credentials are wrong."""

    status_code = 401


class InvalidInput(DomainError):
    """Input that passed the schema but not a rule that needs data (an unknown city, say)."""

    status_code = 422

    def __init__(
        self,
        field: str,
        message: str,
        error_type: str = "value_error",
        extra: dict[str, object] | None = None,
    ) -> None:
        loc = ["body", *field.split(".")]
        item = {"loc": loc, "field": field, "msg": message, "type": error_type, **(extra or {})}
        super().__init__([item])
