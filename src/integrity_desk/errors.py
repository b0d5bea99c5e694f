"""Domain errors. Interfaces turn them into HTTP answers or CLI messages; services never do."""

from __future__ import annotations

from typing import Any


class DeskError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        error.update(self.extra)
        return error


class InvalidInput(DeskError):
    status_code = 422
    code = "invalid"


class NotFound(DeskError):
    status_code = 404
    code = "not_found"


class Forbidden(DeskError):
    status_code = 403
    code = "forbidden"


class Unauthenticated(DeskError):
    status_code = 401
    code = "unauthenticated"


class Conflict(DeskError):
    status_code = 409
    code = "conflict"
