"""Map domain errors and invalid input to JSON answers; never a traceback to a client."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.core.errors import DomainError, Unauthorized

logger = logging.getLogger("peermatch.api")
# Seconds a client is asked to wait when the database does not answer (as /readyz does).
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The service is briefly unavailable. Nothing you sent was saved; please try again."
INTERNAL_ERROR = "Internal error; it has been logged"
# What the database could not store (a NUL character, say), when nothing before caught it.
UNSTORABLE = {
    "loc": ["body"],
    "field": "body",
    "msg": "a value could not be stored: it holds characters that are not allowed",
    "type": "value_error",
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


def _without_echo(message: str, submitted: Any) -> str:
    # A validator's message may quote the value it refused ("'<script>' is not ..."): an
    # answer never repeats what was sent, so the quotation becomes a description.
    if isinstance(submitted, str) and submitted:
        for quoted in (f"'{submitted}'", f'"{submitted}"'):
            message = message.replace(quoted, "the value given")
        if len(submitted) >= 8 and submitted in message:
            return "this value is not accepted"
    return message


def public_errors(errors: list[Any]) -> list[dict[str, Any]]:
    # The raw errors echo the submitted values back (`input`, `ctx`; passwords included):
    # only these four keys leave, and the message without any quotation of the input.
    return [
        {
            "loc": list(error["loc"]),
            "field": _field(error["loc"]),
            "msg": _without_echo(str(error["msg"]), error.get("input")),
            "type": error["type"],
        }
        for error in errors
    ]


def log_unexpected(method: str, path: str, error: BaseException) -> None:
    """Log an unexpected failure: its kind and where, never the request's data."""
    logger.error("unhandled %s on %s %s", type(error).__name__, method, path, exc_info=error)


# The database is down or unreachable: an outage, not a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)


def log_unavailable(method: str, path: str, error: BaseException) -> None:
    """One line for an outage: the driver's error class, never its message (it can carry
    the query)."""
    cause = getattr(error, "orig", None) or error
    logger.warning("database unavailable on %s %s (%s)", method, path, type(cause).__name__)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn errors into `{"detail": ...}` answers."""

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, error: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": public_errors(list(error.errors()))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        # FastAPI answers 400 when the body cannot be decoded at all (a number too long for
        # Python's int, say); to a client that is invalid input like any other.
        if error.status_code == 400 and error.detail == "There was an error parsing the body":
            body_error = {
                "loc": ["body"],
                "field": "body",
                "msg": "the body is not valid JSON",
                "type": "json_invalid",
            }
            return JSONResponse({"detail": [body_error]}, status_code=422)
        return await http_exception_handler(request, error)

    @app.exception_handler(ValidationError)
    async def invalid_data(_request: Request, error: ValidationError) -> JSONResponse:
        return JSONResponse({"detail": public_errors(error.errors())}, status_code=422)

    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        # One line in the log, and an answer that says when to come back.
        log_unavailable(request.method, request.url.path, error)
        return JSONResponse(
            {"detail": UNAVAILABLE},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, database_unavailable)

    @app.exception_handler(DataError)
    async def unstorable(request: Request, error: DataError) -> JSONResponse:
        # The last line of defence behind the schemas: PostgreSQL refuses a NUL character or
        # an out-of-range number. Invalid input, not a bug; the log names only the driver's
        # error class (the engine hides the parameters, and the message is not logged).
        cause = getattr(error, "orig", None) or error
        logger.warning(
            "refused by the database on %s %s (%s)",
            request.method,
            request.url.path,
            type(cause).__name__,
        )
        return JSONResponse({"detail": [UNSTORABLE]}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Normally services.api.edge answers these first (and keeps the connection usable).
        log_unexpected(request.method, request.url.path, error)
        return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)
